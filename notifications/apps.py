from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = _("Messages")

    def ready(self):
        # An erasure (accounts.erasure) blanks the person's messages here too.
        from accounts.erasure import person_erased

        from .erasure import inbound_erase, messages_erase

        person_erased.connect(messages_erase, dispatch_uid="notifications.messages_erase")
        # ... and the replies and missed calls that were theirs.
        person_erased.connect(inbound_erase, dispatch_uid="notifications.inbound_erase")
