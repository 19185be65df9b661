"""May this donor give blood on date D? A pre-screen, as pure functions of a donor's facts.

The page, the API (``donors/{id}/eligibility/?on=DATE``), the camp table and matching all
call ``check_eligibility``; the blood centre's medical officer still decides. Every limit
comes from settings (DOMAIN.md §1). Facts the portal does not know (weight not yet
recorded, haemoglobin or blood pressure before screening) are left to the screening and
fail nothing here; at the screening they are measured and decide.
"""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .choices import DonationKind, Sex

YEAR = timedelta(days=365)
WEEK = timedelta(days=7)


@dataclass(frozen=True)
class PastDonation:
    """A donation in which blood was drawn (collected, or ended by an adverse reaction)."""

    on: date
    kind: str = DonationKind.WHOLE_BLOOD


@dataclass(frozen=True)
class DeferralFact:
    category_label: str
    starts_on: date
    until: date | None  # the day the donor may give again; None: permanent

    def applies_on(self, day: date) -> bool:
        return self.starts_on <= day and (self.until is None or day < self.until)


@dataclass(frozen=True)
class DonorFacts:
    sex: str
    date_of_birth: date
    weight_kg: Decimal | None = None
    haemoglobin_g_dl: Decimal | None = None  # measured at this screening, when known
    bp_systolic: int | None = None  # mmHg, measured at this screening, when known
    bp_diastolic: int | None = None
    donations: tuple[PastDonation, ...] = ()
    external_last_donation_on: date | None = None  # counted as whole blood
    deferrals: tuple[DeferralFact, ...] = ()
    # The donor's rules profile (``Donor.rules_profile``; blank: the deployment's).
    profile: str = ""

    @property
    def is_first_time(self) -> bool:
        return not self.donations and self.external_last_donation_on is None

    def whole_blood_dates(self) -> list[date]:
        dates = [d.on for d in self.donations if d.kind == DonationKind.WHOLE_BLOOD]
        if self.external_last_donation_on:
            dates.append(self.external_last_donation_on)
        return sorted(dates)

    def apheresis_dates(self) -> list[date]:
        return sorted(d.on for d in self.donations if d.kind == DonationKind.APHERESIS)


