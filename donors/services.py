"""Writes of the donors app: every page, API view, import and the pledge form call these."""

import csv
import functools
import io
import json
import zlib
from collections.abc import Iterable
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import connection, models, transaction
from django.db.models.base import ModelState
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, unit_rules
from accounts.choices import AuditAction
from accounts.models import AuditEvent
from accounts.scoping import for_user
from portal.sheets import RowsRefused

from . import hooks
from .choices import ConsentPurpose, ConsentSource, DeferralCategory, DonorSource
from .consent import consents_in_force, consents_record
from .merging import move_related
from .models import Consent, Deferral, Donor
from .phones import normalise_phone
from .privacy import erased_error
from .standing import donor_refresh_eligibility, standing_of_new


def name_key(name: str) -> str:
    """A name as the duplicate rule compares it: case and spacing do not matter."""
    return " ".join((name or "").casefold().split())


def _person_key(donor) -> tuple:
    return (donor.phone, name_key(donor.name), donor.date_of_birth)


def lock_phones(phones: Iterable[str]) -> None:
    """Serialise the writes that add donors to the same numbers until the transaction ends
    (PostgreSQL advisory locks, one per bucket of numbers, taken in order so two writers
    never wait on each other crosswise): with no unique constraint on ``phone`` any more,
    two clerks registering the same person, or a 5th donor on a number, at the same moment
    would otherwise both pass ``find_duplicates``."""
    if connection.vendor != "postgresql":
        return
    buckets = sorted({zlib.crc32(p.encode()) % _PHONE_LOCK_BUCKETS for p in phones if p})
    if not buckets:
        return
    with connection.cursor() as cursor:  # one statement, in bucket order, however many
        cursor.execute(
            "SELECT count(pg_advisory_xact_lock(%s, b)) FROM "
            "(SELECT unnest(%s::int[]) AS b ORDER BY 1) AS ordered",
            [_PHONE_LOCK_KEY, buckets],
        )


_PHONE_LOCK_KEY = 72_011_515
_PHONE_LOCK_BUCKETS = 256


def find_duplicates(
    donors: list, *, viewer=None, skip: Iterable[int] = (), exclude_pk=None
) -> dict[int, ValidationError]:
    """The one duplicate rule of the registry, for every path that adds a donor or changes
    a donor's number, name or date of birth (the page, the API, both imports, the pledge,
    the camp table and join page): row position in ``donors`` → a ValidationError on
    ``phone``. ``donors`` are unsaved Donor objects (or anything with ``phone`` in E.164,
    ``name`` and ``date_of_birth``); rows in ``skip`` are not checked.

    - The same person (same number, same name ignoring case and spaces, same date of birth)
      registered already: refused, naming the donor only to a ``viewer`` who may see that
      donor (another unit's is "registered with another police unit", no id: an id would
      let anyone in the state learn who holds a number). Code ``duplicate``.
    - The same person twice in ``donors``: refused from the second row.
    - A number already shared by DONORS_PER_PHONE_MAX donors (counting earlier rows):
      refused, code ``phone_full``. Anyone else on a known number is a family member.

    ``exclude_pk``: the donor being edited (not a duplicate of itself). Two queries per
    BULK_BATCH numbers; call ``lock_phones`` first inside the writing transaction."""
    skip = set(skip)
    limit = settings.DONORS_PER_PHONE_MAX
    phones = sorted({d.phone for i, d in enumerate(donors) if i not in skip})
    on_phone: dict[str, int] = {}
    known: dict[tuple, int] = {}
    for start in range(0, len(phones), BULK_BATCH):
        chunk = phones[start : start + BULK_BATCH]
        found = Donor.objects.filter(phone__in=chunk).exclude(pk=exclude_pk)
        for pk, phone, name, born in found.values_list("pk", "phone", "name", "date_of_birth"):
            on_phone[phone] = on_phone.get(phone, 0) + 1
            known.setdefault((phone, name_key(name), born), pk)
    visible = set()
    if known and viewer is not None:
        visible = set(
            for_user(Donor.objects.filter(pk__in=list(known.values())), viewer).values_list(
                "pk", flat=True
            )
        )
    errors, seen = {}, {}
    for index, donor in enumerate(donors):
        if index in skip:
            continue
        key = _person_key(donor)
        if key in known:
            error = _duplicate_error(known[key], visible=known[key] in visible)
        elif key in seen:
            error = ValidationError(
                _("The same person (mobile number, name and date of birth) appears twice."),
                code="duplicate_in_batch",
                params={"first": seen[key]},
            )
        elif on_phone.get(donor.phone, 0) >= limit:
            error = ValidationError(
                _(
                    "%(max)s donors already share this mobile number: no more can be "
                    "registered on it."
                ),
                code="phone_full",
                params={"max": limit},
            )
        else:
            seen[key] = index
            on_phone[donor.phone] = on_phone.get(donor.phone, 0) + 1
            continue
        errors[index] = ValidationError({"phone": error})
    return errors


