"""Choices of the call desk, with the badge colour each is shown in."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CallOutcome(models.TextChoices):
    REACHED = "reached", _("Reached")
    CONFIRMED = "confirmed", _("Confirmed")
    WILL_TRY = "will_try", _("Will try")
    DECLINED = "declined", _("Declined")
    NO_ANSWER = "no_answer", _("No answer")
    WRONG_NUMBER = "wrong_number", _("Wrong number")


class CallKind(models.TextChoices):
    GUARDIAN = "guardian", _("Guardian of a child due soon")
    DONOR = "donor", _("Donor asked, no answer")
    FAILED = "failed", _("Message failed")


OUTCOME_BADGES = {
    CallOutcome.REACHED: "info",
    CallOutcome.CONFIRMED: "success",
    CallOutcome.WILL_TRY: "warning",
    CallOutcome.DECLINED: "secondary",
    CallOutcome.NO_ANSWER: "light",
    CallOutcome.WRONG_NUMBER: "danger",
}
