"""Choices of the call desk, with the badge colour each is shown in."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.choices import Role

# Who rings people from the desk, and so sees their numbers and logs outcomes: police staff
# and coordinators (a force admin counts as a coordinator). The portal admin reads the
# desk's workload without the numbers.
CALLER_ROLES = (Role.STAFF, Role.COORDINATOR)


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    CONFIRMED = "confirmed", _("Confirmed")
    WILL_TRY = "will_try", _("Will try")
    DECLINED = "declined", _("Declined")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class CallKind(models.TextChoices):
    GUARDIAN = "guardian", _("Guardians of children due soon")
    DONOR = "donor", _("Donors who have not answered")
    DECLINED = "declined", _("Donors who declined, not replaced yet")
    FAILED = "failed", _("Messages that failed")


OUTCOME_BADGES = {
    CallOutcome.REACHED: "info",
    CallOutcome.CONFIRMED: "success",
    CallOutcome.WILL_TRY: "warning",
    CallOutcome.DECLINED: "secondary",
    CallOutcome.NO_ANSWER: "light",
    CallOutcome.WRONG_NUMBER: "danger",
}
