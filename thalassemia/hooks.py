"""What thalassemia hears from donors through donors.hooks, and what it answers.

- ``release_on_unavailable``: a donation or deferral (donors.hooks.donor_unavailable)
  releases the donor's bookings it makes impossible (booking.assignments_release_for_donor).
- ``AssignmentCommitments``: the donor's live assignments, as donors.hooks commitments, for
  the camp table's warning and the reminder scans.

Both are connected in ThalassemiaConfig.ready()."""

from datetime import date

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from donors.hooks import DONATION, Commitment

from .choices import LIVE_ASSIGNMENT
from .models import Assignment


def release_on_unavailable(
    sender, *, donor, starts_on, until, cause, on, at_camp=False, actor=None, **kwargs
):
    from .booking import assignments_release_for_donor

    # Blood given at a blood centre (not a camp) on the very day booked may be the booked
    # donation itself: that assignment is left for the coordinator to mark donated.
    spare_on = on if cause == DONATION and not at_camp else None
    assignments_release_for_donor(
        donor=donor,
        starts_on=starts_on,
        until=until,
        cause=cause,
        on=on,
        spare_on=spare_on,
        actor=actor,
    )


def follow_donor_rules(sender, *, donors, **kwargs):
    """Their unit's donor rules changed (donors.hooks.donor_rules_changed): each live
    booking of ``donors`` blocks the donor for the new interval, and one the new standing
    makes impossible (dated before the donor's ``next_eligible_on``: the interval from the
    last donation is longer now) is released, its coordinators told. Only donors holding a
    booking are read."""
    from django.utils import timezone

    from donors.hooks import DEFERRAL

    from .booking import assignments_release_for_donor, blocks_until

    today = timezone.localdate()
    live = list(
        Assignment.objects.filter(donor__in=donors, status__in=LIVE_ASSIGNMENT)
        .select_related("donor")
        .order_by("donor_id", "on")
    )
    changed, holders = [], {}
    for assignment in live:
        holders[assignment.donor_id] = assignment.donor
        until = blocks_until(assignment.donor, assignment.on)
        if assignment.blocks_until != until:
            assignment.blocks_until = until
            changed.append(assignment)
    Assignment.objects.bulk_update(changed, ["blocks_until"])
    for donor in holders.values():
        if donor.next_eligible_on is None or donor.next_eligible_on <= today:
            continue
        given = donor.last_donated_on
        assignments_release_for_donor(
            donor=donor,
            starts_on=today,
            until=donor.next_eligible_on,
            cause=DONATION if given else DEFERRAL,
            on=given or today,
            spare_on=given,  # a booking on the day given may be that very donation
        )


def first_name(name: str) -> str:
    return (name or "").split(" ")[0]


class AssignmentCommitments:
    """Live assignments (proposed, asked, confirmed) as the donors' commitments."""

    def commitments_for(self, donor, starts_on: date, until: date | None) -> list[Commitment]:
        rows = Assignment.objects.filter(
            donor=donor, status__in=LIVE_ASSIGNMENT, on__gte=starts_on
        ).select_related("transfusion__patient")
        if until is not None:
            rows = rows.filter(on__lt=until)
        return [
            Commitment(
                what=_("transfusion"),
                whom=first_name(a.transfusion.patient.name),
                on=a.on,
                ref=f"assignment:{a.pk}",
            )
            for a in rows.order_by("on", "id")
        ]

    def committed_donor_ids(self, on: date, until: dict[str, date]) -> QuerySet:
        clashes = Q()
        for sex, last in until.items():
            clashes |= Q(donor__sex=sex, on__lt=last)
        return (
            Assignment.objects.filter(status__in=LIVE_ASSIGNMENT, blocks_until__gt=on)
            .filter(clashes)
            .values("donor_id")
        )


commitments = AssignmentCommitments()
