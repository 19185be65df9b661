"""Choices of the notifications app, with the badge colour each is shown in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class MessageState(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


class Channel(models.TextChoices):
    SMS = "sms", _("SMS")
    WHATSAPP = "whatsapp", _("WhatsApp")
    EMAIL = "email", _("Email")


STATE_BADGES = {
    MessageState.PENDING: "secondary",
    MessageState.SENDING: "info",
    MessageState.SENT: "success",
    MessageState.FAILED: "danger",
    MessageState.CANCELLED: "light",
}
