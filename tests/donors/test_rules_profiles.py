"""RULES_PROFILE (issue 17): india (NBTC-17) or vietnam (VN-26, DOMAIN.md §1) picks the
pre-screen's numbers and the phone region. The boundary table below runs for both profiles,
each with its own expected numbers; the profile's settings come from settings_domain itself,
read again under RULES_PROFILE, so the table tests what a deployment would start with."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ImproperlyConfigured, ValidationError
from django.utils import translation

from donors.eligibility import DonorFacts, PastDonation, check_eligibility
from donors.models import Donor
from donors.phones import normalise_phone
from donors.selectors import eligible_on
from tests.factories import DonorFactory
from tests.rulebook.profiles import apply_profile, load_profile

ON = date(2026, 7, 15)

# What each profile must give; where VN-26 gives no number, Vietnam keeps India's.
EXPECTED = {
    "india": {
        "interval": {"M": 90, "F": 120, "O": 120},
        "max_age": 65,
        "min_weight": {"M": Decimal("45"), "F": Decimal("45"), "O": Decimal("45")},
        "year_cap": {"M": 4, "F": 3},
        "bags": [350, 450],
        "region": "IN",
    },
    "vietnam": {
        "interval": {"M": 84, "F": 84, "O": 84},
        "max_age": 60,
        "min_weight": {"M": Decimal("45"), "F": Decimal("42"), "O": Decimal("45")},
        "year_cap": {"M": 4, "F": 4},
        "bags": [250, 350, 450],
        "region": "VN",
    },
}
PROFILES = list(EXPECTED)


@pytest.fixture(params=PROFILES)
def profile(request, monkeypatch, settings):
    """Apply one profile's settings; yields its expected numbers."""
    apply_profile(monkeypatch, settings, request.param)
    with translation.override("en"):
        yield EXPECTED[request.param]


def facts(sex="M", dob=date(1990, 5, 17), weight="70", donations=()):
    return DonorFacts(
        sex=sex,
        date_of_birth=dob,
        weight_kg=None if weight is None else Decimal(weight),
        donations=tuple(PastDonation(on=d) for d in donations),
    )


@pytest.mark.parametrize("sex", ["M", "F", "O"])
def test_the_interval_by_sex_ends_on_the_profiles_day(profile, sex):
    interval = profile["interval"][sex]
    last = ON - timedelta(days=interval)
    day_before = check_eligibility(facts(sex=sex, donations=[last]), ON - timedelta(days=1))

    assert not day_before.eligible
    assert day_before.codes == ["interval"]
    assert day_before.next_eligible_on == ON
    assert f"{interval} days" in day_before.reasons[0]
    assert check_eligibility(facts(sex=sex, donations=[last]), ON).eligible


def test_the_age_limits(profile):
    max_age = profile["max_age"]
    # A repeat donor, so the first-time limit (60 in both) plays no part.
    born = date(ON.year - max_age - 1, ON.month, ON.day)  # turns max_age + 1 on ON
    repeat = [date(2025, 1, 1)]
    assert check_eligibility(facts(dob=born, donations=repeat), ON - timedelta(days=1)).eligible
    answer = check_eligibility(facts(dob=born, donations=repeat), ON)
    assert answer.codes == ["age_max"]
    assert f"Over {max_age}" in answer.reasons[0]
    eighteen_today = date(ON.year - 18, ON.month, ON.day)
    assert check_eligibility(facts(dob=eighteen_today), ON).eligible
    assert check_eligibility(facts(dob=eighteen_today), ON - timedelta(days=1)).codes == ["age_min"]


@pytest.mark.parametrize("sex", ["M", "F", "O"])
def test_the_minimum_weight_by_sex(profile, sex):
    least = profile["min_weight"][sex]
    assert check_eligibility(facts(sex=sex, weight=str(least)), ON).eligible
    answer = check_eligibility(facts(sex=sex, weight=str(least - Decimal("0.5"))), ON)
    assert answer.codes == ["weight"]
    assert f"at least {least} kg" in answer.reasons[0]


@pytest.mark.parametrize("sex", ["M", "F"])
def test_the_yearly_cap_follows_the_interval(profile, sex):
    cap, interval = profile["year_cap"][sex], profile["interval"][sex]
    given = [ON - timedelta(days=interval * k) for k in range(cap, 0, -1)]
    # Spaced by the interval, ``cap`` donations reach back cap × interval days: inside the
    # 12 months, so the cap (not the interval) is what holds the next one back.
    answer = check_eligibility(facts(sex=sex, donations=given), ON)
    assert "year_limit" in answer.codes
    assert check_eligibility(facts(sex=sex, donations=given[1:]), ON).codes == []


