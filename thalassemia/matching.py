"""Which donors to ask for a child's transfusion on a date, best first, and why.

One function, ``match_donors``, serves the match-and-assign page and
``patients/{id}/matches/?on=DATE``. It never proposes a donor who is red-cell incompatible
(donors.compatibility), one of the child's guardians (relatives give to the general pool,
DOMAIN.md §2), not eligible on that date (donors.eligibility, prefiltered in SQL by
donors.selectors.eligible_on and confirmed by check_eligibility), opted out or away that
day, already booked within their donation interval, or carrying an antigen the child has an
antibody against. ``refusals`` answers the same for one donor: assigning by hand or through
the API is refused for exactly these reasons.

Ranking, in this order: a verified number (a pledge nobody has verified yet is listed, but
below every verified donor, with an "unverified" badge: its number may not be the donor's);
identical ABO/RhD; the child's donor circle (asked in turn, the
longest-unasked first); extended-phenotype fit where both are known (fewer Rh/K antigens the
child lacks); fewest requests in the last THAL_RECENT_REQUEST_DAYS; longest since the last
donation (in whole months, so the later keys still decide between similar donors); the same
police unit as the child; living blood bank members when the date is within
THAL_LIVING_BANK_HOURS.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Case, Count, DateField, Exists, F, OuterRef, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.scoping import for_user
from donors import compatibility, phenotype
from donors.eligibility import Rules, check_eligibility
from donors.models import Donor
from donors.selectors import eligible_on, facts_for, with_eligibility_facts

from .choices import LIVE_ASSIGNMENT
from .models import Assignment, DonorCircle, Patient

# Antigens whose mismatch (donor positive, child negative) ranks a donor lower: Rh and Kell.
IMMUNOGENIC = ("C", "c", "E", "e", "K")
NEVER_MONTHS = 99  # "no donation on record" ranks as the longest rest


@dataclass
class Suggestion:
    """One donor proposed for a child on a date, with the reasons for its place."""

    donor: Donor
    reasons: list[str] = field(default_factory=list)
    verified: bool = True
    identical: bool = False
    in_circle: bool = False
    mismatches: int = 0
    recent_requests: int = 0
    months_rested: int = NEVER_MONTHS
    same_unit: bool = False
    living_bank_first: bool = False
    circle_key: tuple = ()

    @property
    def blood_group(self) -> str:
        return self.donor.blood_group

    def sort_key(self):
        return (
            not self.verified,
            not self.identical,
            not self.in_circle,
            self.circle_key,
            self.mismatches,
            self.recent_requests,
            -self.months_rested,
            not self.same_unit,
            not self.living_bank_first,
            self.donor.name,
            self.donor.pk,
        )


def _d(day: date) -> str:
    return date_format(day, "j M Y")


def _antigens(text: str) -> dict[str, bool]:
    try:
        return phenotype.parse(text)
    except Exception:  # a stored value from before validation: treat as unknown
        return {}


def antibodies_of(patient) -> set[str]:
    """The antigens the child has an antibody against (``phenotype.antibodies``)."""
    return phenotype.antibodies(patient.alloantibodies)


def antibody_clash(patient: Patient, donor: Donor) -> list[str]:
    """Antigens the donor carries that the child has an antibody against."""
    carried = _antigens(donor.phenotype)
    return [a for a in phenotype.ANTIGENS if a in antibodies_of(patient) and carried.get(a)]


def guardian_phones(patient: Patient) -> set[str]:
    return {g.phone for g in patient.guardians.all()}


def refusals(patient: Patient, donor: Donor, on: date) -> list[str]:
    """Why ``donor`` may not be asked for ``patient`` on ``on`` (empty: they may). Booking
    conflicts are the service's check, under the donor's row lock."""
    reasons = []
    if not compatibility.can_receive(patient.blood_group, donor.blood_group):
        reasons.append(
            _("%(donor)s red cells do not suit a %(child)s child.")
            % {"donor": donor.blood_group or _("Untyped"), "child": patient.blood_group or "?"}
        )
    if donor.phone in guardian_phones(patient):
        reasons.append(_("A guardian of the child: relatives give to the general pool."))
    if donor.opted_out_at:
        reasons.append(_("The donor has opted out of requests."))
    if donor.unavailable_until and donor.unavailable_until >= on:
        reasons.append(_("Unavailable until %(date)s.") % {"date": _d(donor.unavailable_until)})
    clash = antibody_clash(patient, donor)
    if clash:
        reasons.append(
            _("Carries %(antigens)s, which the child has antibodies against.")
            % {"antigens": ", ".join(clash)}
        )
    eligibility = check_eligibility(facts_for(donor), on)
    reasons += eligibility.reasons
    return reasons


def candidates(patient: Patient, on: date, *, user=None):
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


def match_donors(
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
        for d in candidates(patient, on, user=user)
        if check_eligibility(facts_for(d), on).eligible
    ]
    donors = [d for d in donors if not antibody_clash(patient, d)]
    circle = {member.donor_id: member for member in DonorCircle.objects.filter(patient=patient)}
    recent = _recent_requests([d.pk for d in donors], today)
    urgent = (on - today).days * 24 <= settings.THAL_LIVING_BANK_HOURS
    child_antigens = _antigens(patient.phenotype)
    suggestions = [
        _suggest(patient, d, on, circle, recent, urgent, child_antigens, today) for d in donors
    ]
    suggestions.sort(key=Suggestion.sort_key)
    return suggestions[:limit]


def _suggest(patient, donor, on, circle, recent, urgent, child_antigens, today) -> Suggestion:
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


def _phenotype_fit(child: dict, donor: dict) -> tuple[int, str]:
    """Rh/K antigens the donor carries and the child lacks (both known), and a sentence."""
    if not child or not donor:
        return 0, ""
    foreign = [a for a in IMMUNOGENIC if donor.get(a) and child.get(a) is False]
    if foreign:
        return len(foreign), _("Carries %(antigens)s, which the child lacks.") % {
            "antigens": ", ".join(foreign)
        }
    return 0, _("Extended phenotype fits the child's.")
