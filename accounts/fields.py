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
from django.template.loader import render_to_string
from django.urls import reverse
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


class UnitSearchInput(forms.TextInput):
    """One unit typed into a search box, not picked from a select of every unit in scope
    (a state has 1,000: the page spent its time rendering them). With JavaScript, htmx
    fills the box's ``<datalist>`` with the units of the user's scope matching what is
    typed (``accounts:unit-suggest``, at most UNIT_SUGGESTIONS); without it, the box takes
    a unit's code or id. A query string may still name several units: the first shows in
    the box, the others ride along as hidden fields. Under the box, the unit(s) filtered
    on, once the field has checked them (``chosen``: no query of its own)."""

    template_name = "includes/unit_search_input.html"
    input_type = "search"

    def __init__(self, attrs=None):
        super().__init__({"autocomplete": "off", "spellcheck": "false", **(attrs or {})})
        self.chosen = []

    def value_from_datadict(self, data, files, name):
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        return [value.strip() for value in values if value not in ("", None) and value.strip()]

    def format_value(self, value):
        values = value if isinstance(value, list | tuple) else [value]
        return [str(v) for v in values if v not in ("", None)]

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        values = context["widget"]["value"] or []
        context["widget"]["value"] = values[0] if values else ""
        context["widget"]["more_values"] = values[1:]
        context["widget"]["chosen"] = self.chosen
        widget_attrs = context["widget"]["attrs"]
        hint = f"{widget_attrs.get('id', name)}-hint"
        described = [widget_attrs.get("aria-describedby"), hint]  # the errors', if any, first
        widget_attrs["aria-describedby"] = " ".join(filter(None, described))
        context["widget"]["suggest_url"] = reverse("accounts:unit-suggest")
        return context

    def _render(self, template_name, context, renderer=None):
        # The project's templates/ (the form renderer looks in Django's and apps' only).
        return render_to_string(template_name, context)  # already safe: a rendered template


class UnitsField(django_filters.fields.ModelMultipleChoiceField):
    """Units named by id or by code, each one the user may see."""

    default_error_messages = {
        "invalid_choice": _(
            "No police unit in your area has this code or number. Type a few letters of "
            "its name and pick it from the list."
        )
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
        if isinstance(self.widget, UnitSearchInput):
            self.widget.chosen = units  # said under the box, without reading them again
        return units


class UnitSubtreeFilter(django_filters.ModelMultipleChoiceFilter):
    """Rows under any of the chosen units (the unit itself and every unit below it).
    ``field_name`` is the path from the model to its unit."""

    field_class = UnitsField

    def __init__(self, field_name="unit", **kwargs):
        kwargs.setdefault("queryset", units_in_scope)
        kwargs.setdefault("label", _("Police unit"))
        kwargs.setdefault("empty_label", _("Any"))
        kwargs.setdefault("widget", UnitSearchInput)
        kwargs.setdefault("distinct", False)  # a row has one unit: no duplicates to remove
        super().__init__(field_name=field_name, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return in_subtree(qs, value, via=self.field_name)
