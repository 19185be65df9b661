"""A unit's donor rules changed (``accounts.unit_rules.rules_in_force_changed``: a unit set
or cleared its own profile, or moved below a unit of other rules): its donors take the new
profile, and their stored standing (``next_eligible_on``: the interval is the profile's) is
computed again under it, in the same transaction; then ``hooks.donor_rules_changed`` lets
the bookings follow (thalassemia). The eligible pool follows by itself: its
trigger recomputes the steps of every donor row the two updates touch, each under the
limits of its profile (``donors.pool``)."""

from . import hooks
from .models import Donor
from .standing import refresh_all


def follow_unit_rules(sender, changed: dict[str, list[int]], **kwargs) -> None:
    for profile, ids in changed.items():  # each donor row written once: profile and standing
        refresh_all(units=ids, profile=profile)
    unit_ids = [pk for ids in changed.values() for pk in ids]
    hooks.donor_rules_changed.send(sender=Donor, donors=Donor.objects.filter(unit_id__in=unit_ids))
