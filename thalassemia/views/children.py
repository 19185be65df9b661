"""Children: list, detail (audit-logged), register with a guardian, edit, change plan."""

from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django.views.generic import DetailView, FormView, TemplateView
from django_filters.views import FilterView

from accounts import audit
from accounts.choices import AuditAction, Role
from accounts.forms import add_service_errors
from accounts.permissions import RoleRequiredMixin, has_role
from accounts.scoping import for_user

from ..booking import circle_move, circle_remove
from ..calendar import plan_change
from ..children import consent_fields, patient_create, patient_record_consent, patient_update
from ..filters import PatientFilterSet
from ..forms import FirstPlanForm, GuardianForm, PatientForm, PlanForm
from ..guardians import guardian_add, guardian_edit, guardian_remove, guardian_set_opt_out
from ..models import DonorCircle, Guardian
from ..privacy import guardian_erase, patient_erase
from ..schedule import review_plan
from ..selectors import (
    assignment_state,
    current_plan,
    patient_schedule,
    patients_for,
    with_last_transfused,
    with_open_transfusions,
    with_plans,
)

# How far ahead a child's page shows the calendar.
CALENDAR_DAYS = 90


def add_errors_to_forms(forms, error: ValidationError):
    """Each field error onto the first form with that field; the rest onto the first form."""
    if not hasattr(error, "error_dict"):
        forms[0].add_error(None, error)
        return
    for field, errors in error.message_dict.items():
        form = next((f for f in forms if field in f.fields), None)
        (form or forms[0]).add_error(field if form else None, errors)