def _duplicate_error(pk: int, *, visible: bool) -> ValidationError:
    if visible:
        return ValidationError(
            _("This person is already registered on this mobile number (donor #%(id)s)."),
            code="duplicate",
            params={"id": pk},
        )
    return ValidationError(
        _("This person is already registered with another police unit."),
        code="duplicate",
    )


def duplicate_error(donor, *, viewer=None, exclude_pk=None) -> ValidationError | None:
    """``find_duplicates`` for one donor (saved or not): the ValidationError on ``phone``,
    or None."""
    return find_duplicates([donor], viewer=viewer, exclude_pk=exclude_pk).get(0)


def _rules_of(donor: Donor) -> str:
    """The rules profile of the donor's unit (``PoliceUnit.rules_in_force``), as stored now
    (the caller's unit object may be older than a change of the unit's rules)."""
    return unit_rules.in_force([donor.unit_id]).get(donor.unit_id, "")


# Fields only donor_create itself sets: who registered and verified, and the registry
# consent in brief (kept in step with the Consent rows by donors.consent).
_STAMPED = {"created_by", "verified_at", "verified_by", "consent_at", "consent_version"}


def _purposes(consents: Iterable[str]) -> list:
    """The consent purposes given; reminders only with the registry."""
    purposes = [ConsentPurpose(p) for p in consents]
    if ConsentPurpose.REMINDERS in purposes and ConsentPurpose.REGISTRY not in purposes:
        raise ValidationError(
            {"consent_reminders": _("Reminders need the donor's consent to the registry.")}
        )
    return purposes


@transaction.atomic
def donor_create(
    *,
    actor,
    source: str,
    consents: Iterable[str] = (),
    consent_source: str | None = None,
    notice_version: str | None = None,
    request=None,
    phone: str,
    **fields,
) -> Donor:
    """Register a donor: the one way into the registry for the page, the API, both
    spreadsheet imports, the camp table, the public pledge and the demo loader.

    ``phone`` may be in any accepted form; the same person registered already (same number,
    name and date of birth), or a number already shared by DONORS_PER_PHONE_MAX donors, is
    refused with a ValidationError on ``phone`` (``find_duplicates``). ``consents`` are the
    purposes (ConsentPurpose) the donor agreed to, each recorded as a Consent row saying who
    (``actor``, or nobody when the donor gave it on the pledge form), when, through what
    (``consent_source``: the pledge form for a pledge, else staff at the donor's word) and
    to which notice (``notice_version``, DONOR_CONSENT_VERSION by default). Staff
    registering a donor in person vouch for the number (verified); a public pledge stays
    unverified until the code sent to it comes back (donors.verification). The audit
    CREATE row is written here."""
    stamped = _STAMPED & fields.keys()
    if stamped:
        raise TypeError(f"donor_create sets {', '.join(sorted(stamped))} itself")
    purposes = _purposes(consents)
    by_donor = source == DonorSource.PLEDGE
    now = timezone.now()
    donor = Donor(phone=normalise_phone(phone), source=source, created_by=actor, **fields)
    donor.rules_profile = _rules_of(donor)
    if actor is not None and not by_donor:
        donor.verified_at, donor.verified_by = now, actor
    notice_version = notice_version or settings.DONOR_CONSENT_VERSION
    if ConsentPurpose.REGISTRY in purposes:
        donor.consent_at, donor.consent_version = now, notice_version
    donor.full_clean()
    lock_phones([donor.phone])
    error = duplicate_error(donor, viewer=actor)
    if error is not None:
        raise error
    donor.save()
    if donor.external_last_donation_on is not None:
        donor_refresh_eligibility(donor)
    consents_record(
        donor=donor,
        purposes=purposes,
        source=consent_source or (ConsentSource.PLEDGE if by_donor else ConsentSource.STAFF),
        actor=None if by_donor else actor,
        notice_version=notice_version,
        at=now,
    )
    audit.record(
        action=AuditAction.CREATE,
        request=request,
        actor=actor,
        obj=donor,
        source=source,
        consents=[str(p) for p in purposes],
    )
    return donor


