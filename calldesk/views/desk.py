"""The call desk: today's call list, and logging a call's outcome in one tap."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from accounts import audit
from accounts.choices import AuditAction
from accounts.permissions import RoleRequiredMixin
from notifications.selectors import inbound_needing_a_person

from ..choices import CallKind, CallOutcome
from ..forms import CallOutcomeForm
from ..selectors import call_list, confirmations_to_donations
from ..services import call_log_record


class CallListView(RoleRequiredMixin, TemplateView):
    template_name = "calldesk/call_list.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = call_list(self.request.user)
        context["sections"] = [
            (kind, label, [r for r in rows if r.kind == kind]) for kind, label in CallKind.choices
        ]
        context["outcomes"] = CallOutcome.choices
        context["weeks"] = confirmations_to_donations(self.request.user)
        # SMS replies and missed calls that need a person (templates/calldesk/_inbound_answers).
        context["inbound_answers"] = inbound_needing_a_person(self.request.user)
        # The list shows phone numbers: who looked, and how many rows, is in the audit log.
        audit.record(
            action=AuditAction.VIEW, request=self.request, note="call list", rows=len(rows)
        )
        return context


class CallLogView(RoleRequiredMixin, View):
    def post(self, request):
        form = CallOutcomeForm(request.POST)
        if not form.is_valid():
            for errors in form.errors.values():
                messages.error(request, " ".join(errors))
            return redirect("calldesk:list")
        key = form.cleaned_data["key"]
        row = next((r for r in call_list(request.user) if r.key == key), None)
        if row is None:
            raise Http404  # not on this user's list: out of scope, or gone
        try:
            call_log_record(
                row=row,
                outcome=form.cleaned_data["outcome"],
                follow_up_on=form.cleaned_data["follow_up_on"],
                notes=form.cleaned_data["notes"],
                actor=request.user,
                request=request,
            )
        except ValidationError as error:
            for text in error.messages:
                messages.error(request, text)
            return redirect("calldesk:list")
        messages.success(
            request,
            _("%(name)s: %(outcome)s.")
            % {"name": row.name, "outcome": CallOutcome(form.cleaned_data["outcome"]).label},
        )
        return redirect("calldesk:list")
