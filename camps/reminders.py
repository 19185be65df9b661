"""The camps' reminders scan: donors who pledged (or consented to reminders) in a planned
camp's unit subtree hear of it CAMP_ANNOUNCE_DAYS_BEFORE days ahead (later, up to the day
before, when the camp was planned late or the scan was down; never after it)."""

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from donors.consent import may_be_reminded
from donors.models import Donor
from donors.reminders import donor_message_enqueue
from notifications.services import preferred_channels

from .choices import CampStatus
from .models import Camp

TOPIC = "camp_announcement"


def scan(today: date | None = None) -> int:
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.CAMP_ANNOUNCE_DAYS_BEFORE)
    camps = Camp.objects.filter(
        status=CampStatus.PLANNED, held_on__gt=today, held_on__lte=horizon
    ).select_related("unit")
    created = 0
    for camp in camps:
        donors = list(
            may_be_reminded(
                Donor.objects.filter(unit__path__startswith=camp.unit.path)
            ).select_related("unit")
        )
        prefs = preferred_channels(f"donor:{d.pk}" for d in donors)
        for donor in donors:
            _, new = donor_message_enqueue(
                donor,
                topic=TOPIC,
                subject_key=f"camp:{camp.pk}",
                template="camp_announcement",
                due_on=camp.held_on,
                valid_until=camp.held_on,
                unit=camp.unit,
                context={"camp": camp},
                preferred=prefs,
            )
            created += new
    return created


def send_check(message) -> str | None:
    """A camp cancelled or moved on since the announcement was written is not announced."""
    kind, _, pk = message.subject_key.partition(":")
    if message.topic != TOPIC or kind != "camp":
        return None
    if not Camp.objects.filter(pk=pk, status=CampStatus.PLANNED, held_on=message.due_on).exists():
        return "the camp is no longer planned for that day"
    return None
