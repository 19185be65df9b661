"""Collection figures (units, donations, donors, camps) checked against records built here:
scoped to the caller, narrowed to a unit subtree, inclusive at both ends of the range. The
selectors read the roll-ups, so each query first applies the pending changes (what the
page and the API do before they read)."""

import datetime
from datetime import date

import pytest
from django.utils import timezone

from dashboard.rollups import figures_refresh
from dashboard.selectors import (
    DashboardQuery,
    camp_summary,
    camps_by_unit,
    collection_by,
    collection_summary,
    donors_registered,
)
from tests.factories import CampFactory, DonationFactory, DonorFactory

pytestmark = pytest.mark.django_db

Q1 = (date(2026, 1, 1), date(2026, 3, 31))


def q(user, unit=None, group="", start=Q1[0], end=Q1[1]):
    figures_refresh()
    return DashboardQuery(user=user, start=start, end=end, unit=unit, blood_group=group)


@pytest.fixture
def records(units):
    a = DonorFactory(unit=units.station_a, blood_group="A+")
    a2 = DonorFactory(unit=units.station_a2, blood_group="O-")
    b = DonorFactory(unit=units.station_b, blood_group="B+")
    c = DonorFactory(unit=units.station_c, blood_group="A+")
    camp = CampFactory(unit=units.station_a, held_on=date(2026, 2, 10), status="closed")
    # Kotwali's camp: a Cantt donor gives there, so the unit counts for Kotwali.
    DonationFactory(
        donor=b, donated_on=date(2026, 2, 10), camp=camp, blood_centre=camp.blood_centre
    )
    DonationFactory(donor=a, donated_on=date(2026, 3, 31))  # the last day: counts
    DonationFactory(donor=a, donated_on=date(2026, 4, 1))  # the day after: does not
    DonationFactory(donor=a, donated_on=date(2025, 12, 31))  # the day before: does not
    DonationFactory(donor=a2, donated_on=date(2026, 1, 1))  # the first day: counts
    DonationFactory(
        donor=a2,
        donated_on=date(2026, 1, 20),
        outcome="deferred",
        bag_volume_ml=None,
        bag_number="",
    )
    DonationFactory(donor=c, donated_on=date(2026, 2, 1))  # Dehat: another force
    return {"a": a, "a2": a2, "b": b, "c": c, "camp": camp}


def test_an_admin_counts_every_unit_and_the_range_edges(admin_user, records):
    totals = collection_summary(q(admin_user))
    assert totals["units"] == 4  # camp (b), a on 31 March, a2 on 1 January, c
    assert totals["donations"] == 5  # and a2's deferral
    assert totals["donors_donated"] == 4
    assert totals["donors_deferred"] == 1
    # a gave on 31 December 2025, before the range: repeat; the others are new this range.
    assert (totals["repeat_donors"], totals["first_time_donors"]) == (1, 3)


def test_the_coordinator_sees_only_the_force(coordinator, records):
    assert collection_summary(q(coordinator))["units"] == 3


def test_a_camp_donation_counts_for_the_organising_unit_not_the_donors(
    staff_b, units, coordinator, records
):
    assert collection_summary(q(staff_b))["units"] == 0
    assert collection_summary(q(coordinator, unit=units.station_b))["units"] == 0
    kotwali = collection_summary(q(coordinator, unit=units.station_a))
    assert kotwali["units"] == 2  # the camp donation and a's on 31 March
    by_unit = {row.label: row.units for row in collection_by(q(coordinator), "unit")}
    assert by_unit == {"Kotwali": 2, "Moolganj": 1}


def test_a_unit_subtree_adds_up_its_stations(coordinator, units, records):
    circle = collection_summary(q(coordinator, unit=units.kotwali_circle))
    assert circle["units"] == 3
    assert circle["donors_deferred"] == 1


def test_staff_see_their_own_unit(staff_a, records):
    assert collection_summary(q(staff_a))["units"] == 2


