from django import forms
from django.utils.translation import gettext_lazy as _

from .choices import CallOutcome


class CallOutcomeForm(forms.Form):
    key = forms.CharField(max_length=80, widget=forms.HiddenInput)
    outcome = forms.ChoiceField(choices=CallOutcome.choices, label=_("Outcome"))
    follow_up_on = forms.DateField(
        label=_("Follow up on"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    notes = forms.CharField(label=_("Notes"), max_length=200, required=False)
