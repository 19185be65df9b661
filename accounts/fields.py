"""Form fields and filters shared by the pages' query strings (the API's are in
``accounts.api.fields``).

``UnitSubtreeFilter`` is the one "rows of this police unit and the units below it" filter,
in the shape of NetBox's ``TreeNodeMultipleChoiceFilter``: a multiple-choice filter whose
choices are the units the user may see, taking unit ids or codes (``?unit=12``,
``?unit=knp-kotwali``, or several: ``?unit=12&unit=14``), matching each chosen unit's
subtree by its materialised path (``scoping.in_subtree``). A unit outside the user's scope
is not a choice: the filter form says so, and the API answers 400. It lives here, beside
the units and the scoping, so that every list filters the same way, accounts' own included
(accounts imports no other room)."""

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from . import ranges
from .models import PoliceUnit
from .scoping import in_subtree, units_for_user

# The browser's own date picker: a phone shows its calendar, and the value is ISO 8601.
# Here, in accounts, because accounts' own audit filter uses it and accounts
# imports no other room of ours.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BoundedDateField(forms.DateField):
    """A date from 1900-01-01 to QUERY_DATE_MAX_YEARS_AHEAD years from today: any other
    date is a form error (an ignored filter on a list), never a 500."""

    default_validators = [ranges.validate_query_date]


class BoundedDateFilter(django_filters.DateFilter):
    field_class = BoundedDateField


def units_in_scope(request):
    """The units a filter offers: the user's scope, in tree order."""
    if request is None:  # built without a request (schema generation): offer nothing
        return PoliceUnit.objects.none()
    return units_for_user(request.user).order_by("path")


class UnitSelect(forms.Select):
    """One unit picked in a page's select; a query string may still name several."""

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return [value for value in values if value not in ("", None)]


class UnitsField(django_filters.fields.ModelMultipleChoiceField):
    """Units named by id or by code, each one the user may see."""

    default_error_messages = {
        "invalid_choice": forms.ModelChoiceField.default_error_messages["invalid_choice"]
    }

    def __init__(self, *args, empty_label=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.empty_label = empty_label  # the select's "Any" (a multiple choice has none)

    def _check_values(self, value):
        names = {str(name) for name in value}
        ids = [int(name) for name in names if name.isdigit()]
        units = list(self.queryset.filter(Q(pk__in=ids) | Q(code__in=names)))
        known = {str(unit.pk) for unit in units} | {unit.code for unit in units}
        if names - known:
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return units


class UnitSubtreeFilter(django_filters.ModelMultipleChoiceFilter):
    """Rows under any of the chosen units (the unit itself and every unit below it).
    ``field_name`` is the path from the model to its unit."""

    field_class = UnitsField

    def __init__(self, field_name="unit", **kwargs):
        kwargs.setdefault("queryset", units_in_scope)
        kwargs.setdefault("label", _("Police unit"))
        kwargs.setdefault("empty_label", _("Any"))
        kwargs.setdefault("widget", UnitSelect)
        kwargs.setdefault("distinct", False)  # a row has one unit: no duplicates to remove
        super().__init__(field_name=field_name, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return in_subtree(qs, value, via=self.field_name)
