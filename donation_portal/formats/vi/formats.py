"""Dates and numbers as Vietnam writes them: 23/11/2026, 14:30, 1.234,5 (Django's own
Vietnamese DATE_FORMAT spells "Ngày 23 tháng 11 năm 2026", too long for a table cell)."""

DATE_FORMAT = "d/m/Y"
DATETIME_FORMAT = "H:i d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
TIME_FORMAT = "H:i"
FIRST_DAY_OF_WEEK = 1  # Monday
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
NUMBER_GROUPING = 3

# The portal's own names (not Django's), read by portal.l10n.local_date. A month name
# reads "2 Tháng 12" (or "Tháng Mười Hai"); Vietnam writes 02/12, the weekday before it.
DAY_MONTH_FORMAT = "d/m"
WEEKDAY_DAY_MONTH_FORMAT = "D, d/m"
DAY_MONTH_TIME_FORMAT = "H:i d/m"
WEEKDAY_DATE_FORMAT = "D, d/m/Y"
LONG_DATE_FORMAT = "d/m/Y"
LONG_WEEKDAY_DATE_FORMAT = "l, d/m/Y"
SHORT_YEAR_MONTH_FORMAT = "m/Y"  # "Tháng 1 26" would read as a day
