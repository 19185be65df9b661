"""One transfusion: match and assign donors, record their answers, record it done or missed."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from accounts import ranges
from accounts.forms import add_service_errors
from accounts.permissions import RoleRequiredMixin
from donors.selectors import donors_for

from ..booking import assignment_create, assignment_set_status, circle_add
from ..choices import ASSIGNMENT_MOVES, OPEN_TRANSFUSION
from ..forms import AssignForm, MissedForm, TransfusionDoneForm
from ..matching import match_donors
from ..selectors import assignment_state, assignments_for, transfusions_for
from ..transfusions import transfusion_record_done, transfusion_record_missed, transfusion_schedule


def _error_text(error: ValidationError) -> str:
    return " ".join(error.messages)


def _parse(raw: str):
    """``?on=``: a date from 1900 to a few years ahead, else None (not a date to match on)."""
    try:
        on = parse_date(raw or "")
        ranges.validate_query_date(on)
    except (ValueError, ValidationError):  # impossible (2026-02-30) or implausible (9999)
        return None
    return on


class TransfusionMixin(RoleRequiredMixin):
    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.transfusion = get_object_or_404(
                transfusions_for(request.user).select_related("patient", "patient__unit"),
                pk=kwargs["pk"],
            )
            self.patient = self.transfusion.patient
        return super().dispatch(request, *args, **kwargs)


class MatchView(TransfusionMixin, TemplateView):
    """Suggested donors with the reasons for their place; assign one; record answers."""

    template_name = "thalassemia/match.html"

    def get_on(self):
        return _parse(self.request.GET.get("on", "")) or self.transfusion.due_on

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        assignments = list(
            self.transfusion.assignments.select_related("donor").order_by("created_at", "id")
        )
        on = self.get_on()
        is_open = self.transfusion.status in OPEN_TRANSFUSION
        context.update(
            transfusion=self.transfusion,
            patient=self.patient,
            on=on,
            assignments=[(a, ASSIGNMENT_MOVES.get(a.status, ())) for a in assignments],
            state=assignment_state(self.transfusion),
            suggestions=match_donors(self.patient, on, user=self.request.user) if is_open else [],
            is_open=is_open,
            today=timezone.localdate(),
        )
        return context

    def get(self, request, *args, **kwargs):
        raw = request.GET.get("on")
        if raw and _parse(raw) is None:
            messages.error(request, _("“%(value)s” is not a date.") % {"value": raw[:20]})
            return redirect("thalassemia:match", pk=self.transfusion.pk)
        return super().get(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = AssignForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Choose a donor and a date."))
            return redirect("thalassemia:match", pk=self.transfusion.pk)
        donor = get_object_or_404(donors_for(request.user), pk=form.cleaned_data["donor"])
        try:
            if request.POST.get("circle"):
                circle_add(patient=self.patient, donor=donor, actor=request.user, request=request)
                messages.success(
                    request, _("%(name)s joined the child's donor circle.") % {"name": donor.name}
                )
            else:
                assignment_create(
                    transfusion=self.transfusion,
                    donor=donor,
                    on=form.cleaned_data["on"],
                    actor=request.user,
                    request=request,
                )
                messages.success(request, _("%(name)s assigned.") % {"name": donor.name})
        except ValidationError as error:
            messages.error(request, _error_text(error))
        return redirect("thalassemia:match", pk=self.transfusion.pk)


class AssignmentStatusView(RoleRequiredMixin, TemplateView):
    """POST: record a donor's answer (asked, confirmed, declined, donated, no-show)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        assignment = get_object_or_404(assignments_for(request.user), pk=pk)
        try:
            assignment_set_status(
                assignment=assignment,
                status=request.POST.get("status", ""),
                actor=request.user,
                request=request,
            )
            messages.success(request, _("Saved."))
        except (ValidationError, ValueError) as error:
            text = (
                _error_text(error) if isinstance(error, ValidationError) else _("Unknown status.")
            )
            messages.error(request, text)
        return redirect("thalassemia:match", pk=assignment.transfusion_id)


class ScheduleView(TransfusionMixin, TemplateView):
    """POST: the date agreed with the hospital."""

    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        due_on = _parse(request.POST.get("due_on", ""))
        if due_on is None:
            messages.error(request, _("Enter a date."))
        else:
            try:
                transfusion_schedule(
                    transfusion=self.transfusion,
                    due_on=due_on,
                    actor=request.user,
                    request=request,
                )
                messages.success(request, _("Date saved."))
            except ValidationError as error:
                messages.error(request, _error_text(error))
        return redirect("thalassemia:match", pk=self.transfusion.pk)


class RecordView(TransfusionMixin, TemplateView):
    """Record the transfusion done (units, haemoglobin, hospital) or missed."""

    template_name = "thalassemia/record.html"

    def get_context_data(self, **kwargs):
        kwargs.setdefault("done_form", TransfusionDoneForm(instance=self.transfusion))
        kwargs.setdefault("missed_form", MissedForm(prefix="missed"))
        return super().get_context_data(
            transfusion=self.transfusion, patient=self.patient, **kwargs
        )

    def post(self, request, *args, **kwargs):
        if self.transfusion.status not in OPEN_TRANSFUSION:
            messages.error(request, _("This transfusion is already recorded."))
            return redirect(self.patient)
        if "missed" in request.POST:
            form = MissedForm(request.POST, prefix="missed")
            if form.is_valid():
                transfusion_record_missed(
                    transfusion=self.transfusion,
                    actor=request.user,
                    request=request,
                    **form.cleaned_data,
                )
                messages.warning(request, _("Recorded as missed: it stays due until given."))
                return redirect(self.patient)
            return self.render_to_response(self.get_context_data(missed_form=form))
        form = TransfusionDoneForm(request.POST, instance=self.transfusion)
        if form.is_valid():
            data = form.cleaned_data
            try:
                transfusion_record_done(
                    transfusion=self.transfusion, actor=request.user, request=request, **data
                )
            except ValidationError as error:
                add_service_errors(form, error)
                return self.render_to_response(self.get_context_data(done_form=form))
            self.patient.refresh_from_db()
            messages.success(
                request,
                _("Transfusion recorded. Next due %(date)s.")
                % {
                    "date": date_format(self.patient.next_due_on, "DATE_FORMAT")
                    if self.patient.next_due_on
                    else "—"
                },
            )
            return redirect(self.patient)
        return self.render_to_response(self.get_context_data(done_form=form))
