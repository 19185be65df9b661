"""The thalassaemia reminders scan: what is due for guardians, assigned donors and
coordinators, written as outbox rows (notifications.services.message_enqueue). A plain
function run by beat every few minutes; idempotent (the outbox's natural key), and after
downtime it creates what is still useful and nothing stale.

- guardians: THAL_REMINDER_DAYS_BEFORE days before an open transfusion (or later, up to
  the day before, when the scan was down or the date was set late);
- donors asked for a transfusion: a request with signed confirm/decline links;
- confirmed donors: a reminder the day before and one on the morning;
- coordinators: a daily email digest of transfusions due within THAL_DIGEST_DAYS with no
  confirmed donor.

``send_check`` is asked by the outbox just before sending: a reminder about a transfusion
given or cancelled meanwhile, or to a guardian who said stop, is cancelled, not sent."""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, F, Q
from django.urls import reverse
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from accounts.scoping import for_user, user_can_access_unit
from donors.reminders import donor_message_enqueue
from donors.replies import reply_code_for
from notifications.rendering import portal_url
from notifications.services import channel_for, message_enqueue, preferred_channels

from .choices import OPEN_TRANSFUSION, AssignmentStatus, PatientStatus
from .models import Assignment, Guardian, Transfusion
from .respond import respond_url

GUARDIAN_TOPIC = "transfusion_due"
REQUEST_TOPIC = "donor_request"
EVE_TOPIC = "donor_reminder_eve"
DAY_TOPIC = "donor_reminder_day"
DIGEST_TOPIC = "coordinator_digest"
RELEASED_TOPIC = "assignment_released"


# --- the scan --------------------------------------------------------------------------


def scan(today: date | None = None) -> int:
    """Enqueue every thalassaemia message due now; answers how many were new."""
    today = today or timezone.localdate()
    return (
        guardian_reminders(today)
        + donor_requests(today)
        + donor_reminders(today)
        + coordinator_digests(today)
    )


def guardian_reminders(today: date) -> int:
    horizon = today + timedelta(days=settings.THAL_REMINDER_DAYS_BEFORE)
    guardians = Guardian.objects.filter(
        opted_out_at__isnull=True, patient__status=PatientStatus.ACTIVE
    ).select_related("patient__unit")
    transfusions = Transfusion.objects.filter(
        status__in=OPEN_TRANSFUSION,
        # A reminder is for planning the visit: on the day itself, or after, it is stale.
        due_on__gt=today,
        due_on__lte=horizon,
        patient__status=PatientStatus.ACTIVE,
    ).select_related("patient")
    by_patient: dict[int, list] = {}
    for guardian in guardians.filter(patient__transfusions__in=transfusions).distinct():
        by_patient.setdefault(guardian.patient_id, []).append(guardian)
    prefs = preferred_channels(f"guardian:{g.pk}" for gs in by_patient.values() for g in gs)
    created = 0
    for transfusion in transfusions:
        for guardian in by_patient.get(transfusion.patient_id, []):
            _, new = message_enqueue(
                topic=GUARDIAN_TOPIC,
                subject_key=f"transfusion:{transfusion.pk}",
                recipient_key=f"guardian:{guardian.pk}",
                recipient_name=guardian.name,
                phone=guardian.phone,
                language=guardian.preferred_language,
                channel=channel_for(prefs.get(f"guardian:{guardian.pk}")),
                template="guardian_transfusion_due",
                due_on=transfusion.due_on,
                valid_until=transfusion.due_on - timedelta(days=1),
                unit=guardian.patient.unit,
                context={"guardian": guardian, "child": guardian.patient, "on": transfusion.due_on},
            )
            created += new
    return created


def _donor_message(assignment: Assignment, *, topic: str, template: str, valid_until: date):
    patient = assignment.transfusion.patient
    hospital = assignment.where
    return donor_message_enqueue(
        assignment.donor,
        topic=topic,
        subject_key=f"assignment:{assignment.pk}",
        template=template,
        due_on=assignment.on,
        valid_until=valid_until,
        unit=patient.unit,
        context={
            "on": assignment.on,
            "hospital": hospital,
            "place": hospital.name if hospital else "",
            "respond_url": respond_url(assignment) if topic == REQUEST_TOPIC else "",
            # A family's shared phone: "Reply 1 K7QM" says whose request it is.
            "reply_code": (
                reply_code_for(assignment.donor, f"assignment:{assignment.pk}")
                if topic == REQUEST_TOPIC
                else ""
            ),
        },
    )[1]


def _live_assignments(status, **dates):
    return Assignment.objects.filter(
        status=status,
        donor__opted_out_at__isnull=True,
        donor__erased_at__isnull=True,
        # An unverified number gets only its code (donors.verification).
        donor__verified_at__isnull=False,
        transfusion__status__in=OPEN_TRANSFUSION,
        **dates,
    ).select_related(
        "donor",
        "transfusion__patient__unit",
        "transfusion__hospital",
        "transfusion__patient__hospital",
    )


def donor_requests(today: date) -> int:
    """Donors asked for a coming transfusion get the request, with the links, once."""
    rows = _live_assignments(AssignmentStatus.ASKED, on__gte=today)
    return sum(
        _donor_message(a, topic=REQUEST_TOPIC, template="donor_request", valid_until=a.on)
        for a in rows
    )


