"""Partner blood centres and hospitals: every signed-in user reads them (staff choose a
centre for a camp; contacts are institutional), only admins add or change them."""

from django.conf import settings
from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, UpdateView
from django_filters.views import FilterView

from accounts import audit
from accounts.choices import AuditAction
from accounts.permissions import PortalAdminOnlyMixin, RoleRequiredMixin

from ..filters import BloodCentreFilterSet, HospitalFilterSet
from ..forms import BloodCentreForm, ContactFormSet, HospitalForm
from ..models import BloodCentre, Hospital
from ..selectors import blood_centres, hospitals


class BloodCentreListView(RoleRequiredMixin, FilterView):
    template_name = "camps/centre_list.html"
    filterset_class = BloodCentreFilterSet
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return blood_centres()


class BloodCentreDetailView(RoleRequiredMixin, DetailView):
    template_name = "camps/centre_detail.html"
    context_object_name = "centre"

    def get_queryset(self):
        return blood_centres()


class AuditedSaveMixin:
    def form_valid(self, form):
        creating = form.instance.pk is None
        response = super().form_valid(form)
        audit.record(
            action=AuditAction.CREATE if creating else AuditAction.UPDATE,
            request=self.request,
            obj=self.object,
            fields=form.changed_data,
        )
        messages.success(self.request, _("Saved."))
        return response


class BloodCentreCreateView(PortalAdminOnlyMixin, AuditedSaveMixin, CreateView):
    model = BloodCentre
    form_class = BloodCentreForm
    template_name = "camps/partner_form.html"

    def get_success_url(self):
        return reverse("camps:centre-detail", args=[self.object.pk])


class BloodCentreUpdateView(PortalAdminOnlyMixin, AuditedSaveMixin, UpdateView):
    model = BloodCentre
    form_class = BloodCentreForm
    template_name = "camps/partner_form.html"

    def get_success_url(self):
        return reverse("camps:centre-detail", args=[self.object.pk])


class HospitalListView(RoleRequiredMixin, FilterView):
    template_name = "camps/hospital_list.html"
    filterset_class = HospitalFilterSet
    paginate_by = settings.PAGE_SIZE

    def get_queryset(self):
        return hospitals()


class HospitalDetailView(RoleRequiredMixin, DetailView):
    template_name = "camps/hospital_detail.html"
    context_object_name = "hospital"

    def get_queryset(self):
        return hospitals()


class HospitalCreateView(PortalAdminOnlyMixin, CreateView):
    """A hospital with its emergency contacts, saved together."""

    model = Hospital
    form_class = HospitalForm
    template_name = "camps/partner_form.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault(
            "contacts", ContactFormSet(instance=self.object or Hospital(), prefix="contacts")
        )
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object() if "pk" in kwargs else None
        form = self.get_form()
        contacts = ContactFormSet(
            request.POST, instance=self.object or Hospital(), prefix="contacts"
        )
        if not (form.is_valid() and contacts.is_valid()):
            return self.render_to_response(self.get_context_data(form=form, contacts=contacts))
        creating = self.object is None
        with transaction.atomic():
            self.object = form.save()
            contacts.instance = self.object
            contacts.save()
        audit.record(
            action=AuditAction.CREATE if creating else AuditAction.UPDATE,
            request=request,
            obj=self.object,
            fields=form.changed_data,
        )
        messages.success(request, _("Saved."))
        return redirect("camps:hospital-detail", pk=self.object.pk)


class HospitalUpdateView(HospitalCreateView, UpdateView):
    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data())
