"""Partners and camps. Only a licensed blood centre collects blood; police organise."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts import ranges

from .choices import CampStatus


class BloodCentre(models.Model):
    """A licensed blood centre: the partner that collects at a camp and owns the bag numbers."""

    name = models.CharField(_("name"), max_length=160)
    licence_number = models.CharField(_("licence number"), max_length=60, unique=True)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    contact_person = models.CharField(_("contact person"), max_length=120, blank=True)
    eraktkosh_id = models.CharField(_("e-RaktKosh id"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("blood centre")
        verbose_name_plural = _("blood centres")
        ordering = ["name"]
        constraints = [
            # One centre per e-RaktKosh id; many centres may have none yet.
            models.UniqueConstraint(
                fields=["eraktkosh_id"],
                condition=~models.Q(eraktkosh_id=""),
                name="bloodcentre_eraktkosh_id_unique_when_set",
            ),
        ]

    def __str__(self):
        return self.name

    def clean(self):
        # The constraint's own check would be a form-wide error; this one names the field
        # (and, failing, keeps the constraint's check from repeating it).
        taken = BloodCentre.objects.filter(eraktkosh_id=self.eraktkosh_id).exclude(pk=self.pk)
        if self.eraktkosh_id and taken.exists():
            raise ValidationError(
                {"eraktkosh_id": _("Another blood centre has this e-RaktKosh id.")}
            )


class Hospital(models.Model):
    """A hospital or thalassaemia day-care centre: a partner with named emergency contacts."""

    class Kind(models.TextChoices):
        HOSPITAL = "hospital", _("Hospital")
        DAY_CARE = "day_care", _("Thalassaemia day-care centre")

    name = models.CharField(_("name"), max_length=160)
    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices, default=Kind.HOSPITAL)
    address = models.TextField(_("address"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("hospital")
        verbose_name_plural = _("hospitals")
        ordering = ["name"]

    def __str__(self):
        return self.name


class HospitalContact(models.Model):
    """A named person police and doctors call in an emergency (Kanpur's coordination
    meetings name one per partner)."""

    hospital = models.ForeignKey(
        Hospital, verbose_name=_("hospital"), on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(_("name"), max_length=120)
    role = models.CharField(_("role"), max_length=80, blank=True)
    phone = models.CharField(_("phone"), max_length=16)

    class Meta:
        verbose_name = _("emergency contact")
        verbose_name_plural = _("emergency contacts")
        ordering = ["hospital", "name"]

    def __str__(self):
        return f"{self.name} ({self.hospital})"


class Camp(models.Model):
    """A blood donation camp organised by a police unit and collected by a licensed centre.
    Its totals are derived from its donations, never typed."""

    name = models.CharField(_("name"), max_length=160)
    # Within two years of today when planned or moved (accounts.ranges.validate_camp_date).
    held_on = models.DateField(_("date"), validators=[ranges.validate_camp_date])
    starts_at = models.TimeField(_("starts at"), null=True, blank=True)
    ends_at = models.TimeField(_("ends at"), null=True, blank=True)
    venue = models.CharField(_("venue"), max_length=200)
    unit = models.ForeignKey(
        "accounts.PoliceUnit",
        verbose_name=_("organising police unit"),
        on_delete=models.PROTECT,
        related_name="camps",
    )
    blood_centre = models.ForeignKey(
        BloodCentre,
        verbose_name=_("partner blood centre"),
        on_delete=models.PROTECT,
        related_name="camps",
    )
    target_donors = models.PositiveIntegerField(_("target number of donors"), default=0)
    status = models.CharField(
        _("status"), max_length=10, choices=CampStatus.choices, default=CampStatus.PLANNED
    )
    eraktkosh_id = models.CharField(_("e-RaktKosh camp id"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("camp")
        verbose_name_plural = _("camps")
        ordering = ["-held_on", "-id"]
        indexes = [
            # Upcoming/past lists and the calendar read camps of a subtree by date.
            models.Index(fields=["unit", "held_on"]),
            models.Index(fields=["held_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=ranges.q_not_before_earliest("held_on"), name="camp_date_plausible"
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.held_on})"


class TableEntry(models.Model):
    """One write made at a camp table, under the id the phone gave it: the idempotency key of
    the offline queue. A replay of the same id (the queue retrying after a lost answer, a
    double tap) finds this row and answers the first result instead of writing again. Written
    in the same transaction as the donor or the donation it names (camps.services)."""

    class Kind(models.TextChoices):
        DONOR = "donor", _("Walk-in registration")
        RECORD = "record", _("Screening recorded")

    client_id = models.UUIDField(_("client id"), unique=True)
    camp = models.ForeignKey(
        Camp, verbose_name=_("camp"), on_delete=models.CASCADE, related_name="table_entries"
    )
    kind = models.CharField(_("kind"), max_length=8, choices=Kind.choices)
    donor = models.ForeignKey(
        "donors.Donor", verbose_name=_("donor"), on_delete=models.CASCADE, related_name="+"
    )
    # Empty for a registration, and when the donation was withdrawn later.
    donation = models.ForeignKey(
        "donors.Donation",
        verbose_name=_("donation"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_by = models.ForeignKey(
        "accounts.User", verbose_name=_("recorded by"), on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    scope_via = "camp__unit"

    class Meta:
        verbose_name = _("camp table entry")
        verbose_name_plural = _("camp table entries")

    def __str__(self):
        return str(self.client_id)


class QueueEntry(models.Model):
    """A donor's place in a camp's queue: pre-registered by scanning the camp's QR code,
    numbered in the order they joined, called to the table by number."""

    scope_via = "camp__unit"

    camp = models.ForeignKey(
        Camp, verbose_name=_("camp"), on_delete=models.CASCADE, related_name="queue"
    )
    number = models.PositiveIntegerField(_("number"))
    # A donor merged into another is deleted: their place goes with them (rare on the day).
    donor = models.ForeignKey(
        "donors.Donor",
        verbose_name=_("donor"),
        on_delete=models.CASCADE,
        related_name="camp_queue",
    )
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)
    called_at = models.DateTimeField(_("called at"), null=True, blank=True)
    called_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("called by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("queue entry")
        verbose_name_plural = _("queue entries")
        ordering = ["camp", "number"]
        constraints = [
            models.UniqueConstraint(fields=["camp", "number"], name="camp_queue_number_unique"),
            # Scanning twice keeps one place.
            models.UniqueConstraint(fields=["camp", "donor"], name="camp_queue_donor_once"),
        ]

    def __str__(self):
        return f"{self.camp_id} #{self.number}"
