"""Consent per purpose (DPDP-23): the registry and reminders, each with when, which notice and
who recorded it; withdrawn by staff on the donor page or by the donor's own signed link."""

import datetime
import importlib

import pytest
from django.apps import apps
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from accounts.choices import AuditAction
from accounts.models import AuditEvent
from donors.consent import may_be_reminded, opt_out_token, opt_out_url
from donors.models import Consent, Donor
from donors.services import donor_verify
from tests.factories import DonorFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def pledge(anon, units, **changes):
    data = {
        "name": "Sunita Devi",
        "sex": "F",
        "date_of_birth": "1994-03-12",
        "phone": "098765 43210",
        "unit": str(units.station_a.pk),
        "preferred_language": "hi",
        "consent": "on",
    }
    data.update(changes)
    response = anon.post(reverse("donors:pledge"), {k: v for k, v in data.items() if v})
    assert response.status_code == 302
    return Donor.objects.get(phone="+919876543210")


def in_force(donor):
    return set(donor.consents.filter(withdrawn_at__isnull=True).values_list("purpose", flat=True))


def test_a_pledge_without_the_reminders_box_consents_to_the_registry_only(anon, units, settings):
    donor = pledge(anon, units)

    consent = donor.consents.get()
    assert consent.purpose == "registry"
    assert consent.source == "pledge" and consent.recorded_by is None
    assert consent.notice_version == settings.DONOR_CONSENT_VERSION
    assert consent.given_at == donor.consent_at
    assert not may_be_reminded(Donor.objects.all()).exists()


def test_a_pledge_with_the_reminders_box_consents_to_both(anon, units, staff_b):
    donor = pledge(anon, units, consent_reminders="on")

    assert in_force(donor) == {"registry", "reminders"}
    # Reminders wait until the number is proven the donor's.
    assert not may_be_reminded(Donor.objects.all()).exists()
    donor_verify(donor=donor, actor=staff_b)
    assert list(may_be_reminded(Donor.objects.all())) == [donor]


def test_staff_record_consent_at_the_donors_word(client_for, staff_a, units):
    client_for(staff_a).post(
        reverse("donors:create"),
        {
            "name": "Ravi Kumar",
            "phone": "98765 11111",
            "sex": "M",
            "date_of_birth": "1992-04-10",
            "unit": units.station_a.pk,
            "preferred_language": "hi",
            "consent": "on",
            "consent_reminders": "on",
        },
    )
    donor = Donor.objects.get(name="Ravi Kumar")
    assert {(c.purpose, c.source, c.recorded_by) for c in donor.consents.all()} == {
        ("registry", "staff", staff_a),
        ("reminders", "staff", staff_a),
    }


@pytest.fixture
def reminded(anon, units):
    return pledge(anon, units, consent_reminders="on")


def change(client, donor, purpose, action):
    return client.post(
        reverse("donors:consent", args=[donor.pk]), {"purpose": purpose, "action": action}
    )


def test_staff_withdraw_reminders_on_the_donor_page(client_for, staff_a, reminded):
    client = client_for(staff_a)
    page = client.get(reminded.get_absolute_url()).content.decode()
    assert "Withdraw at the donor" in page

    response = change(client, reminded, "reminders", "withdraw")

    assert response.status_code == 302
    reminded.refresh_from_db()
    assert in_force(reminded) == {"registry"}
    assert reminded.opted_out_at is not None
    withdrawn = reminded.consents.get(purpose="reminders")
    assert withdrawn.withdrawn_by == staff_a and withdrawn.withdrawn_source == "staff"
    event = AuditEvent.objects.get(action=AuditAction.UPDATE, details__note="consent withdrawn")
    assert event.actor == staff_a and event.details["purposes"] == ["reminders"]
    assert not may_be_reminded(Donor.objects.all()).exists()


def test_consent_given_again_is_a_new_row_and_ends_the_opt_out(client_for, staff_a, reminded):
    client = client_for(staff_a)
    change(client, reminded, "reminders", "withdraw")
    change(client, reminded, "reminders", "give")

    reminded.refresh_from_db()
    assert reminded.opted_out_at is None
    assert reminded.consents.filter(purpose="reminders").count() == 2
    assert in_force(reminded) == {"registry", "reminders"}


def test_leaving_the_registry_ends_reminders_too(client_for, staff_a, reminded):
    change(client_for(staff_a), reminded, "registry", "withdraw")

    assert in_force(reminded) == set()


@pytest.mark.parametrize("persona, status", [("staff_b", 404), ("coordinator", 302)])
def test_consent_changes_are_scoped(request, client_for, reminded, persona, status):
    user = request.getfixturevalue(persona)
    assert change(client_for(user), reminded, "reminders", "withdraw").status_code == status


def test_anonymous_cannot_change_consent(anon, reminded):
    response = change(anon, reminded, "reminders", "withdraw")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert in_force(reminded) == {"registry", "reminders"}


