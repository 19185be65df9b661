"""The outbox: every message is a row before it is sent, and stays as its log after."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import (
    INBOUND_BADGES,
    STATE_BADGES,
    Channel,
    InboundKind,
    InboundOutcome,
    Intent,
    MessageState,
)


class Message(models.Model):
    """One message to one recipient on one channel, about one thing, for one due date.

    ``topic`` / ``subject_key`` / ``recipient_key`` are plain strings written by the domain
    scans ("transfusion_due", "transfusion:12", "guardian:7"): this app knows no domain
    model. The natural key (topic, recipient, subject, due date, channel) is unique in the
    database, so a scan run twice, or after a crash, creates each message once."""

    topic = models.CharField(_("about"), max_length=40)
    subject_key = models.CharField(_("subject"), max_length=80)
    recipient_key = models.CharField(_("recipient"), max_length=80)
    recipient_name = models.CharField(_("recipient name"), max_length=120, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    email = models.EmailField(_("email"), blank=True)
    language = models.CharField(_("language"), max_length=8, default="en")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    template = models.CharField(_("template"), max_length=60)
    body = models.TextField(_("text"))
    # The day the message serves (a transfusion's date, the day a donor is eligible again).
    due_on = models.DateField(_("serves the date"))
    # After this day the message makes no sense any more: held or retried past it, it is
    # cancelled instead of sent (a reminder for yesterday's transfusion helps nobody).
    valid_until = models.DateField(_("useful until"), null=True, blank=True)
    unit = models.ForeignKey(
        "accounts.PoliceUnit",
        verbose_name=_("police unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    state = models.CharField(
        _("state"), max_length=10, choices=MessageState.choices, default=MessageState.PENDING
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # dispatch picks pending rows whose next attempt is due: retries and quiet hours are
    # rows with a later next_attempt_at, never a long countdown task in the broker.
    next_attempt_at = models.DateTimeField(_("next attempt at"), default=timezone.now)
    claimed_at = models.DateTimeField(_("claimed at"), null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    provider_ref = models.CharField(_("provider reference"), max_length=120, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)
    # The provider refused the address for good (an invalid number): nothing more goes to
    # that address on this channel until staff send one of its messages again.
    refused_for_good = models.BooleanField(_("address refused for good"), default=False)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("message")
        verbose_name_plural = _("messages")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["topic", "recipient_key", "subject_key", "due_on", "channel"],
                name="notifications_message_natural_key",
            ),
        ]
        indexes = [
            # dispatch reads pending rows by next attempt; the sweeper reads sending by claim.
            models.Index(fields=["state", "next_attempt_at"], name="notif_msg_due"),
            models.Index(fields=["state", "claimed_at"], name="notif_msg_claimed"),
            # The call desk and the outbox read failures per recipient and subject.
            models.Index(fields=["subject_key", "state"], name="notif_msg_subject"),
            # The send check looks up refused addresses per channel.
            models.Index(
                fields=["channel", "phone"],
                condition=models.Q(refused_for_good=True),
                name="notif_msg_refused_phone",
            ),
            models.Index(
                fields=["channel", "email"],
                condition=models.Q(refused_for_good=True),
                name="notif_msg_refused_email",
            ),
        ]

    def __str__(self):
        return f"{self.template} → {self.recipient_name or self.recipient_key}"

    @property
    def state_badge(self) -> str:
        return STATE_BADGES.get(self.state, "secondary")

    @property
    def address(self) -> str:
        return self.email if self.channel == Channel.EMAIL else self.phone


class RecipientPreference(models.Model):
    """The channel one recipient wants (a guardian who reads WhatsApp, not SMS), keyed the
    way the scans name recipients ("guardian:7", "donor:12"). No row: the default channel."""

    recipient_key = models.CharField(_("recipient"), max_length=80, unique=True)
    channel = models.CharField(_("preferred channel"), max_length=10, choices=Channel.choices)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("preferred channel")
        verbose_name_plural = _("preferred channels")

    def __str__(self):
        return f"{self.recipient_key}: {self.get_channel_display()}"


class ShortLink(models.Model):
    """An 8-character code (``/r/<code>``, ``/c/<code>``) standing for a long-lived subject
    ("assignment:12", "donation:7") in an SMS, where a signed token would cost a whole part.

    Only a hash of the code is stored, so a copy of the database opens no link; the code is
    an HMAC of ``nonce`` with SECRET_KEY, so the portal can write the same link again (a
    scan run twice) without keeping it. A link expires, and a single-use one is spent by
    its first answer."""

    purpose = models.CharField(_("purpose"), max_length=20)
    subject_key = models.CharField(_("subject"), max_length=80)
    nonce = models.CharField(max_length=32, editable=False)
    code_hash = models.CharField(max_length=64, unique=True, editable=False)
    single_use = models.BooleanField(_("single use"), default=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)

    class Meta:
        verbose_name = _("short link")
        verbose_name_plural = _("short links")
        indexes = [
            # shortlinks.short_link_code reuses a subject's live link.
            models.Index(
                fields=["purpose", "subject_key", "expires_at"], name="notif_link_subject"
            ),
        ]

    def __str__(self):
        return f"{self.purpose} → {self.subject_key}"


class InboundMessage(models.Model):
    """An SMS reply or a missed call a provider posted to our webhook, recorded once (the
    provider's message id is unique per provider: a provider retrying its post finds the
    row there and changes nothing), with what it did. Rows a person must look at (an
    unclear reply, a number with several open requests) are the call desk's list."""

    scope_via = "unit"

    provider = models.CharField(_("provider"), max_length=20)
    provider_message_id = models.CharField(_("provider's message id"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=InboundKind.choices)
    phone = models.CharField(_("phone"), max_length=20)
    text = models.CharField(_("text"), max_length=320, blank=True)
    intent = models.CharField(_("means"), max_length=10, choices=Intent.choices)
    outcome = models.CharField(
        _("outcome"), max_length=12, choices=InboundOutcome.choices, blank=True
    )
    # What the answer was about ("assignment:12"), as the outbox names subjects.
    subject_key = models.CharField(_("subject"), max_length=80, blank=True)
    recipient_name = models.CharField(_("name"), max_length=120, blank=True)
    unit = models.ForeignKey(
        "accounts.PoliceUnit",
        verbose_name=_("police unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    received_at = models.DateTimeField(_("received at"), default=timezone.now)

    class Meta:
        verbose_name = _("inbound answer")
        verbose_name_plural = _("inbound answers")
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "provider_message_id"], name="notif_inbound_once"
            ),
        ]
        indexes = [
            # The call desk reads the answers that need a person, newest first.
            models.Index(fields=["outcome", "received_at"], name="notif_inbound_outcome"),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.phone}: {self.text[:30]}"

    @property
    def outcome_badge(self) -> str:
        return INBOUND_BADGES.get(self.outcome, "secondary")
