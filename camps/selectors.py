"""Reads of the camps app. A camp's totals are counted in the database from its donations,
never typed: the camp page, the camp table, the report and the API all read ``totals_for``."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import (
    Aggregate,
    Case,
    CharField,
    Count,
    Exists,
    F,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, Concat

from accounts.scoping import for_user
from donors.choices import DRAWN_OUTCOMES, BloodGroup, DonationOutcome
from donors.models import Donation

from .models import BloodCentre, Camp, Hospital, HospitalContact

# Report order of the groups: ABO then RhD, Bombay, and the not-yet-typed last.
GROUP_ORDER = [value for value in BloodGroup.values if value] + [""]


def camps_for(user) -> QuerySet:
    """The camps ``user`` may see: those organised by units in its subtree."""
    return for_user(Camp.objects.select_related("unit", "blood_centre"), user)


def with_counts(queryset: QuerySet) -> QuerySet:
    """Camps with ``n_registered``, ``n_deferred`` and ``n_collected``, in the same query:
    the camp list and the API list read them."""
    return queryset.annotate(
        n_registered=Count("donations"),
        n_deferred=Count("donations", filter=Q(donations__outcome=DonationOutcome.DEFERRED)),
        n_collected=Count("donations", filter=Q(donations__outcome=DonationOutcome.COLLECTED)),
    )


@dataclass
class CampTotals:
    registered: int = 0
    deferred: int = 0
    collected: int = 0  # units (bags)
    adverse: int = 0
    reactions: int = 0  # entries with an adverse reaction noted (Donation.reaction)
    first_time: int = 0
    repeat: int = 0
    by_group_bag: dict = field(default_factory=dict)  # (group, bag ml) → collected units

    @property
    def by_group(self) -> dict:
        out = defaultdict(int)
        for (group, _bag), units in self.by_group_bag.items():
            out[group] += units
        return {group: out[group] for group in GROUP_ORDER if out.get(group)}

    @property
    def by_bag(self) -> dict:
        out = defaultdict(int)
        for (_group, bag), units in self.by_group_bag.items():
            out[bag] += units
        return dict(sorted(out.items(), key=lambda item: item[0] or 0))

    @property
    def bag_sizes(self) -> list:
        return list(self.by_bag)

    def table(self) -> list:
        """Rows ``(group, [units per bag size…], total)`` for the report, in group order."""
        sizes = self.bag_sizes
        return [
            (group, [self.by_group_bag.get((group, size), 0) for size in sizes], total)
            for group, total in self.by_group.items()
        ]

    def as_dict(self) -> dict:
        return {
            "registered": self.registered,
            "deferred": self.deferred,
            "units_collected": self.collected,
            "adverse_reactions": self.adverse,
            "reactions_noted": self.reactions,
            "first_time_donors": self.first_time,
            "repeat_donors": self.repeat,
            "units_by_blood_group": {group or "unknown": n for group, n in self.by_group.items()},
            "units_by_bag_ml": {str(bag or "unknown"): n for bag, n in self.by_bag.items()},
        }


def totals_for(camp_ids) -> dict[int, CampTotals]:
    """Totals of each camp in ``camp_ids`` in two queries, whatever the number of camps or
    donations. A donor is a repeat donor when blood was drawn from them before the camp's
    day (in the portal or, by their word, outside it)."""
    camp_ids = list(camp_ids)
    totals = {camp_id: CampTotals() for camp_id in camp_ids}
    if not camp_ids:
        return totals
    earlier = Donation.objects.filter(
        donor=OuterRef("donor"), outcome__in=DRAWN_OUTCOMES, donated_on__lt=OuterRef("donated_on")
    )
    repeat = _is_repeat()
    rows = (
        Donation.objects.filter(camp_id__in=camp_ids)
        .alias(has_earlier=Exists(earlier))
        .order_by()
        .values("camp_id")
        .annotate(
            registered=Count("pk"),
            deferred=Count("pk", filter=Q(outcome=DonationOutcome.DEFERRED)),
            collected=Count("pk", filter=Q(outcome=DonationOutcome.COLLECTED)),
            adverse=Count("pk", filter=Q(outcome=DonationOutcome.ADVERSE_REACTION)),
            reactions=Count("pk", filter=~Q(reaction="")),
            repeat=Count("pk", filter=repeat),
        )
    )
    for row in rows:
        t = totals[row["camp_id"]]
        t.registered, t.deferred = row["registered"], row["deferred"]
        t.collected, t.adverse = row["collected"], row["adverse"]
        t.reactions = row["reactions"]
        t.repeat = row["repeat"]
        t.first_time = t.registered - t.repeat
    cells = (
        Donation.objects.filter(camp_id__in=camp_ids, outcome=DonationOutcome.COLLECTED)
        .order_by()
        .values("camp_id", "donor__blood_group", "bag_volume_ml")
        .annotate(units=Count("pk"))
    )
    for cell in cells:
        key = (cell["donor__blood_group"], cell["bag_volume_ml"])
        totals[cell["camp_id"]].by_group_bag[key] = cell["units"]
    return totals


def camp_totals(camp: Camp) -> CampTotals:
    return totals_for([camp.pk])[camp.pk]


def _is_repeat() -> Q:
    """On a camp's donation (aliased ``has_earlier``): a repeat donor's, as ``totals_for``
    counts them."""
    return Q(has_earlier=True) | Q(donor__external_last_donation_on__lt=F("donated_on"))


class _Joined(Aggregate):
    """The rows' values as one comma-separated string (PostgreSQL's ``string_agg``,
    SQLite's ``group_concat``); NULLs are left out."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return self.as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