# Donors per INSERT (and phones per duplicate check) in ``donors_create_bulk``.
BULK_BATCH = 1000


def donor_field_errors(fields: dict, *, exclude=(), memo: dict | None = None) -> dict[str, list]:
    """The model's own checks of ``fields`` (a donor's field name → value): what
    ``Donor.full_clean`` says of them (lengths, blanks, choices, e-mail, the ranges of
    accounts.ranges), by field, without building a donor or a query; a required field not
    given is refused as its default would be. Relations (the caller's unit and users, the
    objects themselves) are not checked; the check constraints restate the field
    validators and uniqueness is the duplicate check's. Valid values are stored back
    cleaned, as ``full_clean`` does. A ``memo`` (a dict kept over the rows of one sheet)
    remembers each field's answer for a value already checked: the same group, sex or
    date of birth on many rows is checked once."""
    errors = {}
    for name, value in fields.items():
        if name in exclude:
            continue
        field = _DONOR_FIELDS.get(name)
        if field is None:
            raise TypeError(f"Donor has no field {name!r}")
        if field.is_relation or (field.blank and value in field.empty_values):
            continue
        limit = _PLAIN_TEXT.get(name)
        if limit is not None and type(value) is str and value and len(value) <= limit:
            continue  # what field.clean answers: the text, unchanged (a name, a number)
        key = (name, type(value), value)
        answer = memo.get(key) if memo is not None else None
        if answer is None:
            try:
                answer = (field.clean(value, None), None)
            except ValidationError as error:
                answer = (None, error.messages)
            if memo is not None:
                memo[key] = answer
        cleaned, messages = answer
        if messages is None:
            fields[name] = cleaned
        else:
            errors[name] = messages
    for name, messages in _refused_defaults().items():
        if name not in fields and name not in exclude:
            errors[name] = messages
    return errors


_DONOR_FIELDS = {field.name: field for field in Donor._meta.concrete_fields}
# Text fields whose only check is their length (no choices, no other validator): a given
# text within it is valid, as field.clean would say, without its three calls. The name and
# the number differ on every row of a sheet, so the memo never helps them.
_PLAIN_TEXT = {
    name: field.max_length
    for name, field in _DONOR_FIELDS.items()
    if type(field) is models.CharField
    and not field.choices
    and [type(v) for v in field.validators] == [MaxLengthValidator]
}


@functools.cache
def _refused_defaults() -> dict[str, list[str]]:
    """The fields whose default ``full_clean`` refuses (name, sex, date of birth, phone):
    a row must give them."""
    refused = {}
    for name, field in _DONOR_FIELDS.items():
        value = field.get_default()
        if field.is_relation or (field.blank and value in field.empty_values):
            continue
        try:
            field.clean(value, None)
        except ValidationError as error:
            refused[name] = error.messages
    return refused


def _unsaved(model, base: dict, changes: Iterable[dict]) -> list:
    """Unsaved instances of ``model``, one per mapping of ``changes`` (attname → value)
    over ``base`` over the fields' defaults: their attributes set as ``Model.__init__``
    sets them, without its per-field work, a tenth of its time for the 30,000 instances
    of a 10,000-row import (no field of these models listens to the init signals)."""
    defaults = {field.attname: field.get_default() for field in model._meta.concrete_fields}
    defaults.update(base)
    instances = []
    for change in changes:
        instance = model.__new__(model)
        instance.__dict__.update(defaults)
        instance.__dict__.update(change)
        instance._state = ModelState()
        instances.append(instance)
    return instances


