from django.contrib import admin

from . import partners
from .forms import ContactForm
from .models import BloodCentre, Camp, Hospital, HospitalContact


@admin.register(BloodCentre)
class BloodCentreAdmin(admin.ModelAdmin):
    """Partners written through camps.partners, as on the partner pages and the API."""

    list_display = ["name", "licence_number", "eraktkosh_id", "phone", "contact_person"]
    search_fields = ["name", "licence_number", "eraktkosh_id"]

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in partners.BLOOD_CENTRE_FIELDS}
        if change:
            partners.blood_centre_update(
                blood_centre=BloodCentre.objects.get(pk=obj.pk),
                actor=request.user,
                request=request,
                **fields,
            )
        else:
            # The admin's message and redirect name the row the service made.
            obj.pk = partners.blood_centre_create(actor=request.user, request=request, **fields).pk


class HospitalContactInline(admin.TabularInline):
    model = HospitalContact
    form = ContactForm
    extra = 1


@admin.register(Hospital)
class HospitalAdmin(admin.ModelAdmin):
    """A hospital and its contacts are written together by camps.partners (save_related)."""

    list_display = ["name", "kind", "phone"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [HospitalContactInline]

    def save_model(self, request, obj, form, change):
        pass  # written with its contacts in save_related

    def save_related(self, request, form, formsets, change):
        fields = {name: form.cleaned_data[name] for name in partners.HOSPITAL_FIELDS}
        contacts = [
            {name: inline.cleaned_data[name] for name in partners.CONTACT_FIELDS}
            for formset in formsets
            for inline in formset.forms
            if inline.cleaned_data and not inline.cleaned_data.get("DELETE")
        ]
        if change:
            hospital = partners.hospital_update(
                hospital=Hospital.objects.get(pk=form.instance.pk),
                actor=request.user,
                request=request,
                contacts=contacts,
                **fields,
            )
        else:
            hospital = partners.hospital_create(
                actor=request.user, request=request, contacts=contacts, **fields
            )
        form.instance.pk = hospital.pk
        for formset in formsets:  # read by the admin's change message; the service saved
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []


@admin.register(Camp)
class CampAdmin(admin.ModelAdmin):
    """For looking camps up; planning and status changes go through the camp pages, whose
    services keep the rules (a closed camp is read-only)."""

    list_display = ["name", "held_on", "unit", "blood_centre", "status"]
    list_filter = ["status"]
    search_fields = ["name", "venue"]
    date_hierarchy = "held_on"
    raw_id_fields = ["unit"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
