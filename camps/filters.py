"""One FilterSet per model, shared by the camp list, the calendar and the API."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts.fields import BoundedDateFilter, UnitSubtreeFilter

from .choices import CampStatus
from .models import BloodCentre, Camp, Hospital


class CampFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or venue"))
    when = django_filters.ChoiceFilter(
        method="filter_when",
        choices=(("upcoming", _("Upcoming")), ("past", _("Past"))),
        label=_("When"),
        empty_label=_("Any"),
    )
    status = django_filters.ChoiceFilter(
        choices=CampStatus.choices, label=_("Status"), empty_label=_("Any")
    )
    unit = UnitSubtreeFilter()
    blood_centre = django_filters.ModelChoiceFilter(
        queryset=BloodCentre.objects.order_by("name"),
        label=_("Blood centre"),
        empty_label=_("Any"),
    )
    held_from = BoundedDateFilter(field_name="held_on", lookup_expr="gte", label=_("From"))
    held_to = BoundedDateFilter(field_name="held_on", lookup_expr="lte", label=_("To"))

    class Meta:
        model = Camp
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(venue__icontains=value))

    def filter_when(self, queryset, name, value):
        today = timezone.localdate()
        if value == "upcoming":
            return queryset.filter(held_on__gte=today).order_by("held_on", "starts_at", "id")
        if value == "past":
            return queryset.filter(held_on__lt=today).order_by("-held_on", "-id")
        return queryset


class BloodCentreFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Name or licence"))

    class Meta:
        model = BloodCentre
        fields = []

    def search(self, queryset, name, value):
        value = value.strip()
        return queryset.filter(Q(name__icontains=value) | Q(licence_number__icontains=value))


class HospitalFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label=_("Name"))
    kind = django_filters.ChoiceFilter(
        choices=Hospital.Kind.choices, label=_("Kind"), empty_label=_("Any")
    )

    class Meta:
        model = Hospital
        fields = []
