"""On a phone and a laptop: an admin erases one donor of a family that shares a mobile; the
page says first that the number stays for the others, and after the erasure the others'
messages are still there."""

import pytest
from playwright.sync_api import expect

from notifications.models import Message
from notifications.services import message_enqueue
from tests.e2e.conftest import fits_width, sign_in
from tests.factories import DonorFactory

pytestmark = [pytest.mark.e2e, pytest.mark.django_db(transaction=True)]

FAMILY_PHONE = "+919876511111"


def test_an_admin_erases_one_of_a_family_and_the_number_stays_for_the_others(
    live_server, screen, screenshot, admin_user, units
):
    family = [
        DonorFactory(unit=units.station_a, name=name, phone=FAMILY_PHONE)
        for name in ("Ramesh Devraj", "Sita Devraj", "Anu Devraj")
    ]
    for i, donor in enumerate(family):
        message_enqueue(
            topic="test",
            subject_key=f"t:{i}",
            recipient_key=f"donor:{donor.pk}",
            recipient_name=donor.name,
            phone=FAMILY_PHONE,
            channel="sms",
            template="donor_eligible_again",
            due_on=donor.date_of_birth.replace(year=2027),
            context={"on": donor.date_of_birth.replace(year=2027)},
        )
    sita = family[1]
    sign_in(screen, live_server.url, admin_user.username)
    screen.goto(f"{live_server.url}/donors/{sita.pk}/erase/")

    note = screen.get_by_test_id("shared-phone")
    expect(note).to_contain_text("2 other people use this number")
    assert fits_width(screen)
    screenshot(screen, f"donor-erase-shared-phone-{screen.screen_name}")
    screen.get_by_role("button", name="Erase this donor's personal data").click()
    expect(screen.get_by_text("Personal data erased.")).to_be_visible()

    kept = Message.objects.exclude(recipient_key=f"donor:{sita.pk}")
    assert {m.phone for m in kept} == {FAMILY_PHONE} and kept.count() == 2
    assert Message.objects.get(recipient_key=f"donor:{sita.pk}").phone == ""
