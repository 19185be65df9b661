"""The donor's loop, in the donors' room: after blood is drawn, a thank-you with the link to
the donation's certificate (``/c/<code>``, a short link valid DONOR_CERTIFICATE_LINK_DAYS,
opened as often as the donor likes). The pledge's acknowledgement names a camp, so camps
writes it (``camps.reminders.pledge_thanks``, on ``hooks.donor_verified``).

Through the outbox like every message: the donors' send check holds it for a donor who
opted out or withdrew consent; quiet hours hold it to the morning; the donor's language and
channel are theirs (``reminders.donor_message_enqueue``)."""

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse

from notifications import shortlinks
from notifications.rendering import link_url
from notifications.services import hand_to_worker

from .choices import DonationOutcome
from .consent import may_be_reminded
from .models import Donation, Donor
from .reminders import donor_message_enqueue

THANKS_TOPIC = "donation_thanks"
CERTIFICATE_LINK = "certificate"


def certificate_url(donation: Donation) -> str:
    """The short link to ``donation``'s certificate (the same while it is fresh)."""
    code = shortlinks.short_link_code(
        purpose=CERTIFICATE_LINK,
        subject_key=f"donation:{donation.pk}",
        valid_for=timedelta(days=settings.DONOR_CERTIFICATE_LINK_DAYS),
        single_use=False,
    )
    return link_url(reverse("donors:certificate-link", args=[code]))


def donation_for_link(code: str) -> Donation | None:
    """The collected donation a live certificate link names (None: expired, unknown)."""
    subject, state = shortlinks.short_link_open(purpose=CERTIFICATE_LINK, code=code)
    kind, _, pk = (subject or "").partition(":")
    if state != shortlinks.OK or kind != "donation" or not pk.isdigit():
        return None
    return (
        Donation.objects.select_related("donor", "blood_centre")
        .filter(pk=int(pk), outcome=DonationOutcome.COLLECTED, donor__erased_at__isnull=True)
        .first()
    )


def with_may_be_thanked(queryset: QuerySet) -> QuerySet:
    """Donors with ``may_be_thanked``: whether ``donation_thank`` may write to them, read
    with the donor (the camp table reads it in its donor query), so recording asks no more."""
    one = may_be_reminded(Donor.objects.filter(pk=OuterRef("pk")))
    return queryset.annotate(may_be_thanked=Exists(one))


def donation_thank(donation: Donation) -> bool:
    """Enqueue the thank-you for a collected donation, once (the outbox's natural key), when
    the donor may be written to (``may_be_thanked`` when the caller read it with the donor,
    in this request). Called by ``donations.donation_record``."""
    if donation.outcome != DonationOutcome.COLLECTED:
        return False
    may = getattr(donation.donor, "may_be_thanked", None)
    if may is None:
        may = may_be_reminded(Donor.objects.filter(pk=donation.donor_id)).exists()
    if not may:
        return False
    message, created = donor_message_enqueue(
        donation.donor,
        topic=THANKS_TOPIC,
        subject_key=f"donation:{donation.pk}",
        template="donation_thanks",
        due_on=donation.donated_on,
        valid_until=donation.donated_on + timedelta(days=settings.DONOR_THANKS_VALID_DAYS),
        unit=donation.donor.unit,
        context={"on": donation.donated_on, "certificate_url": certificate_url(donation)},
    )
    if created:
        transaction.on_commit(lambda: hand_to_worker(message.pk))
    return created
