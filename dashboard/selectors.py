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

The children's side (need, forecast, supply risk) is in ``dashboard/demand.py``.
"""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.scoping import for_user, in_subtree, units_for_user
from camps.choices import CampStatus
from camps.models import Camp
from camps.selectors import GROUP_ORDER
from donors.choices import DRAWN_OUTCOMES, DonationOutcome
from donors.models import Donation, Donor

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
    donors_deferred: int = 0  # donors deferred at screening
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


# --- donations ---------------------------------------------------------------------------


def donations_in(query: DashboardQuery) -> QuerySet:
    """Donations of the range credited to a unit in scope (see the module docstring), of
    donors of the blood group when the filter names one. Every collection figure starts
    here."""
    donations = Donation.objects.alias(
        credited_unit=Coalesce(F("camp__unit"), F("donor__unit"), output_field=IntegerField())
    ).filter(
        credited_unit__in=query.units().values("pk"),
        donated_on__gte=query.start,
        donated_on__lte=query.end,
    )
    if query.blood_group:
        donations = donations.filter(donor__blood_group=query.blood_group)
    return donations.order_by()


def collection_summary(query: DashboardQuery) -> dict[str, int]:
    """Units collected, donations, and donors who donated, were deferred, gave for the first
    time or again, in one query.

    A donor who donated in the range is a **repeat** donor when blood was drawn from them
    before the range began (in the portal, or by their word outside it: the camp report's
    rule, taken from the range's first day); otherwise **first-time**, even if they gave
    twice within the range."""
    earlier = Donation.objects.filter(
        donor=OuterRef("donor"), outcome__in=DRAWN_OUTCOMES, donated_on__lt=query.start
    )
    repeat = Q(drawn_before=True) | Q(donor__external_last_donation_on__lt=query.start)
    totals = (
        donations_in(query)
        .alias(drawn_before=Exists(earlier))
        .aggregate(
            units=Count("pk", filter=COLLECTED),
            donations=Count("pk"),
            donors_donated=Count("donor", distinct=True, filter=COLLECTED),
            donors_deferred=Count("donor", distinct=True, filter=DEFERRED),
            repeat_donors=Count("donor", distinct=True, filter=COLLECTED & repeat),
        )
    )
    totals["first_time_donors"] = totals["donors_donated"] - totals["repeat_donors"]
    return totals


def _grouping(by: str) -> dict:
    """The key and label expressions of a breakdown."""
    if by == "month":
        return {"key": TruncMonth("donated_on")}
    if by == "unit":
        return {
            "key": F("credited_unit"),
            "name": Coalesce(F("camp__unit__name"), F("donor__unit__name")),
        }
    if by == "blood_group":
        return {"key": F("donor__blood_group")}
    if by == "camp":
        return {"key": F("camp"), "name": F("camp__name"), "held_on": F("camp__held_on")}
    if by == "blood_centre":
        return {
            "key": Coalesce(F("blood_centre"), F("camp__blood_centre")),
            "name": Coalesce(F("blood_centre__name"), F("camp__blood_centre__name")),
        }
    raise ValueError(f"unknown grouping {by!r}")


def collection_by(query: DashboardQuery, by: str) -> list[Row]:
    """The range's donations grouped ``by`` month (every month of the range, empty ones
    too), police unit, blood group, camp or blood centre, in one query."""
    counted = (
        donations_in(query)
        .values(**_grouping(by))
        .annotate(
            units=Count("pk", filter=COLLECTED),
            donations=Count("pk"),
            donors_deferred=Count("donor", distinct=True, filter=DEFERRED),
        )
    )
    rows = [
        Row(
            key=item["key"],
            label=_label(by, item),
            units=item["units"],
            donations=item["donations"],
            donors_deferred=item["donors_deferred"],
            extra={"held_on": item["held_on"].isoformat()} if item.get("held_on") else {},
        )
        for item in counted
    ]
    return _ordered(by, rows, query)


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
        return f"{item['name']} ({item['held_on']:%d %b %Y})"
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
    the counts). One query."""
    zone = timezone.get_current_timezone()
    since = datetime.combine(query.start, time.min, tzinfo=zone)
    before = datetime.combine(query.end + timedelta(days=1), time.min, tzinfo=zone)
    donors = query.narrow(Donor.objects.all()).filter(created_at__gte=since, created_at__lt=before)
    if query.blood_group:
        donors = donors.filter(blood_group=query.blood_group)
    return donors.count()


def collection_totals(query: DashboardQuery) -> dict[str, int]:
    """Every collection total of the range, as the API's ``totals`` and the page's cards."""
    return {
        **collection_summary(query),
        **camp_summary(query),
        "donors_registered": donors_registered(query),
    }
