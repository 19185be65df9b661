"""One FilterSet per model, shared by the HTML list and the API."""

import django_filters
from django import forms
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .choices import AuditAction, Role, UnitKind
from .fields import DATE_INPUT, BoundedDateFilter, UnitSubtreeFilter
from .models import AuditEvent, PoliceUnit, User


class IPAddressFilter(django_filters.Filter):
    field_class = forms.GenericIPAddressField


class PoliceUnitFilterSet(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    kind = django_filters.ChoiceFilter(choices=UnitKind.choices, label=_("Kind"))

    class Meta:
        model = PoliceUnit
        fields = ["q", "kind"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(code__icontains=value))


class AuditEventFilterSet(django_filters.FilterSet):
    actor = django_filters.CharFilter(
        field_name="actor_username", lookup_expr="icontains", label=_("Who")
    )
    action = django_filters.ChoiceFilter(choices=AuditAction.choices, label=_("Action"))
    object = django_filters.CharFilter(
        field_name="object_repr", lookup_expr="icontains", label=_("Object")
    )
    date_from = BoundedDateFilter(
        field_name="at", lookup_expr="date__gte", label=_("From"), widget=DATE_INPUT
    )
    date_to = BoundedDateFilter(
        field_name="at", lookup_expr="date__lte", label=_("To"), widget=DATE_INPUT
    )
    # Validated as an address: an invalid one must be a form error, not a database error.
    ip_address = IPAddressFilter(label=_("Address"))

    class Meta:
        model = AuditEvent
        fields = ["actor", "action", "object", "date_from", "date_to", "ip_address"]


class UserFilterSet(django_filters.FilterSet):
    """The people list: search, role, unit (with the units below it), active or not."""

    q = django_filters.CharFilter(method="search", label=_("Search"))
    role = django_filters.ChoiceFilter(choices=Role.choices, label=_("Role"))
    unit = UnitSubtreeFilter()
    active = django_filters.BooleanFilter(
        field_name="is_active",
        label=_("Active"),
        widget=forms.Select(
            choices=[("", _("All")), ("true", _("Active")), ("false", _("Deactivated"))]
        ),
    )

    class Meta:
        model = User
        fields = ["q", "role", "unit", "active"]

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(username__icontains=value)
            | Q(first_name__icontains=value)
            | Q(last_name__icontains=value)
            | Q(email__icontains=value)
        )
