"""The roll-ups give every figure the raw rows give (issue 12): random donations across
units, camps, blood centres, groups and outcomes, deferrals, registrations and
transfusions; every figure of the page, of the totals API for every ``by`` and of the
selectors, for the state admin, a coordinator, a unit subtree and a blood group, over
several ranges, equals the same figure counted from the raw rows (``dashboard/raw.py``, the
counting the page did before). Then the data changes on every path that moves a figure —
recorded, corrected by the service and around it, withdrawn, a donor moved, typed or
merged, a camp handed to another unit, transfusions given, missed or cancelled, a child
moved, a police station moved to another circle — the refresh applies only what changed,
and the figures still agree; and ``rebuild_figures`` builds exactly the same tables
(including the subtree roll-ups ``CollectionMonth`` and ``DonorCount``)."""

import json
import random
from collections import Counter
from datetime import datetime, time, timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.db.models import Count
from django.utils import timezone

from accounts.services import unit_move
from camps.models import Camp
from dashboard import demand, raw, selectors
from dashboard.figures import BREAKDOWNS
from dashboard.models import (
    CollectionDay,
    CollectionMonth,
    DonorCount,
    DonorDay,
    DonorSpan,
    FigureChange,
    RegistrationDay,
    TransfusedDay,
    TransfusionDay,
    TransfusionMonth,
)
from dashboard.rollups import figures_refresh
from dashboard.selectors import DashboardQuery
from donors.donations import donation_correct, donation_withdraw
from donors.models import Donation, Donor
from donors.services import donor_merge
from tests.factories import (
    BloodCentreFactory,
    CampFactory,
    DonationFactory,
    DonorFactory,
    make_patient,
)
from thalassemia.models import Patient, Transfusion

pytestmark = pytest.mark.django_db

GROUPS = ["A+", "A-", "B+", "B-", "AB+", "O+", "O-", "Oh", ""]
TOTALS = "/api/v1/dashboard/totals/"
PAGE = "/dashboard/"


def stations(units):
    return [units.station_a, units.station_a2, units.station_b, units.station_c]


def a_day(rng, today, back=700):
    return today - timedelta(days=rng.randint(1, back))


def donation(rng, donor, day, *, camp=None, centres=()):
    outcome = rng.choice(["collected"] * 6 + ["deferred"] * 3 + ["adverse_reaction"])
    fields = {"donor": donor, "donated_on": day, "outcome": outcome, "camp": camp}
    # A camp donation sometimes names no centre: it counts for the camp's.
    fields["blood_centre"] = rng.choice([*centres, None]) if camp else rng.choice(centres)
    if outcome != "collected":
        fields.update(bag_volume_ml=None, bag_number="")
    return DonationFactory(**fields)


def load(units, rng, today):
    """A random district: donors of every group across the stations, camps of every status,
    donations at camps and at the centres, and children with transfusions of every kind."""
    centres = [BloodCentreFactory() for _ in range(3)]
    camps = [
        CampFactory(
            unit=rng.choice(stations(units)),
            held_on=a_day(rng, today),
            status=rng.choice(["open", "closed", "closed", "planned", "cancelled"]),
            blood_centre=rng.choice(centres),
        )
        for _ in range(10)
    ]
    donors = []
    for _ in range(45):
        created = timezone.make_aware(
            datetime.combine(a_day(rng, today), time(rng.choice([0, 3, 12, 19, 23]), 30))
        )
        donors.append(
            DonorFactory(
                unit=rng.choice(stations(units)),
                blood_group=rng.choice(GROUPS),
                created_at=created,
                external_last_donation_on=rng.choice([None, None, a_day(rng, today, 900)]),
            )
        )
    for _ in range(180):
        camp = rng.choice([*camps, None, None])
        day = camp.held_on if camp else a_day(rng, today)
        donation(rng, rng.choice(donors), day, camp=camp, centres=centres)
    for i in range(6):
        child = make_patient(
            rng.choice(stations(units)),
            name=f"Child {i}",
            blood_group=rng.choice(GROUPS[:-1]),
            last_transfused_on=today - timedelta(days=rng.randint(5, 30)),
        )
        for _ in range(8):
            due = a_day(rng, today + timedelta(days=60), 500)
            status = rng.choice(["due", "scheduled", "done", "done", "missed", "cancelled"])
            done = status == "done"
            Transfusion.objects.create(
                patient=child,
                due_on=due,
                status=status,
                units_needed=rng.randint(1, 2),
                units_given=rng.choice([None, 1, 2]) if done else None,
                done_on=min(due + timedelta(days=rng.randint(-3, 3)), today) if done else None,
            )
    return {"centres": centres, "camps": camps, "donors": donors}


