"""The camps' reminders scan: donors in a planned camp's unit subtree hear of it
CAMP_ANNOUNCE_DAYS_BEFORE days ahead (later, up to the day before, when the camp was planned
late or the scan was down; never after it), if they may give on its day, hold no booking
for a child their donation would break, consented to reminders and have a verified number.
A message still waiting when the donor has since given, been deferred or been booked is
cancelled at send time (``send_check``)."""

from datetime import date, timedelta

from django.conf import settings
from django.utils import timezone

from accounts.scoping import in_subtree
from donors.models import Donor
from donors.reminders import donor_message_row, reachable
from notifications.services import messages_enqueue, preferred_channels

from .choices import CampStatus
from .models import Camp

TOPIC = "camp_announcement"


def scan(today: date | None = None) -> int:
    """Announce each planned camp in the window to the donors of its unit subtree who may
    give on its day and may be told (``donors.reminders.reachable``). A few queries per
    camp, whatever the number of donors."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.CAMP_ANNOUNCE_DAYS_BEFORE)
    camps = Camp.objects.filter(
        status=CampStatus.PLANNED, held_on__gt=today, held_on__lte=horizon
    ).select_related("unit")
    created = 0
    for camp in camps:
        donors = list(
            reachable(in_subtree(Donor.objects.all(), camp.unit), camp.held_on).select_related(
                "unit"
            )
        )
        prefs = preferred_channels(f"donor:{d.pk}" for d in donors)
        created += messages_enqueue(
            donor_message_row(
                donor,
                topic=TOPIC,
                subject_key=f"camp:{camp.pk}",
                template="camp_announcement",
                due_on=camp.held_on,
                valid_until=camp.held_on,
                unit=camp.unit,
                context={"camp": camp, "place": camp.venue},
                preferred=prefs,
            )
            for donor in donors
        )
    return created


def send_check(message) -> str | None:
    """A camp cancelled or moved on since the announcement was written is not announced."""
    kind, _, pk = message.subject_key.partition(":")
    if message.topic != TOPIC or kind != "camp":
        return None
    if not Camp.objects.filter(pk=pk, status=CampStatus.PLANNED, held_on=message.due_on).exists():
        return "the camp is no longer planned for that day"
    donor_kind, _, donor_pk = message.recipient_key.partition(":")
    donor = Donor.objects.filter(pk=donor_pk) if donor_kind == "donor" else Donor.objects.none()
    if not reachable(donor, message.due_on).exists():
        return "the donor may no longer give that day, or is booked for a child"
    return None
