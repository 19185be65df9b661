"""Camp pages and the camp table through the browser's requests: scope, the workflow, the
messages a person sees, and bounded queries with a camp of 500 donors."""

import csv
import datetime
import io
import uuid

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from camps.selectors import camp_donations, camp_totals, table_panel
from donors.choices import ConsentPurpose, ConsentSource
from donors.consent import consent_give
from donors.models import Deferral, Donation, Donor
from tests.factories import (
    BloodCentreFactory,
    CampFactory,
    DeferralFactory,
    DonationFactory,
    DonorFactory,
    HospitalContactFactory,
)
from tests.helpers import assert_queries_bounded

pytestmark = pytest.mark.django_db

SCREENING = {
    "haemoglobin_g_dl": "13.4",
    "weight_kg": "70",
    "bp_systolic": "120",
    "bp_diastolic": "80",
}
# The thank-you's own reads and writes for a donor who takes reminders (donors.thanks via
# notifications: the certificate's short link and the outbox message, each get-or-create
# in a savepoint, and the recipient's preferences). Not yet within issue 12's budget.
THANKS_QUERIES = 9


@pytest.fixture
def camp(units):
    return CampFactory(unit=units.station_a, name="Kotwali camp")


def many_donations(camp, count, *, start=0):
    """``count`` collected donations at ``camp`` from new donors, in bulk."""
    donors = Donor.objects.bulk_create(
        Donor(
            name=f"Donor {start + i}",
            sex="M",
            date_of_birth=datetime.date(1990, 1, 1),
            blood_group=["A+", "B+", "O+", "AB-"][i % 4],
            phone=f"+9196{start + i:08d}",
            unit=camp.unit,
        )
        for i in range(count)
    )
    Donation.objects.bulk_create(
        Donation(
            donor=donor,
            camp=camp,
            blood_centre=camp.blood_centre,
            donated_on=camp.held_on,
            outcome="collected" if i % 5 else "deferred",
            bag_number=f"BAG-{start + i}" if i % 5 else "",
            bag_volume_ml=(350 if i % 2 else 450) if i % 5 else None,
        )
        for i, donor in enumerate(donors)
    )


# --- Permission triads -------------------------------------------------------------------

CAMP_PAGES = ["camps:detail", "camps:edit", "camps:table", "camps:report"]


@pytest.mark.parametrize("name", CAMP_PAGES)
def test_anonymous_visitors_are_sent_to_sign_in(anon, camp, name):
    response = anon.get(reverse(name, args=[camp.pk]))
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("name", CAMP_PAGES)
def test_another_units_camp_is_404(client_for, staff_b, camp, name):
    assert client_for(staff_b).get(reverse(name, args=[camp.pk])).status_code == 404


@pytest.mark.parametrize("name", CAMP_PAGES)
def test_staff_of_the_unit_and_above_reach_the_camp(client_for, staff_a, coordinator, camp, name):
    for user in (staff_a, coordinator):
        assert client_for(user).get(reverse(name, args=[camp.pk])).status_code == 200


@pytest.mark.parametrize(
    "name",
    ["camps:list", "camps:calendar", "camps:create", "camps:centre-list", "camps:hospital-list"],
)
def test_list_pages_need_sign_in(anon, client_for, staff_a, name):
    assert anon.get(reverse(name)).status_code == 302
    assert client_for(staff_a).get(reverse(name)).status_code == 200


def test_the_camp_list_shows_only_camps_in_scope(client_for, staff_b, camp, units):
    CampFactory(unit=units.station_b, name="Cantt camp")
    page = client_for(staff_b).get(reverse("camps:list")).content.decode()
    assert "Cantt camp" in page
    assert "Kotwali camp" not in page


