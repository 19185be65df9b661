"""Writes of the accounts app: police units and users."""

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from rest_framework.authtoken.models import Token

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


def token_issue(*, user: User) -> Token:
    """The user's API token: the one they hold while it is young enough, else a fresh one
    (an expired token is replaced, never revived)."""
    token = Token.objects.filter(user=user).first()
    if token is not None and not token_expired(token):
        return token
    Token.objects.filter(user=user).delete()
    return Token.objects.create(user=user)


def token_expired(token: Token) -> bool:
    return token.created < timezone.now() - settings.API_TOKEN_TTL


def tokens_revoke(*, user) -> int:
    """Sign the user out of the API everywhere: after a password change, a reset, or
    signing out of the portal."""
    if user is None or not getattr(user, "pk", None):
        return 0
    removed, _by_model = Token.objects.filter(user=user).delete()
    return removed


def user_language(*, user: User, chosen: str | None = None) -> str:
    """The language ``user`` works in: ``chosen`` (a switch just made) when it is one of
    LANGUAGES, stored as their preference; otherwise the preference stored before."""
    if chosen in dict(settings.LANGUAGES) and chosen != user.preferred_language:
        user.preferred_language = chosen
        user.save(update_fields=["preferred_language"])
    return user.preferred_language


@transaction.atomic
def user_password_change(*, user: User, password: str, request=None, through: str = "change"):
    """Set the user's new password (the form has checked the old one, or the emailed reset
    link, and the validators), end their API tokens, and record the change in the audit log
    with how it was made ("change" or "reset")."""
    user.set_password(password)
    user.save(update_fields=["password"])
    tokens_revoke(user=user)
    audit.record(action=AuditAction.PASSWORD_CHANGED, request=request, actor=user, through=through)
    return user
