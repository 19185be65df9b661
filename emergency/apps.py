from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EmergencyConfig(AppConfig):
    name = "emergency"
    verbose_name = _("Emergency requests")

    def ready(self):
        from notifications.registry import register_inbound_handler, register_send_check

        from . import replies, waves

        # The outbox asks before sending: a call for a request filled or stopped meanwhile
        # is cancelled, not sent.
        register_send_check(waves.send_check)
        # An SMS "1" / "2" or a missed call answers the number's one open call; with a
        # child's request open too, or two calls, the call desk rings back.
        register_inbound_handler(replies.handle, open_requests=replies.open_for)
