"""What an inbound SMS reply or missed call means to the registry (registered with the
outbox in ``DonorsConfig.ready``): whose number it is, and STOP.

STOP withdraws reminders consent for every donor on that number (``consent_withdraw``,
audited, source "sms"): the outbox's send check then holds everything to them. A number
nobody in the registry has is "unknown"; an unclear text is listed for the donor's police
station. Yes and no are thalassemia's (the request they answer), so they pass on."""

from django.core.exceptions import ValidationError
from django.db.models import Count

from notifications.choices import InboundOutcome, Intent
from notifications.registry import InboundResult
from notifications.replies import reply_code

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


def shared_phones(phones) -> set[str]:
    """Which of ``phones`` (E.164) several donors share (a family on one mobile): a request
    sent to such a number carries its reply code (``notifications.replies.reply_code``), so
    "1 K7QM" says whose request the answer is for. One query."""
    rows = (
        Donor.objects.filter(phone__in=set(phones), erased_at__isnull=True)
        .values("phone")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    return {row["phone"] for row in rows}


def reply_code_for(donor: Donor, subject_key: str, shared: set[str] | None = None) -> str:
    """The reply code a request to ``donor`` carries: "" unless the number is shared
    (``shared``: the batch's ``shared_phones``, else asked here)."""
    if shared is None:
        shared = shared_phones([donor.phone])
    return reply_code(subject_key) if donor.phone in shared else ""


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
