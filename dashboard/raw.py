"""The dashboard's figures counted from the raw rows, as the page counted them before the
roll-ups (issue 12). **Only the tests and the rebuild check use this module**: it is the
oracle every roll-up figure must equal (``tests/dashboard/test_rollups.py``). Keep it as it
is: a change of meaning goes into both this module and ``dashboard/selectors.py``.
"""

from datetime import date, datetime, time, timedelta

from django.db.models import Count, Exists, F, IntegerField, OuterRef, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone

from donors.choices import DRAWN_OUTCOMES
from donors.models import Donation, Donor
from thalassemia.choices import OPEN_TRANSFUSION, PatientStatus, TransfusionStatus
from thalassemia.models import Patient, Transfusion

from .selectors import (
    COLLECTED,
    DEFERRED,
    DashboardQuery,
    Row,
    _label,
    _ordered,
    camp_summary,
)

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


def children_summary(query: DashboardQuery, today: date | None = None) -> dict[str, int]:
    """``demand.children_summary`` as it counted from the raw transfusions."""
    today = today or timezone.localdate()
    transfusions = query.narrow(Transfusion.objects.all(), via="patient__unit")
    if query.blood_group:
        transfusions = transfusions.filter(patient__blood_group=query.blood_group)
    due = Q(due_on__gte=query.start, due_on__lte=query.end) & ~Q(status=TransfusionStatus.CANCELLED)
    given = Q(status=TransfusionStatus.DONE, done_on__gte=query.start, done_on__lte=query.end)
    figures = transfusions.aggregate(
        transfusions_due=Count("pk", filter=due),
        transfusions_done=Count("pk", filter=due & Q(status=TransfusionStatus.DONE)),
        transfusions_missed=Count("pk", filter=due & Q(status=TransfusionStatus.MISSED)),
        transfusions_overdue=Count(
            "pk", filter=due & Q(status__in=OPEN_TRANSFUSION, due_on__lt=today)
        ),
        units_transfused=Coalesce(Sum(Coalesce("units_given", "units_needed"), filter=given), 0),
    )
    patients = query.narrow(Patient.objects.all())
    if query.blood_group:
        patients = patients.filter(blood_group=query.blood_group)
    figures["children_active"] = patients.filter(status=PatientStatus.ACTIVE).count()
    return figures
