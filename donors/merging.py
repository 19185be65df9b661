"""Merging two records of one person (``donors.services.donor_merge``) and finding the likely
pairs for the merge page.

Every row that points at the merged-away donor moves to the kept one: each foreign key to
Donor, found from the model's relations (donations, deferrals, consents, phone codes, camp
table entries and queue places, children's circles and bookings, emergency calls — and any
added later), plus the outbox's plain-text keys ("donor:12") on messages, channel
preferences and inbound answers. A row the kept donor already has its own of (the same
camp's queue, the same child's circle, the same emergency's call: the relation's unique
constraint) is the duplicate's and is deleted instead. Consents are ``_merge_consents``'s
(one in force per purpose)."""

from collections import defaultdict

from django.db.models import Count, Exists, OuterRef, Q, QuerySet, UniqueConstraint
from django.db.models.functions import Lower

from notifications.models import InboundMessage, Message, RecipientPreference

from .models import Donor

# Relations donor_merge moves itself.
HANDLED = {"donors.Consent"}


def _unique_partners(model, field_name: str) -> list[tuple[str, ...]]:
    """For each unique constraint of ``model`` that includes ``field_name``: the other fields
    (the rows that would clash when two donors' rows become one donor's)."""
    groups = []
    for constraint in model._meta.constraints:
        fields = getattr(constraint, "fields", ())
        if isinstance(constraint, UniqueConstraint) and field_name in fields:
            groups.append((tuple(f for f in fields if f != field_name), constraint.condition))
    for fields in model._meta.unique_together:
        if field_name in fields:
            groups.append((tuple(f for f in fields if f != field_name), None))
    return groups


def move_related(*, keep: Donor, duplicate: Donor) -> dict[str, int]:
    """Move every row pointing at ``duplicate`` to ``keep``; answer rows moved per model
    label (clashing rows deleted are counted under "<label> dropped")."""
    moved = {}
    for relation in Donor._meta.related_objects:
        model, field = relation.related_model, relation.field
        label = model._meta.label
        if label in HANDLED or not field.concrete:
            continue
        theirs = model._base_manager.filter(**{field.name: duplicate})
        for others, condition in _unique_partners(model, field.name):
            kept = model._base_manager.filter(
                **{field.name: keep}, **{f: OuterRef(f) for f in others}
            )
            clash = theirs.filter(Exists(kept))
            if condition is not None:
                clash = clash.filter(condition)
            dropped, _by_model = clash.delete()
            if dropped:
                moved[f"{label} dropped"] = dropped
        count = theirs.update(**{field.name: keep})
        if count:
            moved[label] = count
    moved.update(_move_keys(keep=keep, duplicate=duplicate))
    return moved


def _move_keys(*, keep: Donor, duplicate: Donor) -> dict[str, int]:
    """The outbox names donors in plain text: its messages (to ask again, to thank, to
    remind), the donor's channel and the answers they sent follow the kept record."""
    old, new = f"donor:{duplicate.pk}", f"donor:{keep.pk}"
    moved = {}
    mine = Message.objects.filter(
        recipient_key=new,
        topic=OuterRef("topic"),
        subject_key=OuterRef("subject_key"),
        due_on=OuterRef("due_on"),
        channel=OuterRef("channel"),
    )
    messages = Message.objects.filter(recipient_key=old)
    messages.filter(Exists(mine)).delete()  # the same message to the kept record: one
    moved["notifications.Message"] = messages.update(recipient_key=new)
    if RecipientPreference.objects.filter(recipient_key=new).exists():
        RecipientPreference.objects.filter(recipient_key=old).delete()
    else:
        RecipientPreference.objects.filter(recipient_key=old).update(recipient_key=new)
    moved["notifications.InboundMessage"] = InboundMessage.objects.filter(subject_key=old).update(
        subject_key=new
    )
    return {label: n for label, n in moved.items() if n}


# --- Likely duplicates for the merge page ------------------------------------------------


def likely_duplicates(donors: QuerySet, *, limit: int = 50) -> list[tuple[Donor, Donor, str]]:
    """Pairs among ``donors`` (the viewer's scope, not erased) that may be one person, with
    why: the same number and a similar name (one name inside the other, ignoring case: "Ravi
    K." and "Ravi Kumar"), or the same name and date of birth on different numbers. The
    same number, name and date of birth cannot be registered twice any more
    (``find_duplicates``), but records from before the rule may be. A handful of grouped
    queries, at most ``limit`` pairs."""
    donors = donors.filter(erased_at__isnull=True).order_by()
    shared = donors.values("phone").annotate(n=Count("pk")).filter(n__gt=1).values_list("phone")
    namesakes = (
        donors.annotate(lname=Lower("name"))
        .values("lname", "date_of_birth")
        .annotate(n=Count("pk"))
        .filter(n__gt=1)
    )
    on_phone = defaultdict(list)
    for donor in donors.filter(phone__in=shared[: limit * 4]).order_by("phone", "pk"):
        on_phone[donor.phone].append(donor)
    pairs, seen = [], set()

    def add(a, b, why):
        key = (min(a.pk, b.pk), max(a.pk, b.pk))
        if key not in seen and len(pairs) < limit:
            seen.add(key)
            pairs.append((a, b, why))

    for group in on_phone.values():
        for i, a in enumerate(group):
            for b in group[i + 1 :]:
                if _similar(a.name, b.name):
                    add(a, b, "phone")
    same = Q()
    for row in namesakes[:limit]:
        same |= Q(name__iexact=row["lname"], date_of_birth=row["date_of_birth"])
    if same:
        by_person = defaultdict(list)
        for donor in donors.filter(same).order_by("pk"):
            by_person[(donor.name.casefold(), donor.date_of_birth)].append(donor)
        for group in by_person.values():
            for i, a in enumerate(group):
                for b in group[i + 1 :]:
                    if a.phone != b.phone:
                        add(a, b, "name")
    return pairs


def _similar(a: str, b: str) -> bool:
    """One name is the other's start or inside it, ignoring case, dots and spaces: "Ravi K."
    / "Ravi Kumar", "Asha" / "Asha Verma"; or the same first word and initial."""
    x = " ".join(a.casefold().replace(".", " ").split())
    y = " ".join(b.casefold().replace(".", " ").split())
    if not x or not y:
        return False
    if x in y or y in x:
        return True
    wx, wy = x.split(), y.split()
    return wx[0] == wy[0] and len(wx) > 1 and len(wy) > 1 and wx[1][0] == wy[1][0]