def test_a_bad_consent_change_changes_nothing(client_for, staff_a, reminded):
    response = change(client_for(staff_a), reminded, "marketing", "withdraw")
    assert response.status_code == 302
    assert in_force(reminded) == {"registry", "reminders"}


# --- the opt-out link --------------------------------------------------------------------


def test_the_opt_out_url_is_absolute_and_short(reminded, settings):
    settings.SITE_URL = "https://blood.example.in/"
    url = opt_out_url(reminded)
    assert url.startswith("https://blood.example.in/stop/")
    assert len(url) < 90  # it ends every SMS


def test_opening_the_link_changes_nothing_and_names_nobody(anon, reminded):
    response = anon.get(opt_out_url(reminded))

    assert response.status_code == 200
    html = response.content.decode()
    assert "Sunita" not in html and "98765" not in html and "43210" not in html
    assert 'lang="hi"' in html and response["Content-Language"] == "hi"
    assert 'data-state="ask"' in html
    assert in_force(reminded) == {"registry", "reminders"}


def test_one_tap_stops_reminders_in_the_donors_language(anon, reminded):
    url = opt_out_url(reminded)
    response = anon.post(url)

    assert response.status_code == 200
    assert 'lang="hi"' in response.content.decode()
    reminded.refresh_from_db()
    assert in_force(reminded) == {"registry"}
    assert reminded.opted_out_at is not None
    consent = reminded.consents.get(purpose="reminders")
    assert consent.withdrawn_source == "link" and consent.withdrawn_by is None
    event = AuditEvent.objects.get(details__note="consent withdrawn")
    assert event.actor is None and event.details["source"] == "link"

    # A second tap, or opening the link again, is harmless and says the same.
    assert anon.post(url).status_code == 200
    assert 'data-state="done"' in anon.get(url).content.decode()
    assert AuditEvent.objects.filter(details__note="consent withdrawn").count() == 1


def test_the_confirmation_reads_in_english_for_an_english_speaker(anon, units):
    donor = pledge(anon, units, consent_reminders="on", preferred_language="en")
    html = anon.post(opt_out_url(donor)).content.decode()
    assert "You will get no more reminders" in html
    assert "Sunita" not in html


@pytest.mark.parametrize("token", ["abc", "MTIz:badsignature", "1", "%00"])
def test_a_forged_or_mangled_link_is_a_404_and_changes_nothing(anon, reminded, token):
    for method in (anon.get, anon.post):
        response = method(f"/stop/{token}/")
        assert response.status_code == 404
        assert "This link does not work" in response.content.decode()
    assert in_force(reminded) == {"registry", "reminders"}


def test_a_token_for_one_donor_cannot_be_edited_into_another(anon, reminded, units):
    other = DonorFactory(unit=units.station_a)
    token = opt_out_token(reminded)
    forged = token.replace(token.split(":")[0], opt_out_token(other).split(":")[0], 1)
    assert anon.post(f"/stop/{forged}/").status_code == 404
    assert reminded.opted_out_at is None


# --- existing donors -----------------------------------------------------------------------


def test_existing_consents_become_rows_per_purpose(units, staff_a):
    migration = importlib.import_module("donors.migrations.0003_consent_and_erasure")
    at = timezone.now() - datetime.timedelta(days=30)
    staff_entered = DonorFactory(
        unit=units.station_a, consent_at=at, consent_version="2026-11", created_by=staff_a
    )
    opted_out = DonorFactory(
        unit=units.station_a,
        consent_at=at,
        consent_version="2026-11",
        source="pledge",
        opted_out_at=at + datetime.timedelta(days=3),
    )
    never = DonorFactory(unit=units.station_a)

    migration.consents_from_donor_fields(apps, None)

    assert in_force(staff_entered) == {"registry", "reminders"}
    assert staff_entered.consents.get(purpose="registry").recorded_by == staff_a
    assert in_force(opted_out) == {"registry"}
    assert opted_out.consents.get(purpose="reminders").withdrawn_at == opted_out.opted_out_at
    assert opted_out.consents.get(purpose="registry").recorded_by is None
    assert not never.consents.exists()
    assert Consent.objects.count() == 4


def test_a_merge_keeps_the_consent_history_and_the_opt_out(client_for, admin_user, units):
    keep = DonorFactory(unit=units.station_a)
    duplicate = DonorFactory(unit=units.station_a, opted_out_at=timezone.now())
    Consent.objects.create(donor=keep, purpose="reminders", source="staff")
    Consent.objects.create(donor=duplicate, purpose="registry", source="pledge")
    Consent.objects.create(donor=duplicate, purpose="reminders", source="pledge")

    client_for(admin_user).post(
        reverse("donors:merge"), {"keep": keep.pk, "duplicate": duplicate.pk, "confirm": "1"}
    )

    assert in_force(keep) == {"registry"}  # the opt-out on the duplicate holds
    assert keep.consents.filter(purpose="registry", source="pledge").exists()
