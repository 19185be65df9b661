"""The help desk's call log: who was phoned about what, and how it went."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .choices import OUTCOME_BADGES, CallKind, CallOutcome


class CallLog(models.Model):
    """One call made from the call list, with its outcome and an optional follow-up day.

    ``row_key`` names the call-list row it answers ("assignment:12", "guardian:3:transfusion:9",
    "message:40"): the list shows today's last outcome per row from it."""

    unit = models.ForeignKey(
        "accounts.PoliceUnit",
        verbose_name=_("police unit"),
        on_delete=models.PROTECT,
        related_name="+",
    )
    kind = models.CharField(_("kind"), max_length=10, choices=CallKind.choices)
    row_key = models.CharField(_("call-list row"), max_length=80)
    name = models.CharField(_("called"), max_length=120)
    phone = models.CharField(_("phone"), max_length=20)
    outcome = models.CharField(_("outcome"), max_length=12, choices=CallOutcome.choices)
    follow_up_on = models.DateField(_("follow up on"), null=True, blank=True)
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    assignment = models.ForeignKey(
        "thalassemia.Assignment",
        verbose_name=_("assignment"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="calls",
    )
    called_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("called by"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
    )
    called_at = models.DateTimeField(_("called at"), default=timezone.now)

    class Meta:
        verbose_name = _("call")
        verbose_name_plural = _("calls")
        ordering = ["-called_at", "-id"]
        indexes = [
            # The call list reads today's calls per row; wrong numbers by phone.
            models.Index(fields=["row_key", "called_at"], name="calldesk_row_called"),
            models.Index(fields=["phone", "outcome"], name="calldesk_phone_outcome"),
        ]

    def __str__(self):
        return f"{self.name} {self.get_outcome_display()}"

    @property
    def outcome_badge(self) -> str:
        return OUTCOME_BADGES.get(self.outcome, "secondary")