def test_the_camp_list_filters_upcoming_and_past(client_for, staff_a, units):
    today = datetime.date.today()
    CampFactory(unit=units.station_a, name="Next week", held_on=today + datetime.timedelta(7))
    CampFactory(unit=units.station_a, name="Last year", held_on=today - datetime.timedelta(300))
    client = client_for(staff_a)
    upcoming = client.get(reverse("camps:list"), {"when": "upcoming"}).content.decode()
    past = client.get(reverse("camps:list"), {"when": "past"}).content.decode()
    assert "Next week" in upcoming and "Last year" not in upcoming
    assert "Last year" in past and "Next week" not in past


def test_bad_filters_and_months_answer_with_a_message_not_500(client_for, staff_a):
    client = client_for(staff_a)
    assert client.get(reverse("camps:list"), {"held_from": "notadate"}).status_code == 200
    response = client.get(reverse("camps:calendar"), {"month": "2026-13"})
    assert response.status_code == 400
    assert b"YYYY-MM" in response.content


def test_the_calendar_shows_the_months_camps(client_for, staff_a, units):
    CampFactory(unit=units.station_a, name="November camp", held_on=datetime.date(2026, 11, 9))
    CampFactory(unit=units.station_b, name="Other unit", held_on=datetime.date(2026, 11, 9))
    page = client_for(staff_a).get(reverse("camps:calendar"), {"month": "2026-11"})
    assert "November camp" in page.content.decode()
    assert "Other unit" not in page.content.decode()


def test_staff_plan_a_camp_only_in_their_scope(client_for, staff_a, units):
    centre = BloodCentreFactory()
    data = {
        "name": "Plan",
        "held_on": "2026-12-01",
        "venue": "Lines",
        "unit": units.station_b.pk,
        "blood_centre": centre.pk,
        "target_donors": 50,
    }
    client = client_for(staff_a)
    response = client.post(reverse("camps:create"), data)
    assert response.status_code == 200  # the unit is not a choice
    data["unit"] = units.station_a.pk
    response = client.post(reverse("camps:create"), data)
    assert response.status_code == 302


def test_the_camp_list_and_detail_run_bounded_queries(client_for, staff_a, camp, units):
    client = client_for(staff_a)
    many_donations(camp, 5)

    def grow():
        many_donations(camp, 495, start=5)
        for _i in range(30):
            CampFactory(unit=units.station_a, blood_centre=BloodCentreFactory())

    def pages():
        assert client.get(reverse("camps:list")).status_code == 200
        assert client.get(reverse("camps:detail", args=[camp.pk])).status_code == 200
        assert client.get(reverse("camps:table", args=[camp.pk])).status_code == 200

    assert_queries_bounded(pages, grow, maximum=45)


def test_the_camp_detail_links_certificates_and_shows_other_units_donors(
    client_for, staff_a, staff_b, camp, units
):
    visitor = DonorFactory(unit=units.station_c, name="Visiting Donor")
    donation = DonationFactory(donor=visitor, camp=camp, blood_centre=camp.blood_centre)
    client = client_for(staff_a)
    page = client.get(reverse("camps:detail", args=[camp.pk])).content.decode()
    assert "Visiting Donor" in page
    url = reverse("camps:certificate", args=[camp.pk, donation.pk])
    assert url in page
    response = client.get(url)
    assert response.status_code == 200 and response.content[:4] == b"%PDF"
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(donation.pk)).exists()
    # The donor's own unit is out of staff_a's scope: the donor registry's route says 404.
    assert client.get(reverse("donors:certificate", args=[donation.pk])).status_code == 404
    assert client_for(staff_b).get(url).status_code == 404
    other = CampFactory(unit=units.station_a)
    assert client.get(reverse("camps:certificate", args=[other.pk, donation.pk])).status_code == 404


# --- The camp table ----------------------------------------------------------------------


def test_a_known_phone_in_any_form_finds_the_donor_and_says_why_not_today(
    client_for, staff_a, camp
):
    donor = DonorFactory(unit=camp.unit, name="Ravi Kumar", phone="+919812345678")
    DonationFactory(donor=donor, donated_on=camp.held_on - datetime.timedelta(days=20))
    response = client_for(staff_a, htmx=True).get(
        reverse("camps:table-lookup", args=[camp.pk]), {"phone": "098123 45678"}
    )
    page = response.content.decode()
    assert "Ravi Kumar" in page
    assert "90 days must pass" in page
    assert 'id="camp-totals" class="card mb-3" hx-swap-oob="true"' in page