def donor_reminders(today: date) -> int:
    """Confirmed donors: the day before, and on the morning (quiet hours hold it to 08:00)."""
    tomorrow = today + timedelta(days=1)
    eve = _live_assignments(AssignmentStatus.CONFIRMED, on=tomorrow)
    day = _live_assignments(AssignmentStatus.CONFIRMED, on=today)
    created = sum(
        _donor_message(a, topic=EVE_TOPIC, template="donor_reminder_eve", valid_until=today)
        for a in eve
    )
    return created + sum(
        _donor_message(a, topic=DAY_TOPIC, template="donor_reminder_day", valid_until=today)
        for a in day
    )


def unconfirmed_due(queryset, today: date):
    """Open transfusions of ``queryset`` due by today + THAL_DIGEST_DAYS (overdue too) with
    fewer confirmed (or donated) donors than units needed."""
    until = today + timedelta(days=settings.THAL_DIGEST_DAYS)
    covered = Q(assignments__status__in=(AssignmentStatus.CONFIRMED, AssignmentStatus.DONATED))
    return (
        queryset.filter(
            status__in=OPEN_TRANSFUSION, due_on__lte=until, patient__status=PatientStatus.ACTIVE
        )
        .annotate(confirmed=Count("assignments", filter=covered))
        .filter(confirmed__lt=F("units_needed"))
        .select_related("patient")
        .order_by("due_on", "id")
    )


def _coordinator(user) -> dict:
    """A coordinator as the outbox's recipient (by email; a phone is added where it may go)."""
    return {
        "recipient_key": f"user:{user.pk}",
        "recipient_name": user.get_full_name() or user.username,
        "email": user.email,
        "language": getattr(user, "preferred_language", "") or "en",
    }


def coordinator_digests(today: date) -> int:
    """One email a day to each coordinator with an address, listing its force's uncovered
    transfusions; only today's (a missed day's digest is not sent late)."""
    if today == timezone.localdate() and timezone.localtime().hour < settings.THAL_DIGEST_HOUR:
        return 0  # written in the morning, with the night's changes, not at midnight
    coordinators = (
        User.objects.filter(role=Role.COORDINATOR, is_active=True, unit__isnull=False)
        .exclude(email="")
        .select_related("unit")
    )
    created = 0
    for user in coordinators:
        rows = list(unconfirmed_due(for_user(Transfusion.objects.all(), user), today))
        if not rows:
            continue
        _, new = message_enqueue(
            topic=DIGEST_TOPIC,
            subject_key=f"digest:{today.isoformat()}",
            **_coordinator(user),
            channel="email",
            template="coordinator_digest",
            due_on=today,
            valid_until=today,
            unit=user.unit,
            context={
                "user": user,
                "rows": rows,
                "today": today,
                "days": settings.THAL_DIGEST_DAYS,
                "board_url": portal_url(reverse("thalassemia:due-soon")),
            },
        )
        created += new
    return created


def coordinators_tell_released(assignment: Assignment, *, cause: str, on: date) -> int:
    """Tell each coordinator who keeps the child (active, with an address) that its booked
    donor can no longer give: one message per assignment and coordinator (the outbox's
    natural key), by email, or by the default channel to a coordinator with only a phone.
    Called by booking.assignments_release_for_donor."""
    patient = assignment.transfusion.patient
    coordinators = User.objects.filter(role=Role.COORDINATOR, is_active=True, unit__isnull=False)
    coordinators = coordinators.exclude(email="", phone="").select_related("unit")
    match_url = portal_url(reverse("thalassemia:match", args=[assignment.transfusion_id]))
    created = 0
    for user in coordinators:
        if not user_can_access_unit(user, patient.unit):
            continue
        _, new = message_enqueue(
            topic=RELEASED_TOPIC,
            subject_key=f"assignment:{assignment.pk}",
            **_coordinator(user),
            phone=user.phone,
            channel="email" if user.email else channel_for(None),
            template="assignment_released",
            due_on=assignment.on,
            unit=patient.unit,
            context={
                "user": user,
                "donor": assignment.donor,
                "child": patient,
                "assignment": assignment,
                "donated": cause == "donation",
                "event_on": on,
                "match_url": match_url,
            },
        )
        created += new
    return created


# --- asked by the outbox just before sending ---------------------------------------------

_WANTS = {
    REQUEST_TOPIC: (AssignmentStatus.ASKED,),
    EVE_TOPIC: (AssignmentStatus.CONFIRMED,),
    DAY_TOPIC: (AssignmentStatus.CONFIRMED,),
}


def send_check(message) -> str | None:
    """Why a thalassaemia message must not go now (None: it may)."""
    kind, _, pk = message.recipient_key.partition(":")
    if kind == "guardian":
        guardian = Guardian.objects.filter(pk=pk).only("opted_out_at").first()
        if guardian is None or guardian.opted_out_at:
            return "the guardian opted out"
    kind, _, pk = message.subject_key.partition(":")
    if kind == "transfusion" and message.topic == GUARDIAN_TOPIC:
        still_open = Transfusion.objects.filter(pk=pk, status__in=OPEN_TRANSFUSION)
        return None if still_open.exists() else "the transfusion is no longer open"
    if kind == "assignment" and message.topic in _WANTS:
        wanted = Assignment.objects.filter(
            pk=pk, status__in=_WANTS[message.topic], transfusion__status__in=OPEN_TRANSFUSION
        )
        return None if wanted.exists() else "the assignment has moved on"
    return None
