"""Writes of the accounts app: police units and users."""

from django.db import transaction

from . import audit
from .choices import AuditAction, Role
from .models import PoliceUnit, User


@transaction.atomic
def unit_create(*, name: str, kind: str, code: str, parent: PoliceUnit | None = None, **fields):
    """Add a unit under ``parent`` (or as a root), keeping the tree's paths consistent."""
    values = {"name": name, "kind": kind, "code": code, **fields}
    if parent is None:
        return PoliceUnit.objects.add_root(values)
    # treebeard locks the parent row and reads its children afresh, so a stale parent
    # instance held by the caller cannot produce a duplicate path.
    return PoliceUnit.objects.add_child(parent, values)


def unit_get_or_create(*, code: str, name: str, kind: str, parent: PoliceUnit | None = None):
    existing = PoliceUnit.objects.filter(code=code).first()
    if existing is not None:
        return existing, False
    return unit_create(name=name, kind=kind, code=code, parent=parent), True


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str = Role.STAFF,
    unit: PoliceUnit | None = None,
    **fields,
) -> User:
    """Create a portal user. Admins also get Django admin access (users, units, partners)."""
    is_admin = role == Role.ADMIN
    user = User(
        username=username,
        role=role,
        unit=unit,
        is_staff=is_admin,
        is_superuser=is_admin,
        **fields,
    )
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_password_change(*, user: User, password: str, request=None) -> User:
    """Set the user's own new password (the form has checked the old one and the
    validators) and record the change in the audit log."""
    user.set_password(password)
    user.save(update_fields=["password"])
    audit.record(action=AuditAction.PASSWORD_CHANGED, request=request, actor=user)
    return user