def test_a_shared_number_lists_everyone_on_it_to_pick_the_person(client_for, staff_a, camp, units):
    husband = DonorFactory(unit=camp.unit, name="Arun Rao", phone="+919812345600")
    wife = DonorFactory(
        unit=units.station_c,
        name="Meena Rao",
        phone="+919812345600",
        date_of_birth=datetime.date(1993, 2, 9),
    )
    client = client_for(staff_a, htmx=True)
    url = reverse("camps:table-lookup", args=[camp.pk])

    page = client.get(url, {"phone": "98123 45600"}).content.decode()

    assert 'data-testid="shared-phone"' in page
    assert page.count('data-testid="shared-phone-donor"') == 2
    assert "Arun Rao" in page and "Meena Rao" in page
    assert "Registered with another unit" in page  # the other district's: no more than that
    assert "9 Feb 1993" not in page
    shown = AuditEvent.objects.filter(action=AuditAction.VIEW, details__shared_phone=2)
    assert {e.object_id for e in shown} == {str(husband.pk), str(wife.pk)}
    # Picking one shows that donor's card, which records for that donor.
    card = client.get(url, {"phone": "9812345600", "donor": husband.pk}).content.decode()
    assert 'data-testid="donor-card"' in card and "Arun Rao" in card
    assert f'name="donor" value="{husband.pk}"' in card
    recorded = client.post(
        reverse("camps:table-record", args=[camp.pk]),
        {
            "phone": "9812345600",
            "donor": wife.pk,
            "outcome": "deferred",
            "deferral_category": "tattoo",
        },
    )
    assert "Meena Rao" in recorded.content.decode()
    assert Donation.objects.get(camp=camp).donor == wife
    # Someone else on the number: the quick form, as a family member.
    other = client.get(url, {"phone": "9812345600", "new": "1"}).content.decode()
    assert 'data-testid="family-member"' in other


def test_an_unknown_phone_offers_the_quick_form_and_registers_a_camp_donor(
    client_for, staff_a, camp
):
    client = client_for(staff_a, htmx=True)
    page = client.get(
        reverse("camps:table-lookup", args=[camp.pk]), {"phone": "9876501234"}
    ).content.decode()
    assert "New donor" in page
    response = client.post(
        reverse("camps:table-donor", args=[camp.pk]),
        {
            "phone": "+919876501234",
            "name": "Sita Devi",
            "sex": "F",
            "date_of_birth": "1995-04-02",
            "blood_group": "A+",
            "weight_kg": "58",
            "consent": "on",
        },
    )
    assert "Sita Devi" in response.content.decode()
    donor = Donor.objects.get(phone="+919876501234")
    assert (donor.source, donor.unit, donor.consent_at is not None) == ("camp", camp.unit, True)


def test_the_quick_form_shows_field_errors(client_for, staff_a, camp):
    response = client_for(staff_a).post(
        reverse("camps:table-donor", args=[camp.pk]),
        {"phone": "+919876501234", "name": "", "sex": "F", "date_of_birth": "3000-01-01"},
    )
    assert "Enter a real date of birth." in response.content.decode()
    assert not Donor.objects.exists()


def test_recording_a_collected_unit_updates_the_totals_in_the_same_answer(
    client_for, staff_a, camp
):
    donor = DonorFactory(unit=camp.unit, blood_group="B+")
    response = client_for(staff_a, htmx=True).post(
        reverse("camps:table-record", args=[camp.pk]),
        {
            "phone": donor.phone,
            "outcome": "collected",
            "haemoglobin_g_dl": "13.4",
            "weight_kg": "70",
            "bp_systolic": "120",
            "bp_diastolic": "80",
            "bag_number": "KNP-77",
            "bag_volume_ml": "450",
        },
    )
    page = response.content.decode()
    assert "collected, bag KNP-77" in page
    assert 'data-testid="total-collected">1<' in page
    assert "B+ · 1" in page
    assert Donation.objects.get(camp=camp).bag_number == "KNP-77"


