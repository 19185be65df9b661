"""Erasure on a family's shared mobile (DPDP-23): erasing one person on a number blanks what
was theirs (their messages, their calls, the replies that were theirs alone) and takes
their name out of the rest; the others on the number keep their messages, their calls and
the replies the number sent for them (STOP, an unclear text). Erasing the last person on
the number blanks everything it sent and received. Guardians share numbers with donors too.
"""

import datetime as dt
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.urls import reverse

from calldesk.models import CallLog
from donors.privacy import donor_erase
from notifications.models import InboundMessage, Message
from notifications.replies import reply_code
from notifications.services import message_enqueue
from tests.factories import DonorFactory, make_assignment, make_patient
from tests.notifications.fake_provider import FakeProvider, configure
from tests.portal.test_erasure_leaves_no_trace import find_everywhere, spellings
from thalassemia.privacy import guardian_erase

IST = ZoneInfo("Asia/Kolkata")
D = dt.date(2026, 12, 10)
FAMILY_PHONE = "+919876511111"
NAMES = ("Ramesh Devraj", "Sita Devraj", "Anu Devraj")
pytestmark = [pytest.mark.django_db]
needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the dump reads information_schema"
)


@pytest.fixture(autouse=True)
def noon(settings):
    configure(settings)
    settings.INBOUND_RATE_LIMIT = "1000/m"
    with time_machine.travel(dt.datetime(2026, 12, 10, 12, 0, tzinfo=IST), tick=False):
        yield


def enqueue(key, name, phone, body, subject):
    message, _ = message_enqueue(
        topic="test",
        subject_key=subject,
        recipient_key=key,
        recipient_name=name,
        phone=phone,
        channel="sms",
        template="donor_eligible_again",
        due_on=D + timedelta(days=5),
        context={"on": D + timedelta(days=5)},
    )
    Message.objects.filter(pk=message.pk).update(body=body)  # as rendered
    return message


@pytest.fixture
def family(units, anon):
    """Three donors on one mobile, each sent a message and phoned once; Sita asked to give
    for a child and confirming with her reply code; the number's STOP and an unclear text."""
    ramesh, sita, anu = (
        DonorFactory(unit=units.station_a, name=name, phone=FAMILY_PHONE, blood_group="B+")
        for name in NAMES
    )
    child = make_patient(units.station_a, last_transfused_on=D - timedelta(days=18))
    asked = make_assignment(child.transfusions.get(status="due"), sita)
    for donor in (ramesh, sita, anu):
        enqueue(f"donor:{donor.pk}", donor.name, FAMILY_PHONE, f"Dear {donor.name}", "t:1")
        CallLog.objects.create(
            unit=units.station_a,
            kind="failed",
            row_key=f"message:{donor.pk}",
            name=donor.name,
            phone=FAMILY_PHONE,
            outcome="reached",
            notes="evening",
        )
    provider = FakeProvider(anon)
    provider.reply("098765 11111", f"1 {reply_code(f'assignment:{asked.pk}')}")
    provider.reply(FAMILY_PHONE, "kal bataunga, Sita Devraj ko bukhar hai")
    provider.reply(FAMILY_PHONE, "STOP")
    asked.refresh_from_db()
    assert asked.status == "confirmed"  # the code picked Sita's request out of the number's
    return {"ramesh": ramesh, "sita": sita, "anu": anu}


def inbound(text_start):
    """The family's reply starting with ``text_start``."""
    return InboundMessage.objects.get(
        intent={"1": "confirm", "kal": "unclear", "STOP": "stop"}[text_start]
    )


def messages_to(donor):
    return Message.objects.filter(recipient_key=f"donor:{donor.pk}")


def test_erasing_one_of_a_family_leaves_the_others_messages_calls_and_replies(family, admin_user):
    ramesh, sita, anu = family["ramesh"], family["sita"], family["anu"]
    confirmation, unclear, stop = inbound("1"), inbound("kal"), inbound("STOP")
    assert sita.name in confirmation.recipient_name and sita.name in stop.recipient_name

    donor_erase(donor=sita, actor=admin_user)

    # The others' messages: address, name and text as they were, still waiting to go.
    for donor in (ramesh, anu):
        message = messages_to(donor).get()
        assert (message.phone, message.recipient_name, message.body) == (
            FAMILY_PHONE,
            donor.name,
            f"Dear {donor.name}",
        )
        assert message.state == "pending"
    # Sita's: blank, and cancelled (there is nobody to send them to). The request's message
    # went to her too.
    for message in messages_to(sita):
        assert (message.phone, message.body, message.state) == ("", "", "cancelled")
        assert message.recipient_name == f"Erased donor #{sita.pk}"
    # Her confirmation was hers alone: blank; the count stays.
    confirmation.refresh_from_db()
    assert (confirmation.phone, confirmation.text, confirmation.recipient_name) == ("", "", "")
    assert confirmation.outcome == "confirmed"
    # The number's STOP and its unclear text stay for the family, without her name.
    stop.refresh_from_db()
    assert (stop.phone, stop.text) == (FAMILY_PHONE, "STOP")
    assert set(stop.recipient_name.split(", ")) == {ramesh.name, anu.name}
    unclear.refresh_from_db()
    assert unclear.phone == FAMILY_PHONE
    assert unclear.text == "kal bataunga, [erased] ko bukhar hai"
    assert set(unclear.recipient_name.split(", ")) == {ramesh.name, anu.name}
    # The call desk: the others' calls as they were, hers blank.
    calls = {call.row_key: call for call in CallLog.objects.all()}
    for donor in (ramesh, anu):
        call = calls[f"message:{donor.pk}"]
        assert (call.name, call.phone, call.notes) == (donor.name, FAMILY_PHONE, "evening")
    hers = calls[f"message:{sita.pk}"]
    assert (hers.name, hers.phone, hers.notes) == (f"Erased donor #{sita.pk}", "", "")


