"""One FilterSet per model, shared by the children list and the API."""

import django_filters
from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.fields import UnitSubtreeFilter
from donors.choices import BloodGroup

from .choices import PatientStatus
from .models import Patient
from .selectors import due_window


def _due_choices():
    return [("overdue", _("Overdue"))] + [
        (str(days), _("Within %(days)s days") % {"days": days})
        for days in sorted(settings.THAL_DUE_WINDOWS)
    ]


class PatientFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or registration number"))
    status = django_filters.ChoiceFilter(
        choices=PatientStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    blood_group = django_filters.ChoiceFilter(
        choices=BloodGroup.choices, label=_("Blood group"), empty_label=_("Any")
    )
    due = django_filters.ChoiceFilter(
        choices=_due_choices, method="due_within", label=_("Due"), empty_label=_("Any")
    )
    unit = UnitSubtreeFilter()

    class Meta:
        model = Patient
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(registration_number__iexact=value))

    def due_within(self, queryset, name, value: str):
        today = timezone.localdate()
        if value == "overdue":
            return queryset.filter(due_window(None, today), next_due_on__lt=today)
        return queryset.filter(due_window(int(value), today))
