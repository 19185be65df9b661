"""Plausible ranges: the values no real measurement or event falls outside, in one place.

These are not the clinical rules (haemoglobin ≥ 12.5 g/dL to give, weight ≥ 45 kg: those
are settings read by ``donors.eligibility``); they catch typing errors (Hb 99, a 500 kg
donor, a camp in 2200) on every path. The models carry them as field validators (so
``full_clean`` in every service, every ModelForm and every ModelSerializer refuse them with
the same message on the same field) and as database check constraints (so a write around
the services fails too). The numbers are constants, not environment settings, because the
check constraints are written into migrations: changing one is a migration, not a restart.

"Today" cannot be a database constraint: the validators check it, the constraints keep the
lower bound."""

import contextlib
from contextvars import ContextVar
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

HAEMOGLOBIN_G_DL = (Decimal("1"), Decimal("25"))
DONOR_WEIGHT_KG = (Decimal("30"), Decimal("250"))
CHILD_WEIGHT_KG = (Decimal("2"), Decimal("150"))
BP_SYSTOLIC_MMHG = (60, 250)
BP_DIASTOLIC_MMHG = (30, 150)
# Births, donations, transfusions and other past events: from this day to today.
EARLIEST_DATE = date(1900, 1, 1)
# A camp is planned or recorded within this many years of today, either side.
CAMP_WINDOW_YEARS = 2

# The day a batch of checks compares with, fixed by ``same_day`` (none: ask each time).
_BATCH_DAY: ContextVar[date | None] = ContextVar("ranges_batch_day", default=None)


def today() -> date:
    """The day "today" means to the checks below: ``timezone.localdate()``, or the day
    ``same_day`` fixed for the batch being checked."""
    return _BATCH_DAY.get() or timezone.localdate()


@contextlib.contextmanager
def same_day():
    """Within this block the checks take today once, when it starts: a 10,000-row import
    checks thousands of dates, and asking the active time zone for today costs more than
    the comparison (a sheet checked across midnight is checked against the day it began)."""
    token = _BATCH_DAY.set(timezone.localdate())
    try:
        yield
    finally:
        _BATCH_DAY.reset(token)


HAEMOGLOBIN_MESSAGE = _("Enter the haemoglobin in g/dL, between %(low)s and %(high)s.")
WEIGHT_MESSAGE = _("Enter the weight in kilograms, between %(low)s and %(high)s.")
SYSTOLIC_MESSAGE = _("Enter the systolic blood pressure in mmHg, between %(low)s and %(high)s.")
DIASTOLIC_MESSAGE = _("Enter the diastolic blood pressure in mmHg, between %(low)s and %(high)s.")
BIRTH_MESSAGE = _("Enter a real date of birth.")
PAST_MESSAGE = _("Enter a date between %(earliest)s and today.")
CAMP_MESSAGE = _("Choose a date within %(years)s years of today.")
QUERY_MESSAGE = _("Enter a date between %(earliest)s and %(latest)s.")


def _between(value, bounds, message) -> None:
    low, high = bounds
    if value is not None and not low <= value <= high:
        raise ValidationError(
            message, code="out_of_range", params={"low": _number(low), "high": _number(high)}
        )


def _number(value) -> str:
    """25, 12.5: a bound as people write it (no trailing zeros, no exponent)."""
    return format(value.normalize(), "f") if isinstance(value, Decimal) else str(value)


def validate_haemoglobin(value) -> None:
    _between(value, HAEMOGLOBIN_G_DL, HAEMOGLOBIN_MESSAGE)


def validate_donor_weight(value) -> None:
    _between(value, DONOR_WEIGHT_KG, WEIGHT_MESSAGE)


def validate_child_weight(value) -> None:
    _between(value, CHILD_WEIGHT_KG, WEIGHT_MESSAGE)


def validate_bp_systolic(value) -> None:
    _between(value, BP_SYSTOLIC_MMHG, SYSTOLIC_MESSAGE)


def validate_bp_diastolic(value) -> None:
    _between(value, BP_DIASTOLIC_MMHG, DIASTOLIC_MESSAGE)


def validate_birth_date(value) -> None:
    if value is not None and not EARLIEST_DATE <= value <= today():
        raise ValidationError(BIRTH_MESSAGE, code="out_of_range")


def validate_past_date(value) -> None:
    """A day something happened: a donation, a transfusion given, a last donation."""
    if value is not None and not EARLIEST_DATE <= value <= today():
        raise ValidationError(
            PAST_MESSAGE, code="out_of_range", params={"earliest": EARLIEST_DATE.year}
        )


def years_from(day: date, years: int) -> date:
    """``day`` moved by whole years (29 February becomes 28 February when it must)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def validate_camp_date(value) -> None:
    day = today()
    window = (years_from(day, -CAMP_WINDOW_YEARS), years_from(day, CAMP_WINDOW_YEARS))
    if value is not None and not window[0] <= value <= window[1]:
        raise ValidationError(
            CAMP_MESSAGE, code="out_of_range", params={"years": CAMP_WINDOW_YEARS}
        )


def latest_query_date() -> date:
    """The last day a query string may ask about (QUERY_DATE_MAX_YEARS_AHEAD from today)."""
    return years_from(today(), settings.QUERY_DATE_MAX_YEARS_AHEAD)


def validate_query_date(value) -> None:
    """A date read from a query string (``on``, ``until``, ``from``, ``to``, filters): far
    dates overflow date arithmetic and answer nothing useful, so they are refused."""
    latest = latest_query_date()
    if value is not None and not EARLIEST_DATE <= value <= latest:
        raise ValidationError(
            QUERY_MESSAGE,
            code="out_of_range",
            params={"earliest": EARLIEST_DATE.isoformat(), "latest": latest.isoformat()},
        )


# --- Database check constraints -----------------------------------------------------------


def q_between(field: str, bounds) -> Q:
    """``field`` empty or within ``bounds`` (inclusive): the condition of a check constraint."""
    low, high = bounds
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": low, f"{field}__lte": high})


def q_not_before_earliest(field: str) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": EARLIEST_DATE})
