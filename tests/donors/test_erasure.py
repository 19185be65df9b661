"""Erasure and access on a donor's request (DPDP-23): erasure anonymises the person and keeps
the counts; access gives one donor's record and history; both are in the audit log."""

import datetime
import json

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from donors.consent import may_be_reminded
from donors.models import Consent, Donation, Donor
from donors.privacy import donor_erase
from donors.selectors import eligible_on
from tests.factories import DeferralFactory, DonationFactory, DonorFactory

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("frozen_today")]


@pytest.fixture
def frozen_today():
    with time_machine.travel(datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.UTC)):
        yield


@pytest.fixture
def asha(units):
    donor = DonorFactory(
        name="Asha Verma",
        phone="+919876500001",
        unit=units.station_a,
        sex="F",
        blood_group="B-",
        date_of_birth=datetime.date(1991, 8, 14),
        email="asha@example.in",
        locality="Civil Lines",
        is_police=True,
        rank="Constable",
        badge_number="KNP-4411",
        notes="Prefers evening calls",
        eraktkosh_id="ERK-998",
        phenotype="C+ c+ E- e+ K-",
        living_blood_bank=True,
        consent_at=timezone.now(),
        consent_version="2026-11",
    )
    DonationFactory(donor=donor, donated_on=datetime.date(2026, 3, 1))
    DonationFactory(donor=donor, donated_on=datetime.date(2026, 8, 1))
    DeferralFactory(donor=donor, category="malaria")
    Consent.objects.create(donor=donor, purpose="registry", source="staff")
    Consent.objects.create(donor=donor, purpose="reminders", source="staff")
    return donor


def erase_url(donor):
    return reverse("donors:erase", args=[donor.pk])


def test_the_admin_sees_what_goes_and_what_stays_before_erasing(client_for, admin_user, asha):
    response = client_for(admin_user).get(erase_url(asha))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Asha Verma" in html and "cannot be undone" in html
    assert "2 donations recorded" in html
    asha.refresh_from_db()
    assert asha.erased_at is None


def test_a_post_without_the_confirmation_erases_nothing(client_for, admin_user, asha):
    response = client_for(admin_user).post(erase_url(asha))
    assert response.status_code == 302 and response["Location"] == erase_url(asha)
    asha.refresh_from_db()
    assert asha.name == "Asha Verma" and asha.erased_at is None


def test_erasure_anonymises_the_person_and_keeps_the_counts(client_for, admin_user, asha, units):
    client = client_for(admin_user)
    client.get(asha.get_absolute_url())  # a view before: the log names the record

    response = client.post(erase_url(asha), {"confirm": "erase"})

    assert response.status_code == 302 and response["Location"] == asha.get_absolute_url()
    asha.refresh_from_db()
    assert asha.name == f"Erased donor #{asha.pk}"
    assert asha.phone == f"erased:{asha.pk}"
    assert asha.date_of_birth == datetime.date(1991, 1, 1)
    for field in ("email", "locality", "rank", "badge_number", "notes", "eraktkosh_id"):
        assert getattr(asha, field) == "", field
    assert asha.phenotype == "" and asha.weight_kg is None and not asha.living_blood_bank
    assert asha.erased_at is not None and asha.opted_out_at is not None
    # What the counts need stays.
    assert (asha.sex, asha.blood_group, asha.unit, asha.is_police) == (
        "F",
        "B-",
        units.station_a,
        True,
    )
    assert Donation.objects.filter(donor=asha).count() == 2
    assert asha.deferrals.get().category == "malaria"
    # Every consent withdrawn, no message again.
    assert not asha.consents.filter(withdrawn_at__isnull=True).exists()
    assert not may_be_reminded(Donor.objects.all()).exists()
    # In the audit log, and the log no longer names her.
    event = AuditEvent.objects.get(details__note="erasure")
    assert event.action == AuditAction.UPDATE and event.actor == admin_user
    assert not AuditEvent.objects.filter(object_repr__contains="Asha").exists()
    assert AuditEvent.objects.filter(action=AuditAction.VIEW, object_id=str(asha.pk)).exists()


def test_the_erased_donor_page_shows_no_personal_data_and_offers_no_edit(
    client_for, admin_user, asha
):
    client = client_for(admin_user)
    client.post(erase_url(asha), {"confirm": "erase"})
    html = client.get(asha.get_absolute_url()).content.decode()

    assert 'data-testid="erased"' in html
    for personal in ("Asha", "98765", "Civil Lines", "KNP-4411", "evening"):
        assert personal not in html
    assert reverse("donors:edit", args=[asha.pk]) not in html
    assert erase_url(asha) not in html


def test_two_erased_donors_never_collide_on_the_phone(admin_user, units):
    first, second = DonorFactory(unit=units.station_a), DonorFactory(unit=units.station_a)
    donor_erase(donor=first, actor=admin_user)
    donor_erase(donor=second, actor=admin_user)
    phones = set(Donor.objects.values_list("phone", flat=True))
    assert phones == {f"erased:{first.pk}", f"erased:{second.pk}"}


def test_erasing_twice_changes_nothing_more(admin_user, asha):
    donor_erase(donor=asha, actor=admin_user)
    donor_erase(donor=asha, actor=admin_user)
    assert AuditEvent.objects.filter(details__note="erasure").count() == 1


