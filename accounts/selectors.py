"""Reads of the accounts app: the people an admin manages, the unit tree with its counts,
the audit log an admin may read."""

from dataclasses import dataclass, field

from django.apps import apps
from django.db.models import F, Func, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce

from .choices import ROLE_RANK
from .models import AuditEvent, PoliceUnit, User
from .scoping import for_user, units_for_user

# What the tree counts at each node, over the node's whole subtree. Models are named by
# label (accounts imports no domain app); each row reaches its unit through ``unit``.
TREE_COUNTS = {
    "donor_count": ("donors.Donor", {"erased_at__isnull": True}),
    "camp_count": ("camps.Camp", {}),
    "child_count": ("thalassemia.Patient", {"status": "active"}),
}


def people_for(actor) -> QuerySet:
    """The people ``actor`` manages: everyone for the portal admin; for a force admin, the
    people of its subtree whose role is not above its own. Anyone else: nobody."""
    if not getattr(actor, "is_authenticated", False) or not actor.manages_people:
        return User.objects.none()
    people = for_user(User.objects.select_related("unit"), actor)
    if not actor.is_portal_admin:
        allowed = [role for role, rank in ROLE_RANK.items() if rank <= actor.role_rank]
        people = people.filter(role__in=allowed, is_superuser=False)
    return people


def audit_events_for(user) -> QuerySet:
    """The audit log a (force) admin may read: all of it for the portal admin; for a force
    admin, events about its subtree's rows or by its subtree's people."""
    events = AuditEvent.objects.select_related("unit", "content_type")
    if user.is_portal_admin:
        return events
    root = user.scope_root
    if root is None:
        return events.none()
    return events.filter(
        Q(unit__path__startswith=root.path) | Q(actor__unit__path__startswith=root.path)
    )


def _subtree_count(label: str, conditions: dict):
    """COUNT of ``label`` rows whose unit lies under the outer unit's path, as a subquery."""
    model = apps.get_model(label)
    rows = model.objects.filter(unit__path__startswith=OuterRef("path"), **conditions)
    counted = rows.order_by().annotate(n=Func(F("pk"), function="COUNT")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


@dataclass
class TreeNode:
    unit: PoliceUnit
    children: list = field(default_factory=list)
    matched: bool = False
    open: bool = False


def unit_tree(user, *, q: str = "", kind: str = "") -> list[TreeNode]:
    """The units ``user`` may see as nested nodes, each with its subtree's counts, in two
    queries at most. With a search, the matching units and the units above them (so the
    tree keeps its shape); matches and their ancestors are open."""
    units = units_for_user(user)
    searching = bool(q or kind)
    if searching:
        matched = units
        if q:
            matched = matched.filter(Q(name__icontains=q) | Q(code__icontains=q))
        if kind:
            matched = matched.filter(kind=kind)
        matched_paths = set(matched.values_list("path", flat=True))
        steplen = PoliceUnit.steplen
        wanted = {p[:end] for p in matched_paths for end in range(steplen, len(p) + 1, steplen)}
        units = units.filter(path__in=wanted)
    counts = {name: _subtree_count(label, cond) for name, (label, cond) in TREE_COUNTS.items()}
    rows = list(units.annotate(**counts).order_by("path"))

    roots: list[TreeNode] = []
    stack: list[TreeNode] = []
    base_depth = rows[0].depth if rows else 1
    for unit in rows:
        node = TreeNode(unit=unit)
        if searching:
            node.matched = unit.path in matched_paths
        while stack and not unit.path.startswith(stack[-1].unit.path):
            stack.pop()
        (stack[-1].children if stack else roots).append(node)
        stack.append(node)
        node.open = searching or unit.depth < base_depth + 2
    if searching:
        _close_matches_without_matched_children(roots)
    return roots


def _close_matches_without_matched_children(nodes: list[TreeNode]) -> bool:
    """While searching, a node is open only when a match lies below it."""
    any_match = False
    for node in nodes:
        below = _close_matches_without_matched_children(node.children)
        node.open = below
        any_match = any_match or below or node.matched
    return any_match
