"""A message that failed stays visible on the dashboard, in the viewer's scope, and the
figure leads to the outbox filtered to failures."""

import datetime as dt
import re

import pytest
from django.urls import reverse

from notifications import services
from notifications.choices import MessageState
from notifications.models import Message

pytestmark = pytest.mark.django_db


def message(unit, key, state):
    row, _ = services.message_enqueue(
        topic="transfusion_due",
        subject_key=f"transfusion:{key}",
        recipient_key=f"guardian:{key}",
        recipient_name="Meena",
        phone="+919000000101",
        channel="sms",
        template="guardian_transfusion_due",
        due_on=dt.date(2026, 12, 1),
        unit=unit,
        context={"child": {"name": "Riya"}, "on": dt.date(2026, 12, 1)},
    )
    Message.objects.filter(pk=row.pk).update(state=state)


def failed_figure(client):
    page = client.get("/dashboard/").content.decode()
    card = re.search(
        r'data-testid="card-failed-messages".*?figure-number[^>]*>([^<]+)<', page, re.S
    )
    return card.group(1).strip(), page


def test_failures_in_scope_are_counted_and_link_to_the_failed_outbox(
    units, client_for, staff_a, admin_user
):
    message(units.station_a, 1, MessageState.FAILED)
    message(units.station_a, 2, MessageState.FAILED)
    message(units.station_a, 3, MessageState.SENT)
    message(units.station_b, 4, MessageState.FAILED)

    figure, page = failed_figure(client_for(staff_a))
    assert figure == "2"  # station B's failure is not station A's business
    assert f"{reverse('notifications:outbox')}?state=failed" in page
    assert failed_figure(client_for(admin_user))[0] == "3"


def test_a_message_sent_again_leaves_the_figure(units, client_for, staff_a):
    message(units.station_a, 1, MessageState.FAILED)
    assert failed_figure(client_for(staff_a))[0] == "1"
    Message.objects.update(state=MessageState.PENDING)
    assert failed_figure(client_for(staff_a))[0] == "0"
