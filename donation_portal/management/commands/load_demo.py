"""Demo data shaped like a real force: Uttar Pradesh, Kanpur Nagar Police Commissionerate
with its three zones (Central, East, West), six circles and twelve police stations, the
neighbouring Kanpur Dehat district, and one user of each role; then each app's own demo
rows. Safe to run again: existing rows are kept, and so are
the demo users' passwords (someone may have changed them) unless ``--reset-passwords`` is
given. Prints how long it took: ``make run`` runs it on every start.

An app offers demo rows with a ``demo.py`` whose ``load(units)`` (units by code) answers how
many rows it has; they run in INSTALLED_APPS order, the order the rooms stand on each other
(donors, then camps screening them, then the thalassaemia children). This command names no
domain app."""

import time
from importlib import import_module
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.module_loading import module_has_submodule

from accounts.choices import Role, UnitKind
from accounts.models import PoliceUnit, User
from accounts.services import unit_get_or_create, user_create

# (code, name, kind, children). The commissionerate's districts are its three DCP zones (a
# zone, not a district: UnitKind.DISTRICT is a force of its own, FORCE_KINDS), each of two
# ACP circles of two police stations. Kanpur Dehat, the neighbouring district, is a second
# force: the force admin's and the coordinator's reach ends where it begins.
TREE = (
    "up",
    "Uttar Pradesh",
    UnitKind.STATE,
    [
        (
            "knp",
            "Kanpur Nagar Police Commissionerate",
            UnitKind.COMMISSIONERATE,
            [
                (
                    "knp-central",
                    "Central Zone",
                    UnitKind.ZONE,
                    [
                        (
                            "knp-kotwali-circle",
                            "Kotwali Circle",
                            UnitKind.CIRCLE,
                            [
                                ("knp-kotwali", "Kotwali", UnitKind.STATION, []),
                                ("knp-moolganj", "Moolganj", UnitKind.STATION, []),
                            ],
                        ),
                        (
                            "knp-collectorganj-circle",
                            "Collectorganj Circle",
                            UnitKind.CIRCLE,
                            [
                                ("knp-collectorganj", "Collectorganj", UnitKind.STATION, []),
                                ("knp-anwarganj", "Anwarganj", UnitKind.STATION, []),
                            ],
                        ),
                    ],
                ),
                (
                    "knp-east",
                    "East Zone",
                    UnitKind.ZONE,
                    [
                        (
                            "knp-cantt-circle",
                            "Cantt Circle",
                            UnitKind.CIRCLE,
                            [
                                ("knp-cantt", "Cantt", UnitKind.STATION, []),
                                ("knp-chakeri", "Chakeri", UnitKind.STATION, []),
                            ],
                        ),
                        (
                            "knp-colonelganj-circle",
                            "Colonelganj Circle",
                            UnitKind.CIRCLE,
                            [
                                ("knp-colonelganj", "Colonelganj", UnitKind.STATION, []),
                                ("knp-harbans-mohal", "Harbans Mohal", UnitKind.STATION, []),
                            ],
                        ),
                    ],
                ),
                (
                    "knp-west",
                    "West Zone",
                    UnitKind.ZONE,
                    [
                        (
                            "knp-kalyanpur-circle",
                            "Kalyanpur Circle",
                            UnitKind.CIRCLE,
                            [
                                ("knp-kalyanpur", "Kalyanpur", UnitKind.STATION, []),
                                ("knp-nawabganj", "Nawabganj", UnitKind.STATION, []),
                            ],
                        ),
                        (
                            "knp-panki-circle",
                            "Panki Circle",
                            UnitKind.CIRCLE,
                            [
                                ("knp-panki", "Panki", UnitKind.STATION, []),
                                ("knp-kakadeo", "Kakadeo", UnitKind.STATION, []),
                            ],
                        ),
                    ],
                ),
            ],
        ),
        (
            "kanpur-range",
            "Kanpur Zone",
            UnitKind.ZONE,
            [
                (
                    "kanpur-dehat",
                    "Kanpur Dehat District",
                    UnitKind.DISTRICT,
                    [
                        (
                            "kd-akbarpur-circle",
                            "Akbarpur Circle",
                            UnitKind.CIRCLE,
                            [
                                ("kd-akbarpur", "Akbarpur", UnitKind.STATION, []),
                                ("kd-rasulabad", "Rasulabad", UnitKind.STATION, []),
                            ],
                        ),
                    ],
                ),
            ],
        ),
    ],
)