def ranges(today):
    """A year to date, five years, a quarter, one month with ragged ends, one day, and
    whole months reaching past today (transfusions are scheduled ahead; overdue ones end
    yesterday)."""
    first = today.replace(day=1)
    return [
        (
            (first - timedelta(days=1)).replace(day=1),
            (first + timedelta(days=62)).replace(day=1) - timedelta(days=1),
        ),
        (today.replace(month=1, day=1), today),
        (today - timedelta(days=5 * 365), today),
        (today - timedelta(days=120), today - timedelta(days=30)),
        (today - timedelta(days=200) + timedelta(days=3), today - timedelta(days=171)),
        (today - timedelta(days=40), today - timedelta(days=40)),
    ]


def raw_answer(query, by, today):
    return {
        "rows": [row.as_dict() for row in raw.collection_by(query, by)],
        "totals": {**raw.collection_totals(query), **raw.children_summary(query, today)},
    }


def assert_figures_agree(users, units, today, api_client_for):
    """Every figure from the roll-ups equals the raw count: selectors, API and page."""
    for user in users:
        api = api_client_for(user)
        for start, end in ranges(today):
            filters = [{}, {"unit": units.kotwali_circle}, {"blood_group": "A+"}]
            for extra in filters:
                query = DashboardQuery(user=user, start=start, end=end, **extra)
                assert selectors.collection_summary(query) == raw.collection_summary(query)
                assert selectors.donors_registered(query) == raw.donors_registered(query)
                assert selectors.collection_totals(query) == raw.collection_totals(query)
                assert demand.children_summary(query, today) == raw.children_summary(query, today)
                for by in BREAKDOWNS:
                    assert [row.as_dict() for row in selectors.collection_by(query, by)] == [
                        row.as_dict() for row in raw.collection_by(query, by)
                    ], (user, start, end, extra, by)
            query = DashboardQuery(user=user, start=start, end=end)
            for by in BREAKDOWNS:
                answer = api.get(TOTALS, {"from": start, "to": end, "by": by})
                assert answer.status_code == 200
                expected = raw_answer(query, by, today)
                got = answer.json()
                # The same numbers, in the same order, byte for byte.
                assert json.dumps(got["rows"]) == json.dumps(expected["rows"])
                assert json.dumps(got["totals"]) == json.dumps(expected["totals"])


def assert_page_agrees(client, query, today):
    page = client.get(PAGE, {"from": query.start, "to": query.end})
    assert page.status_code == 200
    board = page.context["board"]
    assert page.context["totals"] == {
        **raw.collection_totals(query),
        **raw.children_summary(query, today),
    }
    for by in BREAKDOWNS:
        expected = [row.as_dict() for row in raw.collection_by(query, by)]
        if by != "unit":
            # The page shows donors deferred by unit only, and counts no others.
            expected = [row | {"donors_deferred": None} for row in expected]
        if by == "camp":
            # The page lists the camps with the most units (then donations, label) only.
            assert board.camps_total == len(expected)
            expected = sorted(expected, key=lambda r: (-r["units"], -r["donations"], r["label"]))
            expected = expected[: settings.DASHBOARD_CAMPS_SHOWN]
        assert [row.as_dict() for row in board.by[by]] == expected
    return page


def tables():
    """Every roll-up's rows as a multiset (ids aside)."""
    return {
        model.__name__: Counter(
            tuple(row.values()) for row in model.objects.values(*COLUMNS[model])
        )
        for model in COLUMNS
    }


COLUMNS = {
    CollectionDay: ["day", "unit_id", "blood_group", "camp_id", "blood_centre_id", "outcome",
                    "donations"],
    DonorDay: ["donor_id", "day", "unit_id", "blood_group", "camp_id", "blood_centre_id",
               "collected", "deferred", "drawn_since"],
    DonorSpan: ["donor_id", "unit_id", "blood_group", "last_collected", "last_deferred",
                "drawn_since", "solo"],
    RegistrationDay: ["day", "unit_id", "blood_group", "donors"],
    CollectionMonth: ["month", "unit_id", "slice", "blood_group", "blood_centre_id", "camp_id",
                      "units", "donations", "donors_deferred", "donors_registered"],
    DonorCount: ["unit_id", "kind", "blood_group", "day", "donors"],
    TransfusionDay: ["day", "unit_id", "blood_group", "status", "transfusions"],
    TransfusedDay: ["day", "unit_id", "blood_group", "units"],
    TransfusionMonth: ["month", "unit_id", "blood_group", "due", "done", "missed", "open",
                       "units"],
}  # fmt: skip


