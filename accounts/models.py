"""Users, the police-unit tree and the audit log."""

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from treebeard.mp_tree import MP_Node

from .choices import FORCE_KINDS, ROLE_RANK, AuditAction, Role, RulesProfile, UnitKind


class PoliceUnit(MP_Node):
    """A node of the jurisdiction tree: state → zone/range → district or commissionerate →
    circle → police station. Scoping filters on the materialised ``path``: a unit's subtree
    is every unit whose path starts with its own."""

    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    code = models.SlugField(
        _("code"), max_length=40, unique=True, help_text=_("Short unique code, e.g. knp-kotwali.")
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.TextField(_("address"), blank=True)
    # The donor rules (eligibility numbers, bag sizes, phone region) this unit holds: blank
    # inherits its parent's, and a root's blank is the deployment's RULES_PROFILE. So an
    # Indian deployment can hold a Vietnamese force (issue 17).
    rules_profile = models.CharField(
        _("donor rules"),
        max_length=16,
        blank=True,
        choices=RulesProfile.choices,
        help_text=_("Leave blank to use the rules of the unit above."),
    )
    # What ``rules_profile`` comes to down the tree: this unit's own, else the nearest
    # ancestor's, else blank (the deployment's). Kept by ``accounts.services`` on every add,
    # change and move, and copied onto each donor of the unit (``Donor.rules_profile``).
    rules_in_force = models.CharField(
        max_length=16, blank=True, editable=False, choices=RulesProfile.choices
    )

    # No node_order_by: sorted insertion would rewrite the paths of existing units, and
    # every held instance (a user's unit, say) would then scope with a stale path.

    class Meta:
        verbose_name = _("police unit")
        verbose_name_plural = _("police units")

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("accounts:unit-detail", args=[self.pk])

    @property
    def rules_in_force_label(self) -> str:
        """The name of the donor rules the unit holds (blank stored: the deployment's)."""
        return RulesProfile(self.rules_in_force or settings.RULES_PROFILE).label

    def force(self):
        """The district or commissionerate this unit belongs to (itself if it is one)."""
        if self.kind in FORCE_KINDS:
            return self
        ancestors = PoliceUnit.objects.get_ancestors(self).filter(kind__in=FORCE_KINDS)
        return ancestors.order_by("-depth").first()


class PortalUserManager(UserManager):
    """``manage.py createsuperuser`` makes a portal admin, who needs no police unit (every
    other role does: the database says so)."""

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.ADMIN)
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """A person who signs in: police staff, coordinator, force admin or admin, with a home
    police unit (none for an admin)."""

    objects = PortalUserManager()

    role = models.CharField(_("role"), max_length=20, choices=Role.choices, default=Role.STAFF)
    unit = models.ForeignKey(
        PoliceUnit,
        verbose_name=_("police unit"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="users",
        help_text=_("Home unit. Staff see its subtree; coordinators see its whole force."),
    )
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            # Staff and coordinators are nothing without a unit: they would see no rows.
            models.CheckConstraint(
                condition=models.Q(role="admin") | models.Q(unit__isnull=False),
                name="user_unit_required_unless_admin",
            ),
        ]

    @property
    def is_portal_admin(self) -> bool:
        """The portal-wide admin: every unit, plus what belongs to no unit (partners)."""
        return self.is_superuser or self.role == Role.ADMIN

    @property
    def is_force_admin(self) -> bool:
        """An admin of its home unit's subtree only."""
        return not self.is_superuser and self.role == Role.FORCE_ADMIN

    @property
    def manages_people(self) -> bool:
        """Whether the people and unit-editing pages are open to this user."""
        return self.is_portal_admin or self.is_force_admin

    @property
    def role_rank(self) -> int:
        return ROLE_RANK[Role.ADMIN] if self.is_superuser else ROLE_RANK.get(self.role, 0)

    @property
    def is_coordinator(self) -> bool:
        return self.role == Role.COORDINATOR

    @cached_property
    def scope_root(self):
        """The unit whose subtree this user may see, or None for everything (admins).

        Cached on the user object, which Django builds once per request."""
        from .scoping import scope_root_for

        return scope_root_for(self)


class AuditEvent(models.Model):
    """One thing a person did that someone may later need to account for: a sign-in, an
    export, a view of a child's record, a correction. Append-only; never edited."""

    at = models.DateTimeField(_("when"), default=timezone.now, db_index=True)
    # No index of its own on actor or content_type: the composite indexes below begin with
    # each, and every import writes an audit row per donor (one index fewer to write).
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("who"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="audit_events",
        db_index=False,
    )
    # Kept as text too, so the trail survives a deleted account.
    actor_username = models.CharField(_("username"), max_length=150, blank=True)
    action = models.CharField(_("action"), max_length=40, choices=AuditAction.choices)
    content_type = models.ForeignKey(
        ContentType,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        db_index=False,
    )
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    unit = models.ForeignKey(
        PoliceUnit,
        verbose_name=_("police unit"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("The unit the object belongs to, so an admin can filter by jurisdiction."),
    )
    ip_address = models.GenericIPAddressField(_("address"), null=True, blank=True)
    user_agent = models.CharField(_("browser"), max_length=200, blank=True)
    details = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        indexes = [
            # The audit page filters "what happened to this object" and "what did this
            # person do", both newest first.
            models.Index(fields=["content_type", "object_id", "-at"]),
            models.Index(fields=["actor", "-at"]),
        ]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_username} {self.action} {self.object_repr}"