@needs_postgres
def test_the_erased_ones_name_is_nowhere_and_the_number_stays_for_the_others(family, admin_user):
    donor_erase(donor=family["sita"], actor=admin_user)

    assert find_everywhere([NAMES[1]]) == []
    # The number is the family's: still on the others' records, messages and replies.
    tables = {table for table, _c, _v in find_everywhere(spellings(FAMILY_PHONE))}
    assert {"donors_donor", "notifications_message", "notifications_inboundmessage"} <= tables


@needs_postgres
def test_erasing_the_last_one_on_the_number_blanks_everything_it_sent_and_received(
    family, admin_user
):
    for key in ("sita", "ramesh", "anu"):
        donor_erase(donor=family[key], actor=admin_user)

    assert find_everywhere([*NAMES, *spellings(FAMILY_PHONE)]) == []
    assert set(InboundMessage.objects.values_list("phone", "text", "recipient_name")) == {
        ("", "", "")
    }
    assert InboundMessage.objects.count() == 3  # the counts stay
    assert not Message.objects.exclude(body="").exists()
    assert not Message.objects.filter(state="pending").exists()


def test_a_guardian_sharing_the_familys_number_keeps_it_after_the_donors_go(
    family, units, admin_user, coordinator
):
    """A mother who is a guardian of a child and whose sons donate from her phone."""
    child = make_patient(
        units.station_a,
        name="Meera Devraj",
        guardians=[{"name": "Kamla Devraj", "phone": FAMILY_PHONE, "relation": "mother"}],
    )
    kamla = child.guardians.get()
    to_kamla = enqueue(f"guardian:{kamla.pk}", kamla.name, FAMILY_PHONE, "Meera due", "t:2")

    for key in ("sita", "ramesh", "anu"):
        donor_erase(donor=family[key], actor=admin_user)

    # Still Kamla's number: her message and the number's STOP stay.
    to_kamla.refresh_from_db()
    assert (to_kamla.phone, to_kamla.body) == (FAMILY_PHONE, "Meera due")
    stop = inbound("STOP")
    assert (stop.phone, stop.text, stop.recipient_name) == (FAMILY_PHONE, "STOP", "")

    guardian_erase(guardian=kamla, actor=coordinator)

    to_kamla.refresh_from_db()
    assert (to_kamla.phone, to_kamla.body) == ("", "")
    stop.refresh_from_db()
    assert (stop.phone, stop.text) == ("", "")


def test_erasing_a_guardian_leaves_the_donors_on_her_number_their_messages(
    family, units, coordinator
):
    child = make_patient(
        units.station_a,
        guardians=[{"name": "Kamla Devraj", "phone": FAMILY_PHONE, "relation": "mother"}],
    )
    kamla = child.guardians.get()
    to_kamla = enqueue(f"guardian:{kamla.pk}", kamla.name, FAMILY_PHONE, "Child due", "t:2")

    guardian_erase(guardian=kamla, actor=coordinator)

    to_kamla.refresh_from_db()
    assert (to_kamla.phone, to_kamla.body, to_kamla.state) == ("", "", "cancelled")
    ramesh = family["ramesh"]
    assert messages_to(ramesh).get().phone == FAMILY_PHONE
    stop = inbound("STOP")
    assert (stop.phone, stop.text) == (FAMILY_PHONE, "STOP")


def test_a_guardians_own_replies_go_with_her(units, anon, coordinator):
    """A guardian alone on her number: her replies (an unknown number to the donors'
    registry) are blanked with her, as a donor's are."""
    child = make_patient(
        units.station_a,
        guardians=[{"name": "Kamla Devraj", "phone": "+919812300077", "relation": "mother"}],
    )
    provider = FakeProvider(anon)
    provider.reply("+919812300077", "Kamla here, what time?")
    provider.reply("098123 00077", "STOP")  # as some gateways write the number

    guardian_erase(guardian=child.guardians.get(), actor=coordinator)

    assert set(InboundMessage.objects.values_list("phone", "text", "recipient_name")) == {
        ("", "", "")
    }
    assert InboundMessage.objects.count() == 2


def test_the_erase_page_says_the_number_stays_for_the_others(family, client_for, admin_user):
    page = client_for(admin_user).get(reverse("donors:erase", args=[family["sita"].pk]))
    html = page.content.decode()
    assert 'data-testid="shared-phone"' in html
    assert "2 other people use this number" in html


def test_the_erase_page_of_a_donor_alone_on_the_number_says_nothing_of_sharing(
    units, client_for, admin_user
):
    donor = DonorFactory(unit=units.station_a)
    html = client_for(admin_user).get(reverse("donors:erase", args=[donor.pk])).content
    assert b'data-testid="shared-phone"' not in html
