"""Form helpers every page of the portal shares."""

from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError) -> None:
    """A service's ValidationError on the form: each field's messages on the field the form
    has, the rest on top (every page that calls a service answers this way)."""
    by_field = error.error_dict if hasattr(error, "error_dict") else {None: error.error_list}
    for field, errors in by_field.items():
        form.add_error(field if field in form.fields else None, errors)
