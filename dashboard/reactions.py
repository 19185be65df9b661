"""Adverse reactions noted on donations (vasovagal, haematoma, other), for the dashboard.

Counted straight from the donations, not from the roll-up tables (``rollups.py``): a
reaction is noted after the entry, it is rare (a few in a hundred donations), and the count
is one indexed-range query. The donations are credited to a unit as the roll-ups credit
them (the camp's unit, else the donor's), in the user's scope and the filter's subtree.
"""

from django.db.models import Count, F, IntegerField, Q
from django.db.models.functions import Coalesce

from donors.choices import ReactionKind
from donors.models import Donation

from .selectors import DashboardQuery


def reactions_in(query: DashboardQuery) -> dict:
    """``{"total": n, "by_kind": [(label, n), …]}`` for the query's days, units and group."""
    donations = (
        Donation.objects.alias(
            credited_unit=Coalesce(F("camp__unit"), F("donor__unit"), output_field=IntegerField())
        )
        .filter(
            credited_unit__in=query.units().values("pk"),
            donated_on__gte=query.start,
            donated_on__lte=query.end,
        )
        .filter(~Q(reaction=""))
    )
    if query.blood_group:
        donations = donations.filter(donor__blood_group=query.blood_group)
    counted = dict(donations.order_by().values_list("reaction").annotate(n=Count("pk")))
    by_kind = [(kind.label, counted[kind.value]) for kind in ReactionKind if counted.get(kind)]
    return {"total": sum(counted.values()), "by_kind": by_kind}
