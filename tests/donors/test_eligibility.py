"""The donor pre-screen (DOMAIN.md §1) at every boundary: a table of cases over
``check_eligibility``, with the facts built by hand (no database) unless a case says so."""

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.utils import translation

from donors.choices import DonationKind, DonationOutcome
from donors.eligibility import DeferralFact, DonorFacts, PastDonation, check_eligibility
from donors.selectors import donor_eligibility
from tests.factories import DonationFactory, DonorFactory

WB = DonationKind.WHOLE_BLOOD
APHERESIS = DonationKind.APHERESIS
ON = date(2026, 7, 15)  # "today" for most cases
LAST = date(2026, 3, 1)  # a whole-blood donation: +90 = 30 May, +120 = 29 June
APH = date(2026, 6, 1)  # an apheresis donation: +2 = 3 June, +28 = 29 June


@pytest.fixture(autouse=True)
def _english():
    # The reasons are asserted in English, dates as the pages show them ("30 May 2026").
    with translation.override("en"):
        yield


def days(n: int) -> timedelta:
    return timedelta(days=n)


def wb(on: date) -> PastDonation:
    return PastDonation(on=on, kind=WB)


def aph(on: date) -> PastDonation:
    return PastDonation(on=on, kind=APHERESIS)


def deferral(starts_on: date, until: date | None, label: str = "Tattoo") -> DeferralFact:
    return DeferralFact(category_label=label, starts_on=starts_on, until=until)


def facts(
    *,
    sex="M",
    dob=date(1990, 5, 17),
    weight="70",
    hb=None,
    donations=(),
    external=None,
    deferrals=(),
) -> DonorFacts:
    return DonorFacts(
        sex=sex,
        date_of_birth=dob,
        weight_kg=None if weight is None else Decimal(weight),
        haemoglobin_g_dl=None if hb is None else Decimal(hb),
        donations=tuple(donations),
        external_last_donation_on=external,
        deferrals=tuple(deferrals),
    )


def case(id, donor, on, *, ok, next=None, codes=(), says=(), kind=WB, bag=None):
    return pytest.param(donor, on, kind, bag, ok, next, list(codes), says, id=id)


MAN_4_IN_YEAR = facts(donations=[wb(ON - days(n)) for n in (360, 270, 180, 90)])
WOMAN_3_IN_YEAR = facts(sex="F", donations=[wb(ON - days(n)) for n in (360, 240, 120)])
# Born on 15 July: 18 on ON (2008), 66 on ON (1960). A repeat donor, so age 60 is no limit.
# Every 15 days for a year: the oldest at ON - 360, so it leaves the 12 months on ON + 5.
APHERESIS_24_IN_YEAR = facts(donations=[aph(ON - days(15 * k)) for k in range(1, 25)])
TURNS_18_ON_ON = facts(dob=date(2008, 7, 15))
TURNS_66_ON_ON = facts(dob=date(1960, 7, 15), external=date(2025, 1, 1))
AGED_61 = date(1965, 1, 10)

