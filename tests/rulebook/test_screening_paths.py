"""The screening's other outcomes on each path: a deferral through the API is recorded and
audited as on the page; a blood pressure out of range offers the screening deferral at the
camp table; the pre-screen's BP limits."""

import datetime
from dataclasses import replace
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from donors.eligibility import DonorFacts, Rules, check_eligibility
from donors.models import Deferral, Donation
from tests.factories import BloodCentreFactory, CampFactory, DonorFactory

pytestmark = pytest.mark.django_db


def test_a_deferred_outcome_through_the_api_records_the_deferral(api_client_for, staff_a, units):
    donor = DonorFactory(unit=units.station_a)
    day = timezone.localdate() - datetime.timedelta(days=1)
    response = api_client_for(staff_a).post(
        "/api/v1/donations/",
        {
            "donor": donor.pk,
            "donated_on": day.isoformat(),
            "blood_centre": BloodCentreFactory().pk,
            "outcome": "deferred",
            "haemoglobin_g_dl": "13.5",
            "weight_kg": "70",
            "bp_systolic": 165,
            "bp_diastolic": 100,
            "deferral_category": "screening",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["outcome"], body["bp_systolic"], body["bp_diastolic"]) == ("deferred", 165, 100)
    assert "deferral_category" not in body  # written, not answered
    deferral = Deferral.objects.get(donor=donor)
    assert (deferral.category, deferral.starts_on) == ("screening", day)
    assert deferral.until == day + datetime.timedelta(days=90)
    assert AuditEvent.objects.filter(
        action=AuditAction.CREATE, object_id=str(deferral.pk), actor=staff_a
    ).exists()
    # The donor is now deferred for the API's eligibility too.
    eligibility = api_client_for(staff_a).get(f"/api/v1/donors/{donor.pk}/eligibility/").json()
    assert not eligibility["eligible"]


def test_a_deferred_outcome_needs_its_category(api_client_for, staff_a, units):
    donor = DonorFactory(unit=units.station_a)
    response = api_client_for(staff_a).post(
        "/api/v1/donations/",
        {"donor": donor.pk, "donated_on": "2026-01-10", "outcome": "deferred"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json() == {"deferral_category": ["Choose why the donor is deferred."]}
    assert not Donation.objects.exists() and not Deferral.objects.exists()


def test_a_deferral_through_the_api_is_audited(api_client_for, staff_a, units):
    donor = DonorFactory(unit=units.station_a)
    response = api_client_for(staff_a).post(
        "/api/v1/deferrals/",
        {"donor": donor.pk, "category": "malaria", "starts_on": "2026-11-01"},
        format="json",
        REMOTE_ADDR="10.1.2.3",
    )
    assert response.status_code == 201, response.json()
    event = AuditEvent.objects.get(action=AuditAction.CREATE, object_id=str(response.json()["id"]))
    assert (event.actor, event.ip_address, event.unit) == (staff_a, "10.1.2.3", donor.unit)


def test_a_deferral_on_the_donors_page_is_audited_once(client_for, staff_a, units):
    donor = DonorFactory(unit=units.station_a)
    client_for(staff_a).post(
        reverse("donors:defer", args=[donor.pk]),
        {"category": "malaria", "starts_on": "2026-11-01"},
    )
    deferral = Deferral.objects.get(donor=donor)
    assert AuditEvent.objects.filter(object_id=str(deferral.pk)).count() == 1


def test_a_donation_through_the_api_cannot_be_in_the_future(api_client_for, staff_a, units):
    donor = DonorFactory(unit=units.station_a)
    later = timezone.localdate() + datetime.timedelta(days=2)
    response = api_client_for(staff_a).post(
        "/api/v1/donations/",
        {
            "donor": donor.pk,
            "donated_on": later.isoformat(),
            "outcome": "deferred",
            "deferral_category": "minor_illness",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "donated_on" in response.json()
    assert not Donation.objects.exists()


def test_blood_pressure_out_of_range_at_the_table_offers_the_screening_deferral(
    client_for, staff_a, units
):
    camp = CampFactory(unit=units.station_a)
    donor = DonorFactory(unit=units.station_a)
    client = client_for(staff_a)
    url = reverse("camps:table-record", args=[camp.pk])
    screening = {
        "phone": donor.phone,
        "haemoglobin_g_dl": "13.5",
        "weight_kg": "70",
        "bp_systolic": "150",
        "bp_diastolic": "95",
        "bag_number": "KNP-9",
        "bag_volume_ml": "350",
    }
    refused = client.post(url, {**screening, "outcome": "collected"}, HTTP_HX_REQUEST="true")
    page = refused.content.decode()
    assert 'data-testid="screening-refusal"' in page
    assert "Blood pressure 150/95 mmHg is outside 100–140 / 60–90." in page
    assert '<option value="screening" selected>' in page
    assert not Donation.objects.exists()
    # The constable takes the offer: the form as it came back, outcome deferred.
    recorded = client.post(
        url,
        {**screening, "outcome": "deferred", "deferral_category": "screening"},
        HTTP_HX_REQUEST="true",
    )
    assert 'data-testid="recorded"' in recorded.content.decode()
    donation = Donation.objects.get(donor=donor)
    assert (donation.outcome, donation.bp_systolic, donation.bag_number) == ("deferred", 150, "")
    assert Deferral.objects.get(donor=donor).category == "screening"


def test_the_table_prefills_the_weight_from_the_registration(client_for, staff_a, units):
    camp = CampFactory(unit=units.station_a)
    donor = DonorFactory(unit=units.station_a, weight_kg=Decimal("63.5"))
    page = client_for(staff_a).get(
        reverse("camps:table-lookup", args=[camp.pk]), {"phone": donor.phone}
    )
    form = page.context["form"]
    assert form["weight_kg"].value() == Decimal("63.5")
    assert 'name="bp_systolic"' in page.content.decode()
    assert 'inputmode="numeric"' in page.content.decode()


@pytest.mark.parametrize(
    ("systolic", "diastolic", "eligible"),
    [
        (100, 60, True),
        (140, 90, True),
        (141, 80, False),
        (120, 91, False),
        (99, 70, False),
        (120, 59, False),
        (None, None, True),  # not measured yet: the pre-screen before the screening
        (180, None, False),
    ],
)
def test_the_blood_pressure_limits_include_both_ends(systolic, diastolic, eligible, settings):
    facts = DonorFacts(
        sex="M",
        date_of_birth=datetime.date(1990, 1, 1),
        bp_systolic=systolic,
        bp_diastolic=diastolic,
    )
    answer = check_eligibility(facts, datetime.date(2026, 11, 30))
    assert answer.eligible is eligible
    if not eligible:
        assert answer.codes == ["bp"] and answer.next_eligible_on is None


def test_the_blood_pressure_limits_are_settings(settings):
    settings.DONOR_BP_SYSTOLIC_MAX = 150
    rules = Rules.from_settings()
    assert rules.bp_systolic == (100, 150)
    facts = DonorFacts(
        sex="F", date_of_birth=datetime.date(1990, 1, 1), bp_systolic=145, bp_diastolic=85
    )
    assert check_eligibility(facts, datetime.date(2026, 11, 30)).eligible
    strict = replace(rules, bp_systolic=(100, 140))
    answer = check_eligibility(facts, datetime.date(2026, 11, 30), rules=strict)
    assert answer.reasons == ["Blood pressure 145/85 mmHg is outside 100–140 / 60–90."]
