"""Dates and numbers as the reader's language writes them, where Django's named formats
stop short.

Django names a full date (DATE_FORMAT) but no day and month without the year, and its
MONTH_DAY_FORMAT spells the month ("2 Tháng 12" in Vietnamese, where 02/12 is written). The
portal's format modules (donation_portal/formats/<language>/formats.py) add a few names;
``local_date`` reads them for the active language, as ``date_format`` reads Django's.
``number`` groups thousands the language's way (1,234 / 1.234), as an f-string cannot."""

from decimal import Decimal

from django.utils import formats, translation

# The portal's named formats, in English: what a language whose module leaves one out gets.
NAMED = {
    "DAY_MONTH_FORMAT": "j M",
    "WEEKDAY_DAY_MONTH_FORMAT": "D j M",
    "DAY_MONTH_TIME_FORMAT": "j M H:i",
    "WEEKDAY_DATE_FORMAT": "D j M Y",
    "LONG_DATE_FORMAT": "j F Y",
    "LONG_WEEKDAY_DATE_FORMAT": "l j F Y",
    "SHORT_YEAR_MONTH_FORMAT": "M y",
}


def local_format(name: str) -> str:
    """The active language's format for one of the portal's names; Django's own names
    (DATE_FORMAT, SHORT_DATE_FORMAT, …) and literal formats pass through to Django."""
    if name not in NAMED:
        return formats.get_format(name)
    for module in formats.get_format_modules(translation.get_language()):
        found = getattr(module, name, None)
        if found:
            return found
    return NAMED[name]


def local_date(value, name: str = "DAY_MONTH_FORMAT") -> str:
    """``value`` (a date, or an aware datetime already in local time) in the active
    language's ``name`` format: 2 Dec in English and Hindi, 02/12 in Vietnamese."""
    if value in (None, ""):
        return ""
    return formats.date_format(value, local_format(name))


def number(value, places: int = 0) -> str:
    """``2607.4`` → "2,607" (English, Hindi) or "2.607" (Vietnamese); ``places`` decimals,
    rounded as an f-string rounds them (Django's number_format alone truncates)."""
    rounded = Decimal(f"{float(value):.{int(places)}f}")
    return formats.number_format(rounded, decimal_pos=int(places), force_grouping=True)
