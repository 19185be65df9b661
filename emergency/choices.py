"""Choices of the emergency requests, with the badge colour each is shown in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Calling donors")
    FILLED = "filled", _("Filled")
    STOPPED = "stopped", _("Stopped")
    EXPIRED = "expired", _("Expired")


class CallStatus(models.TextChoices):
    ASKED = "asked", _("Asked, no answer yet")
    CONFIRMED = "confirmed", _("Coming")
    DECLINED = "declined", _("Cannot come")


REQUEST_BADGES = {
    RequestStatus.OPEN: "danger",
    RequestStatus.FILLED: "success",
    RequestStatus.STOPPED: "secondary",
    RequestStatus.EXPIRED: "light",
}
CALL_BADGES = {
    CallStatus.ASKED: "secondary",
    CallStatus.CONFIRMED: "success",
    CallStatus.DECLINED: "light",
}