def _new_donors(rows: list[dict], base: dict) -> list[Donor]:
    """Unsaved donors of ``rows`` (field name → value, a relation as its object) over
    ``base`` (attname → value, what every one shares)."""
    relations = {f.name: f for f in Donor._meta.concrete_fields if f.is_relation}
    changes = []
    for row in rows:
        change = {}
        for name, value in row.items():
            if name in relations:
                change[relations[name].attname] = None if value is None else value.pk
            elif name in _DONOR_FIELDS:
                change[name] = value
            else:
                raise TypeError(f"Donor has no field {name!r}")
        changes.append(change)
    donors = _unsaved(Donor, base, changes)
    for donor, row in zip(donors, rows, strict=True):
        for name in relations.keys() & row.keys():
            if row[name] is not None:  # the object itself, for the audit's unit
                relations[name].set_cached_value(donor, row[name])
    return donors


@transaction.atomic
def donors_create_bulk(*, actor, rows: list[dict], request=None) -> list[Donor]:
    """``donor_create`` for many donors at once (a spreadsheet of 10,000): the same rules —
    the phone normalised, the same person or a full number refused, the model's
    checks, verified by ``actor``, each purpose of ``consents`` recorded, a CREATE audit
    event per donor, the standing of a donor with an outside last donation stored — in a
    query per BULK_BATCH rows instead of a dozen per donor. Each row is ``donor_create``'s
    keyword arguments but ``actor`` and ``request`` (``source`` and ``consents`` per row;
    staff's word only: no pledges here). Duplicates and full numbers: ``find_duplicates``.
    On PostgreSQL the rows are written with ``COPY`` (``_insert_all``), elsewhere with
    ``bulk_create``.

    All or nothing: when any row is refused, ``portal.sheets.RowsRefused`` maps each
    refused row's position in ``rows`` to its field errors, and nothing is written."""
    now = timezone.now()
    notice_version = settings.DONOR_CONSENT_VERSION
    stamp = {"created_by_id": getattr(actor, "pk", None), "created_at": now, "updated_at": now}
    if actor is not None:
        stamp.update(verified_at=now, verified_by_id=actor.pk)
    fields_of, purposes_of, refused, memo = [], [], {}, {}
    for index, row in enumerate(rows):
        fields = dict(row)
        consents = fields.pop("consents", ())
        stamped = (_STAMPED | {"consent_source", "notice_version"}) & fields.keys()
        if stamped or fields.get("source") == DonorSource.PLEDGE:
            raise TypeError("donors_create_bulk takes staff registrations only")
        try:
            purposes = _purposes(consents)
            try:
                fields["phone"] = normalise_phone(fields.get("phone"))
            except ValidationError as error:
                raise ValidationError({"phone": error}) from None
            # The foreign keys are the caller's unit and the actor (a query each per row).
            errors = donor_field_errors(fields, memo=memo)
            if errors:
                raise ValidationError(errors)
        except ValidationError as error:
            refused[index] = error
            purposes = []
        if ConsentPurpose.REGISTRY in purposes:
            fields.update(consent_at=now, consent_version=notice_version)
        fields_of.append(fields)
        purposes_of.append(purposes)
    donors = _new_donors(fields_of, stamp)
    rules_of = unit_rules.in_force(d.unit_id for i, d in enumerate(donors) if i not in refused)
    for index, donor in enumerate(donors):
        if index in refused:
            continue
        donor.rules_profile = rules_of.get(donor.unit_id, "")
        if donor.external_last_donation_on is not None:
            standing_of_new(donor)
    lock_phones(d.phone for i, d in enumerate(donors) if i not in refused)
    refused.update(find_duplicates(donors, skip=refused.keys(), viewer=actor))
    if refused:
        raise RowsRefused(refused)
    _insert_all(Donor, donors)
    recorded_by = actor.pk if getattr(actor, "is_authenticated", False) else None
    consents = _unsaved(
        Consent,
        {
            "source": ConsentSource.STAFF,
            "given_at": now,
            "notice_version": notice_version,
            "recorded_by_id": recorded_by,
        },
        (
            {"donor_id": donor.pk, "purpose": purpose}
            for donor, purposes in zip(donors, purposes_of, strict=True)
            for purpose in (ConsentPurpose.REGISTRY, ConsentPurpose.REMINDERS)
            if purpose in purposes
        ),
    )
    _insert_all(Consent, consents, ids=False)
    events = _created_events(donors, purposes_of, actor=actor, request=request)
    _insert_all(AuditEvent, events, ids=False)
    return donors


