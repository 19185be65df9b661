from django.contrib import admin

from .models import BloodCentre, Camp, Hospital, HospitalContact


@admin.register(BloodCentre)
class BloodCentreAdmin(admin.ModelAdmin):
    list_display = ["name", "licence_number", "phone", "contact_person"]
    search_fields = ["name", "licence_number"]


class HospitalContactInline(admin.TabularInline):
    model = HospitalContact
    extra = 1


@admin.register(Hospital)
class HospitalAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "phone"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [HospitalContactInline]


@admin.register(Camp)
class CampAdmin(admin.ModelAdmin):
    """For looking camps up; planning and status changes go through the camp pages, whose
    services keep the rules (a closed camp is read-only)."""

    list_display = ["name", "held_on", "unit", "blood_centre", "status"]
    list_filter = ["status"]
    search_fields = ["name", "venue"]
    date_hierarchy = "held_on"
    raw_id_fields = ["unit"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
