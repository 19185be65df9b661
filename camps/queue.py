"""The camp's queue: donors scan the camp's QR code, pre-register on their phone and get a
number; the constable at the table calls the next number.

The camp's public address carries a signed code, not its id, so nobody walks the camps by
counting. Joining goes through ``donors.services.donor_create`` for a new number (the donor's
own consent, unverified until staff see them) and attaches an existing donor by their
number without changing or showing anything of their record: a stranger typing someone
else's number learns nothing the pledge form would not tell them, and the person at the
table is checked by the constable anyway.
"""

from datetime import timedelta

from django.core import signing
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max, QuerySet
from django.utils import timezone
from django.utils.crypto import constant_time_compare
from django.utils.translation import gettext as _

from accounts import audit
from accounts.choices import AuditAction
from donors.choices import ConsentPurpose, ConsentSource, DonorSource
from donors.models import Donor
from donors.phones import normalise_phone
from donors.services import donor_create, name_key

from .choices import CampStatus
from .models import Camp, QueueEntry
from .services import ensure_open

_SIGNER = signing.Signer(salt="camps.join", algorithm="sha256")
_SIGNATURE_LENGTH = 12


def join_code(camp: Camp) -> str:
    """The camp's public code: ``<id>-<signature>``, unguessable from the id alone."""
    return f"{camp.pk}-{_SIGNER.signature(str(camp.pk))[:_SIGNATURE_LENGTH]}"


def camp_for_code(code: str) -> Camp | None:
    pk, _sep, signature = (code or "").partition("-")
    if not pk.isdigit() or len(pk) > 12:
        return None
    expected = _SIGNER.signature(pk)[:_SIGNATURE_LENGTH]
    if not constant_time_compare(signature, expected):
        return None
    return Camp.objects.select_related("unit").filter(pk=int(pk)).first()


def accepts_joining(camp: Camp, today=None) -> bool:
    """A planned or open camp takes pre-registrations on its day and the day before."""
    today = today or timezone.localdate()
    return camp.status in (CampStatus.PLANNED, CampStatus.OPEN) and (
        camp.held_on - timedelta(days=1) <= today <= camp.held_on
    )


def _next_number(camp: Camp) -> int:
    return (camp.queue.aggregate(top=Max("number"))["top"] or 0) + 1


def _same_person(phone: str, name: str, date_of_birth) -> Donor | None:
    """The registered donor who is this person (donors.services.find_duplicates' rule)."""
    key = name_key(name)
    on_number = Donor.objects.filter(phone=phone, date_of_birth=date_of_birth)
    return next((d for d in on_number.order_by("pk") if name_key(d.name) == key), None)


@transaction.atomic
def queue_join(
    *,
    camp: Camp,
    phone: str,
    name: str,
    sex: str,
    date_of_birth,
    blood_group: str = "",
    consent_reminders: bool = False,
    language: str = "en",
    request=None,
) -> QueueEntry:
    """Put the person with ``phone`` in ``camp``'s queue and answer their place. A new number
    is registered as a donor of the camp's unit with the donor's own consent to the registry
    (and reminders when ticked); a person already registered (the same number, name and date
    of birth: another member of a family sharing the number is a new donor) is queued as
    they are. Joining again answers the
    same place. The camp's row is locked, so two phones never get the same number."""
    camp = Camp.objects.select_for_update().get(pk=camp.pk)
    if not accepts_joining(camp):
        raise ValidationError(
            _("This camp is not taking names now: come to the table on the camp's day."),
            code="closed",
        )
    phone = normalise_phone(phone)
    donor = _same_person(phone, name, date_of_birth)
    if donor is None:
        consents = [ConsentPurpose.REGISTRY]
        if consent_reminders:
            consents.append(ConsentPurpose.REMINDERS)
        try:
            donor = donor_create(
                actor=None,
                source=DonorSource.CAMP,
                consents=consents,
                consent_source=ConsentSource.PLEDGE,
                request=request,
                phone=phone,
                name=name,
                sex=sex,
                date_of_birth=date_of_birth,
                blood_group=blood_group or "",
                unit=camp.unit,
                preferred_language=language,
            )
        except ValidationError as error:
            # Registered a moment ago by someone else: queue that donor. donor_create's
            # message names the donor, so it is never shown here.
            donor = _same_person(phone, name, date_of_birth)
            if donor is None or "phone" not in getattr(error, "error_dict", {}):
                raise
    existing = camp.queue.filter(donor=donor).first()
    if existing is not None:
        return existing
    try:
        with transaction.atomic():
            entry = QueueEntry.objects.create(camp=camp, donor=donor, number=_next_number(camp))
    except IntegrityError:  # the same phone twice at the same moment
        return camp.queue.get(donor=donor)
    audit.record(
        action=AuditAction.CREATE, request=request, actor=None, obj=entry, number=entry.number
    )
    return entry


@transaction.atomic
def queue_call_next(*, camp: Camp, actor, request=None) -> QueueEntry | None:
    """Call the lowest number not yet called (None when nobody waits). The camp must be
    open; the claim is a conditional UPDATE, so two taps call two people, never one twice."""
    camp = Camp.objects.select_for_update().get(pk=camp.pk)
    ensure_open(camp)
    for entry in queue_waiting(camp)[:5]:
        claimed = QueueEntry.objects.filter(pk=entry.pk, called_at__isnull=True).update(
            called_at=timezone.now(), called_by=actor
        )
        if claimed == 1:
            entry.refresh_from_db()
            audit.record(
                action=AuditAction.UPDATE,
                request=request,
                actor=actor,
                obj=entry,
                note="called",
                number=entry.number,
            )
            return entry
    return None


def queue_waiting(camp: Camp) -> QuerySet:
    """Who is waiting, in number order (the table's queue reads it)."""
    return camp.queue.filter(called_at__isnull=True).select_related("donor").order_by("number")


def queue_called(camp: Camp) -> QuerySet:
    """Who was called, the latest first."""
    return (
        camp.queue.filter(called_at__isnull=False)
        .select_related("donor")
        .order_by("-called_at", "-number")
    )
