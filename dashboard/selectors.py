"""The dashboard's reads about collection: units, camps and donors over a date range.

Every figure is counted by the database, one query per figure group (an aggregate or a
GROUP BY), never by looping over rows in Python, so the page, the exports and the API cost
the same few queries for ten donations or a million. Every query is limited to the
caller's jurisdiction through ``accounts.scoping`` and, when the filter names one, to a
police-unit subtree inside it. Date ranges are inclusive at both ends.

Which police unit a donation counts for (``credited_unit``): **the camp's organising unit
for a donation made at a camp, otherwise the donor's own unit.** The organisers held the
camp, and the camp's own totals (``camps.selectors.totals_for``) count every donation made
there whatever the donor's home unit; a donor from Cantt giving at a Kotwali camp is
Kotwali's unit, not Cantt's. A donation at a blood centre's own site counts for the donor's
unit. Scoping and the unit filter follow the same rule, so a unit's numbers add up across
the subtree.

Collection figures and registrations are read from the roll-ups (``dashboard/models.py``,
kept by ``dashboard/rollups.py``), never from millions of raw rows per request; camps are
counted live (a state has some thousands a year). ``dashboard/raw.py`` keeps the raw
counts as the tests' oracle: the same numbers, row for row.

The children's side (need, forecast, supply risk) is in ``dashboard/demand.py``.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import cached_property
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.models import PoliceUnit
from accounts.scoping import for_user, in_subtree, scope_root_for, units_for_user
from camps.choices import CampStatus
from camps.models import BloodCentre, Camp
from camps.selectors import GROUP_ORDER
from donors.choices import DonationOutcome

from .models import CollectionDay, CollectionMonth, DonorCount, DonorDay, RegistrationDay

# What the totals may be grouped by (the API's ``by``), in the order the page shows them.
BY_CHOICES = [
    ("month", gettext_lazy("Month")),
    ("unit", gettext_lazy("Police unit")),
    ("blood_group", gettext_lazy("Blood group")),
    ("camp", gettext_lazy("Camp")),
    ("blood_centre", gettext_lazy("Blood centre")),
]
# A camp that took place: open on the day or closed after it (planned and cancelled ones
# did not happen, or not yet).
HELD = (CampStatus.OPEN, CampStatus.CLOSED)
COLLECTED = Q(outcome=DonationOutcome.COLLECTED)
DEFERRED = Q(outcome=DonationOutcome.DEFERRED)


@dataclass(frozen=True)
class DashboardQuery:
    """What the dashboard is asked: whose view, which days, which subtree, which group."""

    user: Any
    start: date
    end: date
    unit: Any = None  # a PoliceUnit inside the user's scope (the form checks), or None
    blood_group: str = ""

    def units(self) -> QuerySet:
        """The police units counted: the user's scope, narrowed to the unit's subtree."""
        units = units_for_user(self.user)
        if self.unit is not None:
            units = in_subtree(units, self.unit)
        return units

    def narrow(self, queryset: QuerySet, via: str = "unit") -> QuerySet:
        """``queryset`` scoped to the user (``for_user``) and to the unit's subtree; ``via``
        is the path from the model to its police unit."""
        queryset = for_user(queryset, self.user)
        if self.unit is not None:
            queryset = in_subtree(queryset, self.unit, via=via)
        return queryset

    def subtree(self) -> int | None:
        """The one unit whose subtree is counted (0: every unit, an admin's view); None when
        the user may see nothing. The subtree roll-ups are keyed by it."""
        if self.unit is not None:
            return self.unit.pk
        user = self.user
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return None
        root = scope_root_for(user)
        if root is None:
            return 0 if (user.is_superuser or user.role == Role.ADMIN) else None
        return root.pk

    @cached_property
    def latest_day(self):
        """The last day a donation or registration is dated (``_latest_day``), read once
        per query."""
        return _latest_day()

    @property
    def days(self) -> int:
        """Days in the range, both ends counted."""
        return (self.end - self.start).days + 1

    def as_params(self) -> dict[str, str]:
        """The filter as a query string's parameters (links to filtered lists, exports)."""
        params = {"from": self.start.isoformat(), "to": self.end.isoformat()}
        if self.unit is not None:
            params["unit"] = str(self.unit.pk)
        if self.blood_group:
            params["blood_group"] = self.blood_group
        return params


@dataclass
class Row:
    """One line of a breakdown: what it is, and the counts the API and the tables show."""

    key: Any
    label: str
    units: int = 0  # bags collected
    donations: int = 0  # visits: collected, deferred at screening or ended by a reaction
    donors_deferred: int | None = 0  # donors deferred at screening (None: not counted)
    extra: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        key = self.key.isoformat()[:7] if isinstance(self.key, date) else self.key
        return {
            "key": key,
            "label": self.label,
            "units": self.units,
            "donations": self.donations,
            "donors_deferred": self.donors_deferred,
            **self.extra,
        }


# --- donations (from the roll-ups) ------------------------------------------------------


def in_units(rows: QuerySet, query: DashboardQuery) -> QuerySet:
    """A roll-up's rows counted for a unit in the query's scope and subtree: no condition
    for an admin's whole view (every unit; a state's 1,000 made the planner hash-join
    every roll-up read against the units table)."""
    if query.subtree() == 0:
        return rows
    return rows.filter(unit_id__in=query.units().values("pk"))


def rollup(model, query: DashboardQuery) -> QuerySet:
    """Rows of a roll-up (``dashboard/models.py``) of the range, counted for a unit in scope
    (the credited unit, see the module docstring), of the blood group when the filter names
    one. Every figure of the page starts here; ``dashboard/raw.py`` counts the same from the
    raw rows."""
    rows = in_units(model.objects.filter(day__gte=query.start, day__lte=query.end), query)
    if query.blood_group:
        rows = rows.filter(blood_group=query.blood_group)
    return rows.order_by()


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def _parts(query: DashboardQuery, latest) -> tuple[tuple[date, date] | None, list]:
    """The range as whole months (the first days of the first and last, read from
    ``CollectionMonth``; None: no whole month) and the ragged ends (day ranges, read from
    the day roll-ups). The range's last month counts as whole when nothing is dated after
    the range's end (a range ending today)."""
    start, end = query.start, query.end
    first = start if start.day == 1 else _next_month(start)
    last = end.replace(day=1)
    if _next_month(end) - timedelta(days=1) != end and latest is not None and latest > end:
        last = (last - timedelta(days=1)).replace(day=1)
    if first > last:
        return None, [(start, end)]
    ragged = []
    if start < first:
        ragged.append((start, first - timedelta(days=1)))
    after = _next_month(last)
    if after <= end:
        ragged.append((after, end))
    return (first, last), ragged


def _in_days(model, query: DashboardQuery, windows) -> QuerySet:
    """A day roll-up's rows of ``windows`` (day ranges), in the query's units and group."""
    if not windows:
        return model.objects.none()
    when = Q()
    for first, last in windows:
        when |= Q(day__gte=first, day__lte=last)
    rows = in_units(model.objects.filter(when), query)
    if query.blood_group:
        rows = rows.filter(blood_group=query.blood_group)
    return rows.order_by()


def _in_months(query: DashboardQuery, slice_: str, months) -> QuerySet:
    """``CollectionMonth``'s rows of ``slice_`` (all, centre or own; by group when the
    filter names one) over the whole ``months``, for the query's subtree."""
    if months is None:
        return CollectionMonth.objects.none()
    grouped = {
        "all": "group",
        "centre": "centre_group",
        "own": "own_group",
        "group": "group",
        "camp": "camp_group",
    }
    if query.blood_group or slice_ == "group":
        slice_ = grouped[slice_]
    rows = CollectionMonth.objects.filter(slice=slice_, month__gte=months[0], month__lte=months[1])
    if slice_.startswith(("own", "camp")):
        rows = in_units(rows, query)
    else:
        subtree = query.subtree()
        if subtree is None:
            return CollectionMonth.objects.none()
        rows = rows.filter(unit_id=subtree)
    if query.blood_group:
        rows = rows.filter(blood_group=query.blood_group)
    return rows.order_by()


def collection_summary(query: DashboardQuery) -> dict[str, int]:
    """Units collected, donations, and donors who donated, were deferred, gave for the first
    time or again.

    A donor who donated in the range is a **repeat** donor when blood was drawn from them
    before the range began (in the portal, or by their word outside it: the camp report's
    rule, taken from the range's first day); otherwise **first-time**, even if they gave
    twice within the range. Units and donations: whole months from ``CollectionMonth``,
    ragged ends from ``CollectionDay``. Distinct donors are counted exactly: from
    ``DonorCount`` when no donation is dated after the range's end — the common case, a
    range ending today — and over ``DonorDay`` otherwise."""
    latest = query.latest_day
    months, ragged = _parts(query, latest)
    totals = {"units": 0, "donations": 0}
    for rows, units in (
        (_in_months(query, "all", months), Sum("units")),
        (_in_days(CollectionDay, query, ragged), Sum("donations", filter=COLLECTED)),
    ):
        part = rows.aggregate(units=Coalesce(units, 0), donations=Coalesce(Sum("donations"), 0))
        totals = {key: totals[key] + part[key] for key in totals}
    totals |= _donors_counted(query)
    totals["first_time_donors"] = totals["donors_donated"] - totals["repeat_donors"]
    return totals


def _latest_day():
    """The last day any donation or registration counted in the roll-ups is dated (None:
    none): two index look-ups."""
    days = [
        model.objects.order_by("-day").values_list("day", flat=True).first()
        for model in (DonorDay, RegistrationDay)
    ]
    days = [day for day in days if day is not None]
    return max(days) if days else None


def donors_counted_by_day(query: DashboardQuery) -> dict[str, int]:
    """``_donors_counted`` for any range: ``COUNT(DISTINCT donor_id)`` over ``DonorDay``."""
    gave = Q(collected__gt=0)
    return rollup(DonorDay, query).aggregate(
        donors_donated=Count("donor_id", distinct=True, filter=gave),
        donors_deferred=Count("donor_id", distinct=True, filter=Q(deferred__gt=0)),
        repeat_donors=Count(
            "donor_id", distinct=True, filter=gave & Q(drawn_since__lt=query.start)
        ),
    )


def _ends_today(query: DashboardQuery, latest) -> bool:
    """Nothing is dated after the range's end: distinct donors come from ``DonorCount``."""
    return latest is None or latest <= query.end


def _counts(query: DashboardQuery, kind: str, *, own: bool = False) -> QuerySet:
    """``DonorCount``'s rows of ``kind`` on or after the range's first day: the query's
    subtree, or (``own``) each unit of it on its own."""
    rows = DonorCount.objects.filter(kind=kind, day__gte=query.start)
    if own:
        rows = in_units(rows, query)
    else:
        subtree = query.subtree()
        if subtree is None:
            return DonorCount.objects.none()
        rows = rows.filter(unit_id=subtree)
    if query.blood_group:
        rows = rows.filter(blood_group=query.blood_group)
    return rows.order_by()


def _donors_counted(query: DashboardQuery) -> dict[str, int]:
    """Donors who donated, were deferred and gave again in the range: one query.

    When nothing is dated after ``query.end``, a donor gave (was deferred) for the subtree
    in the range exactly when their last collection (deferral) for it is on or after
    ``query.start``, and gave for the first time when their ``drawn_since`` is:
    ``DonorCount`` holds how many donors have each such day, per subtree and group."""
    if not _ends_today(query, query.latest_day):
        return donors_counted_by_day(query)
    subtree = query.subtree()
    rows = DonorCount.objects.filter(
        unit_id=-1 if subtree is None else subtree,
        kind__in=("collected", "deferred", "since"),
        day__gte=query.start,
    )
    if query.blood_group:
        rows = rows.filter(blood_group=query.blood_group)
    got = rows.order_by().aggregate(
        donated=Coalesce(Sum("donors", filter=Q(kind="collected")), 0),
        deferred=Coalesce(Sum("donors", filter=Q(kind="deferred")), 0),
        first=Coalesce(Sum("donors", filter=Q(kind="since")), 0),
    )
    return {
        "donors_donated": got["donated"],
        "donors_deferred": got["deferred"],
        "repeat_donors": got["donated"] - got["first"],
    }


# The roll-ups' column each breakdown groups by.
KEYS = {
    "month": TruncMonth("day"),
    "unit": F("unit_id"),
    "blood_group": F("blood_group"),
    "camp": F("camp_id"),
    "blood_centre": F("blood_centre_id"),
}
# Which CollectionMonth slice answers each breakdown, and its key there (camps: none).
MONTH_SLICES = {
    "month": ("all", F("month")),
    "unit": ("own", F("unit_id")),
    "blood_group": ("group", F("blood_group")),
    "blood_centre": ("centre", F("blood_centre_id")),
    "camp": ("camp", F("camp_id")),
}


def _names(by: str, keys) -> dict:
    """The labels' parts for the keys of a breakdown: one query (none by month or group)."""
    keys = [key for key in keys if key is not None]
    if by == "unit":
        return dict(PoliceUnit.objects.filter(pk__in=keys).values_list("pk", "name"))
    if by == "camp":
        return {
            pk: {"name": name, "held_on": held_on}
            for pk, name, held_on in Camp.objects.filter(pk__in=keys).values_list(
                "pk", "name", "held_on"
            )
        }
    if by == "blood_centre":
        return dict(BloodCentre.objects.filter(pk__in=keys).values_list("pk", "name"))
    return {}


def _key(by: str, key):
    return _as_date(key) if by == "month" and key is not None else key


def _counted_by(query: DashboardQuery, by: str, latest) -> dict:
    """key → [units, donations] of the range: whole months from ``CollectionMonth``,
    ragged ends from ``CollectionDay``."""
    months, ragged = _parts(query, latest)
    counted: dict = {}
    parts = []
    if months is not None:
        slice_, key = MONTH_SLICES[by]
        parts.append(
            _in_months(query, slice_, months)
            .values(key=key)
            .annotate(u=Sum("units"), d=Sum("donations"))
        )
    if ragged:
        parts.append(
            _in_days(CollectionDay, query, ragged)
            .values(key=KEYS[by])
            .annotate(u=Coalesce(Sum("donations", filter=COLLECTED), 0), d=Sum("donations"))
        )
    for part in parts:
        for item in part:
            found = counted.setdefault(_key(by, item["key"]), [0, 0])
            found[0] += item["u"]
            found[1] += item["d"]
    return {key: found for key, found in counted.items() if found[1]}


def _deferred_by(query: DashboardQuery, by: str, latest) -> dict:
    """key → donors deferred at screening in the range, exact: by month from
    ``CollectionMonth`` (distinct per month) and the ragged ends' ``DonorDay`` rows; by unit
    and blood group, for a range ending today, from ``DonorCount``; otherwise, and by camp
    and blood centre, ``COUNT(DISTINCT)`` over ``DonorDay``'s deferral rows."""
    if by == "month":
        months, ragged = _parts(query, latest)
        found = {}
        if months is not None:
            rows = _in_months(query, "all", months).values_list("month", "donors_deferred")
            found = {_as_date(month): n for month, n in rows}
        extra = (
            _in_days(DonorDay, query, ragged)
            .filter(deferred__gt=0)
            .values(key=KEYS["month"])
            .annotate(n=Count("donor_id", distinct=True))
            .values_list("key", "n")
        )
        for month, n in extra:
            found[_as_date(month)] = found.get(_as_date(month), 0) + n
        return found
    if by in ("unit", "blood_group") and _ends_today(query, latest):
        own = by == "unit"
        rows = _counts(query, "own_deferred" if own else "deferred", own=own)
        key = "unit_id" if own else "blood_group"
        return dict(rows.values(key).annotate(n=Sum("donors")).values_list(key, "n"))
    return dict(
        rollup(DonorDay, query)
        .filter(deferred__gt=0)
        .values(key=KEYS[by])
        .annotate(n=Count("donor_id", distinct=True))
        .values_list("key", "n")
    )


def units_deferred(query: DashboardQuery, unit_ids: list) -> dict:
    """``collection_by(query, "unit")``'s donors deferred for the units ``unit_ids`` only
    (unit id → donors): the page shows the units with the most units collected, and a
    state's count for its 1,000 stations read every deferral of the range."""
    if not unit_ids:
        return {}
    latest = query.latest_day
    if _ends_today(query, latest):
        rows = _counts(query, "own_deferred", own=True).filter(unit_id__in=unit_ids)
        return dict(rows.values("unit_id").annotate(n=Sum("donors")).values_list("unit_id", "n"))
    return dict(
        rollup(DonorDay, query)
        .filter(deferred__gt=0, unit_id__in=unit_ids)
        .values(key=KEYS["unit"])
        .annotate(n=Count("donor_id", distinct=True))
        .values_list("key", "n")
    )


def units_most_units(
    query: DashboardQuery, n: int, *, deferred: bool = False
) -> tuple[list[Row], int]:
    """The page's "Units by police unit": the first ``n`` rows of ``collection_by(query,
    "unit")`` (the most units first, then by name), and how many rows there are. A state
    has 1,000 stations: only the first ``n`` and those tied with the last are labelled, and
    their donors deferred counted for them only."""
    counted = _counted_by(query, "unit", query.latest_day)
    total = len(counted)
    if total > n:
        floor = sorted((units for units, _donations in counted.values()), reverse=True)[n - 1]
        counted = {key: value for key, value in counted.items() if value[0] >= floor}
    rows = _ordered("unit", _rows("unit", counted, {}), query)[:n]
    found = units_deferred(query, [row.key for row in rows]) if deferred else {}
    for row in rows:
        row.donors_deferred = found.get(row.key, 0) if deferred else None
    return rows, total


def collection_by(query: DashboardQuery, by: str, *, deferred: bool = True) -> list[Row]:
    """The range's donations grouped ``by`` month (every month of the range, empty ones
    too), police unit, blood group, camp or blood centre: a few queries, one more with
    labels. ``deferred``: count each row's donors deferred too (else None: a page that does
    not show them spares the count)."""
    if by not in KEYS:
        raise ValueError(f"unknown grouping {by!r}")
    latest = query.latest_day
    counted = _counted_by(query, by, latest)
    donors = _deferred_by(query, by, latest) if deferred else {}
    rows = _ordered(by, _rows(by, counted, donors), query)
    if not deferred:
        for row in rows:
            row.donors_deferred = None
    return rows


def camps_most_units(
    query: DashboardQuery, n: int, *, deferred: bool = False
) -> tuple[list[Row], int]:
    """The page's "Units by camp": ``collection_by(query, "camp")``'s rows with the most
    units, then donations, then by label, the first ``n`` of them; and how many rows there
    are. The same counts, summed and ranked by the database (a state's five years hold
    20,000 camps): only the first ``n`` and any tied with the last come back, and only
    they are labelled."""
    months, ragged = _parts(query, query.latest_day)
    parts = []
    if months is not None:
        parts.append(
            _in_months(query, "camp", months)
            .values(key=F("camp_id"))
            .annotate(u=Sum("units"), d=Sum("donations"))
        )
    if ragged:
        parts.append(
            _in_days(CollectionDay, query, ragged)
            .values(key=F("camp_id"))
            .annotate(u=Coalesce(Sum("donations", filter=COLLECTED), 0), d=Sum("donations"))
        )
    sql, params = [], []
    for part in parts:
        try:
            part_sql, part_params = part.query.sql_with_params()
        except EmptyResultSet:  # a scope that sees nothing
            continue
        sql.append(part_sql)
        params += part_params
    found, total = {}, 0
    if sql:
        # RANK keeps every camp tied with the n-th; the window counts the camps.
        ranked = (
            "SELECT key, u, d, total FROM (SELECT key, SUM(u) AS u, SUM(d) AS d,"  # noqa: S608
            " COUNT(*) OVER () AS total, RANK() OVER (ORDER BY SUM(u) DESC, SUM(d) DESC) AS r"
            f" FROM ({' UNION ALL '.join(sql)}) AS parts GROUP BY key HAVING SUM(d) > 0)"
            " AS ranked WHERE r <= %s"
        )
        with connection.cursor() as cursor:
            cursor.execute(ranked, [*params, n])
            top = cursor.fetchall()
        found = {key: [units, donations] for key, units, donations, _total in top}
        total = top[0][3] if top else 0
    donors = _deferred_by(query, "camp", query.latest_day) if deferred else {}
    rows = sorted(
        _rows("camp", found, donors), key=lambda row: (-row.units, -row.donations, row.label)
    )[:n]
    if not deferred:
        for row in rows:
            row.donors_deferred = None
    return rows, total


def _rows(by: str, counted: dict, donors: dict) -> list[Row]:
    """A breakdown's rows from its counts (key → [units, donations]) and donors deferred,
    labelled (one query for the labels' names, none by month or group)."""
    names = _names(by, list(counted))
    rows = []
    for key, (units, donations) in counted.items():
        item = {"key": key}
        name = names.get(key)
        if isinstance(name, dict):
            item |= name
        elif name is not None:
            item["name"] = name
        rows.append(
            Row(
                key=key,
                label=_label(by, item),
                units=units,
                donations=donations,
                donors_deferred=donors.get(key, 0),
                extra={"held_on": item["held_on"].isoformat()} if item.get("held_on") else {},
            )
        )
    return rows


def _label(by: str, item: dict) -> str:
    key = item["key"]
    if by == "month":
        return date_format(_as_date(key), "M Y")
    if by == "blood_group":
        return key or _("Unknown")
    if by == "camp" and key is None:
        return _("At a blood centre (no camp)")
    if key is None:
        return _("Unknown")
    if by == "camp":
        # The day as the reader's language writes it (23 Nov 2026, 23/11/2026): strftime's
        # %b is English whatever the language.
        return f"{item['name']} ({date_format(item['held_on'], 'DATE_FORMAT')})"
    return item["name"]


def _as_date(value) -> date:
    # TruncMonth gives a date on a DateField, but a datetime on some backends' drivers.
    return value.date() if isinstance(value, datetime) else value


def months_between(start: date, end: date) -> list[date]:
    """The first day of every month from ``start``'s to ``end``'s."""
    months, month = [], start.replace(day=1)
    while month <= end:
        months.append(month)
        month = (month + timedelta(days=32)).replace(day=1)
    return months


def _ordered(by: str, rows: list[Row], query: DashboardQuery) -> list[Row]:
    if by == "month":
        found = {_as_date(row.key): row for row in rows}
        return [
            found.get(month) or Row(key=month, label=date_format(month, "M Y"))
            for month in months_between(query.start, query.end)
        ]
    if by == "blood_group":
        order = {group: i for i, group in enumerate(GROUP_ORDER)}
        return sorted(rows, key=lambda row: order.get(row.key, len(order)))
    if by == "camp":
        return sorted(
            rows, key=lambda row: (row.key is None, row.extra.get("held_on", ""), row.label)
        )
    return sorted(rows, key=lambda row: (-row.units, row.label))


# --- camps and donors --------------------------------------------------------------------


def camps_in(query: DashboardQuery) -> QuerySet:
    """Camps of the range organised by units in scope (the blood group does not apply)."""
    return query.narrow(Camp.objects.all()).filter(held_on__gte=query.start, held_on__lte=query.end)


def camp_summary(query: DashboardQuery) -> dict[str, int]:
    """Camps held (open or closed), still planned, and cancelled in the range: one query."""
    return camps_in(query).aggregate(
        camps_held=Count("pk", filter=Q(status__in=HELD)),
        camps_planned=Count("pk", filter=Q(status=CampStatus.PLANNED)),
        camps_cancelled=Count("pk", filter=Q(status=CampStatus.CANCELLED)),
    )


def camps_by_unit(query: DashboardQuery) -> list[Row]:
    """Camps held in the range per organising unit, most first: one query."""
    counted = (
        camps_in(query)
        .filter(status__in=HELD)
        .order_by()
        .values("unit", "unit__name")
        .annotate(camps=Count("pk"))
        .order_by("-camps", "unit__name")
    )
    return [
        Row(key=item["unit"], label=item["unit__name"], extra={"camps": item["camps"]})
        for item in counted
    ]


def donors_registered(query: DashboardQuery) -> int:
    """Donors whose record was created in the range (days in Asia/Kolkata), of units in the
    subtree, of the blood group when one is named. Erased donors still count (erasure keeps
    the counts). Whole months from ``CollectionMonth``, ragged ends from
    ``RegistrationDay``: two queries."""
    months, ragged = _parts(query, query.latest_day)
    whole = _in_months(query, "all", months).aggregate(n=Coalesce(Sum("donors_registered"), 0))
    rest = _in_days(RegistrationDay, query, ragged).aggregate(n=Coalesce(Sum("donors"), 0))
    return whole["n"] + rest["n"]


def collection_totals(query: DashboardQuery) -> dict[str, int]:
    """Every collection total of the range, as the API's ``totals`` and the page's cards."""
    return {
        **collection_summary(query),
        **camp_summary(query),
        "donors_registered": donors_registered(query),
    }
