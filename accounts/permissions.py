"""Role checks for pages and API views. Row visibility is scoping.for_user's job, not this.

A force admin passes wherever an admin or a coordinator does: what it then reaches is only
its own subtree, because every queryset goes through ``for_user``. Rows that belong to no
unit (partner blood centres and hospitals) are the portal admin's alone:
``PortalAdminOnlyMixin`` / ``is_portal_admin``.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from .choices import Role

# The roles a role also counts as when a page or endpoint names who may use it.
ROLE_INCLUDES = {
    Role.FORCE_ADMIN: frozenset({Role.FORCE_ADMIN, Role.ADMIN, Role.COORDINATOR}),
}


def has_role(user, *roles: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    held = ROLE_INCLUDES.get(user.role, frozenset({user.role}))
    return not held.isdisjoint(roles)


def is_portal_admin(user) -> bool:
    """The portal-wide admin (not a force admin): for what lies outside every unit."""
    return getattr(user, "is_authenticated", False) and user.is_portal_admin


class RoleRequiredMixin(LoginRequiredMixin):
    """A page for some roles only: anonymous visitors go to the login page, others get 403."""

    allowed_roles: tuple[str, ...] = (Role.STAFF, Role.COORDINATOR, Role.ADMIN)

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        if not has_role(request.user, *self.allowed_roles):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class AdminOnlyMixin(RoleRequiredMixin):
    """Admins and force admins (the latter within their subtree, by scoping)."""

    allowed_roles = (Role.ADMIN,)


class PortalAdminOnlyMixin(RoleRequiredMixin):
    """The portal-wide admin only: for rows no unit owns."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.is_portal_admin:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class HasRole(BasePermission):
    """DRF permission: set ``allowed_roles`` on the view (default: every signed-in role)."""

    def has_permission(self, request, view):
        roles = getattr(view, "allowed_roles", (Role.STAFF, Role.COORDINATOR, Role.ADMIN))
        return has_role(request.user, *roles)
