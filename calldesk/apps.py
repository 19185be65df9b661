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
        # An erasure (accounts.erasure) blanks the calls to the person too.
        from accounts.erasure import person_erased

        from .erasure import calls_erase

        person_erased.connect(calls_erase, dispatch_uid="calldesk.calls_erase")