def _created_events(donors, purposes_of, *, actor, request) -> list:
    """The CREATE audit event of each donor, as ``audit.build`` makes it: built once, then
    each donor's with its own object, unit and details."""
    if not donors:
        return []
    first = audit.build(action=AuditAction.CREATE, request=request, actor=actor, obj=donors[0])
    base = {
        field.attname: getattr(first, field.attname) for field in AuditEvent._meta.concrete_fields
    }
    return _unsaved(
        AuditEvent,
        base,
        (
            {
                "object_id": str(donor.pk),
                "object_repr": str(donor)[:200],
                "unit_id": donor.unit_id,
                "details": {"source": donor.source, "consents": [str(p) for p in purposes]},
            }
            for donor, purposes in zip(donors, purposes_of, strict=True)
        ),
    )


def _insert_all(model, objects: list, *, ids: bool = True) -> None:
    """INSERT ``objects`` (unsaved, of ``model``): by ``COPY`` on PostgreSQL, else
    ``bulk_create``. With ``ids`` they are set on the objects (on PostgreSQL taken from the
    table's sequence first, in one query); without, the table's default numbers them.
    Django's per-value INSERT preparation costs more than the database's write of a
    10,000-row import; ``COPY`` (CSV) takes the values as Python writes them: text,
    numbers, dates, JSON."""
    if not objects:
        return
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objects, batch_size=BULK_BATCH)
        return
    meta = model._meta
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objects:
                if field.auto_now or getattr(obj, field.attname) is None:
                    setattr(obj, field.attname, now)
    # CSV as COPY reads it: an unquoted empty value is NULL, except in the text columns
    # that hold no NULL (FORCE_NOT_NULL), where it is the empty string.
    texts = [f for f in fields if f.empty_strings_allowed and not f.null]
    if any(f.empty_strings_allowed and f.null for f in fields):  # '' and NULL both possible
        model.objects.bulk_create(objects, batch_size=BULK_BATCH)
        return
    names = [field.attname for field in fields]
    json_at = [i for i, f in enumerate(fields) if f.get_internal_type() == "JSONField"]
    # What Django's INSERT preparation writes as NULL: an empty address.
    null_if_empty = [
        i for i, f in enumerate(fields) if f.get_internal_type() == "GenericIPAddressField"
    ]
    out = io.StringIO()
    # \r\n: a value with either character in it is quoted (COPY refuses them bare).
    writer = csv.writer(out, lineterminator="\r\n")
    columns = [field.column for field in fields]
    with connection.cursor() as cursor:
        if ids:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [meta.db_table, meta.pk.column, len(objects)],
            )
            for obj, (pk,) in zip(objects, cursor.fetchall(), strict=True):
                obj.pk = pk
                obj._state.adding, obj._state.db = False, connection.alias
            names.insert(0, meta.pk.attname)
            columns.insert(0, meta.pk.column)
            json_at = [i + 1 for i in json_at]
            null_if_empty = [i + 1 for i in null_if_empty]
        for obj in objects:
            values = list(map(obj.__dict__.__getitem__, names))
            for i in json_at:
                if values[i] is not None:
                    values[i] = json.dumps(values[i], cls=fields[i - ids].encoder)
            for i in null_if_empty:
                if values[i] == "":
                    values[i] = None
            writer.writerow(values)  # None as an unquoted empty value
        quote = connection.ops.quote_name
        options = "FORMAT csv"
        if texts:
            options += f", FORCE_NOT_NULL ({', '.join(quote(f.column) for f in texts)})"
        table, columns = quote(meta.db_table), ", ".join(map(quote, columns))
        sql = f"COPY {table} ({columns}) FROM STDIN WITH ({options})"
        out.seek(0)
        with connection.wrap_database_errors:
            cursor.copy_expert(sql, out)


