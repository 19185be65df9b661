"""The match list as it was ranked before issue 12 (every candidate loaded with its history
and explained in Python), kept verbatim as the reference that
tests/thalassemia/test_matching_parity.py holds ``thalassemia.matching.match_donors`` equal
to on random data: the same donors, in the same order, with the same reasons."""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Case, Count, DateField, Exists, F, OuterRef, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.scoping import for_user
from donors import compatibility
from donors.eligibility import Rules, check_eligibility
from donors.models import Donor
from donors.selectors import eligible_on, facts_for, with_eligibility_facts
from thalassemia.choices import LIVE_ASSIGNMENT
from thalassemia.matching import (
    NEVER_MONTHS,
    Suggestion,
    _antigens,
    _d,
    _phenotype_fit,
    antibody_clash,
    guardian_phones,
)
from thalassemia.models import Assignment, DonorCircle, Patient


def _old_candidates(patient: Patient, on: date, *, user=None):
    """Compatible, eligible, available, unbooked donors of the child's force (its district
    or commissionerate) who are not the child's guardians, filtered in the database and
    roughly pre-ranked there (verified, identical group, circle, longest rest, same unit), at
    most THAL_MATCH_CANDIDATES of them, with eligibility facts prefetched: the eligible pool
    is read from each donor's stored standing (``Donor.next_eligible_on``, a range scan of
    the per-group partial indexes), so a state of 1,000,000 donors costs the same few
    queries and bounded memory; the Python ranking only sees those candidates."""
    groups = compatibility.donor_groups_for(patient.blood_group)
    queryset = Donor.objects.filter(blood_group__in=groups, opted_out_at__isnull=True)
    queryset = queryset.exclude(unavailable_until__gte=on).exclude(
        phone__in=list(guardian_phones(patient))
    )
    force = patient.unit.force() if patient.unit_id else None
    if force is not None:
        queryset = queryset.filter(unit__path__startswith=force.path)
    if user is not None:
        queryset = for_user(queryset, user)
    interval = Rules.from_settings().interval_days
    # Booked: a live assignment overlapping the days a new one from ``on`` would block.
    live = Assignment.objects.filter(
        donor=OuterRef("pk"),
        status__in=LIVE_ASSIGNMENT,
        blocks_until__gt=on,
        on__lt=OuterRef("match_booking_until"),
    )
    booking_until = Case(
        *(When(sex=sex, then=Value(on + timedelta(days=d))) for sex, d in interval.items()),
        output_field=DateField(),
    )
    in_circle = DonorCircle.objects.filter(patient=patient, donor=OuterRef("pk"))
    queryset = (
        eligible_on(queryset, on)
        .alias(match_booking_until=booking_until)
        .filter(~Exists(live))
        .annotate(
            match_verified=Case(When(verified_at__isnull=False, then=Value(1)), default=Value(0)),
            match_identical=Case(
                When(blood_group=patient.blood_group, then=Value(1)), default=Value(0)
            ),
            match_in_circle=Exists(in_circle),
            match_same_unit=Case(When(unit_id=patient.unit_id, then=Value(1)), default=Value(0)),
        )
        .order_by(
            "-match_verified",
            "-match_identical",
            "-match_in_circle",
            F("last_donated_on").asc(nulls_first=True),  # stored, with the outside one
            "-match_same_unit",
            "pk",
        )
    )
    cap = settings.THAL_MATCH_CANDIDATES
    return with_eligibility_facts(queryset.select_related("unit")[:cap])


def _recent_requests(donor_ids, today: date) -> dict[int, int]:
    since = today - timedelta(days=settings.THAL_RECENT_REQUEST_DAYS)
    rows = (
        Assignment.objects.filter(donor_id__in=donor_ids, created_at__date__gt=since)
        .values("donor_id")
        .annotate(n=Count("id"))
        .values_list("donor_id", "n")
    )
    return dict(rows)


def _last_donation(donor: Donor) -> date | None:
    dates = [d.donated_on for d in donor.drawn_donations]
    if donor.external_last_donation_on:
        dates.append(donor.external_last_donation_on)
    return max(dates, default=None)


def old_match_donors(
    patient: Patient, on: date, *, user=None, limit: int | None = None, today: date | None = None
) -> list[Suggestion]:
    """Donors to ask for ``patient``'s transfusion on ``on``, best first, each with reasons.

    A fixed number of queries whatever the number of donors: guardians, candidates with
    their eligibility facts (three), circle, recent requests."""
    today = today or timezone.localdate()
    limit = limit or settings.THAL_MATCH_LIMIT
    if not patient.blood_group:
        return []
    donors = [
        d
        for d in _old_candidates(patient, on, user=user)
        if check_eligibility(facts_for(d), on).eligible
    ]
    donors = [d for d in donors if not antibody_clash(patient, d)]
    circle = {member.donor_id: member for member in DonorCircle.objects.filter(patient=patient)}
    recent = _recent_requests([d.pk for d in donors], today)
    urgent = (on - today).days * 24 <= settings.THAL_LIVING_BANK_HOURS
    child_antigens = _antigens(patient.phenotype)
    suggestions = [
        _old_suggest(patient, d, on, circle, recent, urgent, child_antigens, today) for d in donors
    ]
    suggestions.sort(key=Suggestion.sort_key)
    return suggestions[:limit]


def _old_suggest(patient, donor, on, circle, recent, urgent, child_antigens, today) -> Suggestion:
    s = Suggestion(donor=donor, verified=donor.verified_at is not None)
    if not s.verified:
        s.reasons.append(_("Unverified number."))
    s.identical = compatibility.identical(patient.blood_group, donor.blood_group)
    if s.identical:
        s.reasons.append(_("Identical group %(group)s.") % {"group": donor.blood_group})
    else:
        s.reasons.append(
            _("Compatible group %(group)s (not identical).") % {"group": donor.blood_group}
        )
    s.reasons.append(_("May donate on %(date)s (pre-screen).") % {"date": _d(on)})
    member = circle.get(donor.pk)
    if member is not None:
        s.in_circle = True
        s.circle_key = (member.last_asked_on or date.min, member.order)
        if member.last_asked_on:
            s.reasons.append(
                _("In the child's donor circle; last asked %(date)s.")
                % {"date": _d(member.last_asked_on)}
            )
        else:
            s.reasons.append(_("In the child's donor circle; not asked yet."))
    s.mismatches, text = _phenotype_fit(child_antigens, _antigens(donor.phenotype))
    if text:
        s.reasons.append(text)
    s.recent_requests = recent.get(donor.pk, 0)
    days = settings.THAL_RECENT_REQUEST_DAYS
    if s.recent_requests:
        s.reasons.append(
            ngettext(
                "Asked once in the last %(days)s days.",
                "Asked %(count)s times in the last %(days)s days.",
                s.recent_requests,
            )
            % {"count": s.recent_requests, "days": days}
        )
    else:
        s.reasons.append(_("Not asked in the last %(days)s days.") % {"days": days})
    last = _last_donation(donor)
    if last is None:
        s.reasons.append(_("No donation on record."))
    else:
        s.months_rested = min((today - last).days // 30, NEVER_MONTHS - 1)
        s.reasons.append(_("Last donated %(date)s.") % {"date": _d(last)})
    s.same_unit = donor.unit_id == patient.unit_id
    if s.same_unit:
        s.reasons.append(_("Same police unit as the child."))
    if urgent and donor.living_blood_bank:
        s.living_bank_first = True
        s.reasons.append(
            _("Living blood bank member: the transfusion is within %(hours)s hours.")
            % {"hours": settings.THAL_LIVING_BANK_HOURS}
        )
    return s
