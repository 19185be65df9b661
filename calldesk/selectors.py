"""Today's call list and the desk's weekly figure. A fixed number of queries whatever the
number of rows.

The list is built from row sources, one per kind of call (``ROW_SOURCES``): each reads what
needs a call now, scoped to the user, and answers ``CallRow``s with a stable ``key``. The
desk's own memory (``CallLog``) then decides where each row stands today: to call, done
today, or waiting for its follow-up day. A new kind of call (the donor loop's unclear SMS
replies) is one more source appended to ``ROW_SOURCES`` and one more ``CallKind``; the page
renders a section for every kind that has rows."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.conf import settings
from django.db.models import Count, F, Prefetch, Q
from django.utils import timezone

from accounts.permissions import ROLE_INCLUDES
from accounts.scoping import for_user
from notifications.choices import MessageState
from notifications.selectors import messages_for
from thalassemia.choices import OPEN_TRANSFUSION, AssignmentStatus, PatientStatus
from thalassemia.models import Assignment, Guardian, Transfusion
from thalassemia.reminders import unconfirmed_due

from .choices import CALLER_ROLES, CallKind, CallOutcome
from .models import CallLog

# An assignment that still counts towards the transfusion's donors: a declined donor is
# replaced once these reach the units needed.
HOLDS_A_PLACE = (
    AssignmentStatus.PROPOSED,
    AssignmentStatus.ASKED,
    AssignmentStatus.CONFIRMED,
    AssignmentStatus.DONATED,
)
NO_ANSWER = (AssignmentStatus.PROPOSED, AssignmentStatus.ASKED)
# A call nobody answered is still owed: the row comes back the next day by itself.
RETRY_OUTCOMES = (CallOutcome.NO_ANSWER,)


def can_call(user) -> bool:
    """Who rings people from the desk, and so sees their phone numbers and logs outcomes:
    by role alone (a superuser's admin role does not call, whatever else it may do)."""
    if not getattr(user, "is_authenticated", False):
        return False
    held = ROLE_INCLUDES.get(user.role, frozenset({user.role}))
    return not held.isdisjoint(CALLER_ROLES)


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
    # Where the row stands today (``_place``): "todo", "done" (called today), "later" (a
    # follow-up day still ahead) or "closed" (called before, settled); ``follow_up_due``
    # marks a row brought back by its follow-up day.
    state: str = "todo"
    follow_up_due: bool = False

    @property
    def anchor(self) -> str:
        """The row's HTML id (keys hold colons, which CSS selectors would trip over)."""
        return "call-" + self.key.replace(":", "-")


def _guardian_rows(user, now) -> list[CallRow]:
    """Guardians of children due within CALLDESK_DUE_DAYS with no confirmed donor yet."""
    today = timezone.localdate(now)
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


def _assignments(user, today: date):
    return for_user(Assignment.objects.all(), user).filter(
        on__gte=today,
        transfusion__status__in=OPEN_TRANSFUSION,
        transfusion__patient__status=PatientStatus.ACTIVE,
        donor__erased_at__isnull=True,
    )


def _donor_rows(user, now) -> list[CallRow]:
    """Donors proposed or asked who have not answered, once the day they are to give is
    CALLDESK_ANSWER_HOURS away (or they were asked CALLDESK_SILENT_HOURS ago): a phone call
    is the last chance to find another donor in time."""
    today = timezone.localdate(now)
    answer_by = timezone.localdate(now + timedelta(hours=settings.CALLDESK_ANSWER_HOURS))
    silent_since = now - timedelta(hours=settings.CALLDESK_SILENT_HOURS)
    rows = (
        _assignments(user, today)
        .filter(status__in=NO_ANSWER)
        .filter(Q(on__lte=answer_by) | Q(status=AssignmentStatus.ASKED, asked_at__lt=silent_since))
        .select_related("donor", "transfusion__patient__unit")
        .order_by("on", "id")
    )
    return [_assignment_row(CallKind.DONOR, a) for a in rows]


def _declined_rows(user, now) -> list[CallRow]:
    """Donors who declined a transfusion within CALLDESK_DUE_DAYS that nobody has replaced
    yet (fewer donors holding a place than units needed): asked again, or asked for
    someone who could go instead."""
    today = timezone.localdate(now)
    holding = Count(
        "transfusion__assignments",
        filter=Q(transfusion__assignments__status__in=HOLDS_A_PLACE),
        distinct=True,
    )
    rows = (
        _assignments(user, today)
        .filter(
            status=AssignmentStatus.DECLINED,
            on__lte=today + timedelta(days=settings.CALLDESK_DUE_DAYS),
        )
        .annotate(holding=holding)
        .filter(holding__lt=F("transfusion__units_needed"))
        .select_related("donor", "transfusion__patient__unit")
        .order_by("on", "id")
    )
    return [_assignment_row(CallKind.DECLINED, a) for a in rows]


def _assignment_row(kind, a: Assignment) -> CallRow:
    return CallRow(
        kind=kind,
        key=f"assignment:{a.pk}",
        name=a.donor.name,
        phone=a.donor.phone,
        unit=a.transfusion.patient.unit,
        assignment=a,
        context={
            "child": a.transfusion.patient,
            "on": a.on,
            "asked_at": a.asked_at,
            "responded_at": a.responded_at,
            "status": a.status,
        },
    )


def _failed_rows(user, now) -> list[CallRow]:
    """Recipients whose messages failed in the last week (one row per message)."""
    since = timezone.localdate(now) - timedelta(days=7)
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


# Each source answers the rows of one kind (or more), a fixed number of queries each.
# Unclear SMS replies (issue 16's donor loop) append their source here.
ROW_SOURCES = [_guardian_rows, _donor_rows, _declined_rows, _failed_rows]


def _place(row: CallRow, last: CallLog | None, today: date) -> None:
    """Where ``row`` stands today from its last call. A follow-up day keeps the row away
    until that day and brings it back then (today's: try again later today). Without one, a
    row called today is done; on a later day it comes back only when nobody answered (the
    call is still owed), and otherwise stays closed."""
    row.last_call = last
    if last is None:
        return
    follow_up = last.follow_up_on
    if follow_up is not None:
        row.state = "later" if follow_up > today else "todo"
        row.follow_up_due = follow_up <= today
    elif timezone.localdate(last.called_at) == today:
        row.state = "done"
    elif last.outcome not in RETRY_OUTCOMES:
        row.state = "closed"


def call_list(user, *, now=None) -> list[CallRow]:
    """Every row that needs a call for ``user``'s units: guardians due soon and unconfirmed,
    donors who have not answered, donors who declined and are not replaced, recipients whose
    messages failed; each placed by its last call and marked when its number was reported
    wrong. ``row.state`` says which are to call now."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    rows = [row for source in ROW_SOURCES for row in source(user, now)]
    # Oldest first, so the dict keeps each row's last call.
    calls = CallLog.objects.filter(row_key__in=[r.key for r in rows]).order_by("called_at", "id")
    last = {call.row_key: call for call in calls}
    wrong = set(
        CallLog.objects.filter(
            phone__in={r.phone for r in rows}, outcome=CallOutcome.WRONG_NUMBER
        ).values_list("phone", flat=True)
    )
    for row in rows:
        _place(row, last.get(row.key), today)
        row.wrong_number = row.phone in wrong
    return rows


@dataclass
class Desk:
    """The page's sections: rows to call by kind, today's calls, and rows coming back."""

    sections: list = field(default_factory=list)  # (kind, label, rows to call)
    done: list = field(default_factory=list)  # today's last call per row, newest first
    later: list = field(default_factory=list)  # rows waiting for their follow-up day
    to_call: int = 0


def done_today(user, *, now=None) -> list[CallLog]:
    """Today's calls in ``user``'s units, the last one per row, newest first: a row whose
    donor confirmed on the phone has left the list, and its call is still here."""
    today = timezone.localdate(now or timezone.now())
    # A call with a follow-up today ("try again later today") leaves its row on the list.
    calls = (
        for_user(CallLog.objects.filter(called_at__date=today), user)
        .exclude(follow_up_on=today)
        .select_related("called_by")
    )
    seen, done = set(), []
    for call in calls.order_by("-called_at", "-id"):
        if call.row_key not in seen:
            seen.add(call.row_key)
            done.append(call)
    return done


def desk(user, *, now=None) -> Desk:
    """The call desk page for ``user``: a fixed number of queries whatever the row count."""
    rows = call_list(user, now=now)
    todo = [r for r in rows if r.state == "todo"]
    # Rows brought back by their follow-up day come first in their section.
    todo.sort(key=lambda r: not r.follow_up_due)
    sections = [
        (kind, label, [r for r in todo if r.kind == kind]) for kind, label in CallKind.choices
    ]
    later = sorted((r for r in rows if r.state == "later"), key=lambda r: r.last_call.follow_up_on)
    return Desk(
        sections=sections,
        done=done_today(user, now=now),
        later=later,
        to_call=len(todo),
    )


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
