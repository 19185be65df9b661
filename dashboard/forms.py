"""The dashboard's filter: date range, police-unit subtree, blood group.

One form validates the query string of the page, the exports, the PDF and both API
endpoints, so a bad date or a unit outside the caller's scope gets the same message
everywhere (a 400 with a map of field → messages in the API)."""

from datetime import date, timedelta

from django import forms
from django.conf import settings
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import escape, format_html
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _

from accounts.fields import DATE_INPUT, BoundedDateField
from accounts.models import PoliceUnit
from accounts.scoping import units_for_user
from donors.choices import BloodGroup

from .selectors import BY_CHOICES, DashboardQuery


def this_year(today: date | None = None) -> tuple[date, date]:
    """The default range: 1 January of this year to today."""
    today = today or timezone.localdate()
    return today.replace(month=1, day=1), today


def _unit_label(depth: int, name: str) -> str:
    # Indented by depth, so the subtree reads as a tree in the select.
    return "\u2003" * max(depth - 1, 0) + name


class UnitSelect(forms.Select):
    """The unit filter's ``<select>``, drawn in one pass from the units' ids, names and
    depths: a state admin's has 1,000 options, which Django's per-option contexts (a
    ``PoliceUnit`` read and ``flatatt`` each) took a fifth of the page's time to draw. The
    same markup as ``forms.Select``; ``template_name`` is not a select's, so the shared
    ``{% filter_field %}`` calls ``render`` rather than drawing the options itself."""

    template_name = "dashboard/unit_select (drawn by render)"

    def render(self, name, value, attrs=None, renderer=None):
        field = self.choices.field
        chosen = "" if value in (None, "") else str(value)
        options = []
        if field.empty_label is not None:
            selected = "" if chosen else " selected"
            options.append(f'<option value=""{selected}>{escape(field.empty_label)}</option>')
        for pk, name_, depth in field.queryset.values_list("pk", "name", "depth"):
            selected = " selected" if str(pk) == chosen else ""
            label = escape(_unit_label(depth, name_))
            options.append(f'<option value="{pk}"{selected}>{label}</option>')
        final = flatatt(self.build_attrs(self.attrs, attrs))
        # Each option's text is escaped above; the ids are integers.
        options = mark_safe("".join(options))  # noqa: S308
        return format_html('<select name="{}"{}>{}</select>', name, final, options)


class UnitChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, unit):
        return _unit_label(unit.depth, unit.name)


class DashboardFilterForm(forms.Form):
    # Named ``from`` and ``to`` in the query string (the API contract); ``from`` is a Python
    # keyword, so the fields are renamed in __init__.
    from_ = BoundedDateField(label=_("From"), required=False, widget=DATE_INPUT)
    to = BoundedDateField(label=_("To"), required=False, widget=DATE_INPUT)
    unit = UnitChoiceField(
        queryset=PoliceUnit.objects.none(),
        widget=UnitSelect,
        required=False,
        label=_("Police unit"),
        empty_label=_("All in your jurisdiction"),
        error_messages={"invalid_choice": _("Choose a police unit in your jurisdiction.")},
    )
    blood_group = forms.ChoiceField(
        choices=[("", _("Any"))] + [(v, label) for v, label in BloodGroup.choices if v],
        required=False,
        label=_("Blood group"),
    )

    def __init__(self, data=None, *, user, **kwargs):
        if data is not None:
            # An empty date means the default range, shown in the inputs as such.
            data = data.copy()
            for name, default in zip(("from", "to"), this_year(), strict=True):
                if not data.get(name):
                    data[name] = default.isoformat()
        super().__init__(data, **kwargs)
        self.fields["from"] = self.fields.pop("from_")
        # Keep the visual order: from, to, unit, blood group.
        order = ["from", "to", "unit", "blood_group"]
        self.fields = {
            name: self.fields[name]
            for name in order + [name for name in self.fields if name not in order]
        }
        self.user = user
        self.fields["unit"].queryset = units_for_user(user).order_by("path")

    def clean(self):
        cleaned = super().clean()
        start_default, end_default = this_year()
        start = cleaned.get("from") or start_default
        end = cleaned.get("to") or end_default
        if "from" in self.errors or "to" in self.errors:
            return cleaned
        if start > end:
            self.add_error("to", _("The end date must not be before the start date."))
        elif (end - start).days > settings.DASHBOARD_MAX_RANGE_DAYS:
            self.add_error(
                "to",
                _("Choose a range of at most %(days)s days.")
                % {"days": settings.DASHBOARD_MAX_RANGE_DAYS},
            )
        cleaned["from"], cleaned["to"] = start, end
        return cleaned

    def query(self) -> DashboardQuery:
        """The validated filter as the selectors take it (call after is_valid())."""
        data = self.cleaned_data
        return DashboardQuery(
            user=self.user,
            start=data["from"],
            end=data["to"],
            unit=data.get("unit"),
            blood_group=data.get("blood_group") or "",
        )


class TotalsForm(DashboardFilterForm):
    """The API's totals: the filter plus what to group by."""

    by = forms.ChoiceField(choices=BY_CHOICES, label=_("Group by"))


class ForecastForm(forms.Form):
    """The API's forecast: how many days ahead, in the caller's scope or a unit subtree."""

    days = forms.IntegerField(label=_("Days ahead"), min_value=1)
    unit = UnitChoiceField(
        queryset=PoliceUnit.objects.none(),
        required=False,
        error_messages={"invalid_choice": _("Choose a police unit in your jurisdiction.")},
    )
    blood_group = forms.ChoiceField(
        choices=[("", "")] + [(v, label) for v, label in BloodGroup.choices if v],
        required=False,
    )

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        self.user = user
        self.fields["unit"].queryset = units_for_user(user)

    def clean_days(self):
        days = self.cleaned_data["days"]
        most = settings.DASHBOARD_FORECAST_MAX_DAYS
        if days > most:
            raise forms.ValidationError(_("Forecast at most %(days)s days ahead.") % {"days": most})
        return days

    def query(self) -> DashboardQuery:
        today = timezone.localdate()
        return DashboardQuery(
            user=self.user,
            start=today,
            end=today + timedelta(days=self.cleaned_data["days"]),
            unit=self.cleaned_data.get("unit"),
            blood_group=self.cleaned_data.get("blood_group") or "",
        )
