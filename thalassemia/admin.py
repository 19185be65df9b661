"""Read-only admin views for support: the pages and the API are where children, guardians
and assignments are kept, because their services recompute the calendar, keep the booking
rules and write the audit log (DESIGN.md, one write path)."""

from django.contrib import admin

from .models import Assignment, Guardian, Patient, TransfusionPlan


class ReadOnlyMixin:
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class GuardianInline(ReadOnlyMixin, admin.TabularInline):
    model = Guardian
    extra = 0


class PlanInline(ReadOnlyMixin, admin.TabularInline):
    model = TransfusionPlan
    extra = 0
    readonly_fields = ["units_per_transfusion", "interval_days", "valid_from", "created_by"]
    can_delete = False


@admin.register(Patient)
class PatientAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "blood_group", "unit", "status", "next_due_on"]
    list_filter = ["status", "blood_group"]
    search_fields = ["name", "registration_number"]
    readonly_fields = ["next_due_on"]
    raw_id_fields = ["unit", "hospital"]
    inlines = [PlanInline, GuardianInline]


@admin.register(Assignment)
class AssignmentAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["donor", "transfusion", "status", "on", "blocks_until"]
    list_filter = ["status"]
    raw_id_fields = ["donor", "transfusion", "donation"]
    readonly_fields = ["on", "blocks_until"]
