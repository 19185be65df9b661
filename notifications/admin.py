from django.contrib import admin

from .models import Message, RecipientPreference


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "topic", "recipient_name", "channel", "state", "due_on", "attempts")
    list_filter = ("state", "channel", "topic")
    search_fields = ("recipient_name", "subject_key", "recipient_key")
    readonly_fields = [f.name for f in Message._meta.fields]


@admin.register(RecipientPreference)
class RecipientPreferenceAdmin(admin.ModelAdmin):
    list_display = ("recipient_key", "channel", "updated_at")
    list_filter = ("channel",)
    search_fields = ("recipient_key",)