# Issue 12: the camp table records a donation in 10 SQL statements or fewer (as
# bench/state.py counts them), plus the BEGIN and COMMIT of its one transaction, which
# Django's query log counts too (a SAVEPOINT and its RELEASE inside a test's transaction).
RECORD_QUERIES = 10 + 2


@pytest.mark.parametrize("reminders", [False, True], ids=["no-reminders", "thanked"])
def test_recording_at_the_table_stays_within_its_query_budget(
    client_for, staff_a, camp, reminders, django_assert_max_num_queries
):
    """The table's own post (its client id, the donor picked, the screening): session, user,
    camp, donor, the writes and the totals redrawn, whatever the camp and donor's history
    hold. A donor thanked by SMS costs the thank-you's own writes on top."""
    ContentType.objects.get_for_model(Donation)  # cached by a running process (the audit's)
    many_donations(camp, 30)
    donor = DonorFactory(unit=camp.unit, blood_group="B+")
    for days in (400, 800):
        DonationFactory(donor=donor, donated_on=camp.held_on - datetime.timedelta(days=days))
    DeferralFactory(
        donor=donor,
        starts_on=camp.held_on - datetime.timedelta(days=300),
        until=camp.held_on - datetime.timedelta(days=200),
    )
    if reminders:
        consent_give(donor=donor, purpose=ConsentPurpose.REMINDERS, source=ConsentSource.STAFF)
    client = client_for(staff_a)
    client.get(reverse("camps:table", args=[camp.pk]))  # the session as the table has it
    post = {
        "phone": donor.phone,
        "donor": donor.pk,
        "client_id": str(uuid.uuid4()),
        "outcome": "collected",
        "bag_number": "KNP-900",
        "bag_volume_ml": "450",
        **SCREENING,
    }
    budget = RECORD_QUERIES + (THANKS_QUERIES if reminders else 0)
    with django_assert_max_num_queries(budget):
        response = client.post(
            reverse("camps:table-record", args=[camp.pk]), post, HTTP_HX_REQUEST="true"
        )
    page = response.content.decode()
    assert "collected, bag KNP-900" in page
    assert 'data-testid="total-collected">25<' in page  # 24 in bulk, this one
    assert Donation.objects.get(camp=camp, donor=donor).bag_number == "KNP-900"
    donor.refresh_from_db()
    assert donor.last_donated_on == camp.held_on
    # The same post again (a double tap, the offline queue's replay): the same entry.
    with django_assert_max_num_queries(RECORD_QUERIES):
        again = client.post(
            reverse("camps:table-record", args=[camp.pk]), post, HTTP_HX_REQUEST="true"
        )
    assert "collected, bag KNP-900" in again.content.decode()
    assert Donation.objects.filter(camp=camp, donor=donor).count() == 1


def test_the_tables_panel_counts_as_the_camp_page_does(camp):
    """table_panel (one query: the latest entries with the camp's counts) answers the same
    totals as camp_totals (the camp page, the report): groups and bag sizes, deferrals,
    reactions, first-time and repeat donors."""
    many_donations(camp, 23)
    repeat = DonorFactory(unit=camp.unit, blood_group="", name="Repeat Donor")
    DonationFactory(donor=repeat, donated_on=camp.held_on - datetime.timedelta(days=200))
    DonationFactory(
        donor=repeat,
        camp=camp,
        blood_centre=camp.blood_centre,
        donated_on=camp.held_on,
        bag_number="R-1",
        bag_volume_ml=None,
        reaction="vasovagal",
    )
    totals, recent = table_panel(camp, 5)
    assert totals == camp_totals(camp)
    assert totals.by_group == {"A+": 4, "B+": 5, "O+": 5, "AB-": 4, "": 1}
    assert (totals.repeat, totals.reactions, totals.deferred) == (1, 1, 5)
    assert [d.pk for d in recent] == [d.pk for d in camp_donations(camp)[:5]]
    assert recent[0].donor.name == "Repeat Donor"
    empty = CampFactory(unit=camp.unit)
    assert table_panel(empty, 5) == (camp_totals(empty), [])


