"""Hindi keeps Django's own Hindi formats (2 दिसंबर 2026), with the few it lacks: grouped
numbers (Django's Hindi module sets no NUMBER_GROUPING, so "2,607" would print "2607"), a
date and time in the same order as the date, and the portal's day-and-month names below."""

DATETIME_FORMAT = "j F Y, H:i"
NUMBER_GROUPING = 3

# The portal's own names (not Django's), read by portal.l10n.local_date.
DAY_MONTH_FORMAT = "j M"
WEEKDAY_DAY_MONTH_FORMAT = "D j M"
DAY_MONTH_TIME_FORMAT = "j M H:i"
WEEKDAY_DATE_FORMAT = "D j F Y"
LONG_DATE_FORMAT = "j F Y"
LONG_WEEKDAY_DATE_FORMAT = "l j F Y"
SHORT_YEAR_MONTH_FORMAT = "M y"
