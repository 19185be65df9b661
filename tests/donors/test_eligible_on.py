"""``eligible_on`` (the "may donate today" filter, decided in SQL) agrees with
``check_eligibility`` (the rules in Python) for donors on every boundary of DOMAIN.md §1."""

from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
import time_machine
from django.core.management import call_command

from donors.choices import DonationKind, DonationOutcome
from donors.filters import DonorFilterSet
from donors.models import Donor
from donors.selectors import donor_eligibility, eligible_on, with_eligibility_facts
from tests.factories import DeferralFactory, DonationFactory, DonorFactory

ON = date(2026, 7, 15)


def days(n: int) -> timedelta:
    return timedelta(days=n)


def wb(on, outcome=DonationOutcome.COLLECTED):
    return (on, DonationKind.WHOLE_BLOOD, outcome)


def aph(on):
    return (on, DonationKind.APHERESIS, DonationOutcome.COLLECTED)


AGED_61 = date(1965, 1, 10)

# name → what the donor's record holds; the name says why the donor is here.
DONORS = {
    "plain man": {},
    # Age
    "turns 18 on ON": {"dob": date(2008, 7, 15)},
    "born 29 Feb 2008": {"dob": date(2008, 2, 29)},
    "born 28 Feb 2010": {"dob": date(2010, 2, 28)},
    "born 1 Mar 2010": {"dob": date(2010, 3, 1)},
    "turns 66 on ON, external donor": {"dob": date(1960, 7, 15), "external": date(2025, 1, 1)},
    "turns 66 on ON, portal donor": {"dob": date(1960, 7, 15), "donations": [wb(date(2025, 1, 1))]},
    "first time, turns 61 on ON": {"dob": date(1965, 7, 15)},
    "first time, aged 60": {"dob": date(1966, 1, 10)},
    "first time, aged 61": {"dob": AGED_61},
    "repeat donor, aged 61": {"dob": AGED_61, "donations": [wb(date(2025, 1, 10))]},
    "aged 61, only turned away at screening": {
        "dob": AGED_61,
        "donations": [wb(date(2025, 1, 10), DonationOutcome.DEFERRED)],
    },
    "aged 61, adverse reaction once": {
        "dob": AGED_61,
        "donations": [wb(date(2025, 1, 10), DonationOutcome.ADVERSE_REACTION)],
    },
    # Weight
    "44.9 kg": {"weight": "44.9"},
    "45 kg": {"weight": "45"},
    "weight unknown": {"weight": None},
    # Whole-blood interval by sex, from the portal or from outside
    "man, whole blood 90 days ago": {"donations": [wb(ON - days(90))]},
    "woman, whole blood 120 days ago": {"sex": "F", "donations": [wb(ON - days(120))]},
    "woman, whole blood 90 days ago": {"sex": "F", "donations": [wb(ON - days(90))]},
    "sex O, whole blood 120 days ago": {"sex": "O", "donations": [wb(ON - days(120))]},
    "sex O, whole blood 90 days ago": {"sex": "O", "donations": [wb(ON - days(90))]},
    "man, external 90 days ago": {"external": ON - days(90)},
    "woman, external 120 days ago": {"sex": "F", "external": ON - days(120)},
    "sex O, external 119 days ago": {"sex": "O", "external": ON - days(119)},
    "man, adverse reaction 90 days ago": {
        "donations": [wb(ON - days(90), DonationOutcome.ADVERSE_REACTION)]
    },
    "man, adverse reaction 30 days ago": {
        "donations": [wb(ON - days(30), DonationOutcome.ADVERSE_REACTION)]
    },
    "man, turned away at screening 10 days ago": {
        "donations": [wb(ON - days(10), DonationOutcome.DEFERRED)]
    },
    "man, whole blood recorded for tomorrow": {"donations": [wb(ON + days(1))]},
    # 12-month count
    "man, 4 in 12 months": {"donations": [wb(ON - days(n)) for n in (360, 270, 180, 90)]},
    "man, 3 in 12 months": {"donations": [wb(ON - days(n)) for n in (270, 180, 90)]},
    "man, 3 in 12 months and one outside": {
        "donations": [wb(ON - days(n)) for n in (270, 180, 90)],
        "external": ON - days(360),
    },
    "woman, 3 in 12 months": {
        "sex": "F",
        "donations": [wb(ON - days(n)) for n in (360, 240, 120)],
    },
    "sex O, 3 in 12 months": {
        "sex": "O",
        "donations": [wb(ON - days(n)) for n in (360, 240, 120)],
    },
    # Apheresis
    "apheresis 28 days ago": {"donations": [aph(ON - days(28))]},
    "apheresis yesterday": {"donations": [aph(ON - days(1))]},
    "apheresis 2 days ago": {"donations": [aph(ON - days(2))]},
    "apheresis twice in 7 days": {"donations": [aph(ON - days(6)), aph(ON - days(3))]},
    "apheresis 24 in 12 months": {"donations": [aph(ON - days(15 * k)) for k in range(1, 25)]},
    "apheresis 23 in 12 months": {"donations": [aph(ON - days(15 * k)) for k in range(1, 24)]},
    "man, whole blood 27 days ago": {"donations": [wb(ON - days(27))]},
    "man, external 28 days ago": {"external": ON - days(28)},
    # Deferrals
    "deferred for good": {"deferrals": [(date(2020, 1, 1), None)]},
    "deferral ending today": {"deferrals": [(ON - days(30), ON)]},
    "deferral ending tomorrow": {"deferrals": [(ON - days(30), ON + days(1))]},
    "deferral starting today": {"deferrals": [(ON, ON + days(14))]},
    "deferral starting tomorrow": {"deferrals": [(ON + days(1), ON + days(60))]},
    "deferral expired": {"deferrals": [(ON - days(400), ON - days(35))]},
    "two deferrals, one expired one active": {
        "deferrals": [(ON - days(400), ON - days(35)), (ON - days(2), ON + days(5))]
    },
}