@transaction.atomic
def donor_update(
    *, donor: Donor, actor=None, request=None, consents: Iterable[str] = (), **fields
) -> Donor:
    """Change a donor's record; the fields changed (not their values) go to the audit log.
    ``consents``: purposes the donor now agrees to, at staff's table (withdrawing is
    consent.consent_withdraw's). An erased donor's record is closed."""
    if donor.erased_at is not None:
        raise erased_error()
    if "phone" in fields:
        fields["phone"] = normalise_phone(fields["phone"])
    identity = {"phone", "name", "date_of_birth"}
    if any(getattr(donor, k) != fields[k] for k in identity & fields.keys()):
        after = Donor(**{k: fields.get(k, getattr(donor, k)) for k in identity})
        lock_phones([after.phone])
        error = duplicate_error(after, viewer=actor, exclude_pk=donor.pk)
        if error is not None:
            raise error
    purposes = [ConsentPurpose(p) for p in consents]
    registered = donor.consent_at is not None or ConsentPurpose.REGISTRY in purposes
    if ConsentPurpose.REMINDERS in purposes and not registered:
        raise ValidationError(
            {"consent_reminders": _("Reminders need the donor's consent to the registry.")}
        )
    changed = [name for name, value in fields.items() if getattr(donor, name) != value]
    for name, value in fields.items():
        setattr(donor, name, value)
    donor.full_clean()
    if "unit" in changed:  # moved to another unit: perhaps under other rules
        donor.rules_profile = _rules_of(donor)
    donor.save()
    if {"sex", "external_last_donation_on", "unit"} & set(changed):
        donor_refresh_eligibility(donor)
    in_force = consents_in_force(donor) if purposes else set()
    given = [p for p in purposes if p not in in_force]
    consents_record(donor=donor, purposes=given, source=ConsentSource.STAFF, actor=actor)
    if changed or given:
        details = {"consents_given": [str(p) for p in given]} if given else {}
        audit.record(
            action=AuditAction.UPDATE,
            request=request,
            actor=actor,
            obj=donor,
            fields=changed,
            **details,
        )
    return donor


def default_deferral_until(category: str, starts_on: date) -> date | None:
    """The category's default end (DONOR_DEFERRAL_DAYS), or None when staff must enter it
    (or it is permanent)."""
    days = settings.DONOR_DEFERRAL_DAYS.get(category)
    return starts_on + timedelta(days=days) if days else None


@transaction.atomic
def deferral_create(
    *,
    donor: Donor,
    category: str,
    starts_on: date,
    until: date | None = None,
    actor=None,
    request=None,
) -> Deferral:
    """Record a deferral, on every path (the donor's page, the API, the camp table's
    screening). Without ``until`` the category's default applies; a category with no default
    needs a date, except the permanent one, which has none. The deferral goes to the audit
    log."""
    if category == DeferralCategory.PERMANENT:
        until = None
    elif until is None:
        until = default_deferral_until(category, starts_on)
        if until is None:
            raise ValidationError({"until": _("Enter the date the donor may give again.")})
    deferral = Deferral(
        donor=donor, category=category, starts_on=starts_on, until=until, recorded_by=actor
    )
    deferral.full_clean()
    if until is not None and until <= starts_on:
        raise ValidationError({"until": _("The end must be after the start.")})
    deferral.save()
    donor_refresh_eligibility(donor)
    audit.record(
        action=AuditAction.CREATE, request=request, actor=actor, obj=deferral, unit=donor.unit
    )
    hooks.deferral_made(deferral, actor=actor)  # bookings until it ends are released
    return deferral