def test_the_bag_volumes_and_the_phone_region(profile, settings):
    assert profile["bags"] == settings.DONOR_BAG_VOLUMES_ML
    assert profile["region"] == settings.PHONE_DEFAULT_REGION
    assert settings.PHONE_ALLOWED_REGIONS[0] == profile["region"]
    assert sorted(settings.PHONE_ALLOWED_REGIONS) == ["IN", "VN"]


def test_a_vietnamese_mobile_typed_as_at_home(profile):
    # 091 234 5678: a Vietnamese mobile (+84, 9 digits) as a Vietnamese writes it. Under the
    # vietnam profile it is read as +84; under india the same digits are no Indian mobile.
    if profile["region"] == "VN":
        assert normalise_phone("091 234 5678") == "+84912345678"
        assert normalise_phone("0912345678") == "+84912345678"
    else:
        with pytest.raises(ValidationError, match="India: 10 digits"):
            normalise_phone("091 234 5678")
    # Written in full, either country's mobile is accepted under both profiles.
    assert normalise_phone("+84 91 234 5678") == "+84912345678"
    assert normalise_phone("+91 98765 43210") == "+919876543210"


def test_a_bad_number_is_explained_in_the_profiles_terms(profile):
    with pytest.raises(ValidationError) as caught:
        normalise_phone("12345")
    country = "Vietnam: +84 and 9 digits" if profile["region"] == "VN" else "India: 10 digits"
    assert country in str(caught.value)


@pytest.mark.django_db
def test_who_may_give_counts_women_by_their_own_minimum_weight(profile, units):
    woman = DonorFactory(unit=units.station_a, sex="F", weight_kg=Decimal("43"))
    man = DonorFactory(unit=units.station_a, sex="M", weight_kg=Decimal("44"))

    found = set(
        eligible_on(Donor.objects.filter(unit=units.station_a), ON).values_list("pk", flat=True)
    )

    assert (woman.pk in found) is (profile["min_weight"]["F"] <= 43)
    assert man.pk not in found


def test_india_is_the_default(monkeypatch):
    loaded = load_profile(monkeypatch, None)
    assert loaded["RULES_PROFILE"] == "india"
    assert loaded["DONOR_INTERVAL_DAYS_FEMALE"] == 120
    assert loaded["DONOR_MIN_WEIGHT_KG_FEMALE"] is None


def test_an_unknown_profile_stops_the_start(monkeypatch):
    with pytest.raises(ImproperlyConfigured, match="RULES_PROFILE='mars'"):
        load_profile(monkeypatch, "mars")


def test_an_env_value_wins_over_the_profile(monkeypatch):
    loaded = load_profile(
        monkeypatch,
        "vietnam",
        DONOR_MAX_AGE="62",
        DONOR_INTERVAL_DAYS_FEMALE="100",
        DONOR_MIN_WEIGHT_KG_FEMALE="43",
        PHONE_DEFAULT_REGION="IN",
    )
    assert loaded["DONOR_MAX_AGE"] == 62
    assert loaded["DONOR_INTERVAL_DAYS_FEMALE"] == 100
    assert loaded["DONOR_INTERVAL_DAYS_MALE"] == 84
    assert loaded["DONOR_MIN_WEIGHT_KG_FEMALE"] == Decimal("43")
    assert loaded["PHONE_DEFAULT_REGION"] == "IN"


def test_the_bags_in_use_are_the_profiles(profile):
    from camps.forms import CorrectionForm
    from camps.spreadsheets import parse_bag_ml
    from donors.donations import collection_errors

    offered = [value for value, _label in CorrectionForm().fields["bag_volume_ml"].widget.choices]
    assert [v for v in offered if v] == profile["bags"]
    for volume in (250, 350, 450):
        # Every path reads the number; the service alone says whether the rules use it,
        # in one message (the camp table, the API, the import, the offline sync).
        assert parse_bag_ml(f"{volume} ml") == volume
        errors = collection_errors(None, donated_on=ON, fields={"bag_volume_ml": volume})
        if volume in profile["bags"]:
            assert "bag_volume_ml" not in errors
        else:
            (error,) = errors["bag_volume_ml"]
            assert error.messages == [
                f"A {volume} ml bag is not in use here: choose "
                + ", ".join(str(v) for v in profile["bags"])
                + " ml."
            ]
    with pytest.raises(ValidationError, match="Write one of 250, 350, 450"):
        parse_bag_ml("500")
