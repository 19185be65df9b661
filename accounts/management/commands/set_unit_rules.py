"""Set a police unit's donor rules (india, vietnam, or "" to inherit) from the shell: the
unit page's "Donor rules" without the web's 60-second limit, for a force of many donors
(every donor below is given the rules and their eligibility computed again, in one
transaction: about a second per thousand donors)."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.models import PoliceUnit, User
from accounts.services import unit_update


class Command(BaseCommand):
    help = __doc__.split("\n\n")[0]

    def add_arguments(self, parser):
        parser.add_argument("unit", help="the unit's code, e.g. bac-giang")
        parser.add_argument("profile", help='india, vietnam, or "" to take the unit above\'s')
        parser.add_argument("--by", required=True, help="the admin's username (audited)")

    def handle(self, *args, unit, profile, by, **options):
        found = PoliceUnit.objects.filter(code__iexact=unit).first()
        if found is None:
            raise CommandError(f"No unit has the code {unit!r}.")
        actor = User.objects.filter(username=by, is_active=True).first()
        if actor is None:
            raise CommandError(f"No active user is called {by!r}.")
        try:
            changed = unit_update(actor=actor, unit=found, rules_profile=profile)
        except PermissionDenied as error:
            raise CommandError(f"{by} may not change {found.name}: {error}") from None
        except ValidationError as error:
            raise CommandError("; ".join(error.messages)) from None
        label = changed.rules_in_force_label
        self.stdout.write(f"{changed.name} and the units below it hold {label}.")
