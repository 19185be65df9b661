"""Forms of the camps app. Rules live in services and in donors' modules; forms call them."""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from accounts import ranges
from accounts.fields import DATE_INPUT, BoundedDateField
from accounts.scoping import units_for_user
from donors.choices import (
    BagVolume,
    BloodGroup,
    DeferralCategory,
    ReactionKind,
    Sex,
    bag_volume_choices,
)
from donors.phones import normalise_phone

from .models import BloodCentre, Camp, Hospital, HospitalContact
from .partners import BLOOD_CENTRE_FIELDS, CONTACT_FIELDS, HOSPITAL_FIELDS, contact_clean
from .services import CAMP_FIELDS

TIME_INPUT = forms.TimeInput(attrs={"type": "time"}, format="%H:%M")


class CampForm(forms.ModelForm):
    class Meta:
        model = Camp
        fields = list(CAMP_FIELDS)
        widgets = {
            "held_on": DATE_INPUT,
            "starts_at": TIME_INPUT,
            "ends_at": TIME_INPUT,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
        # Written as the portal writes it (a model label would be capitalised to "E-").
        labels = {"eraktkosh_id": _("e-RaktKosh camp id")}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for_user(user).order_by("path")
        self.fields["blood_centre"].queryset = BloodCentre.objects.order_by("name")
        if self.instance.pk is None and user.unit_id and not self.initial.get("unit"):
            self.initial["unit"] = user.unit_id


class BloodCentreForm(forms.ModelForm):
    class Meta:
        model = BloodCentre
        fields = list(BLOOD_CENTRE_FIELDS)
        labels = {"eraktkosh_id": _("e-RaktKosh id")}
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}


class HospitalForm(forms.ModelForm):
    class Meta:
        model = Hospital
        fields = list(HOSPITAL_FIELDS)
        widgets = {"address": forms.Textarea(attrs={"rows": 2})}


class ContactForm(forms.ModelForm):
    """A named emergency contact: a person's mobile, kept in E.164 like every other. The
    rule is ``partners.contact_clean``, which the API and the service apply too."""

    # Any written form of the number (spaces, a leading 0): longer than the E.164 stored.
    phone = forms.CharField(
        label=_("Phone"), max_length=20, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )

    class Meta:
        model = HospitalContact
        fields = list(CONTACT_FIELDS)

    def clean(self):
        data = super().clean()
        if not self.errors:
            try:
                data.update(contact_clean(**{name: data.get(name) for name in CONTACT_FIELDS}))
            except ValidationError as error:
                self.add_error(None, error)
        return data


ContactFormSet = forms.inlineformset_factory(
    Hospital, HospitalContact, form=ContactForm, fields=list(CONTACT_FIELDS), extra=2
)


# --- The camp table ----------------------------------------------------------------------

DECIMAL_INPUT = {"inputmode": "decimal", "autocomplete": "off"}
NUMERIC_INPUT = {"inputmode": "numeric", "pattern": "[0-9]*", "autocomplete": "off"}


class LookupForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(
            attrs={"inputmode": "tel", "autocomplete": "off", "autofocus": True}
        ),
    )
    # A family may share a number: which of its donors (picked from the list the lookup
    # shows), or "someone else on this number" (a new family member to register).
    donor = forms.IntegerField(required=False, widget=forms.HiddenInput)
    new = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])


class QuickDonorForm(forms.Form):
    """The few fields a walk-in donor needs; the rest can be filled in later."""

    phone = forms.CharField(label=_("Mobile number"), max_length=20, widget=forms.HiddenInput)
    # The table's id for this entry (camps.TableEntry): the same id again saves nothing new.
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name"), max_length=120)
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    # The model's plausible ranges, refused here before the donor is written.
    date_of_birth = forms.DateField(
        label=_("Date of birth"), widget=DATE_INPUT, validators=[ranges.validate_birth_date]
    )
    blood_group = forms.ChoiceField(
        label=_("Blood group"), choices=BloodGroup.choices, required=False
    )
    weight_kg = forms.DecimalField(
        label=_("Weight (kg)"),
        max_digits=4,
        decimal_places=1,
        validators=[ranges.validate_donor_weight],
        required=False,
        widget=forms.TextInput(attrs=DECIMAL_INPUT),
    )
    # Two purposes, two boxes (DPDP-23): the registry is needed to record the donation,
    # reminders are the donor's free choice. Each ticked box becomes its Consent row.
    consent = forms.BooleanField(label=_("The donor agrees to be in the registry"))
    consent_reminders = forms.BooleanField(
        label=_("The donor also agrees to receive reminders"),
        required=False,
        help_text=_("Optional: SMS, WhatsApp or email about camps and when they may give again."),
    )

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])


