"""The public pledge page: consent, spam protection, no leak of who is registered, and no 500
on anything a stranger types."""

import datetime

import pytest
import time_machine
from django.core.cache import cache
from django.urls import reverse
from django.utils import timezone

from donors.models import Donor
from tests.factories import DonorFactory

PLEDGE_URL = "/pledge/"
THANKS_URL = "/pledge/thanks/"
CODE_URL = "/pledge/code/"


@pytest.fixture(autouse=True)
def _fresh_rate_limit(settings):
    # The tests below count to this limit; the rate limit counts in the cache, so start and
    # end every test clean.
    settings.PLEDGE_RATE_LIMIT = "5/h"
    cache.clear()
    yield
    cache.clear()


def pledge_data(units, **changes):
    data = {
        "name": "Sunita Devi",
        "sex": "F",
        "date_of_birth": "1994-03-12",
        "phone": "098765 43210",
        "blood_group": "B+",
        "weight_kg": "58",
        "email": "",
        "unit": str(units.station_b.pk),
        "locality": "Sadar Bazaar",
        "preferred_language": "hi",
        "consent": "on",
        "website": "",
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not None}


def test_the_pledge_page_opens_without_signing_in(anon, units, settings):
    response = anon.get(PLEDGE_URL)
    assert response.status_code == 200
    assert reverse("donors:pledge") == PLEDGE_URL
    html = response.content.decode()
    assert "Your consent" in html
    assert "tap the stop link" in html
    assert f'data-consent-version="{settings.DONOR_CONSENT_VERSION}"' in html
    assert 'name="website"' in html


def test_stations_are_grouped_by_force_and_only_stations_are_offered(anon, units):
    html = anon.get(PLEDGE_URL).content.decode()
    assert '<optgroup label="Kanpur Nagar Police Commissionerate">' in html
    assert '<optgroup label="Kanpur Dehat District">' in html
    for station in ("Kotwali", "Moolganj", "Cantt", "Akbarpur"):
        assert f">{station}</option>" in html
    assert ">Kotwali Circle</option>" not in html
    assert f'value="{units.knp.pk}"' not in html


def test_a_valid_pledge_becomes_an_unverified_donor_of_the_chosen_station(anon, units, settings):
    response = anon.post(PLEDGE_URL, pledge_data(units))

    assert response.status_code == 302
    assert response["Location"] == CODE_URL  # the code sent to the number comes next
    donor = Donor.objects.get()
    assert donor.name == "Sunita Devi"
    assert donor.phone == "+919876543210"
    assert donor.source == "pledge"
    assert donor.verified_at is None and donor.verified_by is None
    assert donor.created_by is None
    assert donor.unit == units.station_b
    assert donor.locality == "Sadar Bazaar"
    assert donor.blood_group == "B+"
    assert donor.preferred_language == "hi"
    assert donor.date_of_birth == datetime.date(1994, 3, 12)
    assert donor.consent_version == settings.DONOR_CONSENT_VERSION
    assert abs(timezone.now() - donor.consent_at) < datetime.timedelta(minutes=1)


