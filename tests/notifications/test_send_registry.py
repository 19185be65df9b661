"""At send time the outbox asks the checks the domain rooms registered at start-up, not
settings naming them: each room's check holds what it must, and the outbox's code names no
domain app, not even in a string."""

import ast
import re
from pathlib import Path

import pytest
from django.utils import timezone

from notifications import sending
from notifications.choices import MessageState
from notifications.registry import register_send_check, send_checks, unregister_send_check
from tests.factories import DonorFactory
from tests.notifications.test_outbox import enqueue

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
DOMAIN = re.compile(r"\b(donors|camps|thalassemia|calldesk|dashboard)\.")


def held_for_test(message):
    return "held by the test" if message.subject_key == "thing:held" else None


@pytest.fixture
def test_check():
    register_send_check(held_for_test)
    yield held_for_test
    unregister_send_check(held_for_test)


def test_each_domain_room_registers_its_check_at_start_up():
    names = {f"{check.__module__}.{check.__name__}" for check in send_checks()}
    assert names >= {
        "donors.reminders.send_check",
        "camps.reminders.send_check",
        "thalassemia.reminders.send_check",
        "calldesk.selectors.send_check",
    }


def test_registering_twice_asks_once():
    before = len(send_checks())
    register_send_check(send_checks()[0])
    assert len(send_checks()) == before


def test_a_registered_check_cancels_the_message_with_its_reason(settings, test_check):
    settings.NOTIFY_QUIET_CHANNELS = []
    held, free = enqueue(subject_key="thing:held")[0], enqueue()[0]
    assert sending.message_send(held.pk) == "cancelled"
    assert sending.message_send(free.pk) == "sent"
    held.refresh_from_db()
    assert held.state == MessageState.CANCELLED
    assert held.last_error == "held by the test"


def test_a_donor_who_opted_out_is_held_by_the_donor_rooms_check(settings, units):
    settings.NOTIFY_QUIET_CHANNELS = []
    donor = DonorFactory(unit=units.station_a, opted_out_at=timezone.now())
    message = enqueue(recipient_key=f"donor:{donor.pk}")[0]
    assert sending.message_send(message.pk) == "cancelled"
    message.refresh_from_db()
    assert message.last_error == "the donor opted out"


def test_the_outbox_code_names_no_domain_app():
    found = []
    for path in sorted((ROOT / "notifications").rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text())):
            text = None
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                text = node.value
            elif isinstance(node, ast.ImportFrom):
                text = f"{node.module}."
            elif isinstance(node, ast.Import):
                text = " ".join(f"{a.name}." for a in node.names)
            if text and DOMAIN.search(text):
                found.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert found == []