def test_an_ineligible_donor_is_not_recorded_as_collected_and_the_reason_is_shown(
    client_for, staff_a, camp
):
    donor = DonorFactory(unit=camp.unit)
    response = client_for(staff_a).post(
        reverse("camps:table-record", args=[camp.pk]),
        {
            "phone": donor.phone,
            "outcome": "collected",
            "haemoglobin_g_dl": "10.9",
            "weight_kg": "70",
            "bp_systolic": "120",
            "bp_diastolic": "80",
            "bag_number": "KNP-78",
            "bag_volume_ml": "350",
        },
    )
    page = response.content.decode()
    assert "Haemoglobin 10.9 g/dL: at least 12.5 g/dL is needed." in page
    # The screening's deferral is offered, its category chosen already.
    assert 'data-testid="defer-screening"' in page
    assert '<option value="screening" selected>' in page
    assert not Donation.objects.exists()


def test_a_duplicate_bag_number_is_refused_with_a_message(client_for, staff_a, camp):
    DonationFactory(
        donor=DonorFactory(unit=camp.unit), blood_centre=camp.blood_centre, bag_number="KNP-1"
    )
    donor = DonorFactory(unit=camp.unit)
    response = client_for(staff_a).post(
        reverse("camps:table-record", args=[camp.pk]),
        {"phone": donor.phone, "outcome": "collected", "bag_number": "KNP-1", "bag_volume_ml": 350},
    )
    assert "Bag KNP-1 is already recorded at this blood centre." in response.content.decode()
    assert not donor.donations.exists()


def test_a_deferral_at_the_table_creates_the_deferral(client_for, staff_a, camp):
    donor = DonorFactory(unit=camp.unit)
    response = client_for(staff_a, htmx=True).post(
        reverse("camps:table-record", args=[camp.pk]),
        {"phone": donor.phone, "outcome": "deferred", "deferral_category": "minor_illness"},
    )
    assert "deferred" in response.content.decode()
    assert Deferral.objects.get(donor=donor).category == "minor_illness"


def test_a_closed_camp_refuses_entries_at_the_table(client_for, staff_a, units):
    camp = CampFactory(unit=units.station_a, status="closed")
    donor = DonorFactory(unit=camp.unit)
    client = client_for(staff_a)
    assert b"table-closed" in client.get(reverse("camps:table", args=[camp.pk])).content
    response = client.post(
        reverse("camps:table-record", args=[camp.pk]),
        {"phone": donor.phone, "outcome": "deferred", "deferral_category": "screening"},
    )
    assert "closed" in response.content.decode()
    assert not Donation.objects.exists()


def test_an_entry_is_corrected_by_its_author_and_audited(client_for, staff_a, circle_staff, camp):
    donor = DonorFactory(unit=camp.unit)
    client_for(staff_a).post(
        reverse("camps:table-record", args=[camp.pk]),
        {
            "phone": donor.phone,
            "outcome": "collected",
            "haemoglobin_g_dl": "13.5",
            "weight_kg": "65",
            "bp_systolic": "120",
            "bp_diastolic": "80",
            "bag_number": "A1",
            "bag_volume_ml": 350,
        },
    )
    donation = Donation.objects.get()
    url = reverse("camps:table-correct", args=[camp.pk, donation.pk])
    # The form as the page fills it: every value of the entry, the bag number changed.
    data = {
        "bag_number": "A2",
        "bag_volume_ml": 350,
        "haemoglobin_g_dl": "13.5",
        "weight_kg": "65",
        "bp_systolic": "120",
        "bp_diastolic": "80",
    }
    refused = client_for(circle_staff).post(url, data).content.decode()
    assert "Only the person who made an entry can correct it." in refused
    client_for(staff_a).post(url, data)
    donation.refresh_from_db()
    assert donation.bag_number == "A2"
    assert AuditEvent.objects.filter(action=AuditAction.CORRECTION, actor=staff_a).exists()


