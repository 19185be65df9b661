from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _
from treebeard.admin import TreeAdmin
from treebeard.forms import movenodeform_factory

from .models import AuditEvent, PoliceUnit, User


@admin.register(PoliceUnit)
class PoliceUnitAdmin(TreeAdmin):
    form = movenodeform_factory(PoliceUnit)
    list_display = ["name", "kind", "code"]
    list_filter = ["kind"]
    search_fields = ["name", "code"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "get_full_name", "role", "unit", "is_active", "last_login"]
    list_filter = ["role", "is_active", "is_staff"]
    list_select_related = ["unit"]
    search_fields = ["username", "first_name", "last_name", "email"]
    autocomplete_fields = ["unit"]
    fieldsets = DjangoUserAdmin.fieldsets + (
        (_("Blood Bond"), {"fields": ("role", "unit", "phone", "preferred_language")}),
    )
    add_fieldsets = DjangoUserAdmin.add_fieldsets + (
        (_("Blood Bond"), {"fields": ("role", "unit", "first_name", "last_name", "email")}),
    )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit log is append-only, even for admins."""

    list_display = ["at", "actor_username", "action", "object_repr", "unit", "ip_address"]
    list_filter = ["action", ("at", admin.DateFieldListFilter)]
    search_fields = ["actor_username", "object_repr", "ip_address"]
    list_select_related = ["unit"]
    date_hierarchy = "at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