@dataclass(frozen=True)
class Rules:
    """The limits in force; ``Rules.from_settings()`` unless a test passes its own."""

    min_age: int
    max_age: int
    first_time_max_age: int
    min_weight_kg: Decimal  # the general minimum (DONOR_MIN_WEIGHT_KG)
    over_weight_for_450_kg: Decimal
    min_haemoglobin: Decimal
    bp_systolic: tuple[int, int]  # (lowest, highest) mmHg accepted, both included
    bp_diastolic: tuple[int, int]
    interval_days: dict
    max_donations_12m: dict
    apheresis_min_days: int
    switch_days: int
    apheresis_max_per_week: int
    apheresis_max_per_year: int
    # The minimum weight by sex where it differs from ``min_weight_kg`` (VN-26: women 42 kg).
    min_weight_by_sex: dict = field(default_factory=dict)
    # The bag sizes a collection may record, in ml (India 350/450; Vietnam 250/350/450).
    bag_volumes_ml: tuple = (350, 450)
    # Where a mobile number written without its country code is read (IN: +91, VN: +84).
    phone_region: str = "IN"

    def min_weight_for(self, sex: str) -> Decimal:
        return self.min_weight_by_sex.get(sex, self.min_weight_kg)

    @property
    def weight_by_sex_differs(self) -> bool:
        """Whether some sex has a minimum weight other than ``min_weight_kg``."""
        return any(kg != self.min_weight_kg for kg in self.min_weight_by_sex.values())

    @classmethod
    def from_settings(cls) -> "Rules":
        return cls(
            min_age=settings.DONOR_MIN_AGE,
            max_age=settings.DONOR_MAX_AGE,
            first_time_max_age=settings.DONOR_FIRST_TIME_MAX_AGE,
            min_weight_kg=Decimal(settings.DONOR_MIN_WEIGHT_KG),
            over_weight_for_450_kg=Decimal(settings.DONOR_450ML_OVER_WEIGHT_KG),
            min_haemoglobin=Decimal(settings.DONOR_MIN_HAEMOGLOBIN),
            bp_systolic=(settings.DONOR_BP_SYSTOLIC_MIN, settings.DONOR_BP_SYSTOLIC_MAX),
            bp_diastolic=(settings.DONOR_BP_DIASTOLIC_MIN, settings.DONOR_BP_DIASTOLIC_MAX),
            interval_days={
                Sex.MALE: settings.DONOR_INTERVAL_DAYS_MALE,
                Sex.FEMALE: settings.DONOR_INTERVAL_DAYS_FEMALE,
                Sex.OTHER: settings.DONOR_INTERVAL_DAYS_OTHER,
            },
            max_donations_12m={
                Sex.MALE: settings.DONOR_MAX_DONATIONS_12M_MALE,
                Sex.FEMALE: settings.DONOR_MAX_DONATIONS_12M_FEMALE,
                Sex.OTHER: settings.DONOR_MAX_DONATIONS_12M_OTHER,
            },
            # 48 hours between apheresis procedures, counted in whole days.
            apheresis_min_days=-(-settings.DONOR_APHERESIS_MIN_HOURS // 24),
            switch_days=settings.DONOR_APHERESIS_SWITCH_DAYS,
            apheresis_max_per_week=settings.DONOR_APHERESIS_MAX_PER_WEEK,
            apheresis_max_per_year=settings.DONOR_APHERESIS_MAX_PER_YEAR,
            min_weight_by_sex=_min_weight_by_sex(),
            bag_volumes_ml=tuple(settings.DONOR_BAG_VOLUMES_ML),
            phone_region=settings.PHONE_DEFAULT_REGION,
        )

    @classmethod
    def for_profile(cls, profile: str | None) -> "Rules":
        """The rules of a profile a unit holds (``PoliceUnit.rules_in_force``): blank, or the
        deployment's own RULES_PROFILE, is ``from_settings()`` (every environment value in
        force); another profile takes its numbers from ``settings.RULES_PROFILES`` and the
        rest (haemoglobin, blood pressure, apheresis, the first-time age, the 450 ml weight)
        from settings, which both profiles share. An unknown name (a profile removed since)
        is the deployment's."""
        base = cls.from_settings()
        numbers = settings.RULES_PROFILES.get(profile or "")
        if numbers is None or profile == settings.RULES_PROFILE:
            return base
        male = Decimal(numbers["min_weight_kg"])
        female = Decimal(numbers["min_weight_kg_female"] or numbers["min_weight_kg"])
        interval = {Sex.MALE: numbers["interval_male"], Sex.FEMALE: numbers["interval_female"]}
        interval[Sex.OTHER] = max(interval.values())
        per_year = {Sex.MALE: numbers["max_12m_male"], Sex.FEMALE: numbers["max_12m_female"]}
        per_year[Sex.OTHER] = min(per_year.values())
        return replace(
            base,
            min_age=numbers["min_age"],
            max_age=numbers["max_age"],
            min_weight_kg=male,
            min_weight_by_sex={Sex.MALE: male, Sex.FEMALE: female, Sex.OTHER: max(male, female)},
            interval_days=interval,
            max_donations_12m=per_year,
            bag_volumes_ml=tuple(int(v) for v in numbers["bag_volumes_ml"]),
            phone_region=numbers["phone_region"],
        )


def profiles() -> list[str]:
    """Every rules profile a donor may hold (``Donor.rules_profile``): blank (the
    deployment's RULES_PROFILE) and each named one."""
    return ["", *sorted(settings.RULES_PROFILES)]


def _min_weight_by_sex() -> dict:
    """DONOR_MIN_WEIGHT_KG_{MALE,FEMALE,OTHER}, each defaulting to DONOR_MIN_WEIGHT_KG; a
    donor recorded as O takes the higher of men's and women's unless its own is set."""
    general = Decimal(settings.DONOR_MIN_WEIGHT_KG)

    def kg(name, default):
        value = getattr(settings, name, None)
        return default if value is None else Decimal(value)

    male = kg("DONOR_MIN_WEIGHT_KG_MALE", general)
    female = kg("DONOR_MIN_WEIGHT_KG_FEMALE", general)
    other = kg("DONOR_MIN_WEIGHT_KG_OTHER", max(male, female))
    return {Sex.MALE: male, Sex.FEMALE: female, Sex.OTHER: other}


@dataclass(frozen=True)
class Reason:
    code: str
    text: str
    until: date | None  # the first day this reason no longer holds; None: no known date


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    next_eligible_on: date | None
    reasons: list[str] = field(default_factory=list)
    codes: list[str] = field(default_factory=list)


def birthday(date_of_birth: date, years: int) -> date:
    """The day a person born on ``date_of_birth`` turns ``years`` (29 Feb → 1 Mar)."""
    try:
        return date_of_birth.replace(year=date_of_birth.year + years)
    except ValueError:
        return date(date_of_birth.year + years, 3, 1)


def age_on(date_of_birth: date, day: date) -> int:
    before_birthday = (day.month, day.day) < (date_of_birth.month, date_of_birth.day)
    return day.year - date_of_birth.year - before_birthday


def _d(day: date) -> str:
    # The same day-month-year the pages show; month names follow the active language.
    return date_format(day, "j M Y")


def _kg(value) -> str:
    # One way to write a weight whichever path typed it: 48, 48.0 and 48.00 are "48".
    return f"{Decimal(value).quantize(Decimal('0.1')).normalize():f}"


def _g_dl(value) -> str:
    # Haemoglobin always with its one decimal: "11.0".
    return f"{Decimal(value):.1f}"


def _reasons(facts: DonorFacts, on: date, kind: str, bag_ml: int | None, rules: Rules):
    """Every rule that stops ``facts`` giving on ``on``, each with the day it stops holding."""
    found = [
        _age_reason(facts, on, rules),
        _weight_reason(facts, bag_ml, rules),
        _haemoglobin_reason(facts, rules),
        _bp_reason(facts, rules),
    ]
    reasons = [reason for reason in found if reason is not None]
    reasons += _interval_reasons(facts, on, kind, rules)
    reasons += _deferral_reasons(facts, on)
    return reasons


def _age_reason(facts: DonorFacts, on: date, rules: Rules) -> Reason | None:
    age = age_on(facts.date_of_birth, on)
    if age < rules.min_age:
        from_day = birthday(facts.date_of_birth, rules.min_age)
        return Reason(
            "age_min",
            _("Under %(age)s: may donate from %(date)s.")
            % {"age": rules.min_age, "date": _d(from_day)},
            from_day,
        )
    if age > rules.max_age:
        return Reason(
            "age_max", _("Over %(age)s: past the age limit.") % {"age": rules.max_age}, None
        )
    if facts.is_first_time and age > rules.first_time_max_age:
        return Reason(
            "age_first_time",
            _("A first-time donor must be %(age)s or younger.") % {"age": rules.first_time_max_age},
            None,
        )
    return None


def _weight_reason(facts: DonorFacts, bag_ml: int | None, rules: Rules) -> Reason | None:
    """A weight not measured fails nothing here."""
    if facts.weight_kg is None:
        return None
    least = rules.min_weight_for(facts.sex)
    if facts.weight_kg < least:
        return Reason(
            "weight",
            _("Weight %(weight)s kg: at least %(limit)s kg is needed.")
            % {"weight": _kg(facts.weight_kg), "limit": _kg(least)},
            None,
        )
    if bag_ml == 450 and facts.weight_kg <= rules.over_weight_for_450_kg:
        return Reason(
            "weight_450",
            _("Weight %(weight)s kg: more than %(limit)s kg is needed for a 450 ml bag.")
            % {"weight": _kg(facts.weight_kg), "limit": _kg(rules.over_weight_for_450_kg)},
            None,
        )
    return None


def _haemoglobin_reason(facts: DonorFacts, rules: Rules) -> Reason | None:
    if facts.haemoglobin_g_dl is None or facts.haemoglobin_g_dl >= rules.min_haemoglobin:
        return None
    return Reason(
        "haemoglobin",
        _("Haemoglobin %(hb)s g/dL: at least %(limit)s g/dL is needed.")
        % {"hb": _g_dl(facts.haemoglobin_g_dl), "limit": _g_dl(rules.min_haemoglobin)},
        None,
    )


def _deferral_reasons(facts: DonorFacts, on: date) -> list[Reason]:
    reasons = []
    for deferral in facts.deferrals:
        if not deferral.applies_on(on):
            continue
        if deferral.until is None:
            text = _("Permanently deferred (%(category)s).") % {"category": deferral.category_label}
        else:
            text = _("Deferred (%(category)s) until %(date)s.") % {
                "category": deferral.category_label,
                "date": _d(deferral.until),
            }
        reasons.append(Reason("deferral", text, deferral.until))
    return reasons


def _bp_reason(facts: DonorFacts, rules: Rules) -> Reason | None:
    """Blood pressure measured at the screening outside the accepted range: a screening
    deferral ("until rechecked"), so no end date. A value not measured fails nothing here."""
    measured = ((facts.bp_systolic, rules.bp_systolic), (facts.bp_diastolic, rules.bp_diastolic))
    if all(value is None or low <= value <= high for value, (low, high) in measured):
        return None
    return Reason(
        "bp",
        _(
            "Blood pressure %(systolic)s/%(diastolic)s mmHg is outside "
            "%(sys_min)s–%(sys_max)s / %(dia_min)s–%(dia_max)s."
        )
        % {
            "systolic": "?" if facts.bp_systolic is None else facts.bp_systolic,
            "diastolic": "?" if facts.bp_diastolic is None else facts.bp_diastolic,
            "sys_min": rules.bp_systolic[0],
            "sys_max": rules.bp_systolic[1],
            "dia_min": rules.bp_diastolic[0],
            "dia_max": rules.bp_diastolic[1],
        },
        None,
    )


def _wait(dates: list[date], on: date, days: int) -> date | None:
    """The first day ``days`` after the latest of ``dates``, when ``on`` comes before it."""
    if dates and on < dates[-1] + timedelta(days=days):
        return dates[-1] + timedelta(days=days)
    return None


def _over_count(dates: list[date], on: date, window: timedelta, limit: int):
    """(count in the window ending on ``on``, the day the count drops below ``limit``) when
    the count has reached ``limit``; None otherwise."""
    in_window = [d for d in dates if on < d + window]
    if len(in_window) < limit:
        return None
    return len(in_window), in_window[len(in_window) - limit] + window


def _gap_text(code: str, last: date, days: int, from_day: date) -> str:
    params = {"last": _d(last), "days": days, "date": _d(from_day)}
    texts = {
        "interval": _(
            "Last whole-blood donation on %(last)s: %(days)s days must pass, so from %(date)s."
        ),
        "switch_to_whole_blood": _("Apheresis on %(last)s: whole blood from %(date)s."),
        "switch_to_apheresis": _("Whole blood on %(last)s: apheresis from %(date)s."),
        "apheresis_interval": _("Last apheresis on %(last)s: next from %(date)s."),
    }
    return texts[code] % params


def _count_text(code: str, count: int, limit: int, from_day: date) -> str:
    params = {"count": count, "limit": limit, "date": _d(from_day)}
    texts = {
        "year_limit": _(
            "%(count)s whole-blood donations in the last 12 months (limit %(limit)s): "
            "from %(date)s."
        ),
        "apheresis_week_limit": _(
            "%(count)s apheresis donations in the last 7 days (limit %(limit)s): from %(date)s."
        ),
        "apheresis_year_limit": _(
            "%(count)s apheresis donations in the last 12 months (limit %(limit)s): from %(date)s."
        ),
    }
    return texts[code] % params


def _interval_rules(facts: DonorFacts, kind: str, rules: Rules):
    """For a donation of ``kind``: the gaps (reason code, past donations, days) and the
    counts (reason code, past donations, window, limit) it must respect. Whole blood and
    apheresis mirror each other: a gap after the same kind, the switch gap after the other
    kind, and a cap on how many fit in a window."""
    whole_blood, apheresis = facts.whole_blood_dates(), facts.apheresis_dates()
    if kind == DonationKind.WHOLE_BLOOD:
        gaps = [
            ("interval", whole_blood, rules.interval_days[facts.sex]),
            ("switch_to_whole_blood", apheresis, rules.switch_days),
        ]
        counts = [("year_limit", whole_blood, YEAR, rules.max_donations_12m[facts.sex])]
    else:
        gaps = [
            ("apheresis_interval", apheresis, rules.apheresis_min_days),
            ("switch_to_apheresis", whole_blood, rules.switch_days),
        ]
        counts = [
            ("apheresis_week_limit", apheresis, WEEK, rules.apheresis_max_per_week),
            ("apheresis_year_limit", apheresis, YEAR, rules.apheresis_max_per_year),
        ]
    return gaps, counts


def _interval_reasons(facts: DonorFacts, on: date, kind: str, rules: Rules):
    reasons = []
    gaps, counts = _interval_rules(facts, kind, rules)
    for code, dates, days in gaps:
        dates = [d for d in dates if d <= on]
        from_day = _wait(dates, on, days)
        if from_day is not None:
            # Both switch directions answer with the one code the API and tests know.
            public_code = "switch" if code.startswith("switch") else code
            text = _gap_text(code, dates[-1], days, from_day)
            reasons.append(Reason(public_code, text, from_day))
    for code, dates, window, limit in counts:
        over = _over_count([d for d in dates if d <= on], on, window, limit)
        if over is not None:
            count, from_day = over
            reasons.append(Reason(code, _count_text(code, count, limit, from_day), from_day))
    return reasons


def check_eligibility(
    facts: DonorFacts,
    on: date,
    *,
    kind: str = DonationKind.WHOLE_BLOOD,
    bag_volume_ml: int | None = None,
    rules: Rules | None = None,
) -> Eligibility:
    """Whether ``facts`` may give on ``on`` (pre-screen), every reason why not, and the first
    day from which all of them have passed (None when some reason has no end date). The
    rules are the donor's profile's (``facts.profile``) unless given."""
    rules = rules or Rules.for_profile(facts.profile)
    reasons = _reasons(facts, on, kind, bag_volume_ml, rules)
    if not reasons:
        return Eligibility(eligible=True, next_eligible_on=None)
    return Eligibility(
        eligible=False,
        next_eligible_on=_next_eligible_on(facts, reasons, kind, bag_volume_ml, rules),
        reasons=[r.text for r in reasons],
        codes=[r.code for r in reasons],
    )


def _next_eligible_on(facts, reasons, kind, bag_ml, rules) -> date | None:
    # Passing one date can uncover another rule (a deferral ends the week a donor turns too
    # old, or the next deferral starts the day one ends), so look again from each candidate
    # until nothing is left. Every reason holds up to its date, so the candidate moves
    # strictly forward through the finitely many dates the facts give and the loop ends; a
    # rule that did not (its date not after the day it was asked on) gives no date, not a hang.
    candidate = None
    while reasons:
        if any(r.until is None for r in reasons):
            return None
        later = max(r.until for r in reasons)
        if candidate is not None and later <= candidate:
            return None
        candidate = later
        reasons = _reasons(facts, candidate, kind, bag_ml, rules)
    return candidate


@dataclass(frozen=True)
class Standing:
    """What a donor's history (donations and deferrals) says about whole-blood donation,
    kept on the donor row so "who may give on D" is an index range scan
    (``donors.services.donor_refresh_eligibility`` writes it; ``selectors.eligible_on`` reads it).

    For any day D on or after ``settled_on`` (every recorded fact has happened by then) the
    history lets the donor give whole blood on D exactly when the donor is not
    ``permanently_deferred`` and ``next_eligible_on`` is empty or not after D. Age and the
    recorded weight are not in it: the query bounds the date of birth and reads the weight.
    """

    next_eligible_on: date | None  # empty: nothing on record makes the donor wait
    permanently_deferred: bool
    last_donated_on: date | None  # blood drawn, here or outside; empty: a first-time donor
    settled_on: date | None  # the latest recorded fact (donation, deferral start)


def standing(facts: DonorFacts, rules: Rules | None = None) -> Standing:
    """The ``Standing`` of ``facts``: the latest of every day a rule of ``check_eligibility``
    waits for (the whole-blood interval by sex, the 12-month count, the switch after
    apheresis, each deferral's end), as the rules count them once every fact is past."""
    rules = rules or Rules.for_profile(facts.profile)
    whole_blood, apheresis = facts.whole_blood_dates(), facts.apheresis_dates()
    waits = [d.until for d in facts.deferrals if d.until is not None]
    if whole_blood:
        waits.append(whole_blood[-1] + timedelta(days=rules.interval_days[facts.sex]))
        limit = rules.max_donations_12m[facts.sex]
        if len(whole_blood) >= limit:
            waits.append(whole_blood[-limit] + YEAR)
    if apheresis:
        waits.append(apheresis[-1] + timedelta(days=rules.switch_days))
    drawn = whole_blood + apheresis
    facts_on = drawn + [d.starts_on for d in facts.deferrals]
    return Standing(
        next_eligible_on=max(waits, default=None),
        permanently_deferred=any(d.until is None for d in facts.deferrals),
        last_donated_on=max(drawn, default=None),
        settled_on=max(facts_on, default=None),
    )