def test_by_month_lists_every_month_of_the_range(coordinator, records):
    rows = collection_by(q(coordinator), "month")
    assert [(row.key, row.units, row.donations) for row in rows] == [
        (date(2026, 1, 1), 1, 2),
        (date(2026, 2, 1), 1, 1),
        (date(2026, 3, 1), 1, 1),
    ]
    assert rows[0].as_dict()["key"] == "2026-01"


def test_by_blood_group_and_the_group_filter(admin_user, records):
    rows = {row.key: row.units for row in collection_by(q(admin_user), "blood_group")}
    assert rows == {"A+": 2, "B+": 1, "O-": 1}
    assert collection_summary(q(admin_user, group="A+"))["units"] == 2


def test_by_camp_and_by_blood_centre(coordinator, records):
    camps = collection_by(q(coordinator), "camp")
    assert [(row.key, row.units) for row in camps] == [(records["camp"].pk, 1), (None, 2)]
    centres = collection_by(q(coordinator), "blood_centre")
    assert sum(row.units for row in centres) == 3
    assert records["camp"].blood_centre.name in {row.label for row in centres}


def test_camps_held_in_the_range(coordinator, units, records):
    CampFactory(unit=units.station_b, held_on=date(2026, 3, 31), status="open")
    CampFactory(unit=units.station_b, held_on=date(2026, 4, 1), status="closed")
    CampFactory(unit=units.station_b, held_on=date(2026, 3, 1), status="cancelled")
    CampFactory(unit=units.station_c, held_on=date(2026, 3, 1), status="closed")
    summary = camp_summary(q(coordinator))
    assert (summary["camps_held"], summary["camps_cancelled"]) == (2, 1)
    assert {row.label: row.extra["camps"] for row in camps_by_unit(q(coordinator))} == {
        "Kotwali": 1,
        "Cantt": 1,
    }
    assert camp_summary(q(coordinator, unit=units.kotwali_circle))["camps_held"] == 1


def test_donors_registered_by_the_day_in_india(coordinator, units):
    zone = timezone.get_current_timezone()
    # 00:30 on 1 January in Kanpur is still 31 December in UTC: it counts.
    DonorFactory(unit=units.station_a, created_at=datetime.datetime(2026, 1, 1, 0, 30, tzinfo=zone))
    DonorFactory(
        unit=units.station_a, created_at=datetime.datetime(2026, 3, 31, 23, 50, tzinfo=zone)
    )
    DonorFactory(unit=units.station_a, created_at=datetime.datetime(2026, 4, 1, 0, 5, tzinfo=zone))
    DonorFactory(unit=units.station_c, created_at=datetime.datetime(2026, 2, 1, 12, 0, tzinfo=zone))
    assert donors_registered(q(coordinator)) == 2
    assert donors_registered(q(coordinator, unit=units.station_b)) == 0


@pytest.mark.parametrize("chosen", ["", "cantt_circle"])
def test_the_unit_filter_draws_the_select_django_draws(admin_user, units, chosen):
    """The filter's select is drawn in one pass (a state has 1,000 units): the same
    options, labels, indentation and choice as Django's own ``Select``."""
    import re

    from django import forms

    from dashboard.forms import DashboardFilterForm

    data = {"unit": str(getattr(units, chosen).pk)} if chosen else {}
    form = DashboardFilterForm(data, user=admin_user)
    assert form.is_valid()
    field = form["unit"]
    django_select = forms.Select(choices=field.field.choices)

    def tidy(html):
        return re.sub(r">\s+<", "><", str(html)).strip()

    ours = tidy(field.as_widget())
    assert ours == tidy(django_select.render("unit", field.value(), {"id": "id_unit"}))
    assert ours.count("<option") == 1 + len(list(field.field.queryset))
    picked = f'<option value="{data["unit"]}" selected>' if chosen else '<option value="" selected>'
    assert picked in ours
