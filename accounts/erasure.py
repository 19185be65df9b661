"""Erasure across rooms (DPDP): what a person's name, phone and email left behind outside
their own record.

The room that owns the person (donors, thalassemia) anonymises the record itself, then calls
``person_erase`` with who it was. This module scrubs the audit log (labels and details: a
phone searched for, a name in an assignment's label) and sends ``person_erased``, to which the
rooms holding copies subscribe: the outbox (addresses and texts), the call desk (names,
numbers, notes). accounts knows no domain room, so the payload is plain strings.

A trace is matched as a person would type it: the name as a whole word in any case, the email
in any case, and the phone by its last ten digits whatever the spaces, dashes or prefix
(E.164 ``+919876543210``, national ``098765 43210``, ``9876543210``).

A number is not always one person's: a family shares one mobile (up to DONORS_PER_PHONE_MAX
donors, and a child's guardian may be one of them). Before scrubbing, ``person_erase`` asks
the rooms that keep people (``register_phone_users``) who else still uses the person's
numbers; such a number stays where it is someone else's too (a sibling's messages, a reply
the family sent, a search for it), and only what is the person's own goes. The last person
on a number takes it with them.
"""

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace

from django.db.models import Q, TextField, Value
from django.db.models.functions import Cast, Replace
from django.dispatch import Signal

from .models import AuditEvent

# Sent with ``person`` (an ErasedPerson) after the owning room anonymised the record, in the
# same transaction: the outbox and the call desk blank their copies.
person_erased = Signal()

# Fewer digits than this are not taken for a phone (a unit id, a year).
PHONE_DIGITS = 10

# What a name becomes in a row that stays for the others on a shared number: "Erased donor
# #12" there would tie the anonymous record to the family's number again.
ERASED_MARK = "[erased]"


