"""The outbox at phone and desktop width: a failed message is visible with its error, the
filter finds it, and one button sends it again."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from notifications import services
from notifications.choices import MessageState
from notifications.models import Message
from tests.e2e.conftest import fits_width, sign_in

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]


def test_outbox_filter_and_resend(live_server, phone, desktop, screenshot, coordinator, units):
    for i, state in enumerate([MessageState.SENT, MessageState.FAILED, MessageState.PENDING]):
        row, _ = services.message_enqueue(
            topic="transfusion_due",
            subject_key=f"transfusion:{i}",
            recipient_key=f"guardian:{i}",
            recipient_name=f"Guardian {state}",
            phone="+919812345678",
            channel="sms",
            template="guardian_transfusion_due",
            due_on=dt.date(2026, 12, 1),
            unit=units.station_a,
            context={"child": {"name": "Riya Sharma"}, "on": dt.date(2026, 12, 1)},
        )
        Message.objects.filter(pk=row.pk).update(
            state=state, last_error="HTTP 400: invalid number" if state == "failed" else ""
        )
    sign_in(phone, live_server.url, "coordinator")
    phone.get_by_role("button", name="Menu").click()
    phone.get_by_role("link", name="Messages").click()
    expect(phone.get_by_test_id("message")).to_have_count(3)
    assert fits_width(phone)
    screenshot(phone, "outbox-phone")
    phone.get_by_test_id("summary-failed").click()
    expect(phone.get_by_test_id("message")).to_have_count(1)
    expect(phone.get_by_test_id("message")).to_contain_text("HTTP 400: invalid number")
    phone.get_by_test_id("resend").click()
    expect(phone.locator(".alert")).to_contain_text("will be sent again")
    assert Message.objects.get(recipient_name="Guardian failed").state == MessageState.PENDING

    sign_in(desktop, live_server.url, "coordinator")
    desktop.goto(f"{live_server.url}/messages/")
    expect(desktop.get_by_test_id("message")).to_have_count(3)
    assert fits_width(desktop)
    screenshot(desktop, "outbox-desktop")
