"""Dates as Indian English writes them (23 Nov 2026, 23/11/2026), not Django's American
default (Nov. 23, 2026). Hindi uses Django's own Hindi formats (see ../hi)."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1  # Monday

# The portal's own names (not Django's), read by portal.l10n.local_date: a day with no
# year, and the longer forms a printout or certificate uses.
DAY_MONTH_FORMAT = "j M"
WEEKDAY_DAY_MONTH_FORMAT = "D j M"
DAY_MONTH_TIME_FORMAT = "j M H:i"
WEEKDAY_DATE_FORMAT = "D j M Y"
LONG_DATE_FORMAT = "j F Y"
LONG_WEEKDAY_DATE_FORMAT = "l j F Y"
SHORT_YEAR_MONTH_FORMAT = "M y"  # a month heading a narrow PDF column
