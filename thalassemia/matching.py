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
from functools import lru_cache

from django.conf import settings
from django.db.models import Case, Count, F, Q, Value, When
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.scoping import for_user
from donors import compatibility, phenotype
from donors.eligibility import check_eligibility
from donors.models import Donor
from donors.selectors import eligible_on, facts_for, profile_branches, with_eligibility_facts

from .choices import LIVE_ASSIGNMENT
from .models import Assignment, DonorCircle, Guardian, Patient

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
    return date_format(day, "DATE_FORMAT")


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


# The candidate columns the ranking reads; the few donors shown are then loaded whole.
_RANK_COLUMNS = (
    "pk",
    "blood_group",
    "verified_at",
    "unit_id",
    "last_donated_on",
    "phenotype",
    "living_blood_bank",
    "name",
)


@dataclass(frozen=True)
class _Candidate:
    """One row of ``candidates``: what the ranking reads, before the donor is loaded."""

    pk: int
    blood_group: str
    verified_at: object
    unit_id: int
    last_donated_on: date | None
    phenotype: str
    living_blood_bank: bool
    name: str


def circle_of(patient: Patient) -> dict[int, tuple[date | None, int]]:
    """The child's donor circle: each member's donor id → (last asked on, order)."""
    rows = DonorCircle.objects.filter(patient=patient).order_by()
    return {
        d: (asked, order)
        for d, asked, order in rows.values_list("donor_id", "last_asked_on", "order")
    }


def candidates(patient: Patient, on: date, *, user=None, circle=None) -> list[_Candidate]:
    """Compatible, eligible, available, unbooked donors of the child's force (its district
    or commissionerate) who are not the child's guardians, filtered in the database and
    roughly pre-ranked there (verified, identical group, circle, longest rest, same unit), at
    most THAL_MATCH_CANDIDATES of them, each as the few columns the ranking reads: the
    eligible pool is read from each donor's stored standing (``Donor.next_eligible_on``),
    so a state of 1,000,000 donors costs one query and bounded memory.

    The child's identical group is asked first: when it holds THAL_MATCH_CANDIDATES
    verified donors, they are the first of the whole pool (verified, then identical, rank
    first), so the rest of the pool — for an AB+ child every group, the force's whole
    eligible pool — is never read and sorted. Otherwise a second query reads the pool."""
    queryset = _candidates_queryset(patient, on, user=user, circle=circle)
    cap = settings.THAL_MATCH_CANDIDATES
    if len(compatibility.donor_groups_for(patient.blood_group)) > 1:
        identical = queryset.filter(blood_group=patient.blood_group)
        rows = [_Candidate(*row) for row in identical[:cap]]
        if rows and len(rows) == cap and rows[-1].verified_at is not None:
            return rows
    return [_Candidate(*row) for row in queryset[:cap]]