def test_the_thank_you_page_says_what_happens_next(anon, units):
    anon.post(PLEDGE_URL, pledge_data(units))
    response = anon.get(THANKS_URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert "Thank you for your pledge" in html
    assert "will check your details" in html
    assert "Before a blood donation camp near you" in html


def test_dont_know_blood_group_and_no_weight_are_fine(anon, units):
    response = anon.post(PLEDGE_URL, pledge_data(units, blood_group="", weight_kg=""))
    assert response.status_code == 302
    donor = Donor.objects.get()
    assert donor.blood_group == ""
    assert donor.weight_kg is None


def test_without_consent_nothing_is_stored(anon, units):
    response = anon.post(PLEDGE_URL, pledge_data(units, consent=None))
    assert response.status_code == 200
    assert "consent" in response.context["form"].errors
    assert "we cannot register you without it" in response.content.decode()
    assert not Donor.objects.exists()


def test_a_filled_honeypot_is_thanked_and_nothing_is_stored(anon, units):
    response = anon.post(PLEDGE_URL, pledge_data(units, website="http://spam.example"))
    assert response.status_code == 302
    assert response["Location"] == THANKS_URL
    assert not Donor.objects.exists()


def test_a_filled_honeypot_is_thanked_even_when_the_rest_is_rubbish(anon, units):
    response = anon.post(PLEDGE_URL, {"website": "x", "phone": "abc"})
    assert response.status_code == 302
    assert not Donor.objects.exists()


@time_machine.travel(datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_the_sixth_pledge_from_one_address_in_an_hour_is_refused(anon, units):
    for n in range(5):
        response = anon.post(PLEDGE_URL, pledge_data(units, phone=f"98765000{n:02d}"))
        assert response.status_code == 302
    assert Donor.objects.count() == 5

    response = anon.post(PLEDGE_URL, pledge_data(units, phone="9876500099"))

    assert response.status_code == 429
    assert "Please try again later" in response.content.decode()
    assert Donor.objects.count() == 5
    assert not Donor.objects.filter(phone="+919876500099").exists()


@time_machine.travel(datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_another_address_may_still_pledge(anon, units, client):
    for n in range(5):
        anon.post(PLEDGE_URL, pledge_data(units, phone=f"98765000{n:02d}"))
    assert anon.post(PLEDGE_URL, pledge_data(units, phone="9876500098")).status_code == 429
    response = client.post(
        PLEDGE_URL, pledge_data(units, phone="9876500099"), REMOTE_ADDR="203.0.113.7"
    )
    assert response.status_code == 302
    assert Donor.objects.filter(phone="+919876500099").exists()


@time_machine.travel(datetime.datetime(2026, 11, 22, 10, 0, tzinfo=datetime.UTC), tick=False)
def test_a_person_correcting_mistakes_is_not_counted(anon, units):
    for _ in range(6):
        assert anon.post(PLEDGE_URL, pledge_data(units, phone="abc")).status_code == 200
    assert anon.post(PLEDGE_URL, pledge_data(units)).status_code == 302
    assert Donor.objects.count() == 1


def test_the_limit_is_a_setting(anon, units, settings):
    settings.PLEDGE_RATE_LIMIT = "1/h"
    assert anon.post(PLEDGE_URL, pledge_data(units, phone="9876500001")).status_code == 302
    assert anon.post(PLEDGE_URL, pledge_data(units, phone="9876500002")).status_code == 429
    assert Donor.objects.count() == 1


def test_a_known_person_gets_the_same_thanks_and_no_second_donor(anon, units):
    known = DonorFactory(
        unit=units.station_a,
        name="Ramesh Kumar",
        phone="+919876543210",
        date_of_birth=datetime.date(1994, 3, 12),
    )

    response = anon.post(PLEDGE_URL, pledge_data(units, name="ramesh  KUMAR"), follow=True)

    # The same code step as a new number (the verified number is sent no code).
    assert response.redirect_chain == [(CODE_URL, 302)]
    html = response.content.decode()
    assert "Confirm your mobile number" in html
    assert "already" not in html.lower()
    assert "Ramesh" not in html
    assert f"#{known.pk}" not in html
    assert Donor.objects.count() == 1
    known.refresh_from_db()
    assert known.name == "Ramesh Kumar"
    assert known.unit == units.station_a


def test_a_known_person_on_a_number_written_differently_is_still_known(anon, units):
    DonorFactory(
        unit=units.station_a,
        phone="+919876543210",
        name="Sunita Devi",
        date_of_birth=datetime.date(1994, 3, 12),
    )
    response = anon.post(PLEDGE_URL, pledge_data(units, phone="+91 98765-43210"))
    assert response.status_code == 302
    assert Donor.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"phone": "abc"}, "phone"),
        ({"phone": "12345"}, "phone"),
        ({"phone": ""}, "phone"),
        ({"phone": "9" * 40}, "phone"),
        ({"date_of_birth": "31/31/2020"}, "date_of_birth"),
        ({"date_of_birth": "garbage"}, "date_of_birth"),
        ({"date_of_birth": "1800-01-01"}, "date_of_birth"),
        ({"date_of_birth": "2999-01-01"}, "date_of_birth"),
        ({"date_of_birth": "0001-01-01"}, "date_of_birth"),
        ({"date_of_birth": "99999-01-01"}, "date_of_birth"),
        ({"date_of_birth": ""}, "date_of_birth"),
        ({"sex": "X"}, "sex"),
        ({"blood_group": "C+"}, "blood_group"),
        ({"weight_kg": "heavy"}, "weight_kg"),
        ({"weight_kg": "NaN"}, "weight_kg"),
        ({"weight_kg": "1e9"}, "weight_kg"),
        ({"weight_kg": "5"}, "weight_kg"),
        ({"email": "not-an-email"}, "email"),
        ({"unit": "abc"}, "unit"),
        ({"unit": "999999"}, "unit"),
        ({"unit": ""}, "unit"),
        ({"preferred_language": "fr"}, "preferred_language"),
        ({"name": ""}, "name"),
        ({"name": "x" * 500}, "name"),
    ],
)
def test_bad_input_gets_a_field_error_and_stores_nothing(anon, units, changes, field):
    response = anon.post(PLEDGE_URL, pledge_data(units, **changes))
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert not Donor.objects.exists()


