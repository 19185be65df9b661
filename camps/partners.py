"""Writes of the partners: licensed blood centres and hospitals with their named emergency
contacts. The partner pages, the API and the admin call these; each checks the model's rules,
writes, and records the audit event, so every path is checked and logged the same way."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import audit
from accounts.choices import AuditAction
from donors.phones import normalise_phone

from .models import BloodCentre, Hospital, HospitalContact

# Fields the partner forms and the API write.
BLOOD_CENTRE_FIELDS = (
    "name",
    "licence_number",
    "address",
    "phone",
    "contact_person",
    "eraktkosh_id",
)
HOSPITAL_FIELDS = ("name", "kind", "address", "phone")
CONTACT_FIELDS = ("name", "role", "phone")


def _write(obj, fields: dict) -> list[str]:
    """Set ``fields`` on ``obj``, check the model's rules and save; the names changed."""
    changed = [name for name, value in fields.items() if getattr(obj, name) != value]
    for name, value in fields.items():
        setattr(obj, name, value)
    obj.full_clean()
    obj.save()
    return changed


@transaction.atomic
def blood_centre_create(*, actor, request=None, **fields) -> BloodCentre:
    """Add a licensed blood centre; its licence number is unique."""
    centre = BloodCentre()
    _write(centre, fields)
    audit.record(action=AuditAction.CREATE, request=request, actor=actor, obj=centre)
    return centre


@transaction.atomic
def blood_centre_update(*, blood_centre: BloodCentre, actor, request=None, **fields) -> BloodCentre:
    """Change a blood centre; the fields changed go to the audit log."""
    changed = _write(blood_centre, fields)
    if changed:
        audit.record(
            action=AuditAction.UPDATE,
            request=request,
            actor=actor,
            obj=blood_centre,
            fields=changed,
        )
    return blood_centre


def contact_clean(*, name: str, phone: str, role: str = "") -> dict:
    """One emergency contact's fields, the phone in E.164 as every number in the portal;
    a ValidationError naming the field otherwise. The contact forms and the API's contact
    shape call this too, so a bad number is refused on the contact it belongs to."""
    try:
        phone = normalise_phone(phone)
    except ValidationError as error:
        raise ValidationError({"phone": error.error_list}) from None
    contact = HospitalContact(name=(name or "").strip(), role=(role or "").strip(), phone=phone)
    contact.full_clean(exclude=["hospital"])
    return {field: getattr(contact, field) for field in CONTACT_FIELDS}


def _contacts_clean(contacts) -> list[dict]:
    cleaned, problems = [], []
    for number, contact in enumerate(contacts, start=1):
        try:
            cleaned.append(contact_clean(**{f: contact.get(f, "") for f in CONTACT_FIELDS}))
        except ValidationError as error:
            problems += [
                _("Contact %(number)s: %(message)s") % {"number": number, "message": message}
                for message in error.messages
            ]
    if problems:
        raise ValidationError({"contacts": problems})
    return cleaned


def _replace_contacts(hospital: Hospital, contacts: list[dict]) -> bool:
    """Replace the hospital's contacts with ``contacts``; whether they changed."""
    before = [
        {field: getattr(contact, field) for field in CONTACT_FIELDS}
        for contact in hospital.contacts.order_by("pk")
    ]
    if before == contacts:
        return False
    hospital.contacts.all().delete()
    HospitalContact.objects.bulk_create(
        HospitalContact(hospital=hospital, **contact) for contact in contacts
    )
    # A caller that prefetched the contacts answers with the new ones, not the cache.
    getattr(hospital, "_prefetched_objects_cache", {}).pop("contacts", None)
    return True


@transaction.atomic
def hospital_create(*, actor, request=None, contacts=(), **fields) -> Hospital:
    """Add a hospital or day-care centre with its emergency contacts, saved together."""
    contacts = _contacts_clean(contacts)
    hospital = Hospital()
    _write(hospital, fields)
    _replace_contacts(hospital, contacts)
    audit.record(
        action=AuditAction.CREATE,
        request=request,
        actor=actor,
        obj=hospital,
        contacts=len(contacts),
    )
    return hospital


@transaction.atomic
def hospital_update(
    *, hospital: Hospital, actor, request=None, contacts=None, **fields
) -> Hospital:
    """Change a hospital; a list of ``contacts`` replaces its contacts (None keeps them).
    The fields changed, never the contacts' names or numbers, go to the audit log."""
    cleaned = None if contacts is None else _contacts_clean(contacts)
    changed = _write(hospital, fields)
    if cleaned is not None and _replace_contacts(hospital, cleaned):
        changed.append("contacts")
    if changed:
        audit.record(
            action=AuditAction.UPDATE, request=request, actor=actor, obj=hospital, fields=changed
        )
    return hospital