def _candidates_queryset(patient: Patient, on: date, *, user=None, circle=None):
    if circle is None:
        circle = circle_of(patient)
    groups = compatibility.donor_groups_for(patient.blood_group)
    queryset = Donor.objects.filter(blood_group__in=groups, opted_out_at__isnull=True)
    # The guardians' numbers as a subquery (hashed once), not a query of their own.
    queryset = queryset.exclude(unavailable_until__gte=on).exclude(
        phone__in=Guardian.objects.filter(patient=patient).values("phone")
    )
    force = patient.unit.force() if patient.unit_id else None
    if force is not None:
        queryset = queryset.filter(unit__path__startswith=force.path)
    if user is not None:
        queryset = for_user(queryset, user)
    # Booked: a live assignment overlapping the days a new one from ``on`` would block (the
    # donor's interval from ``on``, by sex and the rules of the donor's unit). The booked
    # donors' ids are one uncorrelated subquery over the few live assignments (hashed
    # once), not an EXISTS probed per donor of the pool: thousands of index probes for a
    # B+ child's force.
    overlaps = Q()
    branches = profile_branches(lambda rules: rules.interval_days)
    for interval, names in branches:
        for sex, days in interval.items():
            mine = Q(donor__rules_profile__in=names) if len(branches) > 1 else Q()
            overlaps |= Q(mine, donor__sex=sex, on__lt=on + timedelta(days=days))
    booked = (
        Assignment.objects.filter(status__in=LIVE_ASSIGNMENT, blocks_until__gt=on)
        .filter(overlaps)
        .values("donor_id")
    )
    # The circle's few donor ids as a list, not a correlated EXISTS: PostgreSQL costs such a
    # subquery once per donor of the pool, which at a state crossed jit_above_cost and
    # spent hundreds of milliseconds compiling a query that runs in tens.
    # (An empty circle is written [0], no donor's id: Django would drop an empty IN and
    # order by a constant, which PostgreSQL refuses.)
    queryset = (
        eligible_on(queryset, on)
        .exclude(pk__in=booked)
        .alias(
            match_verified=Case(When(verified_at__isnull=False, then=Value(1)), default=Value(0)),
            match_identical=Case(
                When(blood_group=patient.blood_group, then=Value(1)), default=Value(0)
            ),
            match_in_circle=Case(When(pk__in=list(circle) or [0], then=Value(1)), default=Value(0)),
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
    # Every column read here is in the covering index ``donor_match_cover``: an index-only
    # scan of the force's units and groups, not one heap page per donor of the pool.
    return queryset.values_list(*_RANK_COLUMNS)


def _recent_requests(donor_ids, today: date) -> dict[int, int]:
    since = today - timedelta(days=settings.THAL_RECENT_REQUEST_DAYS)
    rows = (
        Assignment.objects.filter(donor_id__in=donor_ids, created_at__date__gt=since)
        .values("donor_id")
        .annotate(n=Count("id"))
        .values_list("donor_id", "n")
    )
    return dict(rows)


@lru_cache(maxsize=256)
def _antigens_of(text: str) -> tuple[tuple[str, bool], ...]:
    """``_antigens`` of a stored text, remembered: a few dozen distinct texts in a state."""
    return tuple(_antigens(text).items())


def _months_rested(last: date | None, today: date) -> int:
    if last is None:
        return NEVER_MONTHS
    return min((today - last).days // 30, NEVER_MONTHS - 1)


def match_donors(
    patient: Patient, on: date, *, user=None, limit: int | None = None, today: date | None = None
) -> list[Suggestion]:
    """Donors to ask for ``patient``'s transfusion on ``on``, best first, each with reasons.

    The candidates (``candidates``) are ranked by ``Suggestion.sort_key`` from their
    columns alone; then, best first, the donors are loaded whole with their eligibility
    facts, a batch at a time, confirmed by ``check_eligibility`` and given their reasons,
    until ``limit`` are found. Filtering then ranking and ranking then filtering give the
    same list, and only the few donors shown are loaded and explained.

    A fixed number of queries whatever the number of donors: the circle, the child's force,
    the candidates (two when the identical group alone does not fill the candidates),
    recent requests, and the shown donors with their eligibility facts (three; three more
    in the rare case that a batch's donors fail the check)."""
    today = today or timezone.localdate()
    limit = limit or settings.THAL_MATCH_LIMIT
    if not patient.blood_group:
        return []
    antibodies = antibodies_of(patient)
    circle = circle_of(patient)
    rows = [
        row
        for row in candidates(patient, on, user=user, circle=circle)
        if not any(a in antibodies and carried for a, carried in _antigens_of(row.phenotype))
    ]
    recent = _recent_requests([row.pk for row in rows], today)
    urgent = (on - today).days * 24 <= settings.THAL_LIVING_BANK_HOURS
    child_antigens = _antigens(patient.phenotype)

    def key(row: _Candidate):
        return (
            row.verified_at is None,
            not compatibility.identical(patient.blood_group, row.blood_group),
            row.pk not in circle,
            _circle_key(circle.get(row.pk)),
            _phenotype_fit(child_antigens, dict(_antigens_of(row.phenotype)), text=False)[0],
            recent.get(row.pk, 0),
            -_months_rested(row.last_donated_on, today),
            row.unit_id != patient.unit_id,
            not (urgent and row.living_blood_bank),
            row.name,
            row.pk,
        )

    rows.sort(key=key)
    suggestions: list[Suggestion] = []
    start = 0
    while len(suggestions) < limit and start < len(rows):
        batch = rows[start : start + limit - len(suggestions) + _SPARE]
        start += len(batch)
        loaded = with_eligibility_facts(
            Donor.objects.filter(pk__in=[row.pk for row in batch]).select_related("unit")
        ).in_bulk()
        for row in batch:
            donor = loaded.get(row.pk)
            if donor is None or not check_eligibility(facts_for(donor), on).eligible:
                continue
            suggestions.append(
                _suggest(patient, donor, on, circle, recent, urgent, child_antigens, today)
            )
            if len(suggestions) == limit:
                break
    return suggestions


# Donors loaded beyond those still needed, in case a few fail ``check_eligibility`` (a
# question about the past, where the database mirrors the rules less simply).
_SPARE = 5


def _circle_key(member: tuple | None) -> tuple:
    """Circle members are asked in turn: the longest-unasked (never first), then by order."""
    if member is None:
        return ()
    asked, order = member
    return (asked or date.min, order)


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
        s.circle_key = _circle_key(member)
        asked = member[0]
        if asked:
            s.reasons.append(
                _("In the child's donor circle; last asked %(date)s.") % {"date": _d(asked)}
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
    last = donor.last_donated_on  # the stored standing: the latest blood drawn, any kind
    if last is None:
        s.reasons.append(_("No donation on record."))
    else:
        s.months_rested = _months_rested(last, today)
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


def _phenotype_fit(child: dict, donor: dict, *, text: bool = True) -> tuple[int, str]:
    """Rh/K antigens the donor carries and the child lacks (both known), and a sentence
    (none with ``text=False``: the ranking needs only the count)."""
    if not child or not donor:
        return 0, ""
    foreign = [a for a in IMMUNOGENIC if donor.get(a) and child.get(a) is False]
    if not text:
        return len(foreign), ""
    if foreign:
        return len(foreign), _("Carries %(antigens)s, which the child lacks.") % {
            "antigens": ", ".join(foreign)
        }
    return 0, _("Extended phenotype fits the child's.")
