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


# --- a day with no year, and grouped numbers: portal/l10n.py and {% load dates %} -------

DAY = dt.date(2026, 12, 2)  # a Wednesday


def dated(text, **context):
    return Template("{% load dates %}" + text).render(Context(context))


def test_a_day_and_month_read_as_each_language_writes_them():
    expected = {"en": "2 Dec", "hi": "2 दिस्", "vi": "02/12"}
    for language, day in expected.items():
        with translation.override(language):
            assert dated("{{ d|local_date }}", d=DAY) == day, language


def test_vietnamese_never_spells_the_month_of_a_day():
    with translation.override("vi"):
        assert dated('{{ d|local_date:"WEEKDAY_DAY_MONTH_FORMAT" }}', d=DAY) == "Thứ 4, 02/12"
        assert dated('{{ d|local_date:"WEEKDAY_DATE_FORMAT" }}', d=DAY) == "Thứ 4, 02/12/2026"
        assert dated('{{ d|local_date:"LONG_DATE_FORMAT" }}', d=DAY) == "02/12/2026"
        for name in ("WEEKDAY_DAY_MONTH_FORMAT", "WEEKDAY_DATE_FORMAT", "LONG_WEEKDAY_DATE_FORMAT"):
            assert "háng" not in dated(f'{{{{ d|local_date:"{name}" }}}}', d=DAY), name


def test_english_keeps_the_formats_its_pages_always_had():
    with translation.override("en"):
        assert dated('{{ d|local_date:"WEEKDAY_DAY_MONTH_FORMAT" }}', d=DAY) == "Wed 2 Dec"
        assert dated('{{ d|local_date:"WEEKDAY_DATE_FORMAT" }}', d=DAY) == "Wed 2 Dec 2026"
        assert dated('{{ d|local_date:"LONG_WEEKDAY_DATE_FORMAT" }}', d=DAY) == (
            "Wednesday 2 December 2026"
        )


def test_hindi_keeps_its_abbreviated_day_and_month():
    with translation.override("hi"):
        assert dated('{{ d|local_date:"WEEKDAY_DAY_MONTH_FORMAT" }}', d=DAY) == "बुध 2 दिस्"
        assert dated('{{ d|local_date:"WEEKDAY_DATE_FORMAT" }}', d=DAY) == "बुध 2 दिसंबर 2026"


def test_a_time_is_shown_in_local_time_in_the_language_s_order(settings):
    settings.TIME_ZONE = "Asia/Kolkata"
    at = dt.datetime(2026, 12, 2, 9, 0, tzinfo=dt.UTC)  # 14:30 in Kolkata
    with translation.override("en"):
        assert dated('{{ t|local_date:"DAY_MONTH_TIME_FORMAT" }}', t=at) == "2 Dec 14:30"
    with translation.override("vi"):
        assert dated('{{ t|local_date:"DAY_MONTH_TIME_FORMAT" }}', t=at) == "14:30 02/12"


def test_no_date_is_blank_not_an_error():
    with translation.override("vi"):
        assert dated("{{ d|local_date }}", d=None) == ""
        assert dated("{{ d|local_date }}", d="not a date") == ""


def test_the_dashboard_groups_thousands_as_each_language_does():
    template = "{% load dashboard_tags %}{{ n|num }} · {{ w|num:1 }}"
    expected = {"en": "12,345 · 1,234.6", "hi": "12,345 · 1,234.6", "vi": "12.345 · 1.234,6"}
    for language, text in expected.items():
        with translation.override(language):
            assert render(template, n=12345, w=1234.56) == text, language
