"""``{% load dates %}``: ``{{ day|local_date }}`` writes a day and month with no year as the
reader's language does (2 Dec, 02/12); ``{{ day|local_date:"WEEKDAY_DATE_FORMAT" }}`` and the
other names in portal/l10n.py likewise. Django's ``|date`` covers DATE_FORMAT and the rest."""

from django import template

from portal import l10n

register = template.Library()


@register.filter(expects_localtime=True)
def local_date(value, name="DAY_MONTH_FORMAT"):
    try:
        return l10n.local_date(value, name)
    except (AttributeError, TypeError, ValueError):
        return ""  # as Django's |date answers a value that is not a date
