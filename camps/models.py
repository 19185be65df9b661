"""Partners and camps. Only a licensed blood centre collects blood; police organise."""

from django.db import models
from django.utils.translation import gettext_lazy as _


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

    def __str__(self):
        return self.name
