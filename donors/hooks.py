"""Hooks the donors app publishes, so the rooms above it learn of a donor's facts without
``donors`` importing them (DESIGN.md: "consequences cross rooms without imports that run
up").

Two of them:

- ``donor_unavailable``, a signal sent by the services (``donations.donation_record`` and
  ``services.deferral_create``, whatever path called them) when a donor becomes unable to
  give for a window: after blood was drawn, for the donor's interval; after a deferral,
  until it ends (permanent: open-ended). thalassemia subscribes and releases the donor's
  bookings for children in that window.
- commitments: rooms that book donors (thalassemia's assignments) register a provider, and
  lower rooms (the camp table, the donors' and camps' reminder scans) ask "which live
  commitments does this donor hold?" one donor at a time (``commitments_for``) or as a
  subquery for a whole scan (``committed_donor_ids``), without knowing who answers.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Protocol

from django.db.models import Q, QuerySet
from django.dispatch import Signal

from .choices import DRAWN_OUTCOMES, DonationKind, Sex
from .eligibility import Rules, profiles

# Sent with: donor, starts_on, until (the first day the donor may give again; None:
# open-ended), cause ("donation" or "deferral"), on (the day of the event), at_camp (the
# donation was a camp's), actor. The sender is the Donation or Deferral model.
donor_unavailable = Signal()

# Sent with: donor, through ("code": the donor typed the SMS code of the pledge page;
# "staff"), by ``services.donor_verify`` the first time a number is proven the donor's.
# camps subscribes: the pledge's acknowledgement names the nearest planned camp.
donor_verified = Signal()

# Sent with: donors (a Donor queryset), by ``unit_rules.follow_unit_rules`` once their unit's
# donor rules changed and their standing was computed again under the new ones: a booking
# that the new interval now makes impossible is released by its room (thalassemia).
donor_rules_changed = Signal()

DONATION = "donation"
DEFERRAL = "deferral"


def unavailable_until(donor, on: date, kind: str = DonationKind.WHOLE_BLOOD) -> date:
    """The first day ``donor`` may give whole blood again after giving ``kind`` on ``on``:
    the interval by sex (whole blood), or the switch gap (apheresis); the same numbers
    eligibility uses. Booked donations for children are whole blood."""
    rules = Rules.for_profile(donor.rules_profile)
    if kind == DonationKind.APHERESIS:
        return on + timedelta(days=rules.switch_days)
    return on + timedelta(days=rules.interval_days[donor.sex])


def until_by_sex(on: date) -> dict[str, date]:
    """For a scan: the end of a whole-blood donation's interval from ``on``, per sex; where
    units hold other rules (issue 17), the longest profile's, so a scan errs on the side of
    leaving a committed donor alone."""
    days = {sex: max(Rules.for_profile(p).interval_days[sex] for p in profiles()) for sex in Sex}
    return {sex: on + timedelta(days=days[sex]) for sex in Sex}


def donation_made(donation, *, actor=None) -> None:
    """Tell subscribers that ``donation`` (blood drawn) leaves its donor unable to give for
    their interval."""
    if donation.outcome not in DRAWN_OUTCOMES:
        return
    donor_unavailable.send(
        sender=type(donation),
        donor=donation.donor,
        starts_on=donation.donated_on,
        until=unavailable_until(donation.donor, donation.donated_on, donation.kind),
        cause=DONATION,
        on=donation.donated_on,
        at_camp=donation.camp_id is not None,
        actor=actor,
    )


def deferral_made(deferral, *, actor=None) -> None:
    """Tell subscribers that ``deferral`` leaves its donor unable to give until it ends."""
    donor_unavailable.send(
        sender=type(deferral),
        donor=deferral.donor,
        starts_on=deferral.starts_on,
        until=deferral.until,
        cause=DEFERRAL,
        on=deferral.starts_on,
        at_camp=False,
        actor=actor,
    )


# --- commitments -------------------------------------------------------------------------


@dataclass(frozen=True)
class Commitment:
    """A promise a donor holds: what (e.g. "transfusion"), for whom (a child's first name
    only: the rooms asking are staff's, who keep no children's records), on which date, and
    a reference for the audit log ("assignment:12")."""

    what: str
    whom: str
    on: date
    ref: str


class CommitmentProvider(Protocol):
    def commitments_for(self, donor, starts_on: date, until: date | None) -> list[Commitment]:
        """The donor's live commitments dated from ``starts_on``, before ``until`` (None:
        any later date)."""

    def committed_donor_ids(self, on: date, until: dict[str, date]) -> QuerySet:
        """A values("donor_id")-style queryset of donors holding a live commitment that
        giving on ``on`` would clash with: one dated before ``until[sex]`` that still
        blocks ``on``."""


_providers: list[CommitmentProvider] = []


def register_commitments(provider: CommitmentProvider) -> None:
    """Called from an AppConfig.ready(); registering the same provider twice is harmless."""
    if provider not in _providers:
        _providers.append(provider)


def commitments_for(donor, starts_on: date, until: date | None) -> list[Commitment]:
    """Every provider's live commitments of ``donor`` dated within [starts_on, until), in
    date order: what a donation on ``starts_on`` would make impossible."""
    found = [c for p in _providers for c in p.commitments_for(donor, starts_on, until)]
    return sorted(found, key=lambda c: (c.on, c.ref))


def committed(on: date, until: dict[str, date] | None = None) -> Q:
    """A filter on Donor: holds a live commitment that giving whole blood on ``on`` would
    clash with (within the new interval, by sex). One subquery per provider, so a scan
    excludes them all in its own query: ``donors.exclude(committed(day))``."""
    until = until or until_by_sex(on)
    condition = Q(pk__in=[])
    for provider in _providers:
        condition |= Q(pk__in=provider.committed_donor_ids(on, until))
    return condition


def committed_donor_ids(on: date, until: dict[str, date] | None = None) -> QuerySet:
    """The pks of donors ``committed`` on ``on``, as a subquery (``.exclude(pk__in=…)``)."""
    from .models import Donor

    return Donor.objects.filter(committed(on, until)).values("pk")
