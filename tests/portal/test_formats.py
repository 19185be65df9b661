"""Dates read the way Indian English writes them, on every page that uses the default."""

import datetime as dt

from django.template import Context, Template
from django.utils import translation


def render(text, **context):
    return Template("{% load i18n %}" + text).render(Context(context))


def test_the_default_date_format_is_day_month_year():
    with translation.override("en"):
        assert render("{{ d|date }}", d=dt.date(2026, 11, 23)) == "23 Nov 2026"
        assert render('{{ d|date:"SHORT_DATE_FORMAT" }}', d=dt.date(2026, 11, 3)) == "03/11/2026"


def test_hindi_keeps_its_own_formats():
    with translation.override("hi"):
        assert "2026" in render("{{ d|date }}", d=dt.date(2026, 11, 23))
        assert "Nov" not in render("{{ d|date }}", d=dt.date(2026, 11, 23))


def test_vietnamese_writes_day_month_year_and_its_own_separators():
    with translation.override("vi"):
        assert render("{{ d|date }}", d=dt.date(2026, 11, 23)) == "23/11/2026"
        assert render('{{ n|floatformat:"1g" }}', n=1234.5) == "1.234,5"
