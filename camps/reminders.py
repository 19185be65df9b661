"""The camps' reminders scan: donors in a planned camp's unit subtree hear of it
CAMP_ANNOUNCE_DAYS_BEFORE days ahead (later, up to the day before, when the camp was planned
late or the scan was down; never after it), if they may give on its day, hold no booking
for a child their donation would break, consented to reminders and have a verified number.
A message still waiting when the donor has since given, been deferred or been booked is
cancelled at send time (``send_check``)."""

from datetime import date, timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from accounts.scoping import in_subtree
from donors.consent import may_be_reminded
from donors.models import Donor
from donors.reminders import donor_message_enqueue, donor_message_row, reachable
from notifications.services import hand_to_worker, messages_enqueue, preferred_channels

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


# --- the pledge's acknowledgement ---------------------------------------------------------

PLEDGE_TOPIC = "pledge_thanks"


def nearest_camp(donor: Donor, today: date) -> Camp | None:
    """The soonest planned camp the donor's announcements would name: held by the donor's
    police unit or a unit above it (the camp's subtree holds the donor), from today on."""
    if donor.unit_id is None:
        return None
    path = donor.unit.path
    step = donor.unit.steplen
    above = [path[:end] for end in range(len(path), 0, -step)]  # the unit and its ancestors
    return (
        Camp.objects.filter(status=CampStatus.PLANNED, held_on__gte=today, unit__path__in=above)
        .order_by("held_on", "starts_at", "id")
        .first()
    )


def pledge_thanks(sender=None, *, donor: Donor, through: str = "", **kwargs) -> bool:
    """The pledge's number was verified: thank the donor, naming the nearest planned camp,
    once, when they agreed to messages (``donors.hooks.donor_verified`` → here)."""
    if not may_be_reminded(Donor.objects.filter(pk=donor.pk)).exists():
        return False
    today = timezone.localdate()
    camp = nearest_camp(donor, today)
    message, created = donor_message_enqueue(
        donor,
        topic=PLEDGE_TOPIC,
        subject_key=f"donor:{donor.pk}",
        template="pledge_thanks",
        due_on=today,
        unit=donor.unit,
        context={"camp": camp, "place": camp.venue if camp else ""},
    )
    if created:
        transaction.on_commit(lambda: hand_to_worker(message.pk))
    return created
