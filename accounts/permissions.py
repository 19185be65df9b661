"""Role checks for pages and API views. Row visibility is scoping.for_user's job, not this."""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from rest_framework.permissions import BasePermission

from .choices import Role


def has_role(user, *roles: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if user.is_superuser:
        return True
    return user.role in roles


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
    allowed_roles = (Role.ADMIN,)


class HasRole(BasePermission):
    """DRF permission: set ``allowed_roles`` on the view (default: every signed-in role)."""

    def has_permission(self, request, view):
        roles = getattr(view, "allowed_roles", (Role.STAFF, Role.COORDINATOR, Role.ADMIN))
        return has_role(request.user, *roles)