def test_status_buttons_close_and_only_admins_reopen(client_for, staff_a, admin_user, camp):
    client = client_for(staff_a)
    client.post(reverse("camps:status", args=[camp.pk, "close"]))
    camp.refresh_from_db()
    assert camp.status == "closed"
    client.post(reverse("camps:status", args=[camp.pk, "reopen"]))
    camp.refresh_from_db()
    assert camp.status == "closed"
    client_for(admin_user).post(reverse("camps:status", args=[camp.pk, "reopen"]))
    camp.refresh_from_db()
    assert camp.status == "open"
    assert client.post(reverse("camps:status", args=[camp.pk, "explode"])).status_code == 400


def test_a_closed_camp_cannot_be_edited(client_for, staff_a, units):
    camp = CampFactory(unit=units.station_a, status="closed")
    response = client_for(staff_a).post(
        reverse("camps:edit", args=[camp.pk]),
        {
            "name": "New name",
            "held_on": camp.held_on.isoformat(),
            "venue": "x",
            "unit": camp.unit.pk,
            "blood_centre": camp.blood_centre.pk,
            "target_donors": 1,
        },
    )
    assert "can no longer be changed" in response.content.decode()
    camp.refresh_from_db()
    assert camp.name != "New name"


# --- The report --------------------------------------------------------------------------


def test_the_csv_report_counts_units_by_group_and_bag_and_is_audited(client_for, staff_a, camp):
    many_donations(camp, 10)
    response = client_for(staff_a).get(reverse("camps:report", args=[camp.pk]), {"format": "csv"})
    assert response.status_code == 200
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    by_label = {row[0]: row for row in rows if row}
    # 10 donors: every 5th deferred (0, 5); groups cycle A+, B+, O+, AB-; odd → 350 ml.
    assert by_label["Units collected"][1] == "8"
    assert by_label["Deferred"][1] == "2"
    header = next(row for row in rows if row and row[0] == "Blood group")
    assert header[1:4] == ["350 ml", "450 ml", "Units"]
    assert by_label["A+"][1:4] == ["0", "2", "2"]  # donors 4 and 8 (450 ml); 0 deferred
    assert by_label["Total"][1:4] == ["4", "4", "8"]
    assert sum(1 for row in rows if row and row[-1] in ("first-time", "repeat")) == 10
    assert AuditEvent.objects.filter(action=AuditAction.EXPORT, object_id=str(camp.pk)).exists()


@pytest.mark.parametrize("fmt", ["pdf", "xlsx"])
def test_the_report_downloads_as_pdf_and_xlsx(client_for, staff_a, camp, fmt):
    many_donations(camp, 6)
    response = client_for(staff_a).get(reverse("camps:report", args=[camp.pk]), {"format": fmt})
    assert response.status_code == 200
    assert response.content[:4] in (b"%PDF", b"PK\x03\x04")


def test_an_unknown_report_format_is_400(client_for, staff_a, camp):
    response = client_for(staff_a).get(reverse("camps:report", args=[camp.pk]), {"format": "doc"})
    assert response.status_code == 400


# --- Partners ----------------------------------------------------------------------------