class PatientListView(RoleRequiredMixin, FilterView):
    """Every child in scope, filtered by status, blood group and due window."""

    template_name = "thalassemia/patient_list.html"
    filterset_class = PatientFilterSet
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return with_last_transfused(
            with_plans(patients_for(self.request.user).select_related("unit"))
        ).order_by("name", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["today"] = timezone.localdate()
        context["rows"] = [(p, current_plan(p)) for p in context["object_list"]]
        # A list of children is personal data: who looked, with which filter, how many rows.
        audit.record_list(
            request=self.request,
            what="children",
            rows=len(context["rows"]),
            ids=[p.pk for p, _plan in context["rows"]],
        )
        return context


class PatientScopedMixin(RoleRequiredMixin):
    def get_patient(self):
        return get_object_or_404(patients_for(self.request.user), pk=self.kwargs["pk"])


class ChildFormView(PatientScopedMixin, FormView):
    """A form about one child in scope whose data goes to one service (``call_service``): the
    service's errors land on the form's fields, success goes back to the child's page."""

    success_message = ""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated:
            self.load()
        return super().dispatch(request, *args, **kwargs)

    def load(self):
        self.patient = self.get_patient()

    def get_context_data(self, **kwargs):
        return super().get_context_data(patient=self.patient, **kwargs)

    def call_service(self, **data):
        raise NotImplementedError

    def form_valid(self, form):
        try:
            self.call_service(actor=self.request.user, request=self.request, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.patient)


class PatientDetailView(PatientScopedMixin, DetailView):
    template_name = "thalassemia/patient_detail.html"
    context_object_name = "patient"

    def get_queryset(self):
        return with_open_transfusions(
            with_plans(patients_for(self.request.user).select_related("unit", "hospital"))
        ).prefetch_related("guardians", "circle__donor")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        patient = self.object
        today = timezone.localdate()
        context["today"] = today
        context["plan"] = current_plan(patient)
        context["plans"] = sorted(patient.plans.all(), key=lambda p: (p.valid_from, p.id))[::-1]
        context["calendar"] = patient_schedule(patient, today + timedelta(days=CALENDAR_DAYS))
        context["open"] = patient.open_transfusions[0] if patient.open_transfusions else None
        if context["open"] is not None:
            context["open_state"] = assignment_state(context["open"])
        context["history"] = list(
            patient.transfusions.exclude(status__in=["due", "scheduled"])
            .select_related("hospital")
            .order_by("-due_on", "-id")[:50]
        )
        context["can_erase"] = has_role(self.request.user, Role.COORDINATOR, Role.ADMIN)
        context["review_plan"] = review_plan(
            [t.pre_haemoglobin_g_dl for t in context["history"] if t.status == "done"],
            settings.THAL_HB_TARGET_LOW,
            settings.THAL_HB_TARGET_HIGH,
        )
        # A view of a child's record is in the audit log (DPDP: who saw what).
        audit.record(action=AuditAction.VIEW, request=self.request, obj=patient)
        return context


class PatientCreateView(RoleRequiredMixin, TemplateView):
    """Register a child with the first plan and one guardian, in one form."""

    template_name = "thalassemia/patient_form.html"

    def forms(self, data=None):
        return {
            "form": PatientForm(data, user=self.request.user),
            "plan_form": FirstPlanForm(data, prefix="plan"),
            "guardian_form": GuardianForm(data, prefix="guardian"),
        }

    def get(self, request, *args, **kwargs):
        return self.render_to_response(self.get_context_data(**self.forms()))

    def post(self, request, *args, **kwargs):
        forms = self.forms(request.POST)
        if not all(f.is_valid() for f in forms.values()):
            return self.render_to_response(self.get_context_data(**forms))
        plan, guardian = forms["plan_form"].cleaned_data, forms["guardian_form"].cleaned_data
        try:
            patient = patient_create(
                actor=request.user,
                request=request,
                units_per_transfusion=plan["units_per_transfusion"],
                interval_days=plan["interval_days"],
                last_transfused_on=plan["last_transfused_on"],
                guardians=[guardian],
                **consent_fields(guardian["name"]),
                **forms["form"].cleaned_data,
            )
        except ValidationError as error:
            add_errors_to_forms(list(forms.values()), error)
            return self.render_to_response(self.get_context_data(**forms))
        messages.success(request, _("Child registered."))
        return redirect(patient)


class PatientUpdateView(ChildFormView):
    template_name = "thalassemia/patient_form.html"
    form_class = PatientForm
    success_message = gettext_lazy("Child's record saved.")

    def call_service(self, **data):
        patient_update(patient=self.patient, **data)

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["user"] = self.request.user
        kwargs["instance"] = patients_for(self.request.user).get(pk=self.patient.pk)
        return kwargs


class PlanChangeView(ChildFormView):
    """A new plan from a date, with the two presets as buttons; the old one stays as history."""

    template_name = "thalassemia/plan_form.html"
    form_class = PlanForm
    success_message = gettext_lazy("Plan changed.")

    def call_service(self, **data):
        plan_change(patient=self.patient, **data)

    def get_initial(self):
        plan = current_plan(self.patient)
        initial = {"valid_from": timezone.localdate()}
        if plan:
            initial |= {
                "units_per_transfusion": plan.units_per_transfusion,
                "interval_days": plan.interval_days,
            }
        return initial

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        preset = self.request.POST.get("preset")
        if self.request.method == "POST" and preset in ("younger", "older"):
            units, days = (
                settings.THAL_PRESET_YOUNGER if preset == "younger" else settings.THAL_PRESET_OLDER
            )
            data = kwargs["data"].copy()
            data["units_per_transfusion"], data["interval_days"] = units, days
            kwargs["data"] = data
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            plan=current_plan(self.patient),
            younger=settings.THAL_PRESET_YOUNGER,
            older=settings.THAL_PRESET_OLDER,
            **kwargs,
        )


class GuardianCreateView(ChildFormView):
    template_name = "thalassemia/guardian_form.html"
    form_class = GuardianForm
    success_message = gettext_lazy("Guardian added.")

    def call_service(self, **data):
        guardian_add(patient=self.patient, **data)


@require_POST
def guardian_opt_out(request, pk):
    """Stop (or restart) messages to a guardian: one button, as easy as consent was."""
    if not has_role(request.user, Role.STAFF, Role.COORDINATOR, Role.ADMIN):
        return redirect(f"{settings.LOGIN_URL}?next={request.path}")
    guardian = get_object_or_404(for_user(Guardian.objects.all(), request.user), pk=pk)
    opted_out = guardian.opted_out_at is None
    guardian_set_opt_out(
        guardian=guardian, opted_out=opted_out, actor=request.user, request=request
    )
    messages.success(request, _("Messages stopped.") if opted_out else _("Messages restarted."))
    return redirect(guardian.patient)


