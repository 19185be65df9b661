"""The form a coordinator fills when a hospital needs blood now."""

from datetime import timedelta

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.forms import UnitChoiceField
from accounts.scoping import units_for_user
from camps.models import Hospital
from donors.choices import BloodGroup


class EmergencyForm(forms.Form):
    hospital = forms.ModelChoiceField(
        label=_("Hospital"), queryset=Hospital.objects.order_by("name")
    )
    blood_group = forms.ChoiceField(
        label=_("Blood group needed"),
        choices=[("", "---------")] + [c for c in BloodGroup.choices if c[0]],
    )
    units_needed = forms.IntegerField(label=_("Units needed"), min_value=1, max_value=999)
    needed_by = forms.DateTimeField(
        label=_("Needed by"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"],
    )
    unit = UnitChoiceField(label=_("Requesting police unit"), queryset=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units_for_user(user).order_by("path")
        self.fields["unit"].help_text = _("Donors of this unit's force are called.")
        if user.unit_id:
            self.fields["unit"].initial = user.unit_id
        soon = timezone.localtime() + timedelta(hours=6)
        self.fields["needed_by"].initial = soon.replace(second=0, microsecond=0)