ELIGIBLE_ON_ON = {
    "plain man",
    "turns 18 on ON",
    "born 29 Feb 2008",
    "first time, aged 60",
    "repeat donor, aged 61",
    "aged 61, adverse reaction once",
    "45 kg",
    "weight unknown",
    "man, whole blood 90 days ago",
    "woman, whole blood 120 days ago",
    "sex O, whole blood 120 days ago",
    "man, external 90 days ago",
    "woman, external 120 days ago",
    "man, adverse reaction 90 days ago",
    "man, turned away at screening 10 days ago",
    "man, whole blood recorded for tomorrow",
    "man, 3 in 12 months",
    "apheresis 28 days ago",
    "deferral ending today",
    "deferral starting tomorrow",
    "deferral expired",
}

# Who may give apheresis on ON: the whole-blood interval and 12-month count do not apply,
# the 28-day switch after whole blood, 48 hours and the 7-day and 12-month caps do.
APHERESIS_ON_ON = ELIGIBLE_ON_ON | {
    "woman, whole blood 90 days ago",
    "sex O, whole blood 90 days ago",
    "sex O, external 119 days ago",
    "man, adverse reaction 30 days ago",
    "man, 4 in 12 months",
    "man, 3 in 12 months and one outside",
    "woman, 3 in 12 months",
    "sex O, 3 in 12 months",
    "apheresis 2 days ago",
    "apheresis 23 in 12 months",
    "man, external 28 days ago",
}

KINDS = [DonationKind.WHOLE_BLOOD, DonationKind.APHERESIS]

DATES = [
    date(2026, 2, 28),
    date(2026, 3, 1),
    ON - days(30),
    ON - days(1),
    ON,
    ON + days(1),
    ON + days(4),
    ON + days(5),
    ON + days(60),
    date(2027, 7, 15),
    date(2028, 2, 28),
    date(2028, 2, 29),
    date(2028, 3, 1),
]


def make_donor(
    unit,
    name,
    *,
    sex="M",
    dob=date(1990, 5, 17),
    weight="70",
    external=None,
    donations=(),
    deferrals=(),
):
    donor = DonorFactory(
        unit=unit,
        name=name,
        sex=sex,
        date_of_birth=dob,
        weight_kg=None if weight is None else Decimal(weight),
        external_last_donation_on=external,
    )
    for donated_on, kind, outcome in donations:
        DonationFactory(donor=donor, donated_on=donated_on, kind=kind, outcome=outcome)
    for starts_on, until in deferrals:
        category = "permanent" if until is None else "tattoo"
        DeferralFactory(donor=donor, category=category, starts_on=starts_on, until=until)
    return donor


@pytest.fixture
def registry(units):
    return {name: make_donor(units.station_a, name, **spec) for name, spec in DONORS.items()}


def names_in_sql(on, queryset=None, kind=DonationKind.WHOLE_BLOOD):
    queryset = Donor.objects.all() if queryset is None else queryset
    return set(eligible_on(queryset, on, kind=kind).values_list("name", flat=True))