PANEL_FIELDS = (
    "donor__name",
    "donor__blood_group",
    "outcome",
    "bag_number",
    "bag_volume_ml",
    "reaction",
    "recorded_by_id",
    "recorded_at",
)


def table_panel(camp: Camp, recent: int) -> tuple[CampTotals, list]:
    """The camp table's panel in ONE query: the ``recent`` latest entries (as
    ``camp_donations``), each row carrying the whole camp's counts as window aggregates
    over all its donations, the units by group and bag as one joined "group:bag" list
    counted here; the same figures as ``camp_totals``, which the camp page and the report
    read."""
    earlier = Donation.objects.filter(
        donor=OuterRef("donor"), outcome__in=DRAWN_OUTCOMES, donated_on__lt=OuterRef("donated_on")
    )
    collected = Q(outcome=DonationOutcome.COLLECTED)
    counts = {
        "registered": Count("pk"),
        "deferred": Count("pk", filter=Q(outcome=DonationOutcome.DEFERRED)),
        "collected": Count("pk", filter=collected),
        "adverse": Count("pk", filter=Q(outcome=DonationOutcome.ADVERSE_REACTION)),
        "reactions": Count("pk", filter=~Q(reaction="")),
        "repeat": Count("pk", filter=_is_repeat()),
    }
    cell = Concat(
        "donor__blood_group",
        Value(":"),
        Coalesce(Cast("bag_volume_ml", CharField()), Value("")),
        output_field=CharField(),
    )
    counts["cells"] = _Joined(Case(When(collected, then=cell), output_field=CharField()))
    # What _entries.html shows of each entry: no more (the recorder by id only).
    entries = (
        Donation.objects.filter(camp=camp)
        .select_related("donor")
        .only(*PANEL_FIELDS)
        .order_by("-recorded_at", "-id")
    )
    rows = list(
        entries.alias(has_earlier=Exists(earlier)).annotate(
            **{f"camp_{name}": Window(count) for name, count in counts.items()}
        )[:recent]
    )
    totals = CampTotals()
    if rows:
        first = rows[0]
        for name in ("registered", "deferred", "collected", "adverse", "reactions", "repeat"):
            setattr(totals, name, getattr(first, f"camp_{name}"))
        totals.first_time = totals.registered - totals.repeat
        cells = Counter(filter(None, (first.camp_cells or "").split(",")))
        for key, units in cells.items():
            group, _, bag = key.rpartition(":")
            totals.by_group_bag[(group, int(bag) if bag else None)] = units
    return totals, rows


def camp_donations(camp: Camp) -> QuerySet:
    """The camp's donations, whatever the donor's home unit (the camp being in scope)."""
    return (
        Donation.objects.filter(camp=camp)
        .select_related("donor", "recorded_by")
        .order_by("-recorded_at", "-id")
    )


def camps_in_month(queryset: QuerySet, first_day: date) -> dict[date, list]:
    """The camps of ``queryset`` held in the month starting ``first_day``, by day."""
    if first_day.month == 12:
        next_month = first_day.replace(year=first_day.year + 1, month=1)
    else:
        next_month = first_day.replace(month=first_day.month + 1)
    days = defaultdict(list)
    for camp in queryset.filter(held_on__gte=first_day, held_on__lt=next_month).order_by(
        "held_on", "starts_at", "id"
    ):
        days[camp.held_on].append(camp)
    return days


def blood_centres() -> QuerySet:
    """Partners: every signed-in user may read them."""
    return BloodCentre.objects.order_by("name")


def hospitals() -> QuerySet:
    # Contacts in name order, for the pages and the API alike, in one more query.
    contacts = Prefetch("contacts", queryset=HospitalContact.objects.order_by("name"))
    return Hospital.objects.prefetch_related(contacts).order_by("name")


def report_donations(camp: Camp) -> QuerySet:
    """The camp's donations for the report, each marked ``is_repeat``, in one query."""
    earlier = Donation.objects.filter(
        donor=OuterRef("donor"), outcome__in=DRAWN_OUTCOMES, donated_on__lt=OuterRef("donated_on")
    )
    return (
        Donation.objects.filter(camp=camp)
        .select_related("donor")
        .annotate(has_earlier=Exists(earlier))
        .order_by("recorded_at", "id")
    )
