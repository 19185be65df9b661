"""Choices of the accounts app, each with the badge colour it is shown in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    STAFF = "staff", _("Police staff")
    COORDINATOR = "coordinator", _("Coordinator")
    # An admin of one force (or any unit): manages the people and units of its own subtree
    # and may do there what an admin may do; sees nothing outside it.
    FORCE_ADMIN = "force_admin", _("Force admin")
    ADMIN = "admin", _("Admin")


# Who may grant what: nobody gives a role ranked above their own.
ROLE_RANK = {Role.STAFF: 1, Role.COORDINATOR: 2, Role.FORCE_ADMIN: 3, Role.ADMIN: 4}


class UnitKind(models.TextChoices):
    STATE = "state", _("State")
    ZONE = "zone", _("Zone / range")
    DISTRICT = "district", _("District")
    COMMISSIONERATE = "commissionerate", _("Commissionerate")
    CIRCLE = "circle", _("Circle")
    STATION = "station", _("Police station")


class RulesProfile(models.TextChoices):
    """The eligibility rule sets a unit may hold (settings.RULES_PROFILES, one each): India's
    (NBTC-17 / DCR-2020) and Vietnam's (Circular 26/2013/TT-BYT). A test holds the two lists
    equal."""

    INDIA = "india", _("India (NBTC 2017)")
    VIETNAM = "vietnam", _("Vietnam (Circular 26/2013)")


# A coordinator works for a whole force: the nearest of these above (or at) their home unit.
FORCE_KINDS = (UnitKind.DISTRICT, UnitKind.COMMISSIONERATE)

ROLE_BADGES = {
    Role.STAFF: "secondary",
    Role.COORDINATOR: "info",
    Role.FORCE_ADMIN: "primary",
    Role.ADMIN: "dark",
}


class AuditAction(models.TextChoices):
    """What the audit log records. Later apps add their actions here, in one list."""

    LOGIN = "login", _("Signed in")
    LOGOUT = "logout", _("Signed out")
    LOGIN_FAILED = "login_failed", _("Failed sign-in")
    PASSWORD_CHANGED = "password_changed", _("Password changed")
    VIEW = "view", _("Viewed a personal record")
    EXPORT = "export", _("Exported")
    IMPORT = "import", _("Imported")
    CREATE = "create", _("Created")
    UPDATE = "update", _("Changed")
    DELETE = "delete", _("Deleted")
    CORRECTION = "correction", _("Corrected an entry")
    DEACTIVATE = "deactivate", _("Deactivated")
    PASSWORD_LINK = "password_link", _("Made a password link")
    MOVE = "move", _("Moved")
