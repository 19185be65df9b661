"""The call desk's part of an erasure (accounts.erasure.person_erased): calls to the person,
or whose notes name them, keep kind, outcome and date (the desk's counts) but lose the name,
the number and the notes."""

from django.db.models import Q

from accounts.erasure import ErasedPerson, text_candidates, with_digits

from .models import CallLog

TEXT_COLUMNS = ("name", "phone", "notes")


def calls_erase(sender=None, *, person: ErasedPerson, **kwargs) -> int:
    """Blank every call to or about ``person``; answers how many rows changed."""
    own = Q(pk__in=[])
    for prefix in person.key_prefixes:
        own |= Q(row_key__startswith=prefix)
    if person.key.startswith("donor:"):
        own |= Q(assignment__donor_id=person.key.partition(":")[2])
    theirs = set(CallLog.objects.filter(own).values_list("pk", flat=True))
    rows = with_digits(CallLog.objects.all(), *TEXT_COLUMNS).filter(
        Q(pk__in=theirs) | text_candidates(person, *TEXT_COLUMNS)
    )
    changed = 0
    for call in rows.iterator():
        update = {"notes": ""} if call.notes else {}
        if call.pk in theirs or person.has_trace(call.phone) or person.has_trace(call.name):
            update |= {"name": person.replacement[:120], "phone": ""}
        if update:
            CallLog.objects.filter(pk=call.pk).update(**update)
            changed += 1
    return changed
