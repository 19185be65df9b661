"""Personal data by role (issue 13): a donor's phone on a list (page, API, export) is whole
for the roles that call donors (admins, coordinators) and for staff of the donor's own unit,
masked (98••••3210) for staff looking at the units below their own; and every list of
donors, children, guardians, deferrals or messages, page or API, is one audit row per
request saying who looked, with which filter, at how many rows."""

import datetime as dt

import pytest
from django.urls import reverse

from accounts.choices import AuditAction
from accounts.masking import mask_phone
from accounts.models import AuditEvent
from notifications import services as outbox
from tests.factories import DeferralFactory, DonorFactory, make_patient
from tests.helpers import assert_queries_bounded

pytestmark = pytest.mark.django_db

STATION_PHONE = "+919876543210"  # a donor of station A (below the circle)
CIRCLE_PHONE = "+919812345678"  # a donor registered at the circle itself


@pytest.fixture
def donors(units):
    return {
        "station": DonorFactory(name="Asha Verma", phone=STATION_PHONE, unit=units.station_a),
        "circle": DonorFactory(name="Bilal Khan", phone=CIRCLE_PHONE, unit=units.kotwali_circle),
    }


def test_the_mask_keeps_two_leading_and_four_trailing_digits():
    assert mask_phone("+919876543210") == "98••••3210"
    assert mask_phone("") == "••••"


# persona → the phones it sees whole (the others masked)
WHOLE = {
    "staff_a": {STATION_PHONE},  # its own station's donor; the circle's is out of scope
    "circle_staff": {CIRCLE_PHONE},  # its own unit's; the station's below it masked
    "coordinator": {STATION_PHONE, CIRCLE_PHONE},
    "admin_user": {STATION_PHONE, CIRCLE_PHONE},
}


@pytest.mark.parametrize("persona", WHOLE)
def test_the_donor_api_masks_phones_by_role(request, api_client_for, donors, persona):
    user = request.getfixturevalue(persona)
    rows = api_client_for(user).get("/api/v1/donors/").json()["results"]
    phones = {row["name"]: row["phone"] for row in rows}
    for donor in donors.values():
        if donor.name not in phones:
            continue
        expected = donor.phone if donor.phone in WHOLE[persona] else mask_phone(donor.phone)
        assert phones[donor.name] == expected
    assert len(phones) == (1 if persona == "staff_a" else 2)


@pytest.mark.parametrize("persona", WHOLE)
def test_the_donor_list_page_masks_phones_by_role(request, client_for, donors, persona):
    html = client_for(request.getfixturevalue(persona)).get(reverse("donors:list")).content
    html = html.decode()
    for phone in (STATION_PHONE, CIRCLE_PHONE):
        whole = f"{phone[:3]} {phone[3:8]} {phone[8:]}"  # as the page writes it
        if phone in WHOLE[persona]:
            assert whole in html and mask_phone(phone) not in html
        else:
            assert whole not in html


def test_circle_staff_see_the_stations_donors_masked_on_the_page(client_for, circle_staff, donors):
    html = client_for(circle_staff).get(reverse("donors:list")).content.decode()
    assert "Asha Verma" in html and "98••••3210" in html and "98765 43210" not in html


@pytest.mark.parametrize(("persona", "whole"), [("circle_staff", False), ("coordinator", True)])
def test_the_export_masks_phones_as_the_list_does(request, client_for, donors, persona, whole):
    client = client_for(request.getfixturevalue(persona))
    body = b"".join(client.get(reverse("donors:export"), {"format": "csv"}).streaming_content)
    text = body.decode()
    assert (STATION_PHONE in text) is whole
    assert ("98••••3210" in text) is not whole


def test_the_masked_lists_stay_bounded(api_client_for, client_for, circle_staff, units, donors):
    def grow():
        for i in range(30):
            DonorFactory(phone=f"+91981234{i:04d}", unit=units.station_a)

    api = api_client_for(circle_staff)
    assert_queries_bounded(lambda: api.get("/api/v1/donors/"), grow, maximum=15)
    page = client_for(circle_staff)
    assert_queries_bounded(lambda: page.get(reverse("donors:list")), lambda: None, maximum=20)


# --- every list of personal data is audited ---------------------------------------------


def list_events(what):
    return list(
        AuditEvent.objects.filter(action=AuditAction.VIEW, details__what=what).order_by("id")
    )


@pytest.fixture
def children(units):
    return [
        make_patient(
            units.station_a,
            name=name,
            last_transfused_on=dt.date.today() - dt.timedelta(days=15),
            guardians=[{"name": f"Parent of {name}", "phone": phone, "relation": "mother"}],
        )
        for name, phone in [("Riya", "+919800000001"), ("Sara", "+919800000002")]
    ]


def test_the_patients_api_list_is_one_audit_row(api_client_for, coordinator, children):
    body = api_client_for(coordinator).get("/api/v1/patients/", {"status": "active"}).json()
    (event,) = list_events("children")
    assert event.actor == coordinator
    assert event.details["count"] == body["count"] == 2
    assert event.details["filters"] == {"status": "active"}
    assert sorted(event.details["ids"]) == sorted(c.pk for c in children)


def test_the_children_page_and_the_due_board_are_audited(client_for, staff_a, children):
    client = client_for(staff_a)
    client.get(reverse("thalassemia:list"), {"q": "Riya"})
    client.get(reverse("thalassemia:due-soon"))
    (listed,) = list_events("children")
    assert listed.actor == staff_a and listed.details["count"] == 1
    assert listed.details["filters"] == {"q": "Riya"}
    (board,) = list_events("children due")
    assert board.details["count"] == 2


