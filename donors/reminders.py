"""The donors' reminders scan: "you can donate again" on the day a donor becomes eligible,
with the opt-out link, to donors who may give today, hold no booking for a child within
their new interval, consented to reminders and have a verified number (``reachable``).

After downtime the scan looks back DONOR_ELIGIBLE_LOOKBACK_DAYS days, and tells only those
still eligible today: the message stays true, so it is still useful late."""

from datetime import date, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from notifications.models import Message
from notifications.services import (
    channel_for,
    message_enqueue,
    messages_enqueue,
    preferred_channels,
)

from . import hooks
from .choices import DRAWN_OUTCOMES
from .consent import may_be_reminded, opt_out_url
from .models import Donation, Donor
from .selectors import eligible_on

TOPIC = "eligible_again"
# Messages of the donor's loop that go only with reminders consent, checked again at send
# time (the thank-you, the pledge's acknowledgement, "you can donate again").
CONSENTED_TOPICS = {TOPIC, "donation_thanks", "pledge_thanks"}


def donor_message_row(
    donor: Donor,
    *,
    topic: str,
    subject_key: str,
    template: str,
    due_on: date,
    unit,
    context: dict,
    preferred: dict | None = None,
    valid_until: date | None = None,
) -> dict:
    """The outbox row (``message_enqueue``'s arguments) of a message to ``donor``: their
    name, phone, email and language, the channel they prefer (``preferred``: a map read once
    per scan by ``preferred_channels``, else read now), and the donor and the stop link in
    the template's context. Every scan that writes to donors (here, camps, thalassaemia)
    goes through this."""
    key = f"donor:{donor.pk}"
    if preferred is None:
        preferred = preferred_channels([key])
    return {
        "topic": topic,
        "subject_key": subject_key,
        "recipient_key": key,
        "recipient_name": donor.name,
        "phone": donor.phone,
        "email": donor.email,
        "language": donor.preferred_language,
        "channel": channel_for(preferred.get(key), has_email=bool(donor.email)),
        "template": template,
        "due_on": due_on,
        "valid_until": valid_until,
        "unit": unit,
        "context": {
            "donor": donor,
            "name": donor.name,
            "opt_out_url": opt_out_url(donor),
            **context,
        },
    }


def donor_message_enqueue(donor: Donor, **fields):
    """Enqueue one message to ``donor`` (``donor_message_row``'s arguments)."""
    return message_enqueue(**donor_message_row(donor, **fields))


def reachable(donors: QuerySet, on: date) -> QuerySet:
    """The donors of ``donors`` a message inviting them to give on ``on`` may go to: they
    may donate that day (pre-screen), hold no booking their donation would break (a child's
    transfusion within their new interval, donors.hooks), consented to reminders and have a
    verified number (``consent.may_be_reminded``). One query, whatever their number."""
    return may_be_reminded(eligible_on(donors, on)).exclude(hooks.committed(on))


def eligible_again_on(day: date):
    """Donors who have given before, may donate on ``day`` and could not the day before."""
    given = Donation.objects.filter(donor=OuterRef("pk"), outcome__in=DRAWN_OUTCOMES)
    donors = Donor.objects.filter(Exists(given) | Q(external_last_donation_on__isnull=False))
    not_before = eligible_on(Donor.objects.all(), day - timedelta(days=1)).values("pk")
    return eligible_on(donors, day).exclude(pk__in=not_before)


def told_since_last_donation(donors) -> set[int]:
    """The pks of ``donors`` already told "you can donate again" after their last donation
    (one query): one message per donation, none again when a deferral ends or a booking is
    released, until they give again."""
    if not donors:
        return set()
    last = {f"donor:{d.pk}": (d.pk, d.last_donated_on) for d in donors}
    told = Message.objects.filter(topic=TOPIC, recipient_key__in=list(last)).values_list(
        "recipient_key", "due_on"
    )
    return {last[key][0] for key, due_on in told if last[key][1] is None or due_on > last[key][1]}


def scan(today: date | None = None) -> int:
    today = today or timezone.localdate()
    created = 0
    for back in range(settings.DONOR_ELIGIBLE_LOOKBACK_DAYS, -1, -1):
        day = today - timedelta(days=back)
        donors = list(reachable(eligible_again_on(day), today).select_related("unit"))
        told = told_since_last_donation(donors)
        donors = [d for d in donors if d.pk not in told]
        prefs = preferred_channels(f"donor:{d.pk}" for d in donors)
        created += messages_enqueue(
            donor_message_row(
                donor,
                topic=TOPIC,
                subject_key=f"donor:{donor.pk}",
                template="donor_eligible_again",
                due_on=day,
                unit=donor.unit,
                context={"on": day},
                preferred=prefs,
            )
            for donor in donors
        )
    return created


def send_check(message) -> str | None:
    """A donor who opted out, withdrew consent or was erased gets nothing more."""
    kind, _, pk = message.recipient_key.partition(":")
    if kind != "donor":
        return None
    donor = Donor.objects.filter(pk=pk).only("opted_out_at", "erased_at").first()
    if donor is None or donor.opted_out_at or donor.erased_at:
        return "the donor opted out"
    one = Donor.objects.filter(pk=pk)
    if message.topic in CONSENTED_TOPICS and not may_be_reminded(one).exists():
        return "the donor withdrew consent to reminders"
    if message.topic == TOPIC and not reachable(one, timezone.localdate()).exists():
        return "the donor has since donated, been deferred or been booked"
    return None