class ScreeningForm(forms.Form):
    """What the table records: the screening's values (haemoglobin, weight, blood pressure),
    then collected with a bag, or deferred with a reason. The rules are donation_record's."""

    OUTCOMES = (("collected", _("Collected")), ("deferred", _("Deferred")))

    phone = forms.CharField(widget=forms.HiddenInput)
    # Which donor on the number (several may share it); empty for a number of one donor.
    donor = forms.IntegerField(required=False, widget=forms.HiddenInput)
    client_id = forms.UUIDField(required=False, widget=forms.HiddenInput)
    outcome = forms.ChoiceField(choices=OUTCOMES, widget=forms.HiddenInput)
    haemoglobin_g_dl = forms.DecimalField(
        label=_("Hb (g/dL)"),
        max_digits=3,
        decimal_places=1,
        required=False,
        widget=forms.TextInput(attrs=DECIMAL_INPUT),
        validators=[ranges.validate_haemoglobin],
    )
    weight_kg = forms.DecimalField(
        label=_("Weight (kg)"),
        max_digits=4,
        decimal_places=1,
        required=False,
        widget=forms.TextInput(attrs=DECIMAL_INPUT),
        validators=[ranges.validate_donor_weight],
    )
    bp_systolic = forms.IntegerField(
        label=_("Systolic"),
        required=False,
        widget=forms.TextInput(attrs=NUMERIC_INPUT),
        validators=[ranges.validate_bp_systolic],
    )
    bp_diastolic = forms.IntegerField(
        label=_("Diastolic"),
        required=False,
        widget=forms.TextInput(attrs=NUMERIC_INPUT),
        validators=[ranges.validate_bp_diastolic],
    )
    bag_number = forms.CharField(
        label=_("Bag number"),
        max_length=40,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )
    bag_volume_ml = forms.TypedChoiceField(
        label=_("Bag"),
        choices=BagVolume.choices,
        coerce=int,
        required=False,
        empty_value=None,
        widget=forms.RadioSelect,
    )
    deferral_category = forms.ChoiceField(
        label=_("Reason"),
        choices=[("", "—"), *DeferralCategory.choices],
        required=False,
    )

    def __init__(self, *args, bags=None, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_bags(self, bags)

    def clean_phone(self):
        return normalise_phone(self.cleaned_data["phone"])


def _offer_bags(form, bags) -> None:
    """Offer the bag sizes of the camp unit's rules (``Rules.bag_volumes_ml``; by default
    the deployment's). The field accepts every size: whether this donor's rules use it is
    ``donation_record``'s to say, with the one message every path gives."""
    form.fields["bag_volume_ml"].widget.choices = bag_volume_choices(bags)


class RecordAnywayForm(forms.Form):
    """The constable's confirmation, on the card of a donor booked to give for a child,
    that the donation is recorded anyway (the booking is then released)."""

    record_anyway = forms.BooleanField(label=_("Record anyway"), required=False)


class CorrectionForm(forms.Form):
    bag_number = forms.CharField(label=_("Bag number"), max_length=40, required=False)
    bag_volume_ml = forms.TypedChoiceField(
        label=_("Bag"), choices=BagVolume.choices, coerce=int, required=False, empty_value=None
    )
    haemoglobin_g_dl = ScreeningForm.base_fields["haemoglobin_g_dl"]
    weight_kg = ScreeningForm.base_fields["weight_kg"]
    bp_systolic = ScreeningForm.base_fields["bp_systolic"]
    bp_diastolic = ScreeningForm.base_fields["bp_diastolic"]

    def __init__(self, *args, bags=None, **kwargs):
        super().__init__(*args, **kwargs)
        _offer_bags(self, bags)


class MonthForm(forms.Form):
    """``?month=2026-11`` for the calendar."""

    month = BoundedDateField(input_formats=["%Y-%m"], required=False)


class ReactionForm(forms.Form):
    """An adverse reaction noted on a camp entry (donors.donations.donation_reaction_record).

    The service judges both values (a kind from the list, a note for "other", 200
    characters): the form only offers them, so the page and the API (donations/{id}/reaction/)
    refuse the same input with the same words."""

    reaction = forms.CharField(
        label=_("Adverse reaction"),
        required=False,
        widget=forms.RadioSelect(choices=[("", _("None"))] + list(ReactionKind.choices)),
    )
    reaction_note = forms.CharField(
        label=_("What happened (optional; needed for “Other”)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "maxlength": 200}),
    )