CASES = [
    # --- the whole-blood interval, by sex -------------------------------------------------
    case(
        "man-day-89-after-whole-blood-waits",
        facts(donations=[wb(LAST)]),
        LAST + days(89),
        ok=False,
        next=date(2026, 5, 30),
        codes=["interval"],
        says=["1 Mar 2026", "90 days", "30 May 2026"],
    ),
    case("man-day-90-after-whole-blood-may", facts(donations=[wb(LAST)]), LAST + days(90), ok=True),
    case(
        "woman-day-119-after-whole-blood-waits",
        facts(sex="F", donations=[wb(LAST)]),
        LAST + days(119),
        ok=False,
        next=date(2026, 6, 29),
        codes=["interval"],
        says=["120 days", "29 Jun 2026"],
    ),
    case(
        "woman-day-120-after-whole-blood-may",
        facts(sex="F", donations=[wb(LAST)]),
        LAST + days(120),
        ok=True,
    ),
    case(
        "sex-O-day-90-still-waits-the-longer-interval",
        facts(sex="O", donations=[wb(LAST)]),
        LAST + days(90),
        ok=False,
        next=date(2026, 6, 29),
        codes=["interval"],
        says=["120 days"],
    ),
    case(
        "sex-O-day-119-waits",
        facts(sex="O", donations=[wb(LAST)]),
        LAST + days(119),
        ok=False,
        next=date(2026, 6, 29),
        codes=["interval"],
    ),
    case(
        "sex-O-day-120-may",
        facts(sex="O", donations=[wb(LAST)]),
        LAST + days(120),
        ok=True,
    ),
    case(
        "whole-blood-given-today-waits",
        facts(donations=[wb(ON)]),
        ON,
        ok=False,
        next=ON + days(90),
        codes=["interval"],
    ),
    case(
        "donation-recorded-after-the-day-asked-about-is-ignored",
        facts(donations=[wb(ON + days(1))]),
        ON,
        ok=True,
    ),
    # --- external last donation: counts as whole blood -----------------------------------
    case(
        "external-donation-89-days-ago-waits",
        facts(external=ON - days(89)),
        ON,
        ok=False,
        next=ON + days(1),
        codes=["interval"],
    ),
    case("external-donation-90-days-ago-may", facts(external=ON - days(90)), ON, ok=True),
    case(
        "external-donation-counts-for-the-switch-to-apheresis",
        facts(external=ON - days(27)),
        ON,
        kind=APHERESIS,
        ok=False,
        next=ON + days(1),
        codes=["switch"],
    ),
    case(
        "external-donation-counts-in-the-12-months",
        facts(donations=[wb(ON - days(n)) for n in (270, 180, 90)], external=ON - days(360)),
        ON,
        ok=False,
        next=ON + days(5),
        codes=["year_limit"],
    ),
    # --- age ------------------------------------------------------------------------------
    case(
        "aged-17-the-day-before-18th-birthday-waits",
        TURNS_18_ON_ON,
        ON - days(1),
        ok=False,
        next=ON,
        codes=["age_min"],
        says=["18", "15 Jul 2026"],
    ),
    case("18th-birthday-may", TURNS_18_ON_ON, ON, ok=True),
    case("aged-18-may", facts(dob=date(2008, 1, 10)), ON, ok=True),
    case(
        "born-29-february-is-17-on-28-february",
        facts(dob=date(2008, 2, 29)),
        date(2026, 2, 28),
        ok=False,
        next=date(2026, 3, 1),
        codes=["age_min"],
    ),
    case(
        "born-29-february-is-18-on-1-march", facts(dob=date(2008, 2, 29)), date(2026, 3, 1), ok=True
    ),
    case("aged-65-the-day-before-66th-birthday-may", TURNS_66_ON_ON, ON - days(1), ok=True),
    case(
        "66th-birthday-refused-for-good",
        TURNS_66_ON_ON,
        ON,
        ok=False,
        next=None,
        codes=["age_max"],
        says=["65"],
    ),
    case("first-time-aged-60-may", facts(dob=date(1966, 1, 10)), ON, ok=True),
    case("first-time-day-before-61st-birthday-may", facts(dob=date(1965, 7, 16)), ON, ok=True),
    case(
        "first-time-aged-61-refused-with-no-date",
        facts(dob=AGED_61),
        ON,
        ok=False,
        next=None,
        codes=["age_first_time"],
        says=["60"],
    ),
    case(
        "repeat-donor-aged-61-may",
        facts(dob=AGED_61, donations=[wb(date(2025, 1, 10))]),
        ON,
        ok=True,
    ),
    case(
        "repeat-donor-aged-61-known-from-external-donation-may",
        facts(dob=AGED_61, external=date(2024, 11, 2)),
        ON,
        ok=True,
    ),
    # --- weight ---------------------------------------------------------------------------
    case(
        "44.9-kg-refused-for-350-ml",
        facts(weight="44.9"),
        ON,
        bag=350,
        ok=False,
        next=None,
        codes=["weight"],
        says=["44.9 kg", "45 kg"],
    ),
    case("45-kg-may-give-350-ml", facts(weight="45"), ON, bag=350, ok=True),
    case("45-kg-may-when-the-bag-is-not-known", facts(weight="45"), ON, ok=True),
    case("unknown-weight-left-to-the-screening", facts(weight=None), ON, bag=450, ok=True),
    case(
        "55-kg-refused-for-450-ml",
        facts(weight="55"),
        ON,
        bag=450,
        ok=False,
        next=None,
        codes=["weight_450"],
        says=["55 kg", "450 ml"],
    ),
    case("55.1-kg-may-give-450-ml", facts(weight="55.1"), ON, bag=450, ok=True),
    # --- haemoglobin ----------------------------------------------------------------------
    case(
        "haemoglobin-12.4-refused",
        facts(hb="12.4"),
        ON,
        ok=False,
        next=None,
        codes=["haemoglobin"],
        says=["12.4 g/dL", "12.5 g/dL"],
    ),
    case("haemoglobin-12.5-may", facts(hb="12.5"), ON, ok=True),
    # --- 12-month count -------------------------------------------------------------------
    case(
        "man-with-4-in-365-days-waits-for-the-oldest-to-leave",
        MAN_4_IN_YEAR,
        ON,
        ok=False,
        next=ON + days(5),
        codes=["year_limit"],
        says=["4 whole-blood", "limit 4", "20 Jul 2026"],
    ),
    case(
        "man-with-4-the-day-before-the-oldest-leaves",
        MAN_4_IN_YEAR,
        ON + days(4),
        ok=False,
        next=ON + days(5),
        codes=["year_limit"],
    ),
    case("man-with-4-the-day-the-oldest-leaves-may", MAN_4_IN_YEAR, ON + days(5), ok=True),
    case(
        "man-with-3-in-365-days-may",
        facts(donations=[wb(ON - days(n)) for n in (270, 180, 90)]),
        ON,
        ok=True,
    ),
    case(
        "woman-with-3-in-365-days-waits",
        WOMAN_3_IN_YEAR,
        ON,
        ok=False,
        next=ON + days(5),
        codes=["year_limit"],
        says=["3 whole-blood", "limit 3"],
    ),
    case("woman-with-3-the-day-the-oldest-leaves-may", WOMAN_3_IN_YEAR, ON + days(5), ok=True),
    # --- apheresis ------------------------------------------------------------------------
    case(
        "whole-blood-27-days-after-apheresis-waits",
        facts(donations=[aph(APH)]),
        APH + days(27),
        ok=False,
        next=date(2026, 6, 29),
        codes=["switch"],
        says=["1 Jun 2026", "29 Jun 2026"],
    ),
    case(
        "whole-blood-28-days-after-apheresis-may",
        facts(donations=[aph(APH)]),
        APH + days(28),
        ok=True,
    ),
    case(
        "apheresis-the-day-after-apheresis-waits",
        facts(donations=[aph(APH)]),
        APH + days(1),
        kind=APHERESIS,
        ok=False,
        next=date(2026, 6, 3),
        codes=["apheresis_interval"],
        says=["3 Jun 2026"],
    ),
    case(
        "apheresis-48-hours-after-apheresis-may",
        facts(donations=[aph(APH)]),
        APH + days(2),
        kind=APHERESIS,
        ok=True,
    ),
    case(
        "apheresis-27-days-after-whole-blood-waits",
        facts(donations=[wb(APH)]),
        APH + days(27),
        kind=APHERESIS,
        ok=False,
        next=date(2026, 6, 29),
        codes=["switch"],
    ),
    case(
        "apheresis-28-days-after-whole-blood-may",
        facts(donations=[wb(APH)]),
        APH + days(28),
        kind=APHERESIS,
        ok=True,
    ),
    case(
        "apheresis-a-third-time-within-7-days-waits",
        facts(donations=[aph(ON - days(6)), aph(ON - days(3))]),
        ON,
        kind=APHERESIS,
        ok=False,
        next=ON + days(1),
        codes=["apheresis_week_limit"],
        says=["2 apheresis donations in the last 7 days", "limit 2", "16 Jul 2026"],
    ),
    case(
        "apheresis-7-days-after-the-first-of-two-may",
        facts(donations=[aph(ON - days(7)), aph(ON - days(4))]),
        ON,
        kind=APHERESIS,
        ok=True,
    ),
    case(
        "apheresis-48-hours-and-the-week-cap-next-is-the-later",
        facts(donations=[aph(ON - days(3)), aph(ON - days(1))]),
        ON,
        kind=APHERESIS,
        ok=False,
        next=ON + days(4),
        codes=["apheresis_interval", "apheresis_week_limit"],
    ),
    case(
        "apheresis-24-in-12-months-waits-for-the-oldest-to-leave",
        APHERESIS_24_IN_YEAR,
        ON,
        kind=APHERESIS,
        ok=False,
        next=ON + days(5),
        codes=["apheresis_year_limit"],
        says=["24 apheresis donations in the last 12 months", "limit 24", "20 Jul 2026"],
    ),
    case(
        "apheresis-24-the-day-before-the-oldest-leaves-waits",
        APHERESIS_24_IN_YEAR,
        ON + days(4),
        kind=APHERESIS,
        ok=False,
        next=ON + days(5),
        codes=["apheresis_year_limit"],
    ),
    case(
        "apheresis-24-the-day-the-oldest-leaves-may",
        APHERESIS_24_IN_YEAR,
        ON + days(5),
        kind=APHERESIS,
        ok=True,
    ),
    case(
        "apheresis-23-in-12-months-may",
        facts(donations=[aph(ON - days(15 * k)) for k in range(1, 24)]),
        ON,
        kind=APHERESIS,
        ok=True,
    ),
    case(
        "apheresis-does-not-count-towards-whole-blood-in-12-months",
        facts(donations=[aph(ON - days(30 + 15 * k)) for k in range(20)]),
        ON,
        ok=True,
    ),
    case(
        "whole-blood-does-not-count-towards-the-apheresis-week",
        facts(donations=[wb(ON - days(200)), aph(ON - days(4))]),
        ON,
        kind=APHERESIS,
        ok=True,
    ),
    case(
        "apheresis-recorded-after-the-day-asked-about-is-ignored",
        facts(donations=[aph(ON + days(1)), aph(ON + days(3))]),
        ON,
        kind=APHERESIS,
        ok=True,
    ),
    # --- deferrals ------------------------------------------------------------------------
    case(
        "permanent-deferral-refused-with-no-date",
        facts(deferrals=[deferral(date(2020, 1, 1), None, "Permanent — medical")]),
        ON,
        ok=False,
        next=None,
        codes=["deferral"],
        says=["Permanently deferred", "Permanent — medical"],
    ),
    case(
        "deferral-ending-today-may",
        facts(deferrals=[deferral(ON - days(30), ON)]),
        ON,
        ok=True,
    ),
    case(
        "deferral-ending-tomorrow-waits",
        facts(deferrals=[deferral(ON - days(30), ON + days(1))]),
        ON,
        ok=False,
        next=ON + days(1),
        codes=["deferral"],
        says=["Tattoo", "16 Jul 2026"],
    ),
    case(
        "deferral-starting-today-waits",
        facts(deferrals=[deferral(ON, ON + days(14))]),
        ON,
        ok=False,
        next=ON + days(14),
        codes=["deferral"],
    ),
    case(
        "future-deferral-not-yet-started-may",
        facts(deferrals=[deferral(ON + days(1), ON + days(60))]),
        ON,
        ok=True,
    ),
    case(
        "expired-deferral-may",
        facts(deferrals=[deferral(ON - days(400), ON - days(35))]),
        ON,
        ok=True,
    ),
    # --- several reasons at once ----------------------------------------------------------
    case(
        "interval-and-deferral-next-is-the-later-deferral",
        facts(donations=[wb(ON - days(30))], deferrals=[deferral(ON - days(10), ON + days(100))]),
        ON,
        ok=False,
        next=ON + days(100),
        codes=["interval", "deferral"],
        says=["90 days", "23 Oct 2026"],
    ),
    case(
        "interval-and-deferral-next-is-the-later-interval",
        facts(donations=[wb(ON - days(30))], deferrals=[deferral(ON - days(10), ON + days(7))]),
        ON,
        ok=False,
        next=ON + days(60),
        codes=["interval", "deferral"],
    ),
    case(
        "under-age-underweight-and-deferred-all-listed-no-date",
        facts(dob=date(2009, 1, 1), weight="40", deferrals=[deferral(ON, ON + days(7))]),
        ON,
        ok=False,
        next=None,
        codes=["age_min", "weight", "deferral"],
        says=["18", "40 kg", "Tattoo"],
    ),
    case(
        "deferral-ending-into-the-next-deferral",
        facts(
            deferrals=[
                deferral(ON - days(5), ON + days(10), "Antibiotics"),
                deferral(ON + days(10), ON + days(40), "Minor illness"),
            ]
        ),
        ON,
        ok=False,
        next=ON + days(40),
        codes=["deferral"],
        says=["Antibiotics"],
    ),
    case(
        "18th-birthday-falls-in-a-deferral",
        facts(dob=date(2008, 8, 1), deferrals=[deferral(date(2026, 7, 25), date(2026, 8, 22))]),
        ON,
        ok=False,
        next=date(2026, 8, 22),
        codes=["age_min"],
    ),
    case(
        "deferral-ends-after-the-66th-birthday-no-date",
        facts(
            dob=date(1960, 8, 1),
            external=date(2025, 1, 1),
            deferrals=[deferral(ON, date(2026, 9, 1))],
        ),
        ON,
        ok=False,
        next=None,
        codes=["deferral"],
    ),
    case(
        "deferral-ends-when-the-12-month-count-still-holds",
        facts(
            donations=[wb(ON - days(n)) for n in (360, 270, 180, 90)],
            deferrals=[deferral(ON - days(1), ON + days(3))],
        ),
        ON,
        ok=False,
        next=ON + days(5),
        codes=["year_limit", "deferral"],
    ),
    case(
        "ten-back-to-back-weekly-deferrals",
        facts(deferrals=[deferral(ON + days(7 * i - 3), ON + days(7 * i + 4)) for i in range(10)]),
        ON,
        ok=False,
        next=ON + days(67),
        codes=["deferral"],
    ),
]


