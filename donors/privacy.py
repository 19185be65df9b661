"""Erasure and access on a donor's request (DPDP-23, DOMAIN.md §6).

Erasure anonymises the person and keeps what the counts need (sex, blood group, unit, year of
birth, donations, deferral categories and dates): dashboards and camp reports stay right, and
nobody can tell who it was. Access gives one donor's whole record and history as JSON.
"""

import datetime

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.choices import AuditAction
from accounts.erasure import ErasedPerson, person_erase, phone_users
from accounts.masking import mask_phone, phone_shown_for_unit
from accounts.models import AuditEvent

from .choices import ConsentPurpose, ConsentSource
from .consent import consent_withdraw
from .models import Donor
from .standing import donor_refresh_eligibility

ERASED_PHONE_PREFIX = "erased:"

# Field → the value it takes on erasure. Everything personal that counts do not need.
_BLANKED = {
    "email": "",
    "locality": "",
    "rank": "",
    "badge_number": "",
    "notes": "",
    "eraktkosh_id": "",
    "phenotype": "",
    "weight_kg": None,
    "unavailable_until": None,
    "unavailable_reason": "",
    "external_last_donation_on": None,
    "living_blood_bank": False,
}


def erased_phone(pk: int) -> str:
    """What an erased donor's phone becomes: not a number (no message can reach it, no
    search by digits finds a person), and unique because the id is (fits the 16 characters
    of the phone column up to id 999,999,999)."""
    return f"{ERASED_PHONE_PREFIX}{pk}"


def erased_error() -> ValidationError:
    return ValidationError(
        {NON_FIELD_ERRORS: [_("This donor's personal data was erased: the record is closed.")]},
        code="erased",
    )


@transaction.atomic
def donor_erase(*, donor: Donor, actor, request=None) -> Donor:
    """Anonymise ``donor`` on their request: name, phone and every personal detail go, the
    date of birth keeps only its year, every consent is withdrawn and messages stop. The
    audit log keeps who saw and changed the record, under the anonymous name. Repeating it
    changes nothing."""
    donor = Donor.objects.select_for_update().get(pk=donor.pk)
    if donor.erased_at is not None:
        return donor
    now = timezone.now()
    who = ErasedPerson(
        key=f"donor:{donor.pk}",
        replacement=f"Erased donor #{donor.pk}",
        names=(donor.name,),
        phones=(donor.phone,),
        emails=(donor.email,) if donor.email else (),
    )
    donor.name = f"Erased donor #{donor.pk}"  # data, not a page string: one language
    donor.phone = erased_phone(donor.pk)
    donor.date_of_birth = datetime.date(donor.date_of_birth.year, 1, 1)
    for name, value in _BLANKED.items():
        setattr(donor, name, value)
    donor.erased_at = now
    donor.save()

    donor_refresh_eligibility(donor)  # the outside last donation went with the rest
    donor.phone_verifications.all().delete()  # the codes sent to the old number
    consent_withdraw(
        donor=donor,
        purpose=ConsentPurpose.REGISTRY,
        source=ConsentSource.ERASURE,
        actor=actor,
        request=request,
        at=now,
    )
    # Earlier audit events name the donor in their label: keep the events (who saw what,
    # for breach reports), drop the name.
    AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(Donor), object_id=str(donor.pk)
    ).update(object_repr=str(donor))
    # Then every copy elsewhere: the outbox, the call desk, the audit log's details.
    person_erase(who)
    audit.record(
        action=AuditAction.UPDATE,
        request=request,
        actor=actor,
        obj=donor,
        note="erasure",
        fields=["name", "phone", "date_of_birth", *_BLANKED],
    )
    return donor


def donors_on_phones(phones: tuple[str, ...]) -> list[tuple[str, str]]:
    """(phone, "donor:<id>") for the donors not erased on ``phones`` (E.164): an erasure asks
    it (``accounts.erasure.register_phone_users``) so that a family's shared number stays
    for the others. One query on the phone index."""
    rows = Donor.objects.filter(phone__in=phones, erased_at__isnull=True)
    return [(phone, f"donor:{pk}") for phone, pk in rows.values_list("phone", "pk")]


def others_on_phone(donor: Donor) -> int:
    """How many other people (donors, guardians) not erased use ``donor``'s number: what an
    erasure leaves on it for them."""
    return len({key for _phone, key in phone_users([donor.phone], besides=f"donor:{donor.pk}")})


def donor_data(donor: Donor) -> dict:
    """Everything the portal holds about ``donor``: the record, donations, deferrals and
    consents (an access request, DPDP-23). Reads five small queries."""
    record = {
        field.name: _plain(getattr(donor, field.attname))
        for field in Donor._meta.concrete_fields
        if field.name not in ("created_by", "verified_by")
    }
    record["unit"] = donor.unit.name
    return {
        "donor": record,
        "donations": [
            {
                "date": _plain(d.donated_on),
                "kind": d.kind,
                "outcome": d.outcome,
                "blood_centre": str(d.blood_centre) if d.blood_centre_id else "",
                "camp": str(d.camp) if d.camp_id else "",
                "bag_number": d.bag_number,
                "bag_volume_ml": d.bag_volume_ml,
                "haemoglobin_g_dl": _plain(d.haemoglobin_g_dl),
                "weight_kg": _plain(d.weight_kg),
            }
            for d in donor.donations.select_related("blood_centre", "camp")
        ],
        "deferrals": [
            {"category": d.category, "from": _plain(d.starts_on), "until": _plain(d.until)}
            for d in donor.deferrals.all()
        ],
        "consents": [
            {
                "purpose": c.purpose,
                "given_at": _plain(c.given_at),
                "notice_version": c.notice_version,
                "given_through": c.source,
                "withdrawn_at": _plain(c.withdrawn_at),
                "withdrawn_through": c.withdrawn_source,
            }
            for c in donor.consents.all()
        ],
    }


def record_list_view(*, request, donors, filters: dict) -> None:
    """A list of donors with their phones is a view of personal data: one audit row (one
    insert) per page shown, naming the donors on it by id and the filters that found them.
    Nothing is recorded when the page shows nobody."""
    ids = [donor.pk if isinstance(donor, Donor) else donor for donor in donors]
    audit.record_list(request=request, what="donor list", rows=len(ids), ids=ids, filters=filters)


def phone_shown_to(user, donor: Donor) -> bool:
    """Whether ``user`` sees ``donor``'s whole phone on a list (pages, API, exports): the
    roles that call donors (admins, force admins, coordinators) see every number in scope;
    staff see their own unit's donors' numbers, masked for the units below them."""
    return phone_shown_for_unit(user, donor.unit_id)


def listed_phone(user, donor: Donor) -> str:
    """The phone as a list shows it to ``user``: whole (E.164) or masked (``98••••3210``);
    an erased donor's placeholder as it is."""
    if donor.phone.startswith(ERASED_PHONE_PREFIX) or phone_shown_to(user, donor):
        return donor.phone
    return mask_phone(donor.phone)


def _plain(value):
    """JSON-ready: dates ISO 8601, decimals as strings."""
    if isinstance(value, datetime.date | datetime.datetime):
        return value.isoformat()
    if value is None or isinstance(value, bool | int | str):
        return value
    return str(value)
