"""The donor registry pages: find, see, register, edit, defer, verify, merge — scoped."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from donors.models import Deferral, Donation, Donor
from tests.factories import DeferralFactory, DonationFactory, DonorFactory
from tests.helpers import assert_queries_bounded

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]

TODAY = datetime.date(2026, 11, 22)


@pytest.fixture
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def donors(units):
    return {
        "asha": DonorFactory(name="Asha Verma", phone="+919876500001", unit=units.station_a),
        "bilal": DonorFactory(
            name="Bilal Khan", phone="+919876500002", unit=units.station_b, blood_group="B-"
        ),
        "chitra": DonorFactory(name="Chitra Devi", phone="+919876500003", unit=units.station_c),
    }


def names(response):
    return {row[0].name for row in response.context["rows"]}


def test_station_staff_see_only_their_stations_donors(client_for, staff_a, donors):
    assert names(client_for(staff_a).get(reverse("donors:list"))) == {"Asha Verma"}


def test_coordinator_sees_the_force_not_the_neighbouring_district(client_for, coordinator, donors):
    assert names(client_for(coordinator).get(reverse("donors:list"))) == {
        "Asha Verma",
        "Bilal Khan",
    }


@pytest.mark.parametrize("query", ["98765 00002", "09876500002", "+91 98765-00002", "500002"])
def test_find_a_donor_by_phone_typed_any_way(client_for, coordinator, donors, query):
    response = client_for(coordinator).get(reverse("donors:list"), {"q": query})
    assert names(response) == {"Bilal Khan"}


def test_find_by_part_of_the_name_and_filter_by_group(client_for, coordinator, donors):
    client = client_for(coordinator)
    assert names(client.get(reverse("donors:list"), {"q": "asha"})) == {"Asha Verma"}
    assert names(client.get(reverse("donors:list"), {"blood_group": "B-"})) == {"Bilal Khan"}


def test_unit_filter_takes_the_subtree(client_for, coordinator, donors, units):
    response = client_for(coordinator).get(
        reverse("donors:list"), {"unit": units.kotwali_circle.pk}
    )
    assert names(response) == {"Asha Verma"}


def test_a_unit_outside_scope_is_a_filter_error_not_a_leak(client_for, staff_a, donors, units):
    response = client_for(staff_a).get(reverse("donors:list"), {"unit": units.station_b.pk})
    assert response.status_code == 200
    assert "unit" in response.context["filter"].form.errors
    assert "Bilal" not in response.content.decode()


def test_each_row_says_whether_the_donor_may_give_today(client_for, staff_a, donors):
    DeferralFactory(
        donor=donors["asha"],
        starts_on=datetime.date(2026, 11, 1),
        until=datetime.date(2027, 5, 1),
    )
    page = client_for(staff_a).get(reverse("donors:list")).content.decode()
    assert "From 1 May 2027" in page


def test_list_query_count_does_not_grow_with_donors(client_for, coordinator, units):
    client = client_for(coordinator)
    DonorFactory(unit=units.station_a)

    def grow():
        for n in range(30):
            donor = DonorFactory(unit=units.station_b if n % 2 else units.station_a)
            DonationFactory(donor=donor)
            DeferralFactory(donor=donor)

    assert_queries_bounded(lambda: client.get(reverse("donors:list")), grow, maximum=12)


@pytest.mark.parametrize(
    "persona, status", [("staff_a", 200), ("staff_b", 404), ("admin_user", 200)]
)
def test_detail_is_404_outside_jurisdiction(request, client_for, donors, persona, status):
    user = request.getfixturevalue(persona)
    url = reverse("donors:detail", args=[donors["asha"].pk])
    assert client_for(user).get(url).status_code == status


def test_viewing_a_donor_is_audited_and_shows_why_not_eligible(client_for, staff_a, donors):
    DonationFactory(donor=donors["asha"], donated_on=datetime.date(2026, 10, 1))
    page = client_for(staff_a).get(reverse("donors:detail", args=[donors["asha"].pk]))
    html = page.content.decode()
    assert "Last whole-blood donation on 1 Oct 2026" in html
    assert "May donate again from 30 Dec 2026" in html
    event = AuditEvent.objects.get(action=AuditAction.VIEW)
    assert event.actor == staff_a and event.object_id == str(donors["asha"].pk)


def donor_post(**overrides):
    data = {
        "name": "Ravi Kumar",
        "phone": "098765 11111",
        "sex": "M",
        "date_of_birth": "1992-04-10",
        "blood_group": "A+",
        "weight_kg": "68",
        "preferred_language": "hi",
        "consent": "on",
    }
    data.update(overrides)
    return data


def test_register_a_donor(client_for, staff_a, units):
    client = client_for(staff_a)
    response = client.post(reverse("donors:create"), donor_post(unit=units.station_a.pk))
    donor = Donor.objects.get(name="Ravi Kumar")
    assert response.status_code == 302 and response["Location"] == donor.get_absolute_url()
    assert donor.phone == "+919876511111"
    assert donor.unit == units.station_a
    assert donor.consent_at is not None and donor.consent_version
    assert donor.is_verified and donor.verified_by == staff_a
    assert donor.created_by == staff_a


def test_the_same_person_finds_the_existing_donor_instead(client_for, staff_a, donors, units):
    response = client_for(staff_a).post(
        reverse("donors:create"),
        donor_post(
            phone="98765 00001",
            name="asha  verma",
            date_of_birth=donors["asha"].date_of_birth.isoformat(),
            unit=units.station_a.pk,
        ),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "already registered" in html
    assert reverse("donors:detail", args=[donors["asha"].pk]) in html
    assert Donor.objects.count() == 3


@pytest.mark.parametrize(
    "overrides, field",
    [
        ({"phone": "12345"}, "phone"),
        ({"phone": "0512 2530000"}, "phone"),
        ({"date_of_birth": "2030-01-01"}, "date_of_birth"),
        ({"date_of_birth": "31/31/1990"}, "date_of_birth"),
        ({"weight_kg": "4000"}, "weight_kg"),
        ({"sex": "X"}, "sex"),
        ({"phenotype": "C+ Q-"}, "phenotype"),
        ({"consent": ""}, "consent"),
    ],
)
def test_bad_input_gets_a_field_error_and_changes_nothing(
    client_for, staff_a, units, overrides, field
):
    response = client_for(staff_a).post(
        reverse("donors:create"), donor_post(unit=units.station_a.pk, **overrides)
    )
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Donor.objects.exists()


def test_cannot_register_a_donor_in_another_units_station(client_for, staff_a, units):
    response = client_for(staff_a).post(
        reverse("donors:create"), donor_post(unit=units.station_b.pk)
    )
    assert "unit" in response.context["form"].errors
    assert not Donor.objects.exists()


def test_editing_is_audited_by_field_name(client_for, staff_a, donors, units):
    donor = donors["asha"]
    data = donor_post(
        name="Asha Verma Singh",
        phone=donor.phone,
        unit=units.station_a.pk,
        date_of_birth="1990-05-17",
        blood_group="O+",
        weight_kg="70.0",
    )
    response = client_for(staff_a).post(reverse("donors:edit", args=[donor.pk]), data)
    assert response.status_code == 302
    donor.refresh_from_db()
    assert donor.name == "Asha Verma Singh"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE)
    assert "name" in event.details["fields"]
    assert "Asha" not in str(event.details)  # the log names fields, not personal data


def test_another_station_cannot_edit(client_for, staff_b, donors, units):
    url = reverse("donors:edit", args=[donors["asha"].pk])
    assert client_for(staff_b).get(url).status_code == 404


def test_a_deferral_takes_the_categorys_usual_length(client_for, staff_a, donors):
    client = client_for(staff_a)
    url = reverse("donors:defer", args=[donors["asha"].pk])
    response = client.post(url, {"category": "tattoo", "starts_on": "2026-11-20"})
    assert response.status_code == 302
    deferral = Deferral.objects.get()
    assert deferral.until == datetime.date(2027, 11, 20)
    assert deferral.recorded_by == staff_a
    page = client.get(reverse("donors:detail", args=[donors["asha"].pk])).content.decode()
    assert "Deferred (Tattoo, piercing or acupuncture) until 20 Nov 2027" in page


def test_other_needs_a_date_and_permanent_has_none(client_for, staff_a, donors):
    client = client_for(staff_a)
    url = reverse("donors:defer", args=[donors["asha"].pk])
    missing = client.post(url, {"category": "other", "starts_on": "2026-11-20"})
    assert "until" in missing.context["form"].errors
    assert not Deferral.objects.exists()
    client.post(url, {"category": "permanent", "starts_on": "2026-11-20", "until": "2027-01-01"})
    assert Deferral.objects.get().until is None


def test_staff_verify_a_pledge(client_for, staff_a, units):
    pledge = DonorFactory(unit=units.station_a, verified_at=None, source="pledge")
    client = client_for(staff_a)
    assert "Verify pledge" in client.get(pledge.get_absolute_url()).content.decode()
    client.post(reverse("donors:verify", args=[pledge.pk]))
    pledge.refresh_from_db()
    assert pledge.is_verified and pledge.verified_by == staff_a


def test_admin_merges_two_records_keeping_all_history(client_for, admin_user, units):
    keep = DonorFactory(unit=units.station_a, email="", locality="")
    duplicate = DonorFactory(unit=units.station_a, email="ravi@example.in", living_blood_bank=True)
    DonationFactory(donor=keep, donated_on=datetime.date(2025, 1, 5))
    DonationFactory(donor=duplicate, donated_on=datetime.date(2026, 2, 5))
    DeferralFactory(donor=duplicate)
    client = client_for(admin_user)
    preview = client.post(reverse("donors:merge"), {"keep": keep.pk, "duplicate": duplicate.pk})
    assert preview.status_code == 200 and Donor.objects.filter(pk=duplicate.pk).exists()
    client.post(
        reverse("donors:merge"), {"keep": keep.pk, "duplicate": duplicate.pk, "confirm": "1"}
    )
    assert not Donor.objects.filter(pk=duplicate.pk).exists()
    keep.refresh_from_db()
    assert Donation.objects.filter(donor=keep).count() == 2
    assert Deferral.objects.filter(donor=keep).count() == 1
    assert keep.email == "ravi@example.in" and keep.living_blood_bank
    assert AuditEvent.objects.filter(details__merged_donor=duplicate.pk).exists()


def test_only_coordinators_and_admins_merge(client_for, staff_a, coordinator):
    # Issue 15: the coordinators who run the registry merge within their units.
    assert client_for(staff_a).get(reverse("donors:merge")).status_code == 403
    assert client_for(coordinator).get(reverse("donors:merge")).status_code == 200


def test_a_deferral_ending_before_it_starts_is_a_field_error(client_for, staff_a, donors):
    url = reverse("donors:defer", args=[donors["asha"].pk])
    response = client_for(staff_a).post(
        url, {"category": "other", "starts_on": "2026-11-20", "until": "2026-11-20"}
    )
    assert response.status_code == 200 and "until" in response.context["form"].errors
    assert not Deferral.objects.exists()
