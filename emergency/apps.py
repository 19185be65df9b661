from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "emergency"
    verbose_name = _("Emergency requests")

    def ready(self):
        from notifications.registry import register_send_check

        from . import waves

        # The outbox asks before sending: a call for a request filled or stopped meanwhile
        # is cancelled, not sent.
        register_send_check(waves.send_check)