class GuardianUpdateView(ChildFormView):
    """Correct a guardian: a wrong phone, relation or language."""

    template_name = "thalassemia/guardian_form.html"
    form_class = GuardianForm
    success_message = gettext_lazy("Guardian saved.")

    def call_service(self, **data):
        guardian_edit(guardian=self.guardian, **data)

    def load(self):
        self.guardian = get_object_or_404(
            for_user(Guardian.objects.select_related("patient__unit"), self.request.user),
            pk=self.kwargs["pk"],
        )
        self.patient = self.guardian.patient

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        # A copy: the form writes its (not yet normalised) values onto its instance.
        kwargs["instance"] = Guardian.objects.get(pk=self.guardian.pk)
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(guardian=self.guardian, **kwargs)


class GuardianRemoveView(RoleRequiredMixin, TemplateView):
    """POST: remove a guardian; the last one stays, with a message saying why."""

    http_method_names = ["post"]

    def post(self, request, pk):
        guardian = get_object_or_404(
            for_user(Guardian.objects.select_related("patient__unit"), request.user), pk=pk
        )
        patient = guardian.patient
        try:
            guardian_remove(guardian=guardian, actor=request.user, request=request)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Guardian removed."))
        return redirect(patient)


class CircleMemberView(RoleRequiredMixin, TemplateView):
    """POST: move a donor up or down the child's circle (``move=up|down``), or remove them
    (``remove=1``)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        member = get_object_or_404(
            for_user(DonorCircle.objects.select_related("patient__unit", "donor"), request.user),
            pk=pk,
        )
        patient = member.patient
        move = request.POST.get("move")
        if request.POST.get("remove"):
            circle_remove(member=member, actor=request.user, request=request)
            messages.success(
                request,
                _("%(name)s left the child's donor circle.") % {"name": member.donor.name},
            )
        elif move in ("up", "down"):
            circle_move(member=member, up=move == "up", actor=request.user, request=request)
        else:
            messages.error(request, _("Choose what to do with this donor."))
        return redirect(patient)


class PatientConsentView(PatientScopedMixin, TemplateView):
    """POST: a guardian's consent for a child registered without it (through the API)."""

    http_method_names = ["post"]

    def post(self, request, pk):
        patient = self.get_patient()
        raw = request.POST.get("guardian", "")
        guardian = patient.guardians.filter(pk=int(raw)).first() if raw.isdigit() else None
        if not request.POST.get("consent") or guardian is None:
            messages.error(request, _("Choose the guardian and tick that they consent."))
            return redirect(patient)
        try:
            patient_record_consent(
                patient=patient, consent_by=guardian.name, actor=request.user, request=request
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Consent recorded."))
        return redirect(patient)


class PatientEraseView(PatientScopedMixin, TemplateView):
    """POST (``confirm=erase``, asked first in the browser): erase a child's personal data and
    its guardians' on request. Coordinators and admins only."""

    allowed_roles = (Role.COORDINATOR, Role.ADMIN)
    http_method_names = ["post"]

    def post(self, request, pk):
        patient = self.get_patient()
        if request.POST.get("confirm") != "erase":
            messages.error(request, _("Confirm the erasure to go on."))
            return redirect(patient)
        patient_erase(patient=patient, actor=request.user, request=request)
        messages.success(request, _("Personal data erased. The transfusion counts remain."))
        return redirect(patient)


class GuardianEraseView(RoleRequiredMixin, TemplateView):
    """POST (``confirm=erase``): erase one guardian's name and number on request."""

    allowed_roles = (Role.COORDINATOR, Role.ADMIN)
    http_method_names = ["post"]

    def post(self, request, pk):
        guardian = get_object_or_404(
            for_user(Guardian.objects.select_related("patient__unit"), request.user), pk=pk
        )
        if request.POST.get("confirm") != "erase":
            messages.error(request, _("Confirm the erasure to go on."))
        else:
            guardian_erase(guardian=guardian, actor=request.user, request=request)
            messages.success(request, _("The guardian's personal data was erased."))
        return redirect(guardian.patient)
