"""Calling on donors in waves. Each wave asks the next EMERGENCY_WAVE_SIZE compatible,
eligible, reachable donors of the requesting unit's force who were not asked yet: the living
blood bank (the on-call club) first, then the rest. The next wave is due
EMERGENCY_WAVE_MINUTES later, stored on the request (``next_wave_at``), until enough donors
have confirmed, the time has passed, or a coordinator stops the waves.

``wave_run`` is idempotent: it works under the request's row lock, a call is unique per
(request, donor) in the database, and each message has the outbox's natural key. A beat
tick run twice, two workers, or a task delivered again ask nobody a second time and send
nothing twice."""

import logging
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Case, Exists, F, OuterRef, Value, When
from django.utils import timezone
from django.utils.crypto import get_random_string

from accounts import audit
from accounts.choices import AuditAction
from accounts.scoping import in_subtree
from donors import compatibility
from donors.consent import may_be_reminded
from donors.models import Donor
from donors.reminders import reachable
from notifications.services import preferred_channels

from .choices import CallStatus, RequestStatus
from .messages import CALL_TOPIC, CONFIRMED_TOPIC, calls_enqueue, quiet_now
from .models import EmergencyCall, EmergencyRequest

log = logging.getLogger(__name__)

# Letters and digits a donor can read off a basic phone's screen without mistaking them.
CODE_CHARS = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 8


def new_code() -> str:
    return get_random_string(CODE_LENGTH, CODE_CHARS)


def force_of(request: EmergencyRequest):
    """The unit whose donors are called: the requesting unit's district or commissionerate
    (the unit itself above that level, e.g. a state)."""
    return request.unit.force() or request.unit


def pool(request: EmergencyRequest, *, on=None):
    """Donors who may be called for ``request`` now, best first, not limited: red-cell
    compatible, of the force, eligible today by their stored standing
    (``donors.selectors.eligible_on`` through ``reachable``: also consent to messages, a
    verified number, not opted out or erased, no child's booking their donation would
    break), not away, not asked for this request yet, and not already coming to another
    open emergency. Living blood bank first, then the identical group, the longest rested."""
    on = on or timezone.localdate()
    groups = compatibility.donor_groups_for(request.blood_group)
    donors = in_subtree(Donor.objects.filter(blood_group__in=groups), force_of(request))
    donors = reachable(donors.exclude(unavailable_until__gte=on), on)
    asked = EmergencyCall.objects.filter(request=request, donor=OuterRef("pk"))
    coming = EmergencyCall.objects.filter(
        donor=OuterRef("pk"), status=CallStatus.CONFIRMED, request__status=RequestStatus.OPEN
    )
    return (
        donors.filter(~Exists(asked), ~Exists(coming))
        .annotate(
            emergency_identical=Case(
                When(blood_group=request.blood_group, then=Value(1)), default=Value(0)
            )
        )
        .order_by(
            "-living_blood_bank",
            "-emergency_identical",
            F("last_donated_on").asc(nulls_first=True),
            "pk",
        )
    )


def confirmed_count(request: EmergencyRequest) -> int:
    return request.calls.filter(status=CallStatus.CONFIRMED).count()


def close(request: EmergencyRequest, status: str, *, actor=None, now=None, http=None) -> None:
    """Close a request (filled, stopped, expired): no more waves. Called under its row lock."""
    request.status = status
    request.closed_at = now or timezone.now()
    request.closed_by = actor if getattr(actor, "is_authenticated", False) else None
    request.next_wave_at = None
    request.save(update_fields=["status", "closed_at", "closed_by", "next_wave_at", "updated_at"])
    audit.record(
        action=AuditAction.UPDATE,
        request=http,
        actor=actor,
        obj=request,
        note=f"emergency request {status}",
        confirmed=confirmed_count(request),
    )


