from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonorsConfig(AppConfig):
    name = "donors"
    verbose_name = _("Donors")

    def ready(self):
        # The outbox asks before sending: a donor who opted out or was erased gets nothing.
        from notifications.registry import register_send_check

        from . import reminders

        register_send_check(reminders.send_check)
