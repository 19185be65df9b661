"""Writes of the accounts app: police units and users.

Every page, command and loader that changes a unit or a person calls one of these; each
checks the actor's reach (its subtree, a role at most its own) and writes the audit row."""

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token

from . import audit, unit_rules
from .choices import ROLE_RANK, AuditAction, Role
from .models import PoliceUnit, User
from .scoping import user_can_access_unit


@transaction.atomic
def unit_create(*, name: str, kind: str, code: str, parent: PoliceUnit | None = None, **fields):
    """Add a unit under ``parent`` (or as a root), keeping the tree's paths consistent.

    The bare write, for the demo loader and fixtures; people use ``unit_add``."""
    values = {"name": name, "kind": kind, "code": code, **fields}
    if parent is not None:
        parent = PoliceUnit.objects.get(pk=parent.pk)  # its rules in force as stored now
    values["rules_in_force"] = values.get("rules_profile") or unit_rules.inherited(parent)
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


UNIT_FIELDS = ("name", "kind", "code", "phone", "address", "rules_profile")


def _require_manager(actor) -> None:
    if not (getattr(actor, "is_authenticated", False) and actor.is_active):
        raise PermissionDenied
    if not actor.manages_people:
        raise PermissionDenied(_("Only an admin or a force admin can do this."))


def _require_unit_in_scope(actor, unit, field: str = "unit") -> None:
    if unit is None or not user_can_access_unit(actor, unit):
        raise ValidationError({field: _("This unit is outside your jurisdiction.")})


def _clean_unit(unit: PoliceUnit) -> None:
    # treebeard fills path, depth and numchild itself.
    unit.full_clean(exclude=["path", "depth", "numchild"])


@transaction.atomic
def unit_add(*, actor, parent: PoliceUnit, name: str, kind: str, code: str, request=None, **fields):
    """An admin adds a unit below ``parent``, which must lie in the admin's subtree."""
    _require_manager(actor)
    _require_unit_in_scope(actor, parent, "parent")
    _clean_unit(PoliceUnit(name=name, kind=kind, code=code, path="x", depth=1, **fields))
    unit = unit_create(name=name, kind=kind, code=code, parent=parent, **fields)
    audit.record(
        action=AuditAction.CREATE,
        request=request,
        actor=actor,
        obj=unit,
        unit=unit,
        parent=parent.pk,
    )
    return unit


@transaction.atomic
def unit_update(*, actor, unit: PoliceUnit, request=None, parent=None, **fields) -> PoliceUnit:
    """Rename or otherwise correct a unit of the admin's subtree; with ``parent``, move it
    there too (``unit_move``). Returns the unit read afresh."""
    _require_manager(actor)
    unit = PoliceUnit.objects.select_for_update().get(pk=unit.pk)
    if not user_can_access_unit(actor, unit):
        raise PermissionDenied
    unknown = set(fields) - set(UNIT_FIELDS)
    if unknown:
        raise TypeError(f"not a unit field: {', '.join(sorted(unknown))}")
    changed = [name for name, value in fields.items() if getattr(unit, name) != value]
    for name in changed:
        setattr(unit, name, fields[name])
    if changed:
        _clean_unit(unit)
        unit.save(update_fields=changed)
        audit.record(
            action=AuditAction.UPDATE,
            request=request,
            actor=actor,
            obj=unit,
            unit=unit,
            fields=changed,
        )
        if "rules_profile" in changed:  # the subtree's donors take the new rules
            unit_rules.settle(unit)
            unit.refresh_from_db(fields=["rules_in_force"])
    current_parent = PoliceUnit.objects.get_parent(unit)
    if parent is not None and (current_parent is None or parent.pk != current_parent.pk):
        unit = unit_move(actor=actor, unit=unit, parent=parent, request=request)
    return unit


@transaction.atomic
def unit_move(*, actor, unit: PoliceUnit, parent: PoliceUnit, request=None) -> PoliceUnit:
    """Move ``unit`` (with everything below it) under ``parent``. Both must lie in the
    admin's subtree; a force admin cannot move its own home unit, the root of its reach."""
    _require_manager(actor)
    unit = PoliceUnit.objects.select_for_update().get(pk=unit.pk)
    parent = PoliceUnit.objects.get(pk=parent.pk)
    if not user_can_access_unit(actor, unit):
        raise PermissionDenied
    root = actor.scope_root
    if root is not None and unit.path == root.path:
        raise ValidationError({"parent": _("Your own home unit cannot be moved.")})
    _require_unit_in_scope(actor, parent, "parent")
    if parent.path.startswith(unit.path):
        raise ValidationError({"parent": _("A unit cannot move below itself.")})
    old_parent = PoliceUnit.objects.get_parent(unit)
    PoliceUnit.objects.move(unit, parent, pos="last-child")
    unit = PoliceUnit.objects.get(pk=unit.pk)  # paths changed under the held instance
    unit_rules.settle(unit)  # below another parent, it may inherit other rules
    audit.record(
        action=AuditAction.MOVE,
        request=request,
        actor=actor,
        obj=unit,
        unit=unit,
        from_parent=old_parent.pk if old_parent else None,
        to_parent=parent.pk,
    )
    return unit


