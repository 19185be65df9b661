"""Partner blood centres and hospitals: every signed-in user reads them (staff choose a
centre for a camp; contacts are institutional), only admins add or change them."""

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, UpdateView
from django_filters.views import FilterView

from accounts.permissions import PortalAdminOnlyMixin, RoleRequiredMixin

from .. import partners
from ..filters import BloodCentreFilterSet, HospitalFilterSet
from ..forms import BloodCentreForm, ContactFormSet, HospitalForm
from ..models import BloodCentre, Hospital
from ..partners import CONTACT_FIELDS
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


class PartnerSaveMixin:
    """The form validates the input; a service in ``camps.partners`` writes and audits."""

    template_name = "camps/partner_form.html"

    def save_through(self, form, save, contacts=None):
        try:
            self.object = save()
        except ValidationError as error:
            if not hasattr(error, "error_dict"):
                form.add_error(None, error)
            else:
                # Errors of the contacts as a whole have no field on the partner's form.
                errors = error.message_dict
                for message in errors.pop("contacts", []):
                    form.add_error(None, message)
                if errors:
                    form.add_error(None, ValidationError(errors))
            return self.render_to_response(self.get_context_data(form=form, contacts=contacts))
        messages.success(self.request, _("Saved."))
        return redirect(self.get_success_url())


class BloodCentreCreateView(PortalAdminOnlyMixin, PartnerSaveMixin, CreateView):
    model = BloodCentre
    form_class = BloodCentreForm

    def form_valid(self, form):
        return self.save_through(
            form,
            lambda: partners.blood_centre_create(
                actor=self.request.user, request=self.request, **form.cleaned_data
            ),
        )

    def get_success_url(self):
        return reverse("camps:centre-detail", args=[self.object.pk])


class BloodCentreUpdateView(PortalAdminOnlyMixin, PartnerSaveMixin, UpdateView):
    model = BloodCentre
    form_class = BloodCentreForm

    def form_valid(self, form):
        # A fresh row: the form has already set its values on self.object.
        centre = BloodCentre.objects.get(pk=self.object.pk)
        return self.save_through(
            form,
            lambda: partners.blood_centre_update(
                blood_centre=centre,
                actor=self.request.user,
                request=self.request,
                **form.cleaned_data,
            ),
        )

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


def _contacts(formset) -> list[dict]:
    """The contacts filled in and not marked for removal, as the service takes them."""
    return [
        {name: form.cleaned_data[name] for name in CONTACT_FIELDS}
        for form in formset.forms
        if form.cleaned_data and not form.cleaned_data.get("DELETE")
    ]


class HospitalCreateView(PortalAdminOnlyMixin, PartnerSaveMixin, CreateView):
    """A hospital with its emergency contacts, saved together."""

    model = Hospital
    form_class = HospitalForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        if context.get("contacts") is None:
            context["contacts"] = ContactFormSet(
                instance=self.object or Hospital(), prefix="contacts"
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
        return self.save_through(form, lambda: self.write(form, contacts), contacts)

    def write(self, form, contacts):
        if self.object is None:
            return partners.hospital_create(
                actor=self.request.user,
                request=self.request,
                contacts=_contacts(contacts),
                **form.cleaned_data,
            )
        return partners.hospital_update(
            # A fresh row: the form has already set its values on self.object.
            hospital=Hospital.objects.get(pk=self.object.pk),
            actor=self.request.user,
            request=self.request,
            contacts=_contacts(contacts),
            **form.cleaned_data,
        )

    def get_success_url(self):
        return reverse("camps:hospital-detail", args=[self.object.pk])


class HospitalUpdateView(HospitalCreateView, UpdateView):
    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data())
