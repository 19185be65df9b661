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


class InboundKind(models.TextChoices):
    SMS = "sms", _("SMS reply")
    MISSED_CALL = "missed_call", _("Missed call")


class Intent(models.TextChoices):
    """What an SMS reply says (``replies.parse_reply``); a missed call means CONFIRM."""

    CONFIRM = "confirm", _("Yes")
    DECLINE = "decline", _("No")
    STOP = "stop", _("Stop messages")
    UNCLEAR = "unclear", _("Unclear")


class InboundOutcome(models.TextChoices):
    """What an inbound answer did. The last four need a person: the call desk lists them."""

    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    OPTED_OUT = "opted_out", _("Opted out")
    UNCLEAR = "unclear", _("Unclear reply")
    RING_BACK = "ring_back", _("Several requests: ring back")
    NO_REQUEST = "no_request", _("No open request")
    UNKNOWN_NUMBER = "unknown", _("Unknown number")


NEEDS_A_PERSON = (
    InboundOutcome.UNCLEAR,
    InboundOutcome.RING_BACK,
    InboundOutcome.NO_REQUEST,
    InboundOutcome.UNKNOWN_NUMBER,
)

INBOUND_BADGES = {
    InboundOutcome.CONFIRMED: "success",
    InboundOutcome.DECLINED: "secondary",
    InboundOutcome.OPTED_OUT: "dark",
    InboundOutcome.UNCLEAR: "warning",
    InboundOutcome.RING_BACK: "warning",
    InboundOutcome.NO_REQUEST: "light",
    InboundOutcome.UNKNOWN_NUMBER: "light",
}
