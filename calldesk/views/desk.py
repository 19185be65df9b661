"""The call desk: the day's call list, and logging a call's outcome in one tap.

With htmx an outcome swaps its row in place (a short "logged" line) and the "done today"
section and the counts out-of-band, so the caller stays where they were on the list.
Without JavaScript the same form posts normally and the answer is a redirect back to the
row's section (an anchor), not to the top of the page."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts import audit
from accounts.choices import AuditAction
from accounts.forms import add_service_errors
from accounts.permissions import RoleRequiredMixin
from notifications.selectors import inbound_needing_a_person

from ..choices import CALLER_ROLES, CallOutcome
from ..forms import CallOutcomeForm
from ..selectors import call_list, can_call, confirmations_to_donations, desk
from ..services import call_log_record


def desk_context(request) -> dict:
    """What the page and its partials share: the sections, who may call, the outcomes."""
    today = timezone.localdate()
    return {
        "desk": desk(request.user),
        "can_call": can_call(request.user),
        "outcomes": CallOutcome.choices,
        "today": today,
        "follow_up_max": today + timedelta(days=settings.CALLDESK_FOLLOW_UP_MAX_DAYS),
    }


class CallListView(RoleRequiredMixin, TemplateView):
    template_name = "calldesk/call_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(desk_context(self.request))
        context["weeks"] = confirmations_to_donations(self.request.user)
        # SMS replies and missed calls that need a person (templates/calldesk/_inbound_answers).
        context["inbound_answers"] = inbound_needing_a_person(self.request.user)
        board = context["desk"]
        # The list shows names (and, to callers, phone numbers): who looked, and how many
        # rows, is in the audit log.
        audit.record(
            action=AuditAction.VIEW,
            request=self.request,
            note="call list",
            rows=board.to_call + len(board.done) + len(board.later),
        )
        return context


def _is_htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


class CallLogView(RoleRequiredMixin, View):
    allowed_roles = CALLER_ROLES

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not can_call(request.user):
            raise PermissionDenied  # the numbers, and so the calls, are the callers' only
        return super().dispatch(request, *args, **kwargs)

    def post(self, request):
        form = CallOutcomeForm(request.POST)
        key = request.POST.get("key", "")
        rows = call_list(request.user) if key else []
        row = next((r for r in rows if r.key == key), None)
        if row is None and form.is_valid():
            # Not on this user's list: out of scope, or answered meanwhile. Nothing changes.
            if _is_htmx(request):
                return render(request, "calldesk/_row_gone.html", {"key": key})
            raise Http404
        if form.is_valid():
            try:
                call = call_log_record(
                    row=row,
                    outcome=form.cleaned_data["outcome"],
                    follow_up_on=form.cleaned_data["follow_up_on"],
                    notes=form.cleaned_data["notes"],
                    actor=request.user,
                    request=request,
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return self.logged(row, call, before=rows)
        return self.refused(row, form)

    def logged(self, row, call, *, before):
        request = self.request
        if _is_htmx(request):
            context = desk_context(request)
            todo = {r.key: r for _kind, _label, rows in context["desk"].sections for r in rows}
            # Rows this call settled besides its own (a donor's yes covers the child, so its
            # guardians need no call) leave the page too.
            gone = [
                r for r in before if r.state == "todo" and r.key != row.key and r.key not in todo
            ]
            return render(
                request,
                "calldesk/_logged.html",
                {
                    **context,
                    # The row as it stands now: still to call (a follow-up today), or logged.
                    "row": todo.get(row.key, row),
                    "still_todo": row.key in todo,
                    "call": call,
                    "gone": gone,
                },
            )
        messages.success(
            request,
            _("%(name)s: %(outcome)s.") % {"name": row.name, "outcome": call.get_outcome_display()},
        )
        return redirect(reverse("calldesk:list") + f"#section-{row.kind}")

    def refused(self, row, form):
        """Bad input: the row again with its errors (htmx), or the messages and back to the
        row (a plain post). Nothing was written."""
        if row is not None and _is_htmx(self.request):
            context = desk_context(self.request)
            return render(self.request, "calldesk/_row.html", {**context, "row": row, "form": form})
        for errors in form.errors.values():
            messages.error(self.request, " ".join(errors))
        anchor = f"#{row.anchor}" if row is not None else ""
        return redirect(reverse("calldesk:list") + anchor)
