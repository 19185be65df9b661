"""Forms of the children pages. They validate shapes; the rules are the services' (the
views call them and show their errors on these fields)."""

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.fields import DATE_INPUT
from accounts.scoping import units_for_user
from camps.models import Hospital

from .models import Guardian, Patient, Transfusion


class PatientForm(forms.ModelForm):
    class Meta:
        model = Patient
        fields = [
            "name",
            "date_of_birth",
            "sex",
            "blood_group",
            "weight_kg",
            "unit",
            "hospital",
            "registration_number",
            "phenotype",
            "alloantibodies",
            "status",
            "notes",
        ]
        widgets = {
            "date_of_birth": DATE_INPUT,
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for_user(user).order_by("path")
        self.fields["hospital"].queryset = Hospital.objects.order_by("name")
        if self.instance.pk is None:
            del self.fields["status"]
            if user.unit_id and not self.initial.get("unit"):
                self.initial["unit"] = user.unit_id


class FirstPlanForm(forms.Form):
    """The plan a child starts with and the last transfusion given before registration."""

    units_per_transfusion = forms.IntegerField(
        label=_("Units per transfusion"), min_value=1, initial=settings.THAL_PRESET_YOUNGER[0]
    )
    interval_days = forms.IntegerField(
        label=_("Every (days)"),
        min_value=1,
        initial=settings.THAL_PRESET_YOUNGER[1],
        help_text=_("Plan set by the treating doctor."),
    )
    last_transfused_on = forms.DateField(
        label=_("Last transfusion given on"), required=False, widget=DATE_INPUT
    )
    consent = forms.BooleanField(
        label=_("The guardian consents to the child's record being kept for scheduling"),
        help_text=_("Ask the guardian. They can withdraw at any time."),
    )


class GuardianForm(forms.ModelForm):
    class Meta:
        model = Guardian
        fields = ["name", "relation", "phone", "preferred_language"]
        widgets = {"phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"})}
        labels = {"name": _("Guardian's name")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Normalised (and then length-checked) by the service, which accepts "098123 45678".
        self.fields["phone"].max_length = 20
        self.fields["phone"].validators = []


class PlanForm(forms.Form):
    units_per_transfusion = forms.IntegerField(label=_("Units per transfusion"), min_value=1)
    interval_days = forms.IntegerField(label=_("Every (days)"), min_value=1)
    valid_from = forms.DateField(
        label=_("Valid from"), widget=DATE_INPUT, initial=timezone.localdate
    )


class TransfusionDoneForm(forms.ModelForm):
    class Meta:
        model = Transfusion
        fields = ["done_on", "units_given", "pre_haemoglobin_g_dl", "hospital", "notes"]
        widgets = {"done_on": DATE_INPUT, "notes": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_on"].required = True
        self.fields["units_given"].required = True
        self.fields["hospital"].queryset = Hospital.objects.order_by("name")
        # model_to_dict put the empty values of the open transfusion in; offer the likely ones.
        self.initial["done_on"] = self.initial.get("done_on") or timezone.localdate()
        if self.instance.pk:
            self.initial["units_given"] = (
                self.initial.get("units_given") or self.instance.units_needed
            )
            self.initial["hospital"] = (
                self.instance.hospital_id or self.instance.patient.hospital_id
            )


class AssignForm(forms.Form):
    donor = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    on = forms.DateField(label=_("To give on"), widget=DATE_INPUT)


class MissedForm(forms.Form):
    notes = forms.CharField(label=_("Why"), required=False, max_length=200)
