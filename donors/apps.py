from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DonorsConfig(AppConfig):
    name = "donors"
    verbose_name = _("Donors")

    def ready(self):
        # The outbox asks before sending: a donor who opted out or was erased gets nothing.
        from accounts.erasure import register_phone_users
        from notifications.registry import register_inbound_handler, register_send_check

        from . import checks, privacy, reminders, replies  # noqa: F401 (checks registers itself)

        register_send_check(reminders.send_check)
        # An SMS reply or missed call: whose number it is, and STOP.
        register_inbound_handler(replies.handle)
        # An erasure leaves a family's shared number to the donors still on it.
        register_phone_users(privacy.donors_on_phones)

        # A unit's donor rules changed: its donors follow (issue 17).
        from accounts.unit_rules import rules_in_force_changed

        from .unit_rules import follow_unit_rules

        rules_in_force_changed.connect(follow_unit_rules, dispatch_uid="donors.follow_unit_rules")
