"""Choices of the camps app, with the badge colour each is shown in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CampStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    OPEN = "open", _("Open")
    CLOSED = "closed", _("Closed")
    CANCELLED = "cancelled", _("Cancelled")


CAMP_STATUS_BADGES = {
    CampStatus.PLANNED: "info",
    CampStatus.OPEN: "success",
    CampStatus.CLOSED: "secondary",
    CampStatus.CANCELLED: "dark",
}
