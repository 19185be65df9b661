from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampsConfig(AppConfig):
    name = "camps"
    verbose_name = _("Camps and partners")

    def ready(self):
        # The outbox asks before sending: a camp moved or cancelled is not announced.
        from notifications.registry import register_send_check

        from . import reminders

        register_send_check(reminders.send_check)