ARGS = ("donor", "on", "kind", "bag", "ok", "next_on", "codes", "says")


@pytest.mark.parametrize(ARGS, CASES)
def test_pre_screen(donor, on, kind, bag, ok, next_on, codes, says):
    answer = check_eligibility(donor, on, kind=kind, bag_volume_ml=bag)

    assert answer.eligible is ok
    assert answer.next_eligible_on == next_on
    assert answer.codes == codes
    assert len(answer.reasons) == len(codes)
    text = " ".join(answer.reasons)
    for fragment in says:
        assert fragment in text


@pytest.mark.parametrize(ARGS, [p for p in CASES if p.values[5] is not None])
def test_the_next_date_is_the_first_day_every_rule_has_passed(
    donor, on, kind, bag, ok, next_on, codes, says
):
    options = {"kind": kind, "bag_volume_ml": bag}
    assert check_eligibility(donor, next_on, **options).eligible
    waiting = [on + days(n) for n in range((next_on - on).days)]
    assert not [day for day in waiting if check_eligibility(donor, day, **options).eligible]


# Each limit is a setting: a case on the edge of its default, and a value that flips it.
SETTINGS_CASES = [
    pytest.param(
        "DONOR_INTERVAL_DAYS_MALE",
        84,
        facts(donations=[wb(ON - days(84))]),
        {},
        False,
        id="vietnam-84-days-for-men",
    ),
    pytest.param(
        "DONOR_INTERVAL_DAYS_FEMALE",
        84,
        facts(sex="F", donations=[wb(ON - days(84))]),
        {},
        False,
        id="vietnam-84-days-for-women",
    ),
    pytest.param(
        "DONOR_INTERVAL_DAYS_OTHER",
        90,
        facts(sex="O", donations=[wb(ON - days(90))]),
        {},
        False,
        id="interval-for-sex-O",
    ),
    pytest.param(
        "DONOR_MIN_AGE",
        17,
        facts(dob=date(2009, 1, 1)),
        {},
        False,
        id="minimum-age",
    ),
    pytest.param(
        "DONOR_MAX_AGE",
        60,
        facts(dob=AGED_61, external=date(2025, 1, 1)),
        {},
        True,
        id="vietnam-maximum-age-60",
    ),
    pytest.param(
        "DONOR_FIRST_TIME_MAX_AGE",
        65,
        facts(dob=AGED_61),
        {},
        False,
        id="first-time-age",
    ),
    pytest.param(
        "DONOR_MIN_WEIGHT_KG",
        Decimal("42"),
        facts(sex="F", weight="43"),
        {},
        False,
        id="vietnam-42-kg-for-women",
    ),
    pytest.param(
        "DONOR_450ML_OVER_WEIGHT_KG",
        Decimal("50"),
        facts(weight="52"),
        {"bag_volume_ml": 450},
        False,
        id="weight-for-450-ml",
    ),
    pytest.param(
        "DONOR_MIN_HAEMOGLOBIN",
        Decimal("12.0"),
        facts(hb="12.2"),
        {},
        False,
        id="haemoglobin",
    ),
    pytest.param(
        "DONOR_MAX_DONATIONS_12M_MALE",
        5,
        MAN_4_IN_YEAR,
        {},
        False,
        id="12-months-men",
    ),
    pytest.param(
        "DONOR_MAX_DONATIONS_12M_FEMALE",
        4,
        WOMAN_3_IN_YEAR,
        {},
        False,
        id="12-months-women",
    ),
    pytest.param(
        "DONOR_MAX_DONATIONS_12M_OTHER",
        4,
        facts(sex="O", donations=[wb(ON - days(n)) for n in (360, 240, 120)]),
        {},
        False,
        id="12-months-sex-O",
    ),
    pytest.param(
        "DONOR_APHERESIS_MIN_HOURS",
        24,
        facts(donations=[aph(ON - days(1))]),
        {"kind": APHERESIS},
        False,
        id="apheresis-hours",
    ),
    pytest.param(
        "DONOR_APHERESIS_MAX_PER_WEEK",
        3,
        facts(donations=[aph(ON - days(6)), aph(ON - days(3))]),
        {"kind": APHERESIS},
        False,
        id="apheresis-per-week",
    ),
    pytest.param(
        "DONOR_APHERESIS_MAX_PER_YEAR",
        25,
        APHERESIS_24_IN_YEAR,
        {"kind": APHERESIS},
        False,
        id="apheresis-per-year",
    ),
    pytest.param(
        "DONOR_APHERESIS_SWITCH_DAYS",
        14,
        facts(donations=[aph(ON - days(20))]),
        {},
        False,
        id="apheresis-switch-days",
    ),
]


