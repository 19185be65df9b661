"""Donor circles and assignments: who is asked for which transfusion, and the rule that no
donor holds two live assignments within their donation interval (checked here under the
donor's row lock; enforced on PostgreSQL by the exclusion constraint of migration 0002)."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.choices import AuditAction
from donors.compatibility import can_receive
from donors.eligibility import Rules
from donors.models import Donor

from .choices import ASSIGNMENT_MOVES, LIVE_ASSIGNMENT, OPEN_TRANSFUSION, AssignmentStatus
from .matching import match_donors, refusals
from .models import Assignment, DonorCircle, Patient, Transfusion
from .reminders import coordinators_tell_released
from .respond import ANSWERS, link_state, spend_links


def release_assignments(transfusion_ids, statuses) -> int:
    """Free the donors of transfusions that will not need them (cancelled, or given)."""
    return Assignment.objects.filter(
        transfusion_id__in=transfusion_ids, status__in=statuses
    ).update(status=AssignmentStatus.CANCELLED)


def circle_add(*, patient: Patient, donor: Donor, actor=None, request=None) -> DonorCircle:
    """A dedicated donor for the child: red-cell compatible and not one of its guardians.
    Audited."""
    if not can_receive(patient.blood_group, donor.blood_group):
        raise ValidationError({"donor": _("This donor's red cells do not suit the child.")})
    if patient.guardians.filter(phone=donor.phone).exists():
        raise ValidationError({"donor": _("A guardian of the child cannot be in its circle.")})
    if DonorCircle.objects.filter(patient=patient, donor=donor).exists():
        raise ValidationError({"donor": _("This donor is already in the child's circle.")})
    order = (patient.circle.aggregate(m=Max("order"))["m"] or 0) + 1
    member = DonorCircle.objects.create(patient=patient, donor=donor, order=order)
    audit.record(
        action=AuditAction.CREATE, request=request, actor=actor, obj=member, unit=patient.unit
    )
    return member


@transaction.atomic
def circle_remove(*, member: DonorCircle, actor=None, request=None) -> None:
    """The donor leaves the child's circle; assignments already made stay as they are."""
    patient = member.patient
    audit.record(
        action=AuditAction.DELETE, request=request, actor=actor, obj=member, unit=patient.unit
    )
    member.delete()


@transaction.atomic
def circle_move(*, member: DonorCircle, up: bool, actor=None, request=None) -> DonorCircle:
    """Move a donor one place up (asked sooner) or down the circle's order; the circle is
    renumbered 1, 2, 3… so equal or gappy orders settle."""
    Patient.objects.select_for_update().get(pk=member.patient_id)
    members = list(DonorCircle.objects.filter(patient_id=member.patient_id).order_by("order", "id"))
    index = next((i for i, m in enumerate(members) if m.pk == member.pk), None)
    if index is None:  # removed a moment ago by someone else
        return member
    other = index - 1 if up else index + 1
    if 0 <= other < len(members):
        members[index], members[other] = members[other], members[index]
    for position, row in enumerate(members, start=1):
        if row.order != position:
            row.order = position
            row.save(update_fields=["order"])
    moved = next(m for m in members if m.pk == member.pk)
    audit.record(
        action=AuditAction.UPDATE,
        request=request,
        actor=actor,
        obj=moved,
        unit=moved.patient.unit,
        fields=["order"],
    )
    return moved


def blocks_until(donor: Donor, on: date) -> date:
    """The first day after ``on`` that another assignment of ``donor`` may fall on: the
    donor's whole-blood interval, by sex, from the same settings eligibility uses."""
    rules = Rules.for_profile(donor.rules_profile)  # the donor's unit's rules
    return on + timedelta(days=rules.interval_days[donor.sex])


def booked_error(clash: Assignment | None = None) -> ValidationError:
    return ValidationError(
        {
            "donor": _(
                "This donor is already booked for %(date)s; a second donation must wait for "
                "the donation interval."
            )
            % {"date": clash.on if clash else _("a nearby date")}
        },
        code="booked",
    )


