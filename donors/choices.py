"""Choices of the donors app, with the badge colour each is shown in."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class BloodGroup(models.TextChoices):
    """ABO/RhD groups as the API writes them, Bombay ``Oh``, or unknown until tested."""

    A_POS = "A+", "A+"
    A_NEG = "A-", "A−"
    B_POS = "B+", "B+"
    B_NEG = "B-", "B−"
    AB_POS = "AB+", "AB+"
    AB_NEG = "AB-", "AB−"
    O_POS = "O+", "O+"
    O_NEG = "O-", "O−"
    BOMBAY = "Oh", _("Oh (Bombay)")
    UNKNOWN = "", _("Unknown")


class Sex(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")
    OTHER = "O", _("Other")


class DonorSource(models.TextChoices):
    STAFF = "staff", _("Entered by staff")
    PLEDGE = "pledge", _("Public pledge")
    IMPORT = "import", _("Imported")
    CAMP = "camp", _("Camp table")


class ConsentPurpose(models.TextChoices):
    """What a donor agrees to, each given and withdrawn on its own (DPDP-23, DOMAIN.md §6)."""

    REGISTRY = "registry", _("Donor registry")
    REMINDERS = "reminders", _("Reminders (SMS, WhatsApp, email)")


class ConsentSource(models.TextChoices):
    """How a consent, or its withdrawal, reached the portal."""

    PLEDGE = "pledge", _("The donor, on the public pledge form")
    STAFF = "staff", _("Staff, at the donor's word")
    OPT_OUT_LINK = "link", _("The donor, by the opt-out link")
    SMS_REPLY = "sms", _("The donor, by replying STOP")
    ERASURE = "erasure", _("Erasure of the donor's data")


class DeferralCategory(models.TextChoices):
    """Coarse categories from DOMAIN.md; never a diagnosis. Default durations are settings
    (DONOR_DEFERRAL_DAYS)."""

    TATTOO = "tattoo", _("Tattoo, piercing or acupuncture")
    TRANSFUSION = "transfusion", _("Received a transfusion")
    MAJOR_SURGERY = "major_surgery", _("Major surgery")
    MINOR_SURGERY = "minor_surgery", _("Minor or dental surgery, tooth extraction")
    DELIVERY = "delivery", _("Delivery")
    ABORTION = "abortion", _("Abortion")
    BREASTFEEDING = "breastfeeding", _("Breastfeeding")
    MALARIA = "malaria", _("Malaria")
    TYPHOID = "typhoid", _("Typhoid")
    DENGUE = "dengue", _("Dengue or chikungunya")
    TUBERCULOSIS = "tuberculosis", _("Tuberculosis")
    HEPATITIS_CONTACT = "hepatitis_contact", _("Hepatitis A/E, or close contact of hepatitis B/C")
    VACCINE_INACTIVATED = "vaccine_inactivated", _("Inactivated vaccine (incl. COVID-19)")
    VACCINE_LIVE = "vaccine_live", _("Live vaccine")
    RABIES_VACCINE = "rabies_vaccine", _("Rabies vaccine or hepatitis B immunoglobulin")
    ANTIBIOTICS = "antibiotics", _("Antibiotics")
    MINOR_ILLNESS = "minor_illness", _("Minor illness (cold, fever)")
    SCREENING = "screening", _("Low haemoglobin, low weight or BP at screening")
    OTHER = "other", _("Other (medical officer's decision)")
    PERMANENT = "permanent", _("Permanent — medical")


class DonationKind(models.TextChoices):
    WHOLE_BLOOD = "whole_blood", _("Whole blood")
    APHERESIS = "apheresis", _("Apheresis")


class DonationOutcome(models.TextChoices):
    COLLECTED = "collected", _("Collected")
    DEFERRED = "deferred", _("Deferred at screening")
    ADVERSE_REACTION = "adverse_reaction", _("Adverse reaction")


class ReactionKind(models.TextChoices):
    """An adverse reaction noted on a donation (during or after it), in the coarse words a
    camp uses; the note says the rest. Never a diagnosis."""

    VASOVAGAL = "vasovagal", _("Vasovagal (faint, dizziness, nausea)")
    HAEMATOMA = "haematoma", _("Haematoma (bruise at the needle)")
    OTHER = "other", _("Other")


# Outcomes where blood was drawn: they count for the interval and the 12-month limit.
DRAWN_OUTCOMES = (DonationOutcome.COLLECTED, DonationOutcome.ADVERSE_REACTION)


class BagVolume(models.IntegerChoices):
    """Every bag volume the portal knows; the ones in use are DONOR_BAG_VOLUMES_ML (India
    350/450, Vietnam 250/350/450 under VN-26): ``bag_volume_choices``."""

    ML_250 = 250, _("250 ml")
    ML_350 = 350, _("350 ml")
    ML_450 = 450, _("450 ml")


def bag_volume_choices(in_use=None) -> list[tuple[int, str]]:
    """The bag volumes in use (``in_use``: a unit's rules' ``bag_volumes_ml``; by default
    DONOR_BAG_VOLUMES_ML, the deployment's), for the forms' choices."""
    in_use = set(settings.DONOR_BAG_VOLUMES_ML if in_use is None else in_use)
    return [(value, label) for value, label in BagVolume.choices if value in in_use]


OUTCOME_BADGES = {
    DonationOutcome.COLLECTED: "success",
    DonationOutcome.DEFERRED: "warning",
    DonationOutcome.ADVERSE_REACTION: "danger",
}