def test_partners_are_read_by_everyone_signed_in_and_changed_by_admins(
    client_for, staff_b, admin_user
):
    contact = HospitalContactFactory(name="Dr Mehta", phone="+919811122233")
    centre = BloodCentreFactory(name="Hallet Blood Centre")
    staff = client_for(staff_b)
    page = staff.get(reverse("camps:hospital-detail", args=[contact.hospital.pk])).content
    assert b"Dr Mehta" in page and b"+919811122233" in page
    assert b"Hallet" in staff.get(reverse("camps:centre-detail", args=[centre.pk])).content
    assert staff.get(reverse("camps:centre-create")).status_code == 403
    assert staff.get(reverse("camps:hospital-edit", args=[contact.hospital.pk])).status_code == 403
    admin = client_for(admin_user)
    response = admin.post(
        reverse("camps:centre-edit", args=[centre.pk]),
        {"name": "Hallet BC", "licence_number": centre.licence_number},
    )
    assert response.status_code == 302
    centre.refresh_from_db()
    assert centre.name == "Hallet BC"
    response = admin.post(
        reverse("camps:hospital-create"),
        {
            "name": "LLR Hospital",
            "kind": "day_care",
            "contacts-TOTAL_FORMS": "1",
            "contacts-INITIAL_FORMS": "0",
            "contacts-0-name": "Dr Rao",
            "contacts-0-phone": "+919800000001",
        },
    )
    assert response.status_code == 302


def test_partner_lists_run_bounded_queries(client_for, staff_a):
    client = client_for(staff_a)
    HospitalContactFactory()
    BloodCentreFactory()

    def grow():
        for _ in range(20):
            HospitalContactFactory()
            BloodCentreFactory()

    def pages():
        client.get(reverse("camps:centre-list"))
        client.get(reverse("camps:hospital-list"))

    assert_queries_bounded(pages, grow, maximum=20)


def test_a_bad_number_at_screening_is_a_field_error_on_the_donors_card(client_for, staff_a, camp):
    donor = DonorFactory(unit=camp.unit, name="Ravi Kumar")
    response = client_for(staff_a).post(
        reverse("camps:table-record", args=[camp.pk]),
        {"phone": donor.phone, "outcome": "collected", "haemoglobin_g_dl": "abc"},
    )
    page = response.content.decode()
    assert "Ravi Kumar" in page and "Enter a number." in page
    assert not Donation.objects.exists()


@pytest.mark.parametrize(
    ("url_name", "data"),
    [
        ("camps:table-lookup", {"phone": "12"}),
        ("camps:table-record", {"phone": "+919999999999", "outcome": "collected"}),
    ],
)
def test_an_unknown_or_bad_number_asks_again(client_for, staff_a, camp, url_name, data):
    client = client_for(staff_a)
    url = reverse(url_name, args=[camp.pk])
    response = client.get(url, data) if url_name.endswith("lookup") else client.post(url, data)
    assert response.status_code == 200
    assert 'data-testid="lookup-error"' in response.content.decode()
    assert not Donation.objects.exists()


def table_posts(camp, donation):
    return [
        reverse("camps:table-donor", args=[camp.pk]),
        reverse("camps:table-record", args=[camp.pk]),
        reverse("camps:table-correct", args=[camp.pk, donation.pk]),
        reverse("camps:table-withdraw", args=[camp.pk, donation.pk]),
        reverse("camps:status", args=[camp.pk, "close"]),
    ]


def test_every_table_step_is_closed_to_anonymous_and_other_units(anon, client_for, staff_b, camp):
    donation = DonationFactory(donor=DonorFactory(unit=camp.unit), camp=camp)
    gets = [
        reverse("camps:table-lookup", args=[camp.pk]) + "?phone=9876500001",
        reverse("camps:table-correct", args=[camp.pk, donation.pk]),
        reverse("camps:import", args=[camp.pk]),
        reverse("camps:import-template", args=[camp.pk]),
        reverse("camps:certificate", args=[camp.pk, donation.pk]),
    ]
    other = client_for(staff_b)
    for url in gets:
        assert anon.get(url).status_code == 302, url
        assert other.get(url).status_code == 404, url
    for url in table_posts(camp, donation):
        assert anon.post(url).status_code == 302, url
        assert other.post(url).status_code == 404, url
    camp.refresh_from_db()
    assert camp.status == "open" and Donation.objects.filter(pk=donation.pk).exists()
