"""Forms of the donor registry. Validation of a phone, a unit and a deferral lives in
services and phone/phenotype modules; these forms only call them."""

from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from accounts.fields import DATE_INPUT
from accounts.scoping import units_for_user

from . import phenotype
from .choices import ConsentPurpose, DeferralCategory
from .models import Deferral, Donor
from .phones import normalise_phone
from .services import duplicate_error


class DonorForm(forms.ModelForm):
    consent = forms.BooleanField(
        label=_("The donor agrees to be in the registry"),
        required=False,
        help_text=_("Ask the donor. They can withdraw at any time."),
    )
    consent_reminders = forms.BooleanField(
        label=_("The donor also agrees to receive reminders"),
        required=False,
        help_text=_("Optional: SMS, WhatsApp or email about camps and when they may give again."),
    )

    class Meta:
        model = Donor
        fields = [
            "name",
            "phone",
            "sex",
            "date_of_birth",
            "blood_group",
            "weight_kg",
            "unit",
            "locality",
            "email",
            "preferred_language",
            "is_police",
            "rank",
            "badge_number",
            "living_blood_bank",
            "external_last_donation_on",
            "unavailable_until",
            "unavailable_reason",
            "phenotype",
            "eraktkosh_id",
            "notes",
        ]
        widgets = {
            "date_of_birth": DATE_INPUT,
            "external_last_donation_on": DATE_INPUT,
            "unavailable_until": DATE_INPUT,
            "phone": forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
            "notes": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["unit"].queryset = units_for_user(user).order_by("path")
        if self.instance.pk is None:
            self.fields["consent"].required = True
            if user.unit_id and not self.initial.get("unit"):
                self.initial["unit"] = user.unit_id
        else:
            # Consents are given and withdrawn on the donor page, one purpose at a time.
            del self.fields["consent"]
            del self.fields["consent_reminders"]

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])

    def clean(self):
        """The registry's duplicate rule (``find_duplicates``): the same person (number,
        name and date of birth) or a full number is refused at the phone; a visible
        duplicate is linked, another unit's is not named."""
        data = super().clean()
        if not all(data.get(k) for k in ("phone", "name", "date_of_birth")):
            return data
        person = Donor(phone=data["phone"], name=data["name"], date_of_birth=data["date_of_birth"])
        error = duplicate_error(person, viewer=self.user, exclude_pk=self.instance.pk)
        if error is None:
            return data
        [problem] = error.error_dict["phone"]
        if problem.code == "duplicate" and problem.params and "id" in problem.params:
            existing = Donor.objects.get(pk=problem.params["id"])
            problem = ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("This person is already registered on this mobile number:"),
                    reverse("donors:detail", args=[existing.pk]),
                    existing.name,
                )
            )
        self.add_error("phone", problem)
        return data

    # Plausible dates of birth and weights are the model's validators (accounts.ranges).

    def clean_phenotype(self):
        return phenotype.normalise(self.cleaned_data.get("phenotype", ""))


class DeferralForm(forms.ModelForm):
    class Meta:
        model = Deferral
        fields = ["category", "starts_on", "until"]
        widgets = {"starts_on": DATE_INPUT, "until": DATE_INPUT}
        labels = {"until": _("May give again on")}
        help_texts = {
            "until": _(
                "Leave empty to use the category's usual length. Permanent deferrals have no end."
            )
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["starts_on"].initial = timezone.localdate
        self.fields["category"].choices = DeferralCategory.choices

    # Default lengths, the permanent case and date order are deferral_create's rules: the
    # view calls it and shows its errors on these fields.


class ConsentChangeForm(forms.Form):
    """Staff record, at the donor's word, that a consent is given or withdrawn."""

    purpose = forms.ChoiceField(choices=ConsentPurpose.choices)
    action = forms.ChoiceField(choices=[("give", "give"), ("withdraw", "withdraw")])


class MergeForm(forms.Form):
    keep = forms.IntegerField(label=_("Keep donor number"), min_value=1)
    duplicate = forms.IntegerField(label=_("Merge in and remove donor number"), min_value=1)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("keep") and cleaned.get("keep") == cleaned.get("duplicate"):
            raise ValidationError(_("Choose two different donors."))
        return cleaned