def change_everything(rng, units, data, admin_user, today):
    """Every kind of change that moves a figure, on the paths that make it."""
    donors, camps, centres = data["donors"], data["camps"], data["centres"]
    # Recorded: new donations, one backdated before a donor's first.
    for _ in range(15):
        camp = rng.choice([*camps, None])
        day = camp.held_on if camp else a_day(rng, today, 30)
        donation(rng, rng.choice(donors), day, camp=camp, centres=centres)
    donation(rng, donors[0], today - timedelta(days=1500), centres=centres)
    # Corrected by the service (bag and screening: no figure moves) and around it (the day
    # and the outcome moved by an update, as a data fix would).
    collected = Donation.objects.filter(outcome="collected").order_by("id")
    donation_correct(donation=collected[0], actor=admin_user, bag_volume_ml=450)
    moved = collected[1]
    Donation.objects.filter(pk=moved.pk).update(
        donated_on=moved.donated_on - timedelta(days=45), outcome="adverse_reaction"
    )
    # Withdrawn: a collected and a deferred entry.
    for outcome in ("collected", "deferred"):
        entry = Donation.objects.filter(outcome=outcome).order_by("-id").first()
        donation_withdraw(donation=entry, actor=admin_user)
    # A donor moved to another unit, another typed, another reporting an older donation.
    Donor.objects.filter(pk=donors[1].pk).update(unit=units.station_c)
    Donor.objects.filter(pk=donors[2].pk).update(blood_group="AB-")
    Donor.objects.filter(pk=donors[3].pk).update(
        external_last_donation_on=today - timedelta(days=800)
    )
    # Two records of one person merged; a new donor registered today.
    donor_merge(keep=donors[4], duplicate=donors[5], actor=admin_user)
    DonorFactory(unit=units.station_a2, blood_group="O+")
    # The busiest camp handed to another unit and another centre (its donations' figures
    # move with it).
    busiest = Camp.objects.annotate(n=Count("donations")).order_by("-n", "id").first()
    assert busiest.n > 0
    other = units.station_c if busiest.unit_id != units.station_c.pk else units.station_b
    Camp.objects.filter(pk=busiest.pk).update(
        unit=other, blood_centre=rng.choice([c for c in centres if c.pk != busiest.blood_centre_id])
    )
    # Transfusions given, missed, cancelled and moved; a child moved to another unit.
    open_ones = Transfusion.objects.filter(status__in=["due", "scheduled"]).order_by("id")
    Transfusion.objects.filter(pk=open_ones[0].pk).update(
        status="done", done_on=today - timedelta(days=1), units_given=2
    )
    Transfusion.objects.filter(pk=open_ones[1].pk).update(status="missed")
    Transfusion.objects.filter(pk=open_ones[2].pk).update(status="cancelled")
    Transfusion.objects.filter(pk=open_ones[3].pk).update(due_on=today - timedelta(days=90))
    Transfusion.objects.filter(pk=open_ones[4].pk).delete()
    child = Patient.objects.order_by("id").first()
    Patient.objects.filter(pk=child.pk).update(unit=units.station_c, blood_group="O-")
    # A station moved into another circle (with its figures: the subtrees' sums change).
    unit_move(actor=admin_user, unit=units.station_b, parent=units.kotwali_circle)


@pytest.mark.parametrize("seed", [12, 2026])
def test_every_figure_from_the_rollups_equals_the_raw_count(
    seed, units, admin_user, coordinator, api_client_for, client_for
):
    rng = random.Random(seed)
    today = timezone.localdate()
    data = load(units, rng, today)
    figures_refresh()
    users = [admin_user, coordinator]
    assert_figures_agree(users, units, today, api_client_for)
    year = DashboardQuery(user=coordinator, start=today - timedelta(days=365), end=today)
    assert_page_agrees(client_for(coordinator), year, today)

    change_everything(rng, units, data, admin_user, today)
    assert FigureChange.objects.exists()  # the triggers noted the changes
    figures_refresh()
    assert not FigureChange.objects.exists()
    assert_figures_agree(users, units, today, api_client_for)
    incremental = tables()

    call_command("rebuild_figures")
    assert tables() == incremental


def test_a_page_view_applies_a_short_queue_and_says_as_of_when(
    units, coordinator, client_for, settings
):
    rng = random.Random(7)
    today = timezone.localdate()
    data = load(units, rng, today)
    client = client_for(coordinator)
    query = DashboardQuery(user=coordinator, start=today - timedelta(days=365), end=today)
    # Never refreshed: the first view fills the tables.
    page = assert_page_agrees(client, query, today)
    as_of = timezone.localtime(page.context["board"].as_of)
    assert f"Figures as of {as_of:%H:%M}" in page.content.decode()
    # A donation recorded since: the view applies it before counting.
    donation(rng, data["donors"][0], today - timedelta(days=2), centres=data["centres"])
    assert_page_agrees(client, query, today)
    # A long queue is left to the beat: the page answers as of the last refresh.
    settings.DASHBOARD_FIGURES_INLINE_CHANGES = 0
    before = raw.collection_summary(query)
    donation(rng, data["donors"][1], today - timedelta(days=2), centres=data["centres"])
    page = client.get(PAGE, {"from": query.start, "to": query.end})
    assert page.context["totals"]["donations"] == before["donations"]
    figures_refresh()
    assert_page_agrees(client, query, today)
