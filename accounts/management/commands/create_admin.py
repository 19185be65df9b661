"""``manage.py create_admin --unit CODE``: a force admin of one unit, who manages the
people and units of that unit's subtree (the portal-wide admin comes from
``createsuperuser``). The password comes from DJANGO_SUPERUSER_PASSWORD, as for
``createsuperuser``, or is asked for twice."""

import getpass
import os

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from accounts.choices import Role
from accounts.models import PoliceUnit, User
from accounts.services import user_create


class Command(BaseCommand):
    help = "Create a force admin of one police unit (its subtree is all they manage)."

    def add_arguments(self, parser):
        parser.add_argument("--unit", required=True, help="The police unit's code.")
        parser.add_argument("--username", help="Default: admin-<unit code>.")
        parser.add_argument("--email", default="")
        parser.add_argument(
            "--no-input",
            "--noinput",
            action="store_false",
            dest="interactive",
            help="Never prompt: the password must be in DJANGO_SUPERUSER_PASSWORD.",
        )

    def handle(self, *args, unit, username, email, interactive, **options):
        home = PoliceUnit.objects.filter(code=unit).first()
        if home is None:
            raise CommandError(f"No police unit has the code {unit!r}.")
        username = username or f"admin-{home.code}"
        if User.objects.filter(username__iexact=username).exists():
            raise CommandError(f"The username {username!r} is taken.")
        password = os.environ.get("DJANGO_SUPERUSER_PASSWORD") or self._ask(interactive)
        candidate = User(username=username, email=email, role=Role.FORCE_ADMIN, unit=home)
        try:
            validate_password(password, candidate)
            user = user_create(
                username=username,
                password=password,
                role=Role.FORCE_ADMIN,
                unit=home,
                email=email,
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"Force admin {user.username} created for {home.name} ({home.code})."
            )
        )

    def _ask(self, interactive: bool) -> str:
        if not interactive:
            raise CommandError("Set DJANGO_SUPERUSER_PASSWORD, or run without --no-input.")
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Password (again): "):
            raise CommandError("The two passwords differ.")
        if not password:
            raise CommandError("A password is needed.")
        return password