def test_a_circle_is_not_a_police_station(anon, units):
    response = anon.post(PLEDGE_URL, pledge_data(units, unit=str(units.kotwali_circle.pk)))
    assert "unit" in response.context["form"].errors
    assert not Donor.objects.exists()


@time_machine.travel(datetime.datetime(2026, 11, 22, 12, 0, tzinfo=datetime.UTC))
def test_someone_under_18_is_told_clearly(anon, units, settings):
    response = anon.post(PLEDGE_URL, pledge_data(units, date_of_birth="2008-11-23"))
    assert response.context["form"].errors["date_of_birth"] == [
        f"You must be {settings.DONOR_MIN_AGE} or older to pledge."
    ]
    assert "You must be 18 or older to pledge" in response.content.decode()
    assert not Donor.objects.exists()


@time_machine.travel(datetime.datetime(2026, 11, 22, 12, 0, tzinfo=datetime.UTC))
def test_someone_turning_18_today_may_pledge(anon, units):
    response = anon.post(PLEDGE_URL, pledge_data(units, date_of_birth="2008-11-22"))
    assert response.status_code == 302
    assert Donor.objects.count() == 1


def test_a_date_of_birth_typed_day_first_is_understood(anon, units):
    response = anon.post(PLEDGE_URL, pledge_data(units, date_of_birth="12/03/1994"))
    assert response.status_code == 302
    assert Donor.objects.get().date_of_birth == datetime.date(1994, 3, 12)


def test_a_police_officer_can_say_so(anon, units):
    anon.post(PLEDGE_URL, pledge_data(units, is_police="on"))
    assert Donor.objects.get().is_police is True


def test_the_page_renders_in_hindi(anon, units):
    response = anon.get(PLEDGE_URL, HTTP_ACCEPT_LANGUAGE="hi")
    html = response.content.decode()
    assert '<html lang="hi">' in html
    # The language for messages starts as the language the page is read in.
    assert response.context["form"].initial["preferred_language"] == "hi"


def test_the_sign_in_page_links_to_the_pledge(anon, units):
    html = anon.get(reverse("login")).content.decode()
    assert f'href="{PLEDGE_URL}"' in html
    assert "Pledge to donate blood" in html
