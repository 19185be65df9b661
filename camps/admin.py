from django.contrib import admin

from .models import BloodCentre


@admin.register(BloodCentre)
class BloodCentreAdmin(admin.ModelAdmin):
    list_display = ["name", "licence_number", "phone", "contact_person"]
    search_fields = ["name", "licence_number"]