def wave_run(request_id: int, *, now=None) -> str:
    """Ask the next wave for one request when it is due; answers what happened ("asked",
    "not due", "quiet", "no donors", "filled", "expired", "closed", "missing")."""
    now = now or timezone.now()
    with transaction.atomic():
        request = (
            EmergencyRequest.objects.select_for_update(of=("self",))
            .select_related("unit", "hospital")
            .filter(pk=request_id)
            .first()
        )
        if request is None:
            return "missing"
        if request.status != RequestStatus.OPEN:
            return "closed"
        if confirmed_count(request) >= request.units_needed:
            close(request, RequestStatus.FILLED, now=now)
            return "filled"
        if now >= request.needed_by:
            close(request, RequestStatus.EXPIRED, now=now)
            return "expired"
        if request.next_wave_at and request.next_wave_at > now:
            return "not due"
        quiet_end = quiet_now(now)
        if quiet_end is not None:
            request.next_wave_at = quiet_end
            request.save(update_fields=["next_wave_at", "updated_at"])
            return "quiet"
        return _ask_next(request, now)


def _ask_next(request: EmergencyRequest, now) -> str:
    donors = list(pool(request, on=timezone.localdate(now))[: settings.EMERGENCY_WAVE_SIZE])
    request.next_wave_at = now + timedelta(minutes=settings.EMERGENCY_WAVE_MINUTES)
    if not donors:
        # Nobody left to ask now; someone may become reachable (a deferral ends, a number
        # is verified), so look again at the next wave's time.
        request.save(update_fields=["next_wave_at", "updated_at"])
        return "no donors"
    wave = request.waves_sent + 1
    calls = EmergencyCall.objects.bulk_create(
        [
            EmergencyCall(request=request, donor=d, wave=wave, code=new_code(), asked_at=now)
            for d in donors
        ]
    )
    for call, donor in zip(calls, donors, strict=True):
        call.donor, call.request = donor, request
    calls_enqueue(calls, preferred=preferred_channels(f"donor:{d.pk}" for d in donors))
    request.waves_sent = wave
    request.save(update_fields=["waves_sent", "next_wave_at", "updated_at"])
    audit.record(
        action=AuditAction.UPDATE,
        obj=request,
        note="emergency wave",
        wave=wave,
        asked=len(calls),
        living_blood_bank=sum(d.living_blood_bank for d in donors),
    )
    return "asked"


def due_request_ids(*, now=None) -> list[int]:
    """Open requests whose next wave is due (or whose time has passed, to close them)."""
    now = now or timezone.now()
    rows = EmergencyRequest.objects.filter(status=RequestStatus.OPEN, next_wave_at__lte=now)
    return list(rows.order_by("next_wave_at", "id").values_list("id", flat=True)[:500])


def waves_run(*, now=None) -> dict[str, int]:
    """Every due request's wave (the beat task); one bad request never stops the others."""
    outcomes: dict[str, int] = {}
    for request_id in due_request_ids(now=now):
        try:
            outcome = wave_run(request_id, now=now)
        except Exception:
            log.exception("emergency request %s: the wave failed", request_id)
            outcome = "error"
        outcomes[outcome] = outcomes.get(outcome, 0) + 1
    return outcomes


def send_check(message) -> str | None:
    """Why an emergency message must not go now (None: it may): a call for a request no
    longer calling, or whose donor has answered meanwhile."""
    if message.topic not in (CALL_TOPIC, CONFIRMED_TOPIC):
        return None
    kind, _, pk = message.subject_key.partition(":")
    if kind != "emergency" or not pk.isdigit():
        return None
    if message.topic == CONFIRMED_TOPIC:
        return None
    donor_id = message.recipient_key.partition(":")[2]
    donor_id = int(donor_id) if donor_id.isdigit() else None
    wanted = EmergencyCall.objects.filter(
        request_id=int(pk),
        donor_id=donor_id,
        status=CallStatus.ASKED,
        request__status=RequestStatus.OPEN,
        request__needed_by__gt=timezone.now(),
    )
    if not wanted.exists():
        return "the emergency request is no longer calling"
    if not may_be_reminded(Donor.objects.filter(pk=donor_id)).exists():
        return "the donor withdrew consent to messages"
    return None
