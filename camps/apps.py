from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampsConfig(AppConfig):
    name = "camps"
    verbose_name = _("Camps and partners")

    def ready(self):
        # The outbox asks before sending: a camp moved or cancelled is not announced.
        from donors import hooks as donor_hooks
        from notifications.registry import register_send_check

        from . import reminders

        register_send_check(reminders.send_check)
        # A pledge's number verified: the acknowledgement names the nearest planned camp.
        donor_hooks.donor_verified.connect(
            reminders.pledge_thanks, dispatch_uid="camps.pledge_thanks"
        )