@pytest.mark.parametrize(("name", "value", "donor", "options", "by_default"), SETTINGS_CASES)
def test_every_limit_is_a_setting(settings, name, value, donor, options, by_default):
    assert check_eligibility(donor, ON, **options).eligible is by_default

    setattr(settings, name, value)

    assert check_eligibility(donor, ON, **options).eligible is not by_default


def test_the_reason_states_the_interval_in_force(settings):
    settings.DONOR_INTERVAL_DAYS_MALE = 84
    answer = check_eligibility(facts(donations=[wb(LAST)]), LAST + days(83))

    assert answer.next_eligible_on == LAST + days(84)
    assert "84 days" in answer.reasons[0]
    assert "24 May 2026" in answer.reasons[0]


@pytest.mark.django_db
def test_an_adverse_reaction_counts_as_a_donation_a_screening_deferral_does_not(units):
    reacted = DonorFactory(unit=units.station_a, date_of_birth=AGED_61)
    DonationFactory(
        donor=reacted, donated_on=ON - days(30), outcome=DonationOutcome.ADVERSE_REACTION
    )
    turned_away = DonorFactory(unit=units.station_a, date_of_birth=AGED_61)
    DonationFactory(donor=turned_away, donated_on=ON - days(30), outcome=DonationOutcome.DEFERRED)

    reacted_answer = donor_eligibility(reacted, ON)
    assert reacted_answer.codes == ["interval"]
    assert reacted_answer.next_eligible_on == ON + days(60)
    # Blood was never drawn: still a first-time donor, and 61 is too old for a first time.
    assert donor_eligibility(turned_away, ON).codes == ["age_first_time"]