def names_in_python(on, kind=DonationKind.WHOLE_BLOOD):
    donors = with_eligibility_facts(Donor.objects.all())
    return {donor.name for donor in donors if donor_eligibility(donor, on, kind=kind).eligible}


def test_the_registry_is_on_the_boundaries_expected(registry):
    # The Python rules give the answer written here by hand, so the agreement below is
    # between two right answers, not two equal wrong ones.
    assert names_in_python(ON) == ELIGIBLE_ON_ON
    assert names_in_python(ON, DonationKind.APHERESIS) == APHERESIS_ON_ON


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("on", DATES, ids=str)
def test_sql_and_python_agree(registry, on, kind):
    in_python = names_in_python(on, kind)

    assert names_in_sql(on, kind=kind) == in_python
    assert in_python and set(DONORS) - in_python  # each date sorts donors both ways


def test_agreement_follows_the_settings(registry, settings):
    settings.DONOR_INTERVAL_DAYS_FEMALE = 84
    settings.DONOR_INTERVAL_DAYS_OTHER = 84
    settings.DONOR_MAX_AGE = 60
    settings.DONOR_MIN_WEIGHT_KG = Decimal("44")
    # The stored standing follows the settings once recomputed, as after a deployment.
    call_command("refresh_eligibility", stdout=StringIO())

    in_python = names_in_python(ON)

    assert {"woman, whole blood 90 days ago", "sex O, whole blood 90 days ago", "44.9 kg"} <= (
        in_python - ELIGIBLE_ON_ON
    )
    assert "repeat donor, aged 61" not in in_python
    assert names_in_sql(ON) == in_python


def test_apheresis_agreement_follows_the_settings(registry, settings):
    settings.DONOR_APHERESIS_MAX_PER_WEEK = 3
    settings.DONOR_APHERESIS_MAX_PER_YEAR = 25
    settings.DONOR_APHERESIS_SWITCH_DAYS = 14

    in_python = names_in_python(ON, DonationKind.APHERESIS)

    assert in_python - APHERESIS_ON_ON == {
        "apheresis twice in 7 days",
        "apheresis 24 in 12 months",
        "man, whole blood 27 days ago",
    }
    assert names_in_sql(ON, kind=DonationKind.APHERESIS) == in_python


@pytest.mark.parametrize("kind", KINDS)
def test_one_query_whatever_the_registry_size(registry, django_assert_num_queries, kind):
    with django_assert_num_queries(1):
        list(eligible_on(Donor.objects.all(), ON, kind=kind))


def test_it_narrows_the_queryset_it_is_given(registry, units):
    elsewhere = make_donor(units.station_b, "plain man at station B")

    assert names_in_sql(ON, Donor.objects.filter(unit=units.station_b)) == {elsewhere.name}
    assert names_in_sql(ON, Donor.objects.filter(unit=units.station_a)) == ELIGIBLE_ON_ON


def test_the_may_donate_today_filter_uses_today_in_kolkata(registry):
    # 20:00 UTC on 14 July is already 15 July in Kanpur.
    with time_machine.travel("2026-07-14 20:00:00+00:00", tick=False):
        yes = DonorFilterSet({"eligible_today": "true"}, queryset=Donor.objects.all()).qs
        no = DonorFilterSet({"eligible_today": "false"}, queryset=Donor.objects.all()).qs

        assert {d.name for d in yes} == ELIGIBLE_ON_ON
        assert {d.name for d in no} == set(DONORS) - ELIGIBLE_ON_ON


def test_the_dashboard_counts_every_date_in_one_scan_as_eligible_on_does(
    registry, admin_user, django_assert_num_queries
):
    # The forecast's pool counts several days in one query (a FILTER per day): each day's
    # count is the donors eligible_on lets through that day, group by group.
    from collections import Counter

    from dashboard.demand import eligible_by_group_on
    from dashboard.selectors import DashboardQuery

    query = DashboardQuery(user=admin_user, start=ON, end=ON)
    # ON is a past day: the eligible pool's steps (donors.pool) decline it after reading
    # their floor, and one scan of the donors counts.
    with django_assert_num_queries(2):
        pool = eligible_by_group_on(query, DATES)
    for on in DATES:
        expected = Counter(
            eligible_on(Donor.objects.all(), on).values_list("blood_group", flat=True)
        )
        assert pool[on] == dict(expected), on
        assert eligible_by_group_on(query, [on]) == {on: dict(expected)}
