"""The one place that decides which rows a user may see.

Every page, API view, export and dashboard query passes its queryset through ``for_user``.
Models name the path from themselves to their ``PoliceUnit`` in a ``scope_via`` attribute
(``"unit"`` when absent; ``""`` for ``PoliceUnit`` itself), so no view writes its own filter.
A row outside the user's subtree is then simply not in the queryset, and ``get_object_or_404``
answers 404 exactly as for a row that does not exist.
"""

from collections.abc import Iterable

from django.apps import apps
from django.db.models import Model, Q, QuerySet

from .choices import FORCE_KINDS, Role


def scope_root_for(user):
    """The unit whose subtree ``user`` may see; None means everything (admins).

    Staff and force admins see their home unit and below; a coordinator sees the whole
    force its home unit belongs to."""
    if user.is_superuser or user.role == Role.ADMIN:
        return None
    unit = user.unit
    if unit is None:
        return None  # unreachable for staff and coordinators: a database constraint forbids it
    if user.role == Role.COORDINATOR and unit.kind not in FORCE_KINDS:
        force = unit.force()
        if force is not None:
            return force
    return unit


def _police_unit() -> type[Model]:
    # By name, not imported: ``models.User.scope_root`` calls this module, and the two
    # modules must not import each other.
    return apps.get_model("accounts", "PoliceUnit")


def _scope_via(model: type[Model]) -> str:
    if issubclass(model, _police_unit()):
        return ""
    return getattr(model, "scope_via", "unit")


def for_user(queryset: QuerySet, user) -> QuerySet:
    """Rows of ``queryset`` that ``user`` may see: its scope root's subtree, all for admins,
    nothing for anonymous or inactive users."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return queryset.none()
    if user.is_superuser or user.role == Role.ADMIN:
        return queryset
    if user.unit_id is None:
        return queryset.none()
    return in_subtree(queryset, user.scope_root)


def in_subtree(queryset: QuerySet, units, *, via: str | None = None) -> QuerySet:
    """Rows of ``queryset`` under ``units`` (one ``PoliceUnit`` or several): each unit and
    every unit below it, matched on the materialised path. ``via`` is the path from the
    model to its unit (the model's ``scope_via`` by default; ``""`` for units themselves).
    The one copy of "filter to a unit's subtree": scoping, filters, the dashboard and the
    camp announcements all call it."""
    units = [units] if not isinstance(units, Iterable) else list(units)
    if not units:
        return queryset.none()
    via = _scope_via(queryset.model) if via is None else via
    field = f"{via}__path__startswith" if via else "path__startswith"
    condition = Q()
    for unit in units:
        condition |= Q(**{field: unit.path})
    return queryset.filter(condition)


def units_for_user(user) -> QuerySet:
    """The police units ``user`` may see or assign rows to (form choices, API fields)."""
    return for_user(_police_unit().objects.all(), user)


def user_can_access_unit(user, unit) -> bool:
    """Whether ``unit`` lies in ``user``'s scope, without a query when the path is known."""
    if unit is None or not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if user.is_superuser or user.role == Role.ADMIN:
        return True
    root = user.scope_root
    return root is not None and unit.path.startswith(root.path)
