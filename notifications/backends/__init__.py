"""Channel backends, chosen per channel by a dotted path in settings (NOTIFY_BACKENDS), the
way Django picks EMAIL_BACKEND. A backend's ``send(message)`` answers the provider's
reference, or raises PermanentError (no retry: a wrong number stays wrong) or TemporaryError
(retried with backoff)."""

from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


class SendError(Exception):
    """The provider did not take the message."""


class PermanentError(SendError):
    """Retrying cannot help: an invalid number, a rejected template."""


class AddressRefused(PermanentError):
    """The provider says this address (number, email) cannot receive: an invalid or
    unknown number. Unlike a setup error (no gateway URL, a rejected key), it is about the
    recipient, so nothing more goes to that address on that channel."""


class TemporaryError(SendError):
    """Worth another try later: a timeout, a 5xx, a throttle."""


class BaseBackend:
    def send(self, message) -> str:  # pragma: no cover - interface
        raise NotImplementedError


@cache
def _backend(path: str) -> BaseBackend:
    return import_string(path)()


def backend_for(channel: str) -> BaseBackend:
    try:
        path = settings.NOTIFY_BACKENDS[channel]
    except KeyError:
        raise PermanentError(f"no backend for channel {channel!r}") from None
    return _backend(path)
