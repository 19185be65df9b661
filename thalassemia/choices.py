"""Choices of the thalassaemia app, with the badge colour each is shown in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PatientStatus(models.TextChoices):
    ACTIVE = "active", _("Active")
    INACTIVE = "inactive", _("Inactive")
    TRANSPLANTED = "transplanted", _("Transplanted")
    DECEASED = "deceased", _("Deceased")


class GuardianRelation(models.TextChoices):
    MOTHER = "mother", _("Mother")
    FATHER = "father", _("Father")
    GRANDPARENT = "grandparent", _("Grandparent")
    SIBLING = "sibling", _("Sibling")
    OTHER_RELATIVE = "relative", _("Other relative")
    OTHER = "other", _("Other")


class TransfusionStatus(models.TextChoices):
    DUE = "due", _("Due")
    SCHEDULED = "scheduled", _("Scheduled")
    DONE = "done", _("Done")
    MISSED = "missed", _("Missed")
    CANCELLED = "cancelled", _("Cancelled")


# A transfusion still to be given: the child's next due date is the earliest of these. A
# missed transfusion stays open (overdue) until it is done or cancelled: it never rolls on.
OPEN_TRANSFUSION = (TransfusionStatus.DUE, TransfusionStatus.SCHEDULED, TransfusionStatus.MISSED)


class AssignmentStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ASKED = "asked", _("Asked")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    DONATED = "donated", _("Donated")
    NO_SHOW = "no_show", _("No-show")
    # The transfusion was cancelled or given without this donor: the donor is free again.
    CANCELLED = "cancelled", _("Cancelled")
    # The donor gave elsewhere or was deferred, so can no longer give on this date: the
    # transfusion needs another donor (thalassemia.booking.assignments_release_for_donor).
    RELEASED = "released", _("Released")


# Live assignments hold the donor's dates: no two of a donor's live assignments may fall
# within the donor's donation interval (enforced in the database on PostgreSQL).
LIVE_ASSIGNMENT = (AssignmentStatus.PROPOSED, AssignmentStatus.ASKED, AssignmentStatus.CONFIRMED)

# The moves a coordinator may make from each status.
ASSIGNMENT_MOVES = {
    AssignmentStatus.PROPOSED: (
        AssignmentStatus.ASKED,
        AssignmentStatus.CONFIRMED,
        AssignmentStatus.DECLINED,
    ),
    AssignmentStatus.ASKED: (AssignmentStatus.CONFIRMED, AssignmentStatus.DECLINED),
    AssignmentStatus.CONFIRMED: (
        AssignmentStatus.DONATED,
        AssignmentStatus.NO_SHOW,
        AssignmentStatus.DECLINED,
    ),
    AssignmentStatus.DECLINED: (),
    AssignmentStatus.DONATED: (),
    AssignmentStatus.NO_SHOW: (),
    AssignmentStatus.CANCELLED: (),
    AssignmentStatus.RELEASED: (),
}

PATIENT_STATUS_BADGES = {
    PatientStatus.ACTIVE: "success",
    PatientStatus.INACTIVE: "secondary",
    PatientStatus.TRANSPLANTED: "info",
    PatientStatus.DECEASED: "dark",
}

TRANSFUSION_BADGES = {
    TransfusionStatus.DUE: "primary",
    TransfusionStatus.SCHEDULED: "info",
    TransfusionStatus.DONE: "success",
    TransfusionStatus.MISSED: "danger",
    TransfusionStatus.CANCELLED: "secondary",
}

ASSIGNMENT_BADGES = {
    AssignmentStatus.PROPOSED: "secondary",
    AssignmentStatus.ASKED: "warning",
    AssignmentStatus.CONFIRMED: "success",
    AssignmentStatus.DECLINED: "light",
    AssignmentStatus.DONATED: "primary",
    AssignmentStatus.NO_SHOW: "danger",
    AssignmentStatus.CANCELLED: "light",
    AssignmentStatus.RELEASED: "dark",
}
