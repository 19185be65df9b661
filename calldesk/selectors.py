"""Today's call list and the desk's weekly figure. A fixed number of queries whatever the
number of rows."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Prefetch
from django.utils import timezone

from accounts.scoping import for_user
from notifications.choices import MessageState
from notifications.selectors import messages_for
from thalassemia.choices import OPEN_TRANSFUSION, AssignmentStatus
from thalassemia.models import Assignment, Guardian, Transfusion
from thalassemia.reminders import unconfirmed_due

from .choices import CallKind, CallOutcome
from .models import CallLog


@dataclass
class CallRow:
    kind: str
    key: str
    name: str
    phone: str
    context: dict
    unit: object
    assignment: Assignment | None = None
    last_call: CallLog | None = None
    wrong_number: bool = False


def _guardian_rows(user, today: date) -> list[CallRow]:
    """Guardians of children due within CALLDESK_DUE_DAYS with no confirmed donor yet."""
    guardians = Guardian.objects.filter(opted_out_at__isnull=True).order_by("id")
    transfusions = unconfirmed_due(for_user(Transfusion.objects.all(), user), today).filter(
        due_on__lte=today + timedelta(days=settings.CALLDESK_DUE_DAYS)
    )
    transfusions = transfusions.select_related("patient__unit").prefetch_related(
        Prefetch("patient__guardians", queryset=guardians)
    )
    return [
        CallRow(
            kind=CallKind.GUARDIAN,
            key=f"guardian:{guardian.pk}:transfusion:{t.pk}",
            name=guardian.name,
            phone=guardian.phone,
            unit=t.patient.unit,
            context={
                "child": t.patient,
                "due_on": t.due_on,
                "confirmed": t.confirmed,
                "needed": t.units_needed,
            },
        )
        for t in transfusions
        for guardian in t.patient.guardians.all()
    ]


def _donor_rows(user, now) -> list[CallRow]:
    """Donors asked more than CALLDESK_SILENT_HOURS ago who have not answered."""
    silent_since = now - timedelta(hours=settings.CALLDESK_SILENT_HOURS)
    rows = (
        for_user(Assignment.objects.all(), user)
        .filter(
            status=AssignmentStatus.ASKED,
            asked_at__lt=silent_since,
            on__gte=timezone.localdate(now),
            transfusion__status__in=OPEN_TRANSFUSION,
        )
        .select_related("donor", "transfusion__patient__unit")
        .order_by("on", "id")
    )
    return [
        CallRow(
            kind=CallKind.DONOR,
            key=f"assignment:{a.pk}",
            name=a.donor.name,
            phone=a.donor.phone,
            unit=a.transfusion.patient.unit,
            assignment=a,
            context={"child": a.transfusion.patient, "on": a.on, "asked_at": a.asked_at},
        )
        for a in rows
    ]


def _failed_rows(user, today: date) -> list[CallRow]:
    """Recipients whose messages failed in the last week (one row per message)."""
    since = today - timedelta(days=7)
    failed = (
        messages_for(user)
        .filter(state=MessageState.FAILED, created_at__date__gte=since, unit__isnull=False)
        .exclude(phone="")
        .order_by("-created_at", "-id")[: settings.PAGE_SIZE * 4]
    )
    return [
        CallRow(
            kind=CallKind.FAILED,
            key=f"message:{m.pk}",
            name=m.recipient_name,
            phone=m.phone,
            unit=m.unit,
            context={"message": m},
        )
        for m in failed
    ]


def call_list(user, *, now=None) -> list[CallRow]:
    """Today's calls for ``user``'s units: guardians due soon and unconfirmed, donors asked
    and silent, recipients whose messages failed; each with today's last outcome and
    whether the number was reported wrong."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows = _guardian_rows(user, today) + _donor_rows(user, now) + _failed_rows(user, today)
    calls = CallLog.objects.filter(
        row_key__in=[r.key for r in rows], called_at__date__gte=today
    ).order_by("called_at", "id")
    last = {call.row_key: call for call in calls}
    wrong = set(
        CallLog.objects.filter(
            phone__in={r.phone for r in rows}, outcome=CallOutcome.WRONG_NUMBER
        ).values_list("phone", flat=True)
    )
    for row in rows:
        row.last_call = last.get(row.key)
        row.wrong_number = row.phone in wrong
    return rows


@dataclass
class WeekFigure:
    starts_on: date
    confirmed: int
    donated: int


def confirmations_to_donations(user, *, weeks: int = 4, today: date | None = None):
    """Per week (Monday to Sunday, by the day the donor was to give): donors who confirmed,
    and how many of them donated. "Will try" on the call desk never counts as confirmed:
    only an assignment's own confirmation (responded_at and a confirmed-or-later status)."""
    today = today or timezone.localdate()
    monday = today - timedelta(days=today.weekday())
    first = monday - timedelta(weeks=weeks - 1)
    rows = (
        for_user(Assignment.objects.all(), user)
        .filter(
            on__gte=first,
            on__lt=monday + timedelta(days=7),
            responded_at__isnull=False,
            status__in=(
                AssignmentStatus.CONFIRMED,
                AssignmentStatus.DONATED,
                AssignmentStatus.NO_SHOW,
            ),
        )
        .values_list("on", "status")
    )
    figures = {
        first + timedelta(weeks=i): WeekFigure(first + timedelta(weeks=i), 0, 0)
        for i in range(weeks)
    }
    for on, status in rows:
        week = figures[on - timedelta(days=on.weekday())]
        week.confirmed += 1
        week.donated += status == AssignmentStatus.DONATED
    return list(figures.values())[::-1]


def send_check(message) -> str | None:
    """Asked by the outbox before sending: a number the desk found wrong reaches a stranger,
    so nothing more goes to it (a corrected number is another phone, and goes)."""
    if (
        message.phone
        and CallLog.objects.filter(phone=message.phone, outcome=CallOutcome.WRONG_NUMBER).exists()
    ):
        return "the number was reported wrong by the call desk"
    return None