def donor_verify(*, donor: Donor, actor, request=None, through: str = "staff") -> Donor:
    """The number is proven the donor's: staff checked the person (``actor``), or the donor
    answered the code sent to it (``through="code"``, no actor). A verified donor counts as
    a registered donor: reminders and requests may reach them, matching ranks them fully.
    Audit-logged; harmless to repeat."""
    updated = Donor.objects.filter(pk=donor.pk, verified_at__isnull=True).update(
        verified_at=timezone.now(), verified_by=actor, updated_at=timezone.now()
    )
    donor.refresh_from_db(fields=["verified_at", "verified_by", "updated_at"])
    if updated:
        audit.record(
            action=AuditAction.UPDATE,
            request=request,
            actor=actor,
            obj=donor,
            fields=["verified"],
            through=through,
        )
        hooks.donor_verified.send(sender=Donor, donor=donor, through=through)
    return donor


# Fields a merge copies from the duplicate when the kept record has them empty.
_MERGE_FILL = (
    "blood_group",
    "email",
    "locality",
    "rank",
    "badge_number",
    "weight_kg",
    "phenotype",
    "external_last_donation_on",
    "eraktkosh_id",
    "consent_at",
    "consent_version",
)


@transaction.atomic
def donor_merge(*, keep: Donor, duplicate: Donor, actor, request=None) -> Donor:
    """Fold ``duplicate`` into ``keep``: every row pointing at the duplicate moves over
    (donations, deferrals, consents, camp queue places, circles, bookings, emergency calls,
    messages: ``donors.merging.move_related``), empty fields are filled, the duplicate is
    deleted, the kept donor's standing is recomputed, and the merge is in the audit log.
    The dashboard's roll-ups follow by their triggers (a donation's donor changed, a donor
    deleted: ``dashboard.rollups``)."""
    if keep.pk == duplicate.pk:
        raise ValidationError(_("Choose two different donors."))
    if keep.erased_at is not None or duplicate.erased_at is not None:
        raise ValidationError(_("An erased donor's record cannot be merged."))
    keep = Donor.objects.select_for_update().get(pk=keep.pk)
    duplicate = Donor.objects.select_for_update().get(pk=duplicate.pk)
    moved = move_related(keep=keep, duplicate=duplicate)
    filled = []
    for name in _MERGE_FILL:
        if getattr(keep, name) in ("", None) and getattr(duplicate, name) not in ("", None):
            setattr(keep, name, getattr(duplicate, name))
            filled.append(name)
    keep.living_blood_bank = keep.living_blood_bank or duplicate.living_blood_bank
    keep.is_police = keep.is_police or duplicate.is_police
    if keep.external_last_donation_on and duplicate.external_last_donation_on:
        keep.external_last_donation_on = max(
            keep.external_last_donation_on, duplicate.external_last_donation_on
        )
    # Someone who opted out on either record has opted out.
    if duplicate.opted_out_at and not keep.opted_out_at:
        keep.opted_out_at = duplicate.opted_out_at
    _merge_consents(keep=keep, duplicate=duplicate)
    duplicate_id = duplicate.pk
    duplicate.delete()
    keep.save()
    donor_refresh_eligibility(keep)
    audit.record(
        action=AuditAction.UPDATE,
        request=request,
        actor=actor,
        obj=keep,
        merged_donor=duplicate_id,
        donations_moved=moved.get("donors.Donation", 0),
        deferrals_moved=moved.get("donors.Deferral", 0),
        moved=moved,
        fields_filled=filled,
        note="merge",
    )
    return keep


def _merge_consents(*, keep: Donor, duplicate: Donor) -> None:
    """The duplicate's consent history moves over, except a consent in force for a purpose
    the kept record already has in force (one in force per purpose). An opt-out on either
    record withdraws the reminders consent of the merged one."""
    in_force = set(
        keep.consents.filter(withdrawn_at__isnull=True).values_list("purpose", flat=True)
    )
    duplicate.consents.exclude(purpose__in=in_force, withdrawn_at__isnull=True).update(donor=keep)
    if keep.opted_out_at:
        keep.consents.filter(purpose="reminders", withdrawn_at__isnull=True).update(
            withdrawn_at=keep.opted_out_at, withdrawn_source="staff"
        )
