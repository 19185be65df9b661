"""Pages of emergency requests: the list, record one, its page (who was asked, who answered,
who is coming), stop its waves; and the donor's answer page behind the call's link."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import FormView, ListView, TemplateView

from accounts import audit
from accounts.choices import AuditAction, Role
from accounts.forms import add_service_errors
from accounts.permissions import RoleRequiredMixin
from donors.consent import opt_out_url
from notifications.rendering import render_in_language

from .forms import EmergencyForm
from .selectors import calls_by_wave, requests_for
from .services import call_answer, emergency_create, emergency_stop, link_state


class EmergencyRoleMixin(RoleRequiredMixin):
    # Coordinators and admins (force admins count as both): the page lists donors' phones.
    allowed_roles = (Role.COORDINATOR, Role.ADMIN)


class EmergencyListView(EmergencyRoleMixin, ListView):
    template_name = "emergency/list.html"
    context_object_name = "emergencies"
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return requests_for(self.request.user)


class EmergencyCreateView(EmergencyRoleMixin, FormView):
    template_name = "emergency/form.html"
    form_class = EmergencyForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_context_data(self, **kwargs):
        return super().get_context_data(wave_size=settings.EMERGENCY_WAVE_SIZE, **kwargs)

    def form_valid(self, form):
        try:
            emergency = emergency_create(
                actor=self.request.user, request=self.request, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, _("Recorded. The first donors are being called now."))
        return redirect("emergency:detail", pk=emergency.pk)


class EmergencyDetailView(EmergencyRoleMixin, TemplateView):
    template_name = "emergency/detail.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        emergency = get_object_or_404(requests_for(self.request.user), pk=self.kwargs["pk"])
        waves = calls_by_wave(emergency)
        # The page shows donors' names and phones: a view of personal data, logged.
        audit.record(
            action=AuditAction.VIEW, request=self.request, obj=emergency, note="emergency calls"
        )
        contacts = list(emergency.hospital.contacts.order_by("name", "pk"))
        context.update(emergency=emergency, waves=waves, contacts=contacts)
        return context


class EmergencyStopView(EmergencyRoleMixin, View):
    def post(self, request, pk):
        emergency = get_object_or_404(requests_for(request.user), pk=pk)
        try:
            emergency_stop(emergency=emergency, actor=request.user, request=request)
        except ValidationError as error:
            messages.warning(request, " ".join(error.messages))
        else:
            messages.success(request, _("Stopped: no more donors will be called."))
        return redirect("emergency:detail", pk=pk)


STATUS_CODES = {"invalid": 404}


class AnswerView(View):
    """Opening the link changes nothing (phones preview links); a button press does."""

    template_name = "emergency/answer.html"

    def get(self, request, code):
        call, state = link_state(code)
        return self.page(request, call, state)

    def post(self, request, code):
        call, state = call_answer(code=code, answer=request.POST.get("answer", ""), request=request)
        return self.page(request, call, state)

    def page(self, request, call, state):
        context = {"call": call, "state": state}
        if call is not None:
            context["hospital"] = call.request.hospital
            context["contacts"] = list(call.request.hospital.contacts.order_by("name", "pk"))
            context["opt_out_url"] = opt_out_url(call.donor)
        return render_in_language(
            request,
            self.template_name,
            context,
            language=call.donor.preferred_language if call else "",
            status=STATUS_CODES.get(state, 200),
        )
