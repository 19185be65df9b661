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
"""

import re
from dataclasses import dataclass, field

from django.db.models import Q, TextField, Value
from django.db.models.functions import Cast, Replace
from django.dispatch import Signal

from .models import AuditEvent

# Sent with ``person`` (an ErasedPerson) after the owning room anonymised the record, in the
# same transaction: the outbox and the call desk blank their copies.
person_erased = Signal()

# Fewer digits than this are not taken for a phone (a unit id, a year).
PHONE_DIGITS = 10


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

    @property
    def phone_digits(self) -> tuple[str, ...]:
        """Each phone's last ten digits: what every written form of it contains."""
        found = []
        for phone in self.phones:
            digits = re.sub(r"\D", "", phone or "")
            if len(digits) >= PHONE_DIGITS:
                found.append(digits[-PHONE_DIGITS:])
        return tuple(dict.fromkeys(found))

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

    def scrub(self, text):
        """``text`` without the person: a value holding their phone is replaced whole (a
        number has too many spellings to cut out); a name or email inside a longer text is
        replaced where it stands."""
        if not isinstance(text, str) or not text:
            return text
        if self.has_phone(text):
            return self.replacement
        for email in self.emails:
            if email:
                text = re.sub(re.escape(email), self.replacement, text, flags=re.IGNORECASE)
        for pattern in self._name_patterns():
            text = pattern.sub(self.replacement, text)
        return text

    def scrub_json(self, value):
        """``scrub`` on every string (keys too) of a JSON value."""
        if isinstance(value, dict):
            return {self.scrub(k): self.scrub_json(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.scrub_json(v) for v in value]
        return self.scrub(value)


def person_erase(person: ErasedPerson) -> None:
    """Scrub the audit log of ``person``, then let the rooms holding copies blank theirs.
    Call inside the owning room's erasure transaction, after the record is anonymised and
    before the erasure's own audit event is written."""
    audit_scrub(person)
    person_erased.send(sender=ErasedPerson, person=person)


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
