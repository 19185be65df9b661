"""Form fields and filters shared by the pages' query strings (the API's are in
``accounts.api.fields``)."""

import django_filters
from django import forms

from . import ranges

# The browser's own date picker: a phone shows its calendar, and the value is ISO 8601.
# Here, not in ``portal/forms.py``, because accounts' own audit filter uses it and accounts
# imports no other room of ours.
DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class BoundedDateField(forms.DateField):
    """A date from 1900-01-01 to QUERY_DATE_MAX_YEARS_AHEAD years from today: any other
    date is a form error (an ignored filter on a list), never a 500."""

    default_validators = [ranges.validate_query_date]


class BoundedDateFilter(django_filters.DateFilter):
    field_class = BoundedDateField
