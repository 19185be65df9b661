"""Thalassaemia children, their transfusion plans and calendars, and their donor circles."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from accounts import ranges
from donors.choices import BloodGroup, Sex

from .choices import (
    AssignmentStatus,
    GuardianRelation,
    PatientStatus,
    TransfusionStatus,
)


class Patient(models.Model):
    """A transfusion-dependent child looked after by a police unit."""

    name = models.CharField(_("name"), max_length=120)
    date_of_birth = models.DateField(_("date of birth"), validators=[ranges.validate_birth_date])
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    blood_group = models.CharField(
        _("blood group"), max_length=3, choices=BloodGroup.choices, blank=True
    )
    phenotype = models.CharField(
        _("extended red-cell phenotype"),
        max_length=30,
        blank=True,
        help_text=_("For example: C+ c+ E- e+ K-"),
    )
    # Antigens from donors.phenotype.ANTIGENS, written "E, K": matching excludes a donor who
    # carries one of them.
    alloantibodies = models.CharField(
        _("known alloantibodies"), max_length=30, blank=True, help_text=_("For example: E, K")
    )
    weight_kg = models.DecimalField(
        _("weight (kg)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[ranges.validate_child_weight],
    )
    registration_number = models.CharField(
        _("registration number at the treating centre"), max_length=40, blank=True
    )
    hospital = models.ForeignKey(
        "camps.Hospital",
        verbose_name=_("treating hospital / day-care centre"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="patients",
    )
    unit = models.ForeignKey(
        "accounts.PoliceUnit",
        verbose_name=_("police unit looking after the child"),
        on_delete=models.PROTECT,
        related_name="patients",
    )
    status = models.CharField(
        _("status"), max_length=12, choices=PatientStatus.choices, default=PatientStatus.ACTIVE
    )
    consent_at = models.DateTimeField(_("guardian consent given at"), null=True, blank=True)
    consent_version = models.CharField(_("consent notice version"), max_length=20, blank=True)
    consent_by = models.CharField(_("consent given by"), max_length=120, blank=True)
    # Recomputed by calendar.patient_recompute_next_due whenever a transfusion or plan
    # changes; "overdue" and "due soon" are derived from it (the board and the API read it).
    next_due_on = models.DateField(_("next transfusion due"), null=True, blank=True)
    # The calendar's terms (schedule.terms), stored with next_due_on from the plans by
    # calendar.patient_recompute_next_due: the latest plan (in force from plan_from on) and
    # the units of the plan in force on next_due_on. The dashboard's forecast and annual
    # need sum them over the children in one scan (dashboard.demand) instead of reading
    # every child's plans per request. Internal, never shown or edited: no verbose names.
    plan_units = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    plan_interval_days = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    plan_from = models.DateField(null=True, blank=True, editable=False)
    next_due_units = models.PositiveSmallIntegerField(null=True, blank=True, editable=False)
    notes = models.TextField(_("notes"), blank=True)
    # Set by privacy.patient_erase: the record stays for the counts, anonymised and closed.
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("child")
        verbose_name_plural = _("children")
        ordering = ["name", "id"]
        indexes = [
            # The due-soon board and reminders read active children by next due date.
            models.Index(fields=["status", "next_due_on"], name="thal_patient_status_due"),
            models.Index(fields=["unit", "next_due_on"], name="thal_patient_unit_due"),
        ]
        # Plausible ranges (accounts.ranges), also for writes around the services.
        constraints = [
            models.CheckConstraint(
                condition=ranges.q_not_before_earliest("date_of_birth"),
                name="thal_patient_birth_plausible",
            ),
            models.CheckConstraint(
                condition=ranges.q_between("weight_kg", ranges.CHILD_WEIGHT_KG),
                name="thal_patient_weight_plausible",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("thalassemia:detail", args=[self.pk])


class Guardian(models.Model):
    """A parent or carer of a child: the person messages about transfusions go to."""

    scope_via = "patient__unit"

    patient = models.ForeignKey(
        Patient, verbose_name=_("child"), on_delete=models.CASCADE, related_name="guardians"
    )
    name = models.CharField(_("name"), max_length=120)
    relation = models.CharField(
        _("relation"), max_length=12, choices=GuardianRelation.choices, default="mother"
    )
    # E.164, normalised by donors.phones.normalise_phone; matching never proposes a donor
    # with a guardian's number (relatives give to the general pool).
    phone = models.CharField(_("mobile phone"), max_length=16, db_index=True)
    preferred_language = models.CharField(
        _("language for messages"), max_length=8, choices=settings.LANGUAGES, default="hi"
    )
    opted_out_at = models.DateTimeField(_("opted out of messages at"), null=True, blank=True)
    # Set by privacy.guardian_erase: no name, no number, no messages.
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)

    class Meta:
        verbose_name = _("guardian")
        verbose_name_plural = _("guardians")
        ordering = ["patient", "id"]

    def __str__(self):
        return f"{self.name} ({self.get_relation_display()})"


class TransfusionPlan(models.Model):
    """Units per transfusion and the interval, set by the treating doctor, from a date. A
    change adds a plan; earlier ones stay as history."""

    scope_via = "patient__unit"

    patient = models.ForeignKey(
        Patient, verbose_name=_("child"), on_delete=models.CASCADE, related_name="plans"
    )
    units_per_transfusion = models.PositiveSmallIntegerField(_("units per transfusion"))
    interval_days = models.PositiveSmallIntegerField(_("interval (days)"))
    valid_from = models.DateField(_("valid from"))
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("transfusion plan")
        verbose_name_plural = _("transfusion plans")
        ordering = ["patient", "valid_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(units_per_transfusion__gte=1) & Q(interval_days__gte=1),
                name="thal_plan_positive",
            ),
        ]

    def __str__(self):
        return ngettext(
            "%(units)s unit every %(days)s days",
            "%(units)s units every %(days)s days",
            self.units_per_transfusion,
        ) % {"units": self.units_per_transfusion, "days": self.interval_days}

    @property
    def annual_units(self) -> float:
        from .schedule import annual_units

        return annual_units(self.units_per_transfusion, self.interval_days)


class Transfusion(models.Model):
    """One transfusion of a child: due, scheduled, done, missed or cancelled."""

    scope_via = "patient__unit"

    patient = models.ForeignKey(
        Patient, verbose_name=_("child"), on_delete=models.CASCADE, related_name="transfusions"
    )
    due_on = models.DateField(_("due on"))
    status = models.CharField(
        _("status"), max_length=10, choices=TransfusionStatus.choices, default="due"
    )
    units_needed = models.PositiveSmallIntegerField(_("units needed"), default=1)
    units_given = models.PositiveSmallIntegerField(_("units given"), null=True, blank=True)
    done_on = models.DateField(
        _("given on"), null=True, blank=True, validators=[ranges.validate_past_date]
    )
    pre_haemoglobin_g_dl = models.DecimalField(
        _("pre-transfusion haemoglobin (g/dL)"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[ranges.validate_haemoglobin],
    )
    hospital = models.ForeignKey(
        "camps.Hospital",
        verbose_name=_("hospital"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfusions",
    )
    notes = models.TextField(_("notes"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        verbose_name = _("transfusion")
        verbose_name_plural = _("transfusions")
        ordering = ["patient", "-due_on", "-id"]
        indexes = [
            # The board and the demand forecast read open transfusions by date.
            models.Index(fields=["status", "due_on"], name="thal_transfusion_status_due"),
            models.Index(fields=["patient", "status"], name="thal_transfusion_patient"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(done_on__isnull=False),
                name="thal_transfusion_done_has_date",
            ),
            models.CheckConstraint(
                condition=ranges.q_not_before_earliest("done_on"),
                name="thal_transfusion_date_plausible",
            ),
            models.CheckConstraint(
                condition=ranges.q_between("pre_haemoglobin_g_dl", ranges.HAEMOGLOBIN_G_DL),
                name="thal_transfusion_haemoglobin_plausible",
            ),
        ]

    def __str__(self):
        return f"{self.patient} {self.due_on} {self.get_status_display()}"

    def get_absolute_url(self):
        return reverse("thalassemia:match", args=[self.pk])


class DonorCircle(models.Model):
    """A donor dedicated to a child (often an officer of the adopting station), asked in turn."""

    scope_via = "patient__unit"

    patient = models.ForeignKey(
        Patient, verbose_name=_("child"), on_delete=models.CASCADE, related_name="circle"
    )
    donor = models.ForeignKey(
        "donors.Donor",
        verbose_name=_("donor"),
        on_delete=models.CASCADE,
        related_name="circles",
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    last_asked_on = models.DateField(_("last asked on"), null=True, blank=True)
    joined_on = models.DateField(_("joined on"), default=timezone.localdate)

    class Meta:
        verbose_name = _("circle member")
        verbose_name_plural = _("circle members")
        ordering = ["patient", "order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["patient", "donor"], name="thal_circle_unique"),
        ]

    def __str__(self):
        return f"{self.donor} → {self.patient}"


class Assignment(models.Model):
    """A donor asked to give for one transfusion, and how that went.

    ``on`` is the day the donor is to give; ``blocks_until`` (exclusive) is ``on`` plus the
    donor's donation interval. On PostgreSQL an exclusion constraint (migration 0002) keeps a
    donor's live assignments from overlapping; booking.assignment_create checks the same
    under a row lock, which is what protects SQLite."""

    scope_via = "transfusion__patient__unit"

    transfusion = models.ForeignKey(
        Transfusion,
        verbose_name=_("transfusion"),
        on_delete=models.CASCADE,
        related_name="assignments",
    )
    donor = models.ForeignKey(
        "donors.Donor",
        verbose_name=_("donor"),
        on_delete=models.PROTECT,
        related_name="assignments",
    )
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=AssignmentStatus.choices,
        default=AssignmentStatus.PROPOSED,
    )
    on = models.DateField(_("to give on"))
    blocks_until = models.DateField(_("blocks the donor until"))
    asked_at = models.DateTimeField(_("asked at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    donation = models.ForeignKey(
        "donors.Donation",
        verbose_name=_("donation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assignments",
    )
    notes = models.CharField(_("notes"), max_length=200, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        ordering = ["transfusion", "created_at", "id"]
        indexes = [
            # Booking checks and matching read a donor's live assignments by date.
            models.Index(fields=["donor", "status", "on"], name="thal_assignment_donor"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(blocks_until__gt=F("on")), name="thal_assignment_range_valid"
            ),
        ]

    def __str__(self):
        return f"{self.donor} → {self.transfusion}"

    @property
    def where(self):
        """The hospital the donor gives at: the transfusion's, else the child's (or None)."""
        return self.transfusion.hospital or self.transfusion.patient.hospital
