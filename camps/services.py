"""Writes of the camps app: the camp pages, the camp table, the API and the import call these.

A camp moves planned → open → closed (an admin may reopen a closed camp), or is cancelled
before it opens. Only an open camp takes entries; a closed camp is read-only."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils.translation import gettext as _

from accounts import audit
from accounts.choices import AuditAction, Role
from accounts.permissions import has_role
from donors import donations as donor_services
from donors.choices import DonorSource
from donors.models import Donation, Donor
from donors.services import donor_create

from .choices import CampStatus
from .models import Camp, TableEntry

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


def _first_entry(camp: Camp, client_id, kind: str, actor) -> TableEntry | None:
    """The entry already written under ``client_id`` (a replay, a double tap), or None. Read
    after the camp's row lock (a registration) or after the write was refused (a record), so
    two tables' writes to one camp see each other's."""
    if client_id is None:
        return None
    entry = TableEntry.objects.select_related("donor", "donation").filter(client_id=client_id)
    entry = entry.first()
    if entry is not None and (
        entry.camp_id != camp.pk or entry.kind != kind or entry.recorded_by_id != actor.pk
    ):
        raise ValidationError(
            {"client_id": _("This entry id was already used for another entry.")},
            code="client_id_used",
        )
    return entry


def _remember(camp: Camp, client_id, kind: str, actor, *, donor, donation=None) -> None:
    """Store the entry's id in the caller's transaction: written with the donor or donation,
    or not at all. An id already stored refuses the whole write (no savepoint: the
    transaction is over), which camp_donation_record answers as a replay."""
    if client_id is None:
        return
    try:
        TableEntry.objects.create(
            client_id=client_id,
            camp=camp,
            kind=kind,
            donor=donor,
            donation=donation,
            recorded_by=actor,
        )
    except IntegrityError:  # the id taken by another camp's write at this very moment
        raise ValidationError(
            {"client_id": _("This entry id was already used for another entry.")},
            code="client_id_used",
        ) from None


@transaction.atomic
def camp_donor_register(*, camp: Camp, actor, client_id=None, request=None, **fields) -> Donor:
    """Register a walk-in donor at an open camp table, in the organising unit, through
    donor_create. ``client_id`` (the table's id for the entry) makes it idempotent: the same
    id again answers the donor registered the first time."""
    camp = Camp.objects.select_for_update().get(pk=camp.pk)
    ensure_open(camp)
    first = _first_entry(camp, client_id, TableEntry.Kind.DONOR, actor)
    if first is not None:
        return first.donor
    donor = donor_create(
        actor=actor, source=DonorSource.CAMP, request=request, unit=camp.unit, **fields
    )
    _remember(camp, client_id, TableEntry.Kind.DONOR, actor, donor=donor)
    return donor


def camp_donation_record(
    *, camp: Camp, donor: Donor, actor, client_id=None, request=None, **screening
) -> Donation:
    """Record a screening at the camp table: on the camp's day, at its blood centre, with
    donation_record's rules and audit. With ``client_id`` (the table's id for the entry) a
    replay or a double tap answers the donation recorded the first time, and writes nothing.

    The entry's id is looked up only when the write was refused: a replay always is (its
    bag is taken, or its id is, by the unique constraints), and everything it wrote is
    rolled back before the first entry is read. A first write asks nothing more."""
    try:
        return _camp_donation_write(
            camp=camp, donor=donor, actor=actor, client_id=client_id, request=request, **screening
        )
    except ValidationError:
        first = _first_entry(camp, client_id, TableEntry.Kind.RECORD, actor)
        if first is None:
            raise
        if first.donation is None:
            raise ValidationError(
                _("This entry was saved, then removed from the table."), code="withdrawn"
            ) from None
        return first.donation


@transaction.atomic
def _camp_donation_write(*, camp, donor, actor, client_id, request, **screening) -> Donation:
    """camp_donation_record's write, under the camp's row lock: two tables' entries at one
    camp queue. The same read says whether the bag number is taken at the camp's blood
    centre, for donation_record's check (a bag saved meanwhile elsewhere is still refused,
    by the database)."""
    locked = Camp.objects.select_related("blood_centre").select_for_update(of=("self",))
    bag = (screening.get("bag_number") or "").strip()
    if bag:
        taken = Donation.objects.filter(blood_centre=OuterRef("blood_centre"), bag_number=bag)
        locked = locked.annotate(bag_taken=Exists(taken))
    camp = locked.get(pk=camp.pk)
    ensure_open(camp)
    donation = donor_services.donation_record_within(
        donor=donor,
        donated_on=camp.held_on,
        blood_centre=camp.blood_centre,
        camp=camp,
        actor=actor,
        request=request,
        bag_taken=getattr(camp, "bag_taken", None),
        **screening,
    )
    _remember(camp, client_id, TableEntry.Kind.RECORD, actor, donor=donor, donation=donation)
    return donation


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


def camp_donation_reaction(
    *, camp: Camp, donation: Donation, reaction: str, note: str = "", actor, request=None
) -> Donation:
    """An adverse reaction noted at the table on one of this open camp's entries, by
    whoever saw it (not only the person who recorded the entry)."""
    ensure_open(camp)
    if donation.camp_id != camp.pk:
        raise ValidationError(_("This entry is not from this camp."))
    return donor_services.donation_reaction_record(
        donation=donation, reaction=reaction, note=note, actor=actor, request=request
    )
