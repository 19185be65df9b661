"""One exception handler for the whole API: a service's Django ``ValidationError`` becomes
DRF's 400 with a map from field name to messages (``non_field_errors`` for the rest), and a
Django ``PermissionDenied`` a 403. Views and serializers let the service's error through
instead of translating it each their own way."""

from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from rest_framework import exceptions
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler


def field_errors(error: DjangoValidationError) -> dict:
    """``error`` as {field: [messages]}; errors not tied to a field under
    ``non_field_errors``, as DRF names them."""
    if not hasattr(error, "error_dict"):
        return {api_settings.NON_FIELD_ERRORS_KEY: error.messages}
    return {
        (api_settings.NON_FIELD_ERRORS_KEY if field == NON_FIELD_ERRORS else field): messages
        for field, messages in error.message_dict.items()
    }


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(field_errors(exc))
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(str(exc) or None)
    return drf_exception_handler(exc, context)