@dataclass(frozen=True)
class ErasedPerson:
    """Who was erased: ``key`` as the outbox names recipients ("donor:12", "guardian:7"),
    what they were called and reached on, and the label that takes their place."""

    key: str
    replacement: str
    names: tuple[str, ...] = ()
    phones: tuple[str, ...] = ()
    emails: tuple[str, ...] = ()
    # Further call-list and outbox keys that name the person ("guardian:7:" row keys).
    key_prefixes: tuple[str, ...] = field(default=())
    # Which of ``phones`` someone else (not erased) still uses: filled by ``person_erase``.
    shared_phones: tuple[str, ...] = ()

    @property
    def number_digits(self) -> tuple[str, ...]:
        """Each phone's last ten digits (what every written form of it contains), shared
        or not: the rooms find the rows sent to or from the person's numbers with them."""
        return _tails(self.phones)

    @property
    def shared_digits(self) -> tuple[str, ...]:
        """The last ten digits of the numbers someone else still uses."""
        return _tails(self.shared_phones)

    @property
    def phone_digits(self) -> tuple[str, ...]:
        """The last ten digits of the numbers that were the person's alone: a trace of them.
        A number the family still uses is theirs too, and is no trace of this person."""
        shared = set(self.shared_digits)
        return tuple(d for d in self.number_digits if d not in shared)

    def is_shared(self, phone: str) -> bool:
        """Whether ``phone`` (any spelling) is one of the person's numbers someone else
        still uses."""
        tail = _tails((phone,))
        return bool(tail) and tail[0] in self.shared_digits

    def _name_patterns(self):
        return [
            re.compile(rf"(?<!\w){re.escape(name.strip())}(?!\w)", re.IGNORECASE)
            for name in self.names
            if name and name.strip()
        ]

    def has_phone(self, text: str) -> bool:
        digits = re.sub(r"\D", "", text or "")
        return any(d in digits for d in self.phone_digits)

    def has_trace(self, text) -> bool:
        """Whether ``text`` names, numbers or addresses the person."""
        if not isinstance(text, str) or not text:
            return False
        lowered = text.casefold()
        return (
            self.has_phone(text)
            or any(e and e.casefold() in lowered for e in self.emails)
            or any(p.search(text) for p in self._name_patterns())
        )

    def is_name(self, text: str) -> bool:
        """Whether ``text`` is the person's name, whole (one entry of a list of names)."""
        text = (text or "").strip().casefold()
        return bool(text) and any(n.strip().casefold() == text for n in self.names if n)

    def scrub(self, text, replacement: str | None = None):
        """``text`` without the person: a value holding their phone is replaced whole (a
        number has too many spellings to cut out); a name or email inside a longer text is
        replaced where it stands, by ``replacement`` (the anonymous label by default; a
        row left on a family's shared number takes ERASED_MARK, which points at no record)."""
        if not isinstance(text, str) or not text:
            return text
        replacement = self.replacement if replacement is None else replacement
        if self.has_phone(text):
            return replacement
        for email in self.emails:
            if email:
                text = re.sub(re.escape(email), replacement, text, flags=re.IGNORECASE)
        for pattern in self._name_patterns():
            text = pattern.sub(replacement, text)
        return text

    def scrub_json(self, value):
        """``scrub`` on every string (keys too) of a JSON value."""
        if isinstance(value, dict):
            return {self.scrub(k): self.scrub_json(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub_json(v) for v in value]
        return self.scrub(value)


def _tails(phones: Iterable[str]) -> tuple[str, ...]:
    found = []
    for phone in phones:
        digits = re.sub(r"\D", "", phone or "")
        if len(digits) >= PHONE_DIGITS:
            found.append(digits[-PHONE_DIGITS:])
    return tuple(dict.fromkeys(found))


# Who is reached on a number. A room that keeps people with phones (donors, guardians)
# registers, from its AppConfig.ready, a function taking phones as its records store them
# and answering (phone, key) for each of its people not erased on one of them, keyed as
# the outbox names recipients ("donor:12"). accounts knows no domain room, so it asks them.
PhoneUsers = Callable[[tuple[str, ...]], Iterable[tuple[str, str]]]
_phone_users: dict[str, PhoneUsers] = {}


def register_phone_users(lookup: PhoneUsers) -> PhoneUsers:
    """Ask ``lookup`` who else uses a number before an erasure scrubs it."""
    _phone_users[f"{lookup.__module__}.{lookup.__qualname__}"] = lookup
    return lookup


def phone_users(phones: Iterable[str], *, besides: str = "") -> list[tuple[str, str]]:
    """(phone, key) for everyone not erased on ``phones``, ``besides`` left out: one small
    query per registered room."""
    phones = tuple(p for p in dict.fromkeys(phones) if p)
    if not phones:
        return []
    return [
        (phone, key)
        for lookup in _phone_users.values()
        for phone, key in lookup(phones)
        if key != besides
    ]


def person_erase(person: ErasedPerson) -> ErasedPerson:
    """Scrub the audit log of ``person``, then let the rooms holding copies blank theirs.
    Call inside the owning room's erasure transaction, after the record is anonymised and
    before the erasure's own audit event is written. A number someone else still uses is
    left to them (``shared_phones``); answers the person as the rooms saw them."""
    used = set(_tails(phone for phone, _key in phone_users(person.phones, besides=person.key)))
    shared = tuple(p for p in person.phones if set(_tails((p,))) & used)
    person = replace(person, shared_phones=shared)
    audit_scrub(person)
    person_erased.send(sender=ErasedPerson, person=person)
    return person


def digits_only(column: str):
    """``column`` as text without the separators people type in a phone number."""
    expression = Cast(column, TextField())
    for separator in SEPARATORS:
        expression = Replace(expression, Value(separator), Value(""), output_field=TextField())
    return expression


SEPARATORS = (" ", "-", ".", "(", ")", "/", "\u00a0")


def text_candidates(person: ErasedPerson, *columns: str) -> Q:
    """A filter finding rows whose text ``columns`` may hold a trace: a superset, the Python
    side decides. Phones are compared by digits, separators stripped in the database:
    annotate ``<column>_digits`` with ``digits_only`` first."""
    condition = Q(pk__in=[])
    for column in columns:
        for name in person.names:
            if name and name.strip():
                condition |= Q(**{f"{column}__icontains": name.strip()})
        for email in person.emails:
            if email:
                condition |= Q(**{f"{column}__icontains": email})
        for digits in person.phone_digits:
            condition |= Q(**{f"{column}_digits__contains": digits})
    return condition


def with_digits(queryset, *columns: str):
    """``queryset`` annotated for ``text_candidates`` on ``columns``."""
    return queryset.annotate(**{f"{c}_digits": digits_only(c) for c in columns})


def audit_scrub(person: ErasedPerson) -> int:
    """Rewrite the audit events whose label or details hold a trace of ``person``: the events
    stay (who did what, when, for breach reports), the person goes. Answers how many."""
    events = with_digits(
        AuditEvent.objects.annotate(details_text=Cast("details", TextField())),
        "object_repr",
        "details_text",
    )
    candidates = events.filter(text_candidates(person, "object_repr", "details_text"))
    changed = 0
    for event in candidates.only("id", "object_repr", "details").iterator():
        repr_ = person.scrub(event.object_repr)
        details = person.scrub_json(event.details)
        if repr_ != event.object_repr or details != event.details:
            AuditEvent.objects.filter(pk=event.pk).update(object_repr=repr_[:200], details=details)
            changed += 1
    return changed
