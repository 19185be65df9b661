"""Writes of the camps app: the camp pages, the camp table, the API and the import call these.

A camp moves planned → open → closed (an admin may reopen a closed camp), or is cancelled
before it opens. Only an open camp takes entries; a closed camp is read-only."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import audit
from accounts.choices import AuditAction, Role
from accounts.permissions import has_role
from donors import donations as donor_services
from donors.models import Donation, Donor

from .choices import CampStatus
from .models import Camp

# Fields the camp form and the API write.
CAMP_FIELDS = (
    "name",
    "held_on",
    "starts_at",
    "ends_at",
    "venue",
    "unit",
    "blood_centre",
    "target_donors",
    "eraktkosh_id",
    "notes",
)


def _check_hours(camp: Camp) -> None:
    if camp.starts_at and camp.ends_at and camp.ends_at <= camp.starts_at:
        raise ValidationError({"ends_at": _("The camp must end after it starts.")})


@transaction.atomic
def camp_create(*, actor, request=None, **fields) -> Camp:
    """Plan a camp. The caller has checked that ``unit`` is in the actor's scope."""
    camp = Camp(status=CampStatus.PLANNED, **fields)
    _check_hours(camp)
    camp.full_clean()
    camp.save()
    audit.record(action=AuditAction.CREATE, request=request, actor=actor, obj=camp)
    return camp


def ensure_editable(camp: Camp) -> None:
    """A closed or cancelled camp is read-only."""
    if camp.status in (CampStatus.CLOSED, CampStatus.CANCELLED):
        raise ValidationError(
            _("This camp is %(status)s: it can no longer be changed.")
            % {"status": camp.get_status_display().lower()},
            code="read_only",
        )


@transaction.atomic
def camp_update(*, camp: Camp, actor, request=None, **fields) -> Camp:
    """Change a planned or open camp; the fields changed go to the audit log."""
    ensure_editable(camp)
    # Recorded donations carry the camp's day and blood centre (bag numbers are the centre's).
    fixed = {
        name: _("Donations are recorded: this can no longer change.")
        for name in ("held_on", "blood_centre")
        if name in fields and fields[name] != getattr(camp, name)
    }
    if fixed and camp.donations.exists():
        raise ValidationError(fixed)
    changed = [name for name, value in fields.items() if getattr(camp, name) != value]
    for name, value in fields.items():
        setattr(camp, name, value)
    _check_hours(camp)
    # The two-year window is for the date typed in: an older camp whose date is not being
    # changed can still have its venue or notes corrected.
    camp.full_clean(exclude=None if "held_on" in changed else ["held_on"])
    camp.save()
    if changed:
        audit.record(
            action=AuditAction.UPDATE, request=request, actor=actor, obj=camp, fields=changed
        )
    return camp


def _move(camp: Camp, *, to: str, allowed_from: tuple, actor, request, message: str) -> Camp:
    """Change the status with a conditional UPDATE: two clicks, one change."""
    moved = Camp.objects.filter(pk=camp.pk, status__in=allowed_from).update(status=to)
    if moved != 1:
        camp.refresh_from_db(fields=["status"])
        raise ValidationError(message, code="status")
    audit.record(
        action=AuditAction.UPDATE,
        request=request,
        actor=actor,
        obj=camp,
        status_from=camp.status,
        status_to=to,
    )
    camp.status = to
    return camp


def camp_open(*, camp: Camp, actor, request=None) -> Camp:
    return _move(
        camp,
        to=CampStatus.OPEN,
        allowed_from=(CampStatus.PLANNED,),
        actor=actor,
        request=request,
        message=_("Only a planned camp can be opened."),
    )


def camp_close(*, camp: Camp, actor, request=None) -> Camp:
    return _move(
        camp,
        to=CampStatus.CLOSED,
        allowed_from=(CampStatus.OPEN,),
        actor=actor,
        request=request,
        message=_("Only an open camp can be closed."),
    )


def camp_reopen(*, camp: Camp, actor, request=None) -> Camp:
    """An admin reopens a closed camp to correct it."""
    if not has_role(actor, Role.ADMIN):
        raise PermissionDenied(_("Only an admin can reopen a closed camp."))
    return _move(
        camp,
        to=CampStatus.OPEN,
        allowed_from=(CampStatus.CLOSED,),
        actor=actor,
        request=request,
        message=_("Only a closed camp can be reopened."),
    )


def camp_cancel(*, camp: Camp, actor, request=None) -> Camp:
    if camp.donations.exists():
        raise ValidationError(_("Donations are recorded at this camp: close it instead."))
    return _move(
        camp,
        to=CampStatus.CANCELLED,
        allowed_from=(CampStatus.PLANNED, CampStatus.OPEN),
        actor=actor,
        request=request,
        message=_("Only a planned or open camp can be cancelled."),
    )


def ensure_open(camp: Camp) -> None:
    if camp.status != CampStatus.OPEN:
        if camp.status == CampStatus.PLANNED:
            raise ValidationError(_("Open the camp before recording donors."), code="not_open")
        ensure_editable(camp)


@transaction.atomic
def camp_donation_record(*, camp: Camp, donor: Donor, actor, request=None, **screening) -> Donation:
    """Record a screening at the camp table: on the camp's day, at its blood centre, with
    donation_record's rules and audit."""
    # The camp row locked, its blood centre read in the same query.
    locked = Camp.objects.select_related("blood_centre").select_for_update(of=("self",))
    camp = locked.get(pk=camp.pk)
    ensure_open(camp)
    return donor_services.donation_record(
        donor=donor,
        donated_on=camp.held_on,
        blood_centre=camp.blood_centre,
        camp=camp,
        actor=actor,
        request=request,
        **screening,
    )


def _ensure_own_entry(camp: Camp, donation: Donation, actor) -> None:
    ensure_open(camp)
    if donation.camp_id != camp.pk:
        raise ValidationError(_("This entry is not from this camp."))
    if donation.recorded_by_id != actor.pk:
        raise PermissionDenied(_("Only the person who made an entry can correct it."))


def camp_donation_correct(*, camp: Camp, donation: Donation, actor, request=None, **fields):
    """A mistaken entry corrected by the person who made it, while the camp is open."""
    _ensure_own_entry(camp, donation, actor)
    return donor_services.donation_correct(
        donation=donation, actor=actor, request=request, **fields
    )


def camp_donation_withdraw(*, camp: Camp, donation: Donation, actor, request=None) -> None:
    _ensure_own_entry(camp, donation, actor)
    donor_services.donation_withdraw(donation=donation, actor=actor, request=request)
