"""The public pledge: a citizen offers to donate, with consent, and waits for staff to verify.

The form checks what a stranger types (any input gives a field message, never a 500) and never
says whether a number is already registered; ``pledge_submit`` stores the pledge through
``services.donor_create``, like every other way into the registry.
"""

from collections import defaultdict

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import ranges
from accounts.choices import FORCE_KINDS, UnitKind
from accounts.models import PoliceUnit

from .choices import BloodGroup, ConsentPurpose, DonorSource, Sex
from .eligibility import Rules, age_on
from .models import Donor
from .phones import normalise_phone
from .services import donor_create

# The name of the field people never see: a bot that fills every input fills this one too.
HONEYPOT = "website"
# The browser's date picker sends ISO; a typed date is read the Indian way, day first.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]


def station_choices() -> list[tuple[str, list[tuple[int, str]]]]:
    """Every police station by its public name, grouped under its district or commissionerate
    (the optgroups of the "nearest police station" select)."""
    forces = dict(PoliceUnit.objects.filter(kind__in=FORCE_KINDS).values_list("path", "name"))
    groups = defaultdict(list)
    stations = PoliceUnit.objects.filter(kind=UnitKind.STATION).values_list("pk", "path", "name")
    for pk, path, name in stations:
        groups[_nearest_force(path, forces)].append((pk, name))
    return [
        (force, sorted(members, key=lambda choice: choice[1].casefold()))
        for force, members in sorted(groups.items(), key=lambda group: str(group[0]).casefold())
    ]


def _nearest_force(path: str, forces: dict[str, str]) -> str:
    for end in range(len(path) - PoliceUnit.steplen, 0, -PoliceUnit.steplen):
        if path[:end] in forces:
            return forces[path[:end]]
    return _("Other police stations")


TOO_OLD = _("Blood donors must be %(age)s or younger. Thank you for wanting to help.")


class PledgeForm(forms.Form):
    """What a citizen tells us about themselves. Only the fields a camp needs: no Aadhaar, no
    medical history (the blood centre asks that on the day)."""

    name = forms.CharField(
        label=_("Full name"),
        min_length=2,
        max_length=120,
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    sex = forms.ChoiceField(label=_("Sex"), choices=Sex.choices, widget=forms.RadioSelect)
    date_of_birth = forms.DateField(
        label=_("Date of birth"),
        input_formats=DATE_INPUT_FORMATS,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=32,
        help_text=_("We send camp reminders to this number."),
        widget=forms.TextInput(attrs={"type": "tel", "inputmode": "tel", "autocomplete": "tel"}),
    )
    blood_group = forms.ChoiceField(
        label=_("Blood group"),
        required=False,
        choices=[("", _("I don't know"))]
        + [(value, label) for value, label in BloodGroup.choices if value],
    )
    weight_kg = forms.DecimalField(
        label=_("Weight in kg (optional)"),
        required=False,
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
    )
    email = forms.EmailField(
        label=_("Email (optional)"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    unit = forms.TypedChoiceField(
        label=_("Nearest police station"),
        coerce=int,
        help_text=_("Its staff will check your pledge and tell you about camps near you."),
    )
    locality = forms.CharField(
        label=_("Your locality (optional)"),
        required=False,
        max_length=120,
        help_text=_("Area, mohalla or village."),
        widget=forms.TextInput(attrs={"autocomplete": "address-level3"}),
    )
    preferred_language = forms.ChoiceField(
        label=_("Language for messages"), choices=settings.LANGUAGES, widget=forms.RadioSelect
    )
    is_police = forms.BooleanField(
        label=_("I serve in the police (officer or staff)"), required=False
    )
    consent = forms.BooleanField(
        label=_("I agree to be in the donor registry, as the notice above says."),
        error_messages={
            "required": _("Tick this box to give your consent: we cannot register you without it.")
        },
    )
    consent_reminders = forms.BooleanField(
        label=_("I also agree to receive reminders about camps and when I may donate again."),
        required=False,
        help_text=_("Optional. You can stop them at any time with the link in every message."),
    )
    website = forms.CharField(
        label=_("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, rules_profile: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.rules_profile = rules_profile
        if "unit" in self.fields:  # a form built on this one may not ask it (camps' join)
            self.fields["unit"].choices = [("", _("Choose a police station"))] + station_choices()

    def clean_name(self):
        return " ".join(self.cleaned_data["name"].split())

    def clean_date_of_birth(self):
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born > today or born < ranges.EARLIEST_DATE:
            raise ValidationError(_("Enter your real date of birth."), code="invalid")
        return born

    def clean(self):
        """The mobile number and the age limits by the chosen station's rules (a unit may
        hold Vietnam's in an Indian deployment); a form without a station (a camp's join
        form) is given its camp's unit's rules as ``rules_profile``."""
        cleaned = super().clean()
        unit = cleaned.get("unit")
        profile = unit.rules_in_force if unit is not None else self.rules_profile
        rules = Rules.for_profile(profile)
        if "phone" in cleaned:  # read as the station's country writes it (091… in Vietnam)
            try:
                cleaned["phone"] = normalise_phone(cleaned["phone"], region=rules.phone_region)
            except ValidationError as error:
                self.add_error("phone", error)
        born = cleaned.get("date_of_birth")
        if born is not None:
            age = age_on(born, timezone.localdate())
            if age < rules.min_age:
                self.add_error(
                    "date_of_birth",
                    ValidationError(
                        _("You must be %(age)s or older to pledge."),
                        code="too_young",
                        params={"age": rules.min_age},
                    ),
                )
            elif age > rules.max_age:
                self.add_error(
                    "date_of_birth",
                    ValidationError(
                        TOO_OLD,
                        code="too_old",
                        params={"age": rules.max_age},
                    ),
                )
        return cleaned

    def clean_weight_kg(self):
        weight = self.cleaned_data.get("weight_kg")
        ranges.validate_donor_weight(weight)  # the model's range, refused here on the form
        return weight

    def clean_unit(self):
        unit = PoliceUnit.objects.filter(pk=self.cleaned_data["unit"], kind=UnitKind.STATION)
        unit = unit.first()
        if unit is None:
            raise ValidationError(_("Choose a police station from the list."), code="invalid")
        return unit


def pledge_submit(*, data: dict, request=None) -> Donor | None:
    """Store a valid pledge as an unverified donor of the chosen station, with a consent row
    per purpose ticked (the registry always, reminders when chosen) given by the donor
    themselves. Returns None, storing nothing, when the same person (number, name, date of
    birth) is already registered: the caller answers the person the same either way, so a
    stranger learns nothing about a number. A number already shared by
    DONORS_PER_PHONE_MAX donors is a field error on the phone."""
    consents = [ConsentPurpose.REGISTRY]
    if data.get("consent_reminders"):
        consents.append(ConsentPurpose.REMINDERS)
    try:
        return donor_create(
            actor=None,
            source=DonorSource.PLEDGE,
            consents=consents,
            request=request,
            phone=data["phone"],
            name=data["name"],
            sex=data["sex"],
            date_of_birth=data["date_of_birth"],
            blood_group=data.get("blood_group") or "",
            weight_kg=data.get("weight_kg"),
            email=data.get("email") or "",
            unit=data["unit"],
            locality=data.get("locality") or "",
            preferred_language=data["preferred_language"],
            is_police=bool(data.get("is_police")),
        )
    except ValidationError as error:
        # donor_create refuses the same person twice (its message may name the donor:
        # never show it).
        codes = {e.code for e in getattr(error, "error_dict", {}).get("phone", ())}
        if "duplicate" in codes:
            return None
        raise
