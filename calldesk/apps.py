from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CalldeskConfig(AppConfig):
    name = "calldesk"
    verbose_name = _("Call desk")

    def ready(self):
        # The outbox asks before sending: nothing more goes to a number found wrong.
        from notifications.registry import register_send_check

        from . import selectors

        register_send_check(selectors.send_check)
