"""Serializer fields shared by the API's query strings and bodies."""

from rest_framework import serializers

from .. import ranges


class BoundedDateField(serializers.DateField):
    """An ISO date from 1900-01-01 to QUERY_DATE_MAX_YEARS_AHEAD years from today: any
    other date is a 400 on the field, never a date arithmetic overflow (a 500)."""

    default_validators = [ranges.validate_query_date]