# What an admin may set on a person from the people pages.
USER_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "phone",
    "role",
    "unit",
    "preferred_language",
)


def _check_assignment(actor, *, role: str, unit: PoliceUnit | None) -> None:
    """A role at most the actor's own, and a unit inside the actor's subtree."""
    errors = {}
    if role not in Role.values:
        errors["role"] = _("Choose a role.")
    elif ROLE_RANK[role] > actor.role_rank:
        errors["role"] = _("You cannot give a role above your own.")
    if unit is None:
        if role != Role.ADMIN:
            errors["unit"] = _("Choose a police unit: every role but admin needs one.")
    elif not user_can_access_unit(actor, unit):
        errors["unit"] = _("This unit is outside your jurisdiction.")
    if errors:
        raise ValidationError(errors)


def _require_reach(actor, user: User) -> None:
    """The person lies in the actor's subtree and holds no role above the actor's."""
    if user.role_rank > actor.role_rank:
        raise PermissionDenied(_("You cannot change a person whose role is above your own."))
    if not actor.is_portal_admin and not user_can_access_unit(actor, user.unit):
        raise PermissionDenied(_("This person is outside your jurisdiction."))


def _admin_flags(user: User) -> None:
    # Portal admins also use Django's admin (partners, units); nobody else does, and a
    # force admin never: Django's admin is not scoped.
    is_admin = user.role == Role.ADMIN
    user.is_staff = is_admin
    user.is_superuser = is_admin


@transaction.atomic
def user_create(
    *,
    username: str,
    password: str | None,
    role: str = Role.STAFF,
    unit: PoliceUnit | None = None,
    actor=None,
    request=None,
    **fields,
) -> User:
    """Create a portal user. Admins also get Django admin access (users, units, partners).

    With ``actor`` (the people pages) the actor's rules apply: a role at most their own, a
    unit in their subtree. Without one it is the system (a management command, the demo).
    """
    if actor is not None:
        _require_manager(actor)
        _check_assignment(actor, role=role, unit=unit)
    user = User(username=username, role=role, unit=unit, **fields)
    _admin_flags(user)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.full_clean(exclude=["password"])
    user.save()
    audit.record(
        action=AuditAction.CREATE, request=request, actor=actor, obj=user, unit=unit, role=role
    )
    return user


@transaction.atomic
def user_update(*, actor, user: User, request=None, **fields) -> User:
    """Change a person's details, role or home unit. Nobody changes their own role or
    unit (that is for the admin above them), and nobody gives a role above their own."""
    _require_manager(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_reach(actor, user)
    unknown = set(fields) - set(USER_FIELDS)
    if unknown:
        raise TypeError(f"not a user field: {', '.join(sorted(unknown))}")
    role = fields.get("role", user.role)
    unit = fields.get("unit", user.unit)
    changed = [name for name, value in fields.items() if getattr(user, name) != value]
    if not changed:
        return user
    if {"role", "unit"} & set(changed):
        _check_assignment(actor, role=role, unit=unit)
        if user.pk == actor.pk:
            raise ValidationError(
                {"role": _("You cannot change your own role or unit. Ask another admin.")}
            )
    before_role = user.role
    for name in changed:
        setattr(user, name, fields[name])
    _admin_flags(user)
    user.full_clean(exclude=["password"])
    user.save()
    details = {"fields": changed}
    if "role" in changed:
        details["role"] = [before_role, user.role]
    audit.record(action=AuditAction.UPDATE, request=request, actor=actor, obj=user, **details)
    return user


@transaction.atomic
def user_deactivate(*, actor, user: User, request=None) -> User:
    """Close an account: the person can no longer sign in and their API tokens end. Nothing
    is deleted, so the audit trail and what they recorded keep their name."""
    _require_manager(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_reach(actor, user)
    if user.pk == actor.pk:
        raise ValidationError(_("You cannot deactivate your own account."))
    if user.is_active:
        user.is_active = False
        user.save(update_fields=["is_active"])
        tokens_revoke(user=user)
        audit.record(action=AuditAction.DEACTIVATE, request=request, actor=actor, obj=user)
    return user


@transaction.atomic
def user_reactivate(*, actor, user: User, request=None) -> User:
    _require_manager(actor)
    user = User.objects.select_for_update().get(pk=user.pk)
    _require_reach(actor, user)
    if not user.is_active:
        user.is_active = True
        user.save(update_fields=["is_active"])
        audit.record(
            action=AuditAction.UPDATE, request=request, actor=actor, obj=user, fields=["is_active"]
        )
    return user


def user_password_link(*, actor, user: User, request=None) -> str:
    """A link (path) where ``user`` sets a new password: Django's reset token, which stops
    working once the password is set or after PASSWORD_RESET_TIMEOUT. The caller shows it
    once to the admin, who hands it over; it is never stored or emailed here, and the audit
    row says a link was made, not what it was."""
    _require_manager(actor)
    user = User.objects.get(pk=user.pk)
    _require_reach(actor, user)
    if not user.is_active:
        raise ValidationError(_("This account is deactivated. Reactivate it first."))
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    audit.record(action=AuditAction.PASSWORD_LINK, request=request, actor=actor, obj=user)
    return reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})


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