# Units of the older demo (four zones, Feelkhana, the South zone's stations). A database
# loaded by it keeps them, with the donors and camps on them: the loader deletes nothing,
# and says so.
RETIRED = (
    "knp-south",
    "knp-babupurwa-circle",
    "knp-babupurwa",
    "knp-kidwai-nagar",
    "knp-govind-nagar",
    "knp-feelkhana",
)

# (username, password, role, unit code, first name, last name)
USERS = [
    ("admin", "bloodbond-admin", Role.ADMIN, None, "Asha", "Verma"),
    ("knp-admin", "bloodbond-force", Role.FORCE_ADMIN, "knp", "Neha", "Awasthi"),
    ("coordinator", "bloodbond-coord", Role.COORDINATOR, "knp", "Ravi", "Shukla"),
    ("kotwali", "bloodbond-staff", Role.STAFF, "knp-kotwali", "Sunil", "Yadav"),
    ("cantt", "bloodbond-staff", Role.STAFF, "knp-cantt", "Meena", "Singh"),
    ("kotwali-circle", "bloodbond-staff", Role.STAFF, "knp-kotwali-circle", "Anil", "Tiwari"),
]


def demo_email(username: str) -> str:
    """An address for each demo user, so the coordinator's daily digest has somewhere to
    go (mail is printed on the embedded default)."""
    return f"{username}@bloodbond.example"


def demo_builders():
    """(dotted name, ``load``) of each of our apps' demo builder, in INSTALLED_APPS order."""
    ours = Path(settings.BASE_DIR).resolve()
    for config in apps.get_app_configs():
        if not Path(config.path).resolve().is_relative_to(ours):
            continue  # a third-party app's "demo" is not ours to run
        if module_has_submodule(config.module, "demo"):
            yield f"{config.name}.demo.load", import_module(f"{config.name}.demo").load


class Command(BaseCommand):
    help = "Load demo police units and one user of each role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force",
            action="store_true",
            help="Load even when DEBUG is off (never in production; `make run` on a camp "
            "network loads it without this).",
        )
        parser.add_argument(
            "--reset-passwords",
            action="store_true",
            help="Set the demo users' passwords back to the published demo ones.",
        )

    def handle(self, *args, **options):
        # `make run` bound to a camp's Wi-Fi runs with DEBUG off and is still the demo.
        if not settings.DEBUG and not settings.PORTAL_ON_NETWORK and not options["force"]:
            raise CommandError("Demo users have published passwords: refusing with DEBUG off.")
        started = time.monotonic()
        with transaction.atomic():
            rows, kept = self.load(reset_passwords=options["reset_passwords"])
        self.stdout.write("Sign in with (username / password — role, unit):")
        for username, password, role, unit in rows:
            self.stdout.write(f"  {username:15} / {password:16} — {role}, {unit}")
        if kept:
            self.stdout.write(
                "The demo users existed: their passwords were kept (the demo ones unless "
                "changed since). `manage.py load_demo --reset-passwords` sets them again."
            )
        self.stdout.write(f"Demo data ready in {time.monotonic() - started:.1f} s.")

    def load(self, *, reset_passwords: bool) -> tuple[list[tuple[str, str, str, str]], bool]:
        """The units, the users and each app's rows; answers the sign-in lines to print and
        whether existing users' passwords were kept."""
        units = {}

        def build(node, parent=None):
            code, name, kind, children = node
            unit, _ = unit_get_or_create(code=code, name=name, kind=kind, parent=parent)
            units[code] = unit
            for child in children:
                build(child, unit)

        build(TREE)
        rows, kept = [], 0
        for username, password, role, unit_code, first, last in USERS:
            unit = units[unit_code] if unit_code else None
            user = User.objects.filter(username=username).first()
            if user is None:
                user_create(
                    username=username,
                    password=password,
                    role=role,
                    unit=unit,
                    first_name=first,
                    last_name=last,
                    email=demo_email(username),
                )
            else:
                kept += 1
                if reset_passwords:
                    user.set_password(password)
                    user.save(update_fields=["password"])
                if not user.email:  # the coordinator's digest needs somewhere to go
                    user.email = demo_email(username)
                    user.save(update_fields=["email"])
            rows.append((username, password, role.label, unit.name if unit else "—"))

        self.stdout.write(self.style.SUCCESS(f"Demo data: {len(units)} police units."))
        retired = list(
            PoliceUnit.objects.filter(code__in=RETIRED)
            .order_by("path")
            .values_list("name", flat=True)
        )
        if retired:
            self.stdout.write(
                f"Kept from an older demo, with their rows: {', '.join(retired)}. "
                "A fresh database has the three-zone force."
            )
        for name, load in demo_builders():
            self.stdout.write(f"  {name}: {load(units)} rows")
        return rows, kept and not reset_passwords
