"""Consent per purpose (DPDP-23, DOMAIN.md §6): the donor registry and reminders, each given
and withdrawn on its own, with when, which notice version and who recorded it.

``Donor.consent_at`` / ``consent_version`` stay the registry consent in brief and
``Donor.opted_out_at`` says "no messages": the functions here keep them in step with the
``Consent`` rows, so older readers of those fields stay right. Withdrawing is as easy as
giving: staff on the donor page, or the donor by the signed link every message carries
(``opt_out_url``), without signing in.
"""

from django.conf import settings
from django.core import signing
from django.db import transaction
from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils import timezone

from accounts import audit
from accounts.choices import AuditAction
from notifications.rendering import portal_url

from .choices import ConsentPurpose, ConsentSource
from .models import Consent, Donor

OPT_OUT_SALT = "donors.opt-out"


def consents_in_force(donor: Donor) -> set[str]:
    """The purposes ``donor`` agrees to now."""
    return set(donor.consents.filter(withdrawn_at__isnull=True).values_list("purpose", flat=True))


@transaction.atomic
def consent_summary(donor: Donor) -> list[dict]:
    """Per purpose, the consent in force (or the last one withdrawn, or None) and how many
    rows its history holds: what the donor page shows."""
    rows = list(donor.consents.select_related("recorded_by", "withdrawn_by"))
    summary = []
    for purpose in ConsentPurpose:
        history = [row for row in rows if row.purpose == purpose]
        current = next((row for row in history if row.in_force), None)
        summary.append(
            {
                "purpose": purpose,
                "label": purpose.label,
                "current": current,
                "last": current or (history[0] if history else None),
                "history": history,
            }
        )
    return summary


def consent_give(
    *,
    donor: Donor,
    purpose: str,
    source: str,
    actor=None,
    notice_version: str | None = None,
    at=None,
) -> Consent:
    """Record that ``donor`` agrees to ``purpose``. Already in force: the existing row is
    kept (its date is when the donor first agreed). ``actor`` is the staff member who
    recorded it at the donor's word; None when the donor gave it themselves."""
    current = donor.consents.filter(purpose=purpose, withdrawn_at__isnull=True).first()
    if current is not None:
        return current
    consent = Consent.objects.create(
        donor=donor,
        purpose=purpose,
        source=source,
        given_at=at or timezone.now(),
        notice_version=notice_version or settings.DONOR_CONSENT_VERSION,
        recorded_by=actor if getattr(actor, "is_authenticated", False) else None,
    )
    _sync_donor_fields(donor, purpose, given=consent)
    return consent


@transaction.atomic
def consent_withdraw(
    *, donor: Donor, purpose: str, source: str, actor=None, request=None, at=None
) -> bool:
    """Withdraw ``donor``'s consent to ``purpose``; True when anything changed. Leaving the
    registry ends reminders too: nobody is messaged about a registry they are not in.
    Audit-logged (who withdrew what), and harmless to repeat."""
    purposes = [purpose]
    if purpose == ConsentPurpose.REGISTRY:
        purposes.append(ConsentPurpose.REMINDERS)
    at = at or timezone.now()
    actor = actor if getattr(actor, "is_authenticated", False) else None
    withdrawn = donor.consents.filter(purpose__in=purposes, withdrawn_at__isnull=True).update(
        withdrawn_at=at, withdrawn_source=source, withdrawn_by=actor
    )
    opted_out = ConsentPurpose.REMINDERS in purposes and donor.opted_out_at is None
    if opted_out:
        # "No messages" holds even for a donor whose reminders consent predates the rows.
        donor.opted_out_at = at
        donor.save(update_fields=["opted_out_at", "updated_at"])
    if withdrawn or opted_out:
        audit.record(
            action=AuditAction.UPDATE,
            request=request,
            actor=actor,
            obj=donor,
            note="consent withdrawn",
            purposes=purposes,
            source=source,
        )
    return bool(withdrawn or opted_out)


def _sync_donor_fields(donor: Donor, purpose: str, *, given: Consent) -> None:
    fields = []
    if purpose == ConsentPurpose.REGISTRY and donor.consent_at is None:
        donor.consent_at, donor.consent_version = given.given_at, given.notice_version
        fields += ["consent_at", "consent_version"]
    if purpose == ConsentPurpose.REMINDERS and donor.opted_out_at is not None:
        donor.opted_out_at = None
        fields.append("opted_out_at")
    if fields:
        donor.save(update_fields=[*fields, "updated_at"])


def consents_record(
    *, donor: Donor, purposes, source: str, actor=None, notice_version=None, at=None
) -> list[Consent]:
    """The consents a donor gives at once (on registering, or later at staff's table): one
    row per purpose, the registry first (reminders need it), each saying who and when."""
    order = [p for p in (ConsentPurpose.REGISTRY, ConsentPurpose.REMINDERS) if p in purposes]
    return [
        consent_give(
            donor=donor,
            purpose=purpose,
            source=source,
            actor=actor,
            notice_version=notice_version,
            at=at,
        )
        for purpose in order
    ]


def may_be_reminded(queryset: QuerySet) -> QuerySet:
    """The donors of ``queryset`` who may receive reminders: reminders consent in force, not
    opted out, not erased, and a number proven theirs (verified in person or by the code
    sent to it: an unverified number gets that code and nothing else). Every scan that
    writes to donors starts from this."""
    in_force = Consent.objects.filter(
        donor=OuterRef("pk"), purpose=ConsentPurpose.REMINDERS, withdrawn_at__isnull=True
    )
    return queryset.filter(
        Exists(in_force),
        opted_out_at__isnull=True,
        erased_at__isnull=True,
        verified_at__isnull=False,
    )


# --- the opt-out link ------------------------------------------------------------------


def opt_out_token(donor: Donor) -> str:
    """A token naming ``donor`` that only this portal can make (signed with SECRET_KEY)."""
    return signing.dumps(donor.pk, salt=OPT_OUT_SALT, compress=False)


def donor_for_opt_out_token(token: str) -> Donor | None:
    """The donor a token names; None for a forged, mangled or stale one."""
    try:
        pk = signing.loads(token, salt=OPT_OUT_SALT)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return Donor.objects.filter(pk=pk).first()


def opt_out_url(donor: Donor) -> str:
    """The full address of ``donor``'s opt-out page, for the end of every message. It never
    expires: an SMS read months later must still stop the next one."""
    return portal_url(reverse("donors:opt-out", args=[opt_out_token(donor)]))


def opt_out(*, donor: Donor, request=None) -> bool:
    """The donor's own tap on the opt-out page: no more reminders."""
    return consent_withdraw(
        donor=donor,
        purpose=ConsentPurpose.REMINDERS,
        source=ConsentSource.OPT_OUT_LINK,
        request=request,
    )