@pytest.mark.parametrize(
    "persona, status", [("staff_a", 403), ("coordinator", 403), ("admin_user", 200)]
)
def test_only_admins_erase(request, client_for, asha, persona, status):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(erase_url(asha)).status_code == status
    assert client_for(user).post(erase_url(asha), {"confirm": "erase"}).status_code in (
        status,
        302,
    )
    asha.refresh_from_db()
    assert (asha.erased_at is not None) is (persona == "admin_user")


def test_anonymous_is_sent_to_sign_in(anon, asha):
    response = anon.post(erase_url(asha), {"confirm": "erase"})
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_missing_donor_is_a_404(client_for, admin_user):
    assert client_for(admin_user).get("/donors/999999/erase/").status_code == 404


@pytest.fixture
def erased(admin_user, asha):
    return donor_erase(donor=asha, actor=admin_user)


def test_an_erased_donor_is_left_out_of_the_list_unless_asked_for(client_for, coordinator, erased):
    client = client_for(coordinator)
    DonorFactory(name="Bilal Khan", unit=erased.unit)

    def names(query):
        return {row[0].name for row in client.get(reverse("donors:list"), query).context["rows"]}

    assert names({}) == {"Bilal Khan"}
    assert names({"q": "Erased"}) == set()
    assert names({"erased": "only"}) == {erased.name}
    assert names({"erased": "include"}) == {erased.name, "Bilal Khan"}


def test_an_erased_donor_is_left_out_of_the_api_list_and_the_export(
    client_for, api_client_for, coordinator, erased
):
    body = api_client_for(coordinator).get("/api/v1/donors/").json()
    assert body["count"] == 0
    response = client_for(coordinator).get(reverse("donors:export"))
    export = b"".join(response.streaming_content).decode()
    assert erased.name not in export


def test_an_erased_donor_is_never_eligible_to_be_asked(erased):
    assert not eligible_on(Donor.objects.all(), datetime.date(2027, 6, 1)).exists()


def test_an_erased_record_cannot_be_edited(client_for, api_client_for, coordinator, erased):
    page = client_for(coordinator).get(reverse("donors:edit", args=[erased.pk]))
    assert page.status_code == 302 and page["Location"] == erased.get_absolute_url()

    response = api_client_for(coordinator).patch(
        f"/api/v1/donors/{erased.pk}/", {"name": "Asha Verma"}, format="json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()
    erased.refresh_from_db()
    assert erased.name.startswith("Erased donor")


def test_an_erased_record_cannot_be_merged(client_for, admin_user, erased, units):
    other = DonorFactory(unit=units.station_a)
    response = client_for(admin_user).post(
        reverse("donors:merge"), {"keep": other.pk, "duplicate": erased.pk, "confirm": "1"}
    )
    assert response.status_code == 200
    assert "duplicate" in response.context["form"].errors
    assert Donor.objects.filter(pk=erased.pk).exists()


# --- access: one donor's data -----------------------------------------------------------------


def test_a_coordinator_exports_one_donors_data_as_json(client_for, coordinator, asha):
    response = client_for(coordinator).get(reverse("donors:data-export", args=[asha.pk]))

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    assert f"donor-{asha.pk}-2026-11-22.json" in response["Content-Disposition"]
    data = json.loads(response.content)
    assert data["donor"]["name"] == "Asha Verma"
    assert data["donor"]["phone"] == "+919876500001"
    assert data["donor"]["unit"] == "Kotwali"
    assert [d["date"] for d in data["donations"]] == ["2026-08-01", "2026-03-01"]
    assert data["deferrals"][0]["category"] == "malaria"
    assert {c["purpose"] for c in data["consents"]} == {"registry", "reminders"}
    event = AuditEvent.objects.get(action=AuditAction.EXPORT)
    assert event.actor == coordinator and event.object_id == str(asha.pk)
    assert event.details == {"what": "donor data", "format": "json"}


@pytest.mark.parametrize("persona, status", [("staff_a", 403), ("admin_user", 200)])
def test_data_export_is_for_coordinators_and_admins(request, client_for, asha, persona, status):
    user = request.getfixturevalue(persona)
    url = reverse("donors:data-export", args=[asha.pk])
    assert client_for(user).get(url).status_code == status


def test_data_export_is_scoped_and_needs_sign_in(client_for, anon, asha, units):
    from accounts.choices import Role
    from tests.factories import UserFactory

    dehat = UserFactory(username="dehat_coord", role=Role.COORDINATOR, unit=units.dehat)
    url = reverse("donors:data-export", args=[asha.pk])
    assert client_for(dehat).get(url).status_code == 404
    assert anon.get(url).status_code == 302
    assert not AuditEvent.objects.filter(action=AuditAction.EXPORT).exists()


def test_the_donor_page_offers_the_requests_by_role(
    client_for, staff_a, coordinator, admin_user, asha
):
    export = reverse("donors:data-export", args=[asha.pk])
    staff_page = client_for(staff_a).get(asha.get_absolute_url()).content.decode()
    coordinator_page = client_for(coordinator).get(asha.get_absolute_url()).content.decode()
    admin_page = client_for(admin_user).get(asha.get_absolute_url()).content.decode()
    assert export not in staff_page and erase_url(asha) not in staff_page
    assert export in coordinator_page and erase_url(asha) not in coordinator_page
    assert export in admin_page and erase_url(asha) in admin_page
