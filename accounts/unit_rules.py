"""Which donor rules each police unit holds: ``PoliceUnit.rules_profile`` set on a unit holds
for its whole subtree, down to the next unit that sets its own. ``settle`` keeps the
answer stored on every unit (``rules_in_force``) after an add, a change or a move, and tells
the rooms that copy it (the donors) which units changed, through ``rules_in_force_changed``:
``accounts`` imports no domain app."""

from collections import defaultdict

from django.db import connection
from django.dispatch import Signal

from .models import PoliceUnit

# Sent with: changed, a map from a profile ("" for the deployment's RULES_PROFILE) to the
# ids of the units that hold it now and held another before. donors subscribes: its donors
# there take the unit's rules, and their standing is computed again under them.
rules_in_force_changed = Signal()


def inherited(parent: PoliceUnit | None) -> str:
    """The profile a new unit under ``parent`` holds until it sets its own."""
    return parent.rules_in_force if parent is not None else ""


def settle(unit: PoliceUnit) -> dict[str, list[int]]:
    """Store what ``rules_profile`` comes to on ``unit`` and every unit below it (a query
    for the subtree, one for the parent, an UPDATE per profile that changed), then send
    ``rules_in_force_changed``. Returns the changes: profile → unit ids."""
    parent = PoliceUnit.objects.get_parent(unit, update=True)
    above = {None: inherited(parent)}
    changed: dict[str, list[int]] = defaultdict(list)
    subtree = (
        PoliceUnit.objects.get_tree(unit)
        .order_by("path")
        .only("path", "depth", "rules_profile", "rules_in_force")
    )
    for node in subtree:  # parents before children: the paths sort so
        parent_path = node.path[: -PoliceUnit.steplen] if node.path != unit.path else None
        in_force = node.rules_profile or above[parent_path]
        above[node.path] = in_force
        if in_force != node.rules_in_force:
            changed[in_force].append(node.pk)
    for in_force, ids in changed.items():
        PoliceUnit.objects.filter(pk__in=ids).update(rules_in_force=in_force)
    if changed:
        rules_in_force_changed.send(sender=PoliceUnit, changed=dict(changed))
    return dict(changed)


def in_force(unit_ids) -> dict[int, str]:
    """The rules each of ``unit_ids`` holds, read now (one query), for a donor being written
    there. On PostgreSQL the rows are held FOR SHARE to the end of the transaction: a
    ``settle`` under way is waited for, and one that starts after waits for this write, so
    its UPDATE of the subtree's donors sees the new donor too."""
    ids = sorted({pk for pk in unit_ids if pk is not None})
    if not ids:
        return {}
    with connection.cursor() as cursor:
        lock = " FOR SHARE" if connection.vendor == "postgresql" else ""
        placeholders = ", ".join(["%s"] * len(ids))  # the values go as parameters
        cursor.execute(
            f"SELECT id, rules_in_force FROM accounts_policeunit WHERE id IN ({placeholders})"  # noqa: S608
            + lock,
            ids,
        )
        return dict(cursor.fetchall())