@transaction.atomic
def assignment_create(
    *, transfusion: Transfusion, donor: Donor, on: date | None = None, actor=None, request=None
) -> Assignment:
    """Propose ``donor`` for ``transfusion``, to give on ``on`` (the due date by default).

    Refused, with the reasons, when matching would never have proposed the donor
    (incompatible, a guardian, not eligible that day, a phenotype the child has an antibody
    against) or when the donor already holds a live assignment within their interval. The
    donor's row is locked first, so two coordinators assigning the same donor at once are
    served one after the other; the exclusion constraint on PostgreSQL backs this up."""
    on = on or transfusion.due_on
    if transfusion.status not in OPEN_TRANSFUSION:
        raise ValidationError({"transfusion": _("This transfusion is no longer open.")})
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    reasons = refusals(transfusion.patient, donor, on)
    if reasons:
        raise ValidationError({"donor": reasons})
    until = blocks_until(donor, on)
    clash = (
        Assignment.objects.filter(
            donor=donor, status__in=LIVE_ASSIGNMENT, on__lt=until, blocks_until__gt=on
        )
        .order_by("on")
        .first()
    )
    if clash is not None:
        raise booked_error(clash)
    assignment = Assignment(
        transfusion=transfusion, donor=donor, on=on, blocks_until=until, created_by=actor
    )
    try:
        with transaction.atomic():
            assignment.save()
    except IntegrityError:  # the exclusion constraint: someone booked the donor meanwhile
        raise booked_error() from None
    _audit_assignment(assignment, action=AuditAction.CREATE, actor=actor, request=request)
    return assignment


def _audit_assignment(assignment: Assignment, *, action, actor, request, **details) -> None:
    audit.record(
        action=action,
        request=request,
        actor=actor,
        obj=assignment,
        unit=assignment.transfusion.patient.unit,
        **details,
    )


@transaction.atomic
def assignment_set_status(
    *, assignment: Assignment, status: str, donation=None, actor=None, request=None
) -> Assignment:
    """Record the donor's answer or what happened: asked, confirmed, declined, donated,
    no-show. Donated may link the donor's Donation. Audited (a donor answering by link has
    no actor)."""
    assignment = Assignment.objects.select_for_update().get(pk=assignment.pk)
    if status == assignment.status:
        return assignment
    if status not in ASSIGNMENT_MOVES.get(assignment.status, ()):
        raise ValidationError(
            {
                "status": _("An assignment that is %(old)s cannot become %(new)s.")
                % {
                    "old": assignment.get_status_display().lower(),
                    "new": AssignmentStatus(status).label.lower(),
                }
            }
        )
    if donation is not None and donation.donor_id != assignment.donor_id:
        raise ValidationError({"donation": _("This donation is another donor's.")})
    now = timezone.now()
    if status in (AssignmentStatus.CONFIRMED, AssignmentStatus.DECLINED):
        spend_links(assignment)  # however it was answered, the link takes no other answer
    if status == AssignmentStatus.ASKED:
        assignment.asked_at = now
        DonorCircle.objects.filter(
            patient_id=assignment.transfusion.patient_id, donor_id=assignment.donor_id
        ).update(last_asked_on=timezone.localdate())
    elif status in (AssignmentStatus.CONFIRMED, AssignmentStatus.DECLINED):
        assignment.responded_at = now
        assignment.asked_at = assignment.asked_at or now
    if donation is not None:
        assignment.donation = donation
    status_from = assignment.status
    assignment.status = status
    assignment.save()
    _audit_assignment(
        assignment,
        action=AuditAction.UPDATE,
        actor=actor,
        request=request,
        status_from=status_from,
        status_to=status,
    )
    return assignment


