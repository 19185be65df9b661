from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ThalassemiaConfig(AppConfig):
    name = "thalassemia"
    verbose_name = _("Thalassaemia children")

    def ready(self):
        # donors publishes, thalassemia subscribes: donors never imports thalassemia.
        from donors import hooks as donor_hooks
        from notifications.registry import register_inbound_handler, register_send_check

        from . import hooks, reminders, replies

        donor_hooks.donor_unavailable.connect(
            hooks.release_on_unavailable, dispatch_uid="thalassemia.release_on_unavailable"
        )
        donor_hooks.register_commitments(hooks.commitments)
        # A force's donor rules changed: its donors' bookings follow the new interval.
        donor_hooks.donor_rules_changed.connect(
            hooks.follow_donor_rules, dispatch_uid="thalassemia.follow_donor_rules"
        )
        # The outbox asks before sending: a guardian who said stop, a transfusion done.
        register_send_check(reminders.send_check)
        # An erasure anywhere (accounts.erasure) blanks the notes here that name the person.
        from accounts.erasure import person_erased, register_phone_users

        from .privacy import guardians_on_phones, notes_erase

        person_erased.connect(notes_erase, dispatch_uid="thalassemia.notes_erase")
        # ... and leaves a number a guardian still uses to them.
        register_phone_users(guardians_on_phones)
        # An SMS "1" / "2" or a missed call answers the number's one open request.
        register_inbound_handler(replies.handle, open_requests=replies.open_for)
