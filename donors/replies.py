"""What an inbound SMS reply or missed call means to the registry (registered with the
outbox in ``DonorsConfig.ready``): whose number it is, and STOP.

STOP withdraws reminders consent for every donor on that number (``consent_withdraw``,
audited, source "sms"): the outbox's send check then holds everything to them. A number
nobody in the registry has is "unknown"; an unclear text is listed for the donor's police
station. Yes and no are thalassemia's (the request they answer), so they pass on."""

from django.core.exceptions import ValidationError

from notifications.choices import InboundOutcome, Intent
from notifications.registry import InboundResult

from .choices import ConsentPurpose, ConsentSource
from .consent import consent_withdraw
from .models import Donor
from .phones import normalise_phone


def donors_on(phone: str) -> list[Donor]:
    """The registry's donors on ``phone`` as a provider wrote it (not erased)."""
    try:
        phone = normalise_phone(phone)
    except ValidationError:
        return []
    return list(Donor.objects.filter(phone=phone, erased_at__isnull=True).select_related("unit"))


def answering_donors(row) -> list[Donor]:
    """The donors on the number of a yes or a no (none for STOP or an unclear text): the
    rooms with requests (a child's, an emergency's) look for what it answers among theirs."""
    if row.intent not in (Intent.CONFIRM, Intent.DECLINE):
        return []
    return donors_on(row.phone)


def handle(row) -> InboundResult | None:
    donors = donors_on(row.phone)
    if not donors:
        return InboundResult(outcome=InboundOutcome.UNKNOWN_NUMBER)
    first = donors[0]
    names = ", ".join(d.name for d in donors)
    if row.intent == Intent.STOP:
        for donor in donors:
            consent_withdraw(
                donor=donor, purpose=ConsentPurpose.REMINDERS, source=ConsentSource.SMS_REPLY
            )
        return InboundResult(
            outcome=InboundOutcome.OPTED_OUT,
            subject_key=f"donor:{first.pk}",
            unit=first.unit,
            name=names,
        )
    if row.intent == Intent.UNCLEAR:
        return InboundResult(
            outcome=InboundOutcome.UNCLEAR,
            subject_key=f"donor:{first.pk}",
            unit=first.unit,
            name=names,
        )
    return None