# No savepoint: it runs inside the donation's or deferral's own transaction (the signal),
# and nothing catches its failure to carry on (two statements fewer on every camp entry).
@transaction.atomic(savepoint=False)
def assignments_release_for_donor(
    *,
    donor: Donor,
    starts_on: date,
    until: date | None,
    cause: str,
    on: date,
    spare_on: date | None = None,
    actor=None,
) -> list[Assignment]:
    """The donor gave blood or was deferred (``cause`` on ``on``), so cannot give from
    ``starts_on`` until ``until`` (None: open-ended): each live assignment dated in that
    window is released, audited, and the child's coordinators are told to find another
    donor. ``spare_on``: a day whose assignment the donation itself may have fulfilled (the
    donor gave at a blood centre on the very day booked), left for the coordinator to mark.
    Safe to repeat: a released assignment is no longer live, so nothing happens twice."""
    rows = Assignment.objects.filter(donor=donor, status__in=LIVE_ASSIGNMENT, on__gte=starts_on)
    if until is not None:
        rows = rows.filter(on__lt=until)
    if spare_on is not None:
        rows = rows.exclude(on=spare_on)
    # Locked by id first: most donors hold no booking, and this short query is the whole
    # cost of their donation's release (the camp table's every entry). In id order, without
    # Assignment's own order, which joins (and would lock) the transfusion.
    locked = list(rows.select_for_update(of=("self",)).order_by("pk").values_list("pk", flat=True))
    if not locked:
        return []
    released = list(
        Assignment.objects.filter(pk__in=locked)
        .select_related("transfusion__patient__unit", "donor")
        .order_by("on", "id")
    )
    for assignment in released:
        previous = assignment.status
        assignment.status = AssignmentStatus.RELEASED
        assignment.save(update_fields=["status"])
        audit.record(
            action=AuditAction.UPDATE,
            actor=actor,
            obj=assignment,
            unit=assignment.transfusion.patient.unit,
            status_from=previous,
            status_to=AssignmentStatus.RELEASED.value,
            cause=cause,
            on=on.isoformat(),
        )
        coordinators_tell_released(assignment, cause=cause, on=on)
    return released


def assignment_answer(*, assignment: Assignment, answer: str, via: str, request=None):
    """The donor's own yes or no (``answer``: "confirm" / "decline"), by the link, an SMS
    reply or a missed call (``via``): the status moves through ``assignment_set_status``, the
    answer is audited with how it came, and a no proposes the next donor for the child
    (``assignment_propose_next``). Raises ValidationError when the assignment has moved on."""
    assignment = assignment_set_status(assignment=assignment, status=ANSWERS[answer])
    audit.record(
        action=AuditAction.UPDATE,
        request=request,
        obj=assignment,
        unit=assignment.transfusion.patient.unit,
        note=f"donor answered by {via}",
        status=assignment.status,
    )
    if assignment.status == AssignmentStatus.DECLINED:
        assignment_propose_next(transfusion=assignment.transfusion, on=assignment.on)
    return assignment


def assignment_propose_next(*, transfusion: Transfusion, on: date) -> Assignment | None:
    """A donor said no: propose the best donor matching would suggest next (verified, not
    yet asked for this transfusion), while the transfusion has fewer live donors than units
    needed. The coordinator sees the proposal on the match page and asks them. None when
    nobody suits."""
    live = transfusion.assignments.filter(status__in=LIVE_ASSIGNMENT).count()
    if transfusion.status not in OPEN_TRANSFUSION or live >= transfusion.units_needed:
        return None
    tried = set(transfusion.assignments.values_list("donor_id", flat=True))
    for suggestion in match_donors(transfusion.patient, on):
        if suggestion.donor.pk in tried or not suggestion.verified:
            continue
        try:
            return assignment_create(transfusion=transfusion, donor=suggestion.donor, on=on)
        except ValidationError:  # booked meanwhile: the next one
            continue
    return None


def assignment_respond(*, token: str, answer: str, request=None):
    """Record the donor's confirm / decline given by the link in the request (``respond``);
    answers the assignment and the new state of the link (done, used, expired, invalid)."""
    assignment, state = link_state(token)
    if state != "ask" or answer not in ANSWERS:
        return assignment, state
    try:
        assignment = assignment_answer(
            assignment=assignment, answer=answer, via="link", request=request
        )
    except ValidationError:
        return assignment, "used"  # answered meanwhile (the other button, another tab)
    return assignment, "done"