def test_the_deferrals_api_list_is_audited(api_client_for, staff_a, units):
    donor = DonorFactory(unit=units.station_a)
    DeferralFactory(donor=donor, category="malaria")
    api_client_for(staff_a).get("/api/v1/deferrals/", {"donor": donor.pk})
    (event,) = list_events("deferrals")
    assert event.details["count"] == 1 and event.details["filters"] == {"donor": str(donor.pk)}


def test_the_messages_api_and_page_are_audited(api_client_for, client_for, staff_a, units):
    enqueue(units.station_a, recipient_key="guardian:1", name="Meena", phone="+919000000101")
    api_client_for(staff_a).get("/api/v1/messages/", {"state": "pending"})
    client_for(staff_a).get(reverse("notifications:outbox"))
    api, page = list_events("messages")
    assert api.details["count"] == 1 and api.details["filters"] == {"state": "pending"}
    assert page.details["count"] == 1 and page.actor == staff_a


def test_the_guardians_api_list_is_audited(api_client_for, coordinator, children):
    api_client_for(coordinator).get(f"/api/v1/patients/{children[0].pk}/guardians/")
    assert AuditEvent.objects.filter(
        action=AuditAction.VIEW, object_id=str(children[0].pk)
    ).exists()


def test_an_empty_list_records_nothing(api_client_for, staff_b, children):
    api_client_for(staff_b).get("/api/v1/patients/")
    assert list_events("children") == []


# --- the outbox's addresses: the same rule as the donor lists -----------------------------

GUARDIAN_PHONE = "+919800000101"  # a guardian of station A's child


def enqueue(unit, *, recipient_key, name, phone="", email="", channel="sms", subject="s:1"):
    return outbox.message_enqueue(
        topic="t",
        subject_key=subject,
        recipient_key=recipient_key,
        recipient_name=name,
        phone=phone,
        email=email,
        channel=channel,
        template="guardian_transfusion_due",
        due_on=dt.date(2026, 12, 1),
        unit=unit,
        context={"child": {"name": "Riya"}, "on": dt.date(2026, 12, 1)},
    )


@pytest.fixture
def addressed(units):
    """A message to station A's guardian (SMS) and one to the circle's donor (WhatsApp)."""
    enqueue(units.station_a, recipient_key="guardian:1", name="Meena", phone=GUARDIAN_PHONE)
    enqueue(
        units.kotwali_circle,
        recipient_key="donor:2",
        name="Bilal Khan",
        phone=CIRCLE_PHONE,
        channel="whatsapp",
        subject="s:2",
    )


# persona → the addresses it sees whole (the others masked; staff_a does not see the circle's)
WHOLE_ADDRESSES = {
    "staff_a": {GUARDIAN_PHONE},
    "circle_staff": {CIRCLE_PHONE},
    "coordinator": {GUARDIAN_PHONE, CIRCLE_PHONE},
    "admin_user": {GUARDIAN_PHONE, CIRCLE_PHONE},
}


@pytest.mark.parametrize("persona", WHOLE_ADDRESSES)
def test_the_messages_api_masks_addresses_by_role(request, api_client_for, addressed, persona):
    client = api_client_for(request.getfixturevalue(persona))
    rows = client.get("/api/v1/messages/").json()["results"]
    shown = {row["recipient_name"]: row["address"] for row in rows}
    phones = {"Meena": GUARDIAN_PHONE, "Bilal Khan": CIRCLE_PHONE}
    assert len(shown) == (1 if persona == "staff_a" else 2)
    for name, address in shown.items():
        phone = phones[name]
        assert address == (phone if phone in WHOLE_ADDRESSES[persona] else mask_phone(phone))
    for row in rows:  # one message alone answers as the list does
        one = client.get(f"/api/v1/messages/{row['id']}/").json()
        assert one["address"] == row["address"]


@pytest.mark.parametrize("persona", WHOLE_ADDRESSES)
def test_the_outbox_page_masks_addresses_by_role(request, client_for, addressed, persona):
    html = client_for(request.getfixturevalue(persona)).get(reverse("notifications:outbox"))
    html = html.content.decode()
    for phone in (GUARDIAN_PHONE, CIRCLE_PHONE):
        if phone in WHOLE_ADDRESSES[persona]:
            assert phone in html and mask_phone(phone) not in html
        else:
            assert phone not in html and phone[-10:] not in html
    if persona == "circle_staff":  # the station below is listed, its guardian masked
        assert "Meena" in html and mask_phone(GUARDIAN_PHONE) in html


def test_an_email_address_is_not_masked(api_client_for, circle_staff, units):
    enqueue(
        units.station_a,
        recipient_key="donor:3",
        name="Asha",
        email="asha@example.org",
        channel="email",
    )
    rows = api_client_for(circle_staff).get("/api/v1/messages/").json()["results"]
    assert [row["address"] for row in rows] == ["asha@example.org"]


def test_the_masked_outbox_stays_bounded(
    api_client_for, client_for, circle_staff, units, addressed
):
    def grow():
        for i in range(30):
            enqueue(
                units.station_a,
                recipient_key=f"guardian:{i + 10}",
                name=f"Parent {i}",
                phone=f"+91981234{i:04d}",
                subject=f"s:{i + 10}",
            )

    api = api_client_for(circle_staff)
    assert_queries_bounded(lambda: api.get("/api/v1/messages/"), grow, maximum=15)
    page = client_for(circle_staff)
    assert_queries_bounded(
        lambda: page.get(reverse("notifications:outbox")), lambda: None, maximum=20
    )
