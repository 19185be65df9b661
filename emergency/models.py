"""An urgent need for blood at a partner hospital, and each donor called on for it."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from donors.choices import BloodGroup

from .choices import CALL_BADGES, REQUEST_BADGES, CallStatus, RequestStatus


class EmergencyRequest(models.Model):
    """A hospital needs units of one blood group by a time: donors are called in waves."""

    unit = models.ForeignKey(
        "accounts.PoliceUnit",
        verbose_name=_("requesting police unit"),
        on_delete=models.PROTECT,
        related_name="emergency_requests",
    )
    hospital = models.ForeignKey(
        "camps.Hospital",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        related_name="emergency_requests",
    )
    blood_group = models.CharField(
        _("blood group needed"), max_length=3, choices=BloodGroup.choices
    )
    units_needed = models.PositiveSmallIntegerField(
        _("units needed"), validators=[MinValueValidator(1)]
    )
    needed_by = models.DateTimeField(_("needed by"))
    status = models.CharField(
        _("status"), max_length=10, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    waves_sent = models.PositiveSmallIntegerField(_("waves sent"), default=0)
    # When the next wave is due: the beat task reads open requests by it (stored, indexed;
    # never a long countdown task in the broker). Empty once the request is closed.
    next_wave_at = models.DateTimeField(_("next wave at"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("emergency request")
        verbose_name_plural = _("emergency requests")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(units_needed__gte=1), name="emergency_units_positive"
            ),
        ]
        indexes = [
            # The waves task reads open requests whose next wave is due.
            models.Index(fields=["status", "next_wave_at"], name="emergency_due_wave"),
        ]

    def __str__(self):
        return f"{self.blood_group} × {self.units_needed} — {self.hospital}"

    @property
    def status_badge(self) -> str:
        return REQUEST_BADGES.get(self.status, "secondary")

    @property
    def is_open(self) -> bool:
        return self.status == RequestStatus.OPEN


class EmergencyCall(models.Model):
    """One donor asked for one emergency request, in one wave, and the donor's answer."""

    scope_via = "request__unit"

    request = models.ForeignKey(
        EmergencyRequest,
        verbose_name=_("emergency request"),
        on_delete=models.CASCADE,
        related_name="calls",
    )
    donor = models.ForeignKey(
        "donors.Donor",
        verbose_name=_("donor"),
        on_delete=models.PROTECT,
        related_name="emergency_calls",
    )
    wave = models.PositiveSmallIntegerField(_("wave"))
    status = models.CharField(
        _("answer"), max_length=10, choices=CallStatus.choices, default=CallStatus.ASKED
    )
    # The short code in the donor's link (/e/<code>/): random, unique, so it names this
    # call only; it answers once and only while the request is open.
    code = models.CharField(_("link code"), max_length=12, unique=True)
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    class Meta:
        verbose_name = _("emergency call")
        verbose_name_plural = _("emergency calls")
        ordering = ["wave", "id"]
        constraints = [
            # A donor is asked once per request, whatever runs the waves and how often.
            models.UniqueConstraint(fields=["request", "donor"], name="emergency_call_once"),
        ]
        indexes = [
            models.Index(fields=["donor", "status"], name="emergency_call_donor"),
        ]

    def __str__(self):
        return f"{self.donor} — {self.request}"

    @property
    def status_badge(self) -> str:
        return CALL_BADGES.get(self.status, "secondary")
