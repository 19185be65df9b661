"""Donors, their deferrals and their donations.

Past ~400 lines on purpose: five models of one registry, each with its ranges and
constraints beside its fields; split apart they would only import each other."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import ranges

from .choices import (
    BagVolume,
    BloodGroup,
    ConsentPurpose,
    ConsentSource,
    DeferralCategory,
    DonationKind,
    DonationOutcome,
    DonorSource,
    ReactionKind,
    Sex,
)

_GROUP_SLUG = {
    "A+": "a_pos",
    "A-": "a_neg",
    "B+": "b_pos",
    "B-": "b_neg",
    "AB+": "ab_pos",
    "AB-": "ab_neg",
    "O+": "o_pos",
    "O-": "o_neg",
    "Oh": "bombay",
    "": "untyped",
}


class Donor(models.Model):
    """A person who may give blood: police personnel or a civilian, in one registry per force."""

    name = models.CharField(_("name"), max_length=120)
    sex = models.CharField(_("sex"), max_length=1, choices=Sex.choices)
    date_of_birth = models.DateField(_("date of birth"), validators=[ranges.validate_birth_date])
    blood_group = models.CharField(
        _("blood group"), max_length=3, choices=BloodGroup.choices, blank=True
    )
    # E.164, normalised by donors.phones.normalise_phone. A family may share one mobile: up
    # to DONORS_PER_PHONE_MAX donors on a number (donors.services.find_duplicates keeps the
    # limit, and refuses the same person twice: same number, name and date of birth).
    phone = models.CharField(_("mobile phone"), max_length=16)
    email = models.EmailField(_("email"), blank=True)
    locality = models.CharField(_("locality"), max_length=120, blank=True)
    # No index of its own: the (unit, blood_group) index below answers every query by unit
    # (plans checked on the state: the same, or 0.1 % dearer, without it), and each of the table's
    # indexes is written by every registration and import row.
    unit = models.ForeignKey(
        "accounts.PoliceUnit",
        verbose_name=_("police unit"),
        on_delete=models.PROTECT,
        related_name="donors",
        db_index=False,
    )
    is_police = models.BooleanField(_("police personnel"), default=False)
    rank = models.CharField(_("rank"), max_length=60, blank=True)
    badge_number = models.CharField(_("badge number"), max_length=40, blank=True)
    weight_kg = models.DecimalField(
        _("weight (kg)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[ranges.validate_donor_weight],
    )
    preferred_language = models.CharField(
        _("language for messages"), max_length=8, choices=settings.LANGUAGES, default="hi"
    )
    # The registry consent in brief (the full history per purpose is in Consent rows, which
    # donors.consent keeps in step with these three fields).
    consent_at = models.DateTimeField(_("consent given at"), null=True, blank=True)
    consent_version = models.CharField(_("consent text version"), max_length=20, blank=True)
    opted_out_at = models.DateTimeField(
        _("opted out of messages at"),
        null=True,
        blank=True,
        help_text=_("Set when the donor asks for no more messages."),
    )
    living_blood_bank = models.BooleanField(
        _("living blood bank"),
        default=False,
        help_text=_("On call to donate in emergencies."),
    )
    phenotype = models.CharField(
        _("extended red-cell phenotype"),
        max_length=30,
        blank=True,
        help_text=_("For example: C+ c+ E- e+ K-"),
    )
    external_last_donation_on = models.DateField(
        _("last donation outside the portal"),
        null=True,
        blank=True,
        validators=[ranges.validate_past_date],
    )
    unavailable_until = models.DateField(
        _("unavailable until"),
        null=True,
        blank=True,
        help_text=_("Eligible but away (travel, duty, illness), at the donor's word."),
    )
    unavailable_reason = models.CharField(_("why unavailable"), max_length=120, blank=True)
    eraktkosh_id = models.CharField(_("e-RaktKosh donor id"), max_length=40, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    source = models.CharField(
        _("source"), max_length=10, choices=DonorSource.choices, default=DonorSource.STAFF
    )
    verified_at = models.DateTimeField(
        _("verified at"),
        null=True,
        blank=True,
        help_text=_("Empty for a public pledge that staff have not yet checked."),
    )
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("verified by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    # Set by donors.privacy.donor_erase: the person is anonymised, the counts stay. The
    # registry list, matching and eligible_on leave erased donors out.
    erased_at = models.DateTimeField(_("personal data erased at"), null=True, blank=True)
    # The donor's standing from donations and deferrals (donors.eligibility.Standing), kept
    # by donors.services.donor_refresh_eligibility in the transaction of every write that
    # changes it, so "who may give whole blood on D" reads an index instead of recomputing
    # each donor's history. Empty next_eligible_on: nothing on record makes the donor wait
    # (never donated, or never deferred). Not editable: only that function writes them.
    next_eligible_on = models.DateField(
        _("may give whole blood from"), null=True, blank=True, editable=False
    )
    permanently_deferred = models.BooleanField(
        _("permanently deferred"), default=False, editable=False
    )
    last_donated_on = models.DateField(_("last donation"), null=True, blank=True, editable=False)
    eligibility_settled_on = models.DateField(null=True, blank=True, editable=False)
    # The donor rules of the donor's unit (``PoliceUnit.rules_in_force``; blank: the
    # deployment's RULES_PROFILE), copied here so that eligibility, in Python and in SQL,
    # reads them from the donor row without a join. Written with the unit by the donor
    # services, and by donors.receivers when a unit's rules change.
    rules_profile = models.CharField(
        max_length=16, blank=True, default="", db_default="", editable=False
    )

    class Meta:
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        ordering = ["name", "id"]
        indexes = [
            # The registry filters by unit and group; the call list and matching by group.
            models.Index(fields=["unit", "blood_group"]),
            models.Index(fields=["blood_group", "living_blood_bank"]),
            models.Index(fields=["name"]),
            # "Who is on this number": the lookup at the camp table, replies, duplicates.
            models.Index(fields=["phone"], name="donor_phone"),
            # "Eligible on D for group G": a range scan of one small index per group (the
            # few donors with a fact dated after D, eligibility_settled_on, by the other).
            *(
                models.Index(
                    fields=["next_eligible_on"],
                    condition=Q(blood_group=group, erased_at__isnull=True),
                    name=f"donor_eligible_{_GROUP_SLUG[group]}",
                )
                for group in BloodGroup.values
            ),
            models.Index(fields=["eligibility_settled_on"], name="donor_eligibility_settled"),
            # Matching's candidates (thalassemia.matching): the force's units and compatible
            # groups with every column the eligibility test and the ranking read, so the
            # pool is an index-only scan, not one heap page per donor (PostgreSQL only).
            models.Index(
                fields=["unit", "blood_group"],
                include=[
                    "id",
                    "verified_at",
                    "last_donated_on",
                    "next_eligible_on",
                    "permanently_deferred",
                    "eligibility_settled_on",
                    "date_of_birth",
                    "weight_kg",
                    "opted_out_at",
                    "unavailable_until",
                    "sex",
                    "phone",
                    "name",
                    "phenotype",
                    "living_blood_bank",
                    "rules_profile",
                ],
                condition=Q(erased_at__isnull=True),
                name="donor_match_cover",
            ),
        ]
        # Plausible ranges (accounts.ranges), also for writes around the services.
        constraints = [
            models.CheckConstraint(
                condition=ranges.q_not_before_earliest("date_of_birth"),
                name="donor_birth_plausible",
            ),
            models.CheckConstraint(
                condition=ranges.q_between("weight_kg", ranges.DONOR_WEIGHT_KG),
                name="donor_weight_plausible",
            ),
            models.CheckConstraint(
                condition=ranges.q_not_before_earliest("external_last_donation_on"),
                name="donor_last_donation_plausible",
            ),
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("donors:detail", args=[self.pk])

    @property
    def is_verified(self) -> bool:
        return self.verified_at is not None

    @property
    def is_erased(self) -> bool:
        return self.erased_at is not None


class Deferral(models.Model):
    """A reason a donor may not give until a date (empty: permanent). A coarse category,
    never a diagnosis."""

    scope_via = "donor__unit"

    donor = models.ForeignKey(
        Donor, verbose_name=_("donor"), on_delete=models.CASCADE, related_name="deferrals"
    )
    category = models.CharField(_("category"), max_length=24, choices=DeferralCategory.choices)
    starts_on = models.DateField(_("from"))
    until = models.DateField(
        _("until"), null=True, blank=True, help_text=_("Empty means permanent.")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("deferral")
        verbose_name_plural = _("deferrals")
        ordering = ["-starts_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(until__isnull=True) | Q(until__gte=models.F("starts_on")),
                name="deferral_until_not_before_start",
            ),
        ]

    def __str__(self):
        return f"{self.get_category_display()} ({self.starts_on} – {self.until or '∞'})"


class Donation(models.Model):
    """One visit of a donor to a camp or blood centre: collected, deferred at screening, or
    ended by an adverse reaction."""

    scope_via = "donor__unit"

    donor = models.ForeignKey(
        Donor, verbose_name=_("donor"), on_delete=models.PROTECT, related_name="donations"
    )
    donated_on = models.DateField(_("date"), validators=[ranges.validate_past_date])
    # Where: the blood centre that collected, at its own site or at a camp (then ``camp`` is
    # set too). Bag numbers are unique per blood centre.
    camp = models.ForeignKey(
        "camps.Camp",
        verbose_name=_("camp"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
    )
    blood_centre = models.ForeignKey(
        "camps.BloodCentre",
        verbose_name=_("blood centre"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="donations",
    )
    kind = models.CharField(
        _("kind"), max_length=12, choices=DonationKind.choices, default=DonationKind.WHOLE_BLOOD
    )
    outcome = models.CharField(
        _("outcome"),
        max_length=20,
        choices=DonationOutcome.choices,
        default=DonationOutcome.COLLECTED,
    )
    bag_volume_ml = models.PositiveSmallIntegerField(
        _("bag volume"), choices=BagVolume.choices, null=True, blank=True
    )
    bag_number = models.CharField(_("bag number"), max_length=40, blank=True)
    haemoglobin_g_dl = models.DecimalField(
        _("haemoglobin (g/dL)"),
        max_digits=3,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[ranges.validate_haemoglobin],
    )
    weight_kg = models.DecimalField(
        _("weight at screening (kg)"),
        max_digits=4,
        decimal_places=1,
        null=True,
        blank=True,
        validators=[ranges.validate_donor_weight],
    )
    # Blood pressure measured at the screening (DOMAIN.md §1: 100–140 / 60–90 mmHg to give).
    bp_systolic = models.PositiveSmallIntegerField(
        _("blood pressure, systolic (mmHg)"),
        null=True,
        blank=True,
        validators=[ranges.validate_bp_systolic],
    )
    bp_diastolic = models.PositiveSmallIntegerField(
        _("blood pressure, diastolic (mmHg)"),
        null=True,
        blank=True,
        validators=[ranges.validate_bp_diastolic],
    )
    # An adverse reaction during or after the donation (donations.donation_reaction_record);
    # the camp's totals and the dashboard count them.
    reaction = models.CharField(
        _("adverse reaction"), max_length=12, choices=ReactionKind.choices, blank=True
    )
    reaction_note = models.CharField(_("about the reaction"), max_length=200, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("donation")
        verbose_name_plural = _("donations")
        ordering = ["-donated_on", "-id"]
        indexes = [
            # Eligibility reads a donor's donations newest first.
            models.Index(fields=["donor", "-donated_on"]),
            # Camp totals and the camp table read a camp's donations.
            models.Index(fields=["camp", "outcome"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["blood_centre", "bag_number"],
                condition=~Q(bag_number=""),
                name="donation_bag_number_unique_per_centre",
            ),
            # Plausible ranges (accounts.ranges), also for writes around the services.
            models.CheckConstraint(
                condition=ranges.q_not_before_earliest("donated_on"),
                name="donation_date_plausible",
            ),
            models.CheckConstraint(
                condition=ranges.q_between("haemoglobin_g_dl", ranges.HAEMOGLOBIN_G_DL),
                name="donation_haemoglobin_plausible",
            ),
            models.CheckConstraint(
                condition=ranges.q_between("weight_kg", ranges.DONOR_WEIGHT_KG),
                name="donation_weight_plausible",
            ),
            models.CheckConstraint(
                condition=ranges.q_between("bp_systolic", ranges.BP_SYSTOLIC_MMHG),
                name="donation_bp_systolic_plausible",
            ),
            models.CheckConstraint(
                condition=ranges.q_between("bp_diastolic", ranges.BP_DIASTOLIC_MMHG),
                name="donation_bp_diastolic_plausible",
            ),
        ]

    def __str__(self):
        return f"{self.donor} {self.donated_on} {self.get_outcome_display()}"


class Consent(models.Model):
    """One purpose a donor agreed to (DPDP-23): when, to which notice, who recorded it, and
    when it was withdrawn. A withdrawn row stays as history; giving again adds a new row."""

    scope_via = "donor__unit"

    donor = models.ForeignKey(
        Donor, verbose_name=_("donor"), on_delete=models.CASCADE, related_name="consents"
    )
    purpose = models.CharField(_("purpose"), max_length=12, choices=ConsentPurpose.choices)
    given_at = models.DateTimeField(_("given at"), default=timezone.now)
    notice_version = models.CharField(_("notice version"), max_length=20, blank=True)
    source = models.CharField(_("given through"), max_length=10, choices=ConsentSource.choices)
    # Empty when the donor gave it themselves (the pledge form).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_source = models.CharField(
        _("withdrawn through"), max_length=10, choices=ConsentSource.choices, blank=True
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("withdrawal recorded by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        verbose_name = _("consent")
        verbose_name_plural = _("consents")
        ordering = ["-given_at", "-id"]
        constraints = [
            # At most one consent in force per purpose: the reminders scan asks "is there one?".
            models.UniqueConstraint(
                fields=["donor", "purpose"],
                condition=Q(withdrawn_at__isnull=True),
                name="consent_one_in_force_per_purpose",
            ),
        ]

    def __str__(self):
        return f"{self.get_purpose_display()} {self.given_at:%Y-%m-%d}"

    @property
    def in_force(self) -> bool:
        return self.withdrawn_at is None


class PhoneVerification(models.Model):
    """One code sent by SMS to prove a pledged number is the donor's: only a keyed hash of
    the code is kept, with its expiry and the wrong answers given (donors.verification)."""

    scope_via = "donor__unit"

    donor = models.ForeignKey(
        Donor,
        verbose_name=_("donor"),
        on_delete=models.CASCADE,
        related_name="phone_verifications",
    )
    # The number the code went to: a code proves that number, not a later one.
    phone = models.CharField(_("mobile phone"), max_length=16)
    salt = models.CharField(max_length=16)
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(_("sent at"), default=timezone.now, editable=False)
    expires_at = models.DateTimeField(_("expires at"))
    attempts = models.PositiveSmallIntegerField(_("wrong answers"), default=0)
    # Set when the right code came back, or when a newer code replaced this one.
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)

    class Meta:
        verbose_name = _("phone verification")
        verbose_name_plural = _("phone verifications")
        indexes = [
            # The code step reads the newest open code sent to a number.
            models.Index(fields=["phone", "-created_at"], name="donors_phoneverif_phone"),
        ]

    def __str__(self):
        return f"{self.phone} {self.created_at:%Y-%m-%d %H:%M}"


class EligiblePoolStep(models.Model):
    """A step in the count of donors who may give whole blood: ``donors`` more (or, when
    negative, fewer) donors of ``unit`` and ``blood_group`` are eligible from ``day`` on.
    The donors eligible on D are the sum of the steps dated D or earlier (``donors.pool``).

    Each donor adds +1 on the first day its stored standing and its age allow (the later of
    ``next_eligible_on``, ``eligibility_settled_on`` and the minimum age) and -1 on the day
    it passes an age limit. A PostgreSQL trigger on the donor table appends the steps of
    every insert, update and delete, whatever wrote it; ``donors.pool.compact`` folds them
    together. Not kept on SQLite."""

    unit = models.ForeignKey(
        "accounts.PoliceUnit", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    blood_group = models.CharField(max_length=3, blank=True)
    day = models.DateField()
    donors = models.IntegerField()

    class Meta:
        indexes = [
            # The whole state's sum up to D, and a unit subtree's.
            models.Index(
                fields=["day"], include=["blood_group", "unit", "donors"], name="pool_step_day"
            ),
            models.Index(
                fields=["unit", "day"], include=["blood_group", "donors"], name="pool_step_unit"
            ),
        ]

    def __str__(self):
        return f"{self.unit_id} {self.blood_group or '-'} {self.day}: {self.donors:+d}"


class EligiblePoolState(models.Model):
    """The one row saying what ``EligiblePoolStep`` answers: every day from ``floor`` on
    (older steps are folded onto ``floor``), under the limits in ``EligiblePoolLimits``.
    No row: the steps are not kept (a fresh SQLite, or a bulk load under way)."""

    floor = models.DateField()
    compacted_through = models.BigIntegerField(default=0)  # steps with a higher id are new
    rebuilt_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"eligible pool from {self.floor}"


class EligiblePoolLimits(models.Model):
    """The limits the stored eligibility was computed under, per donor rules profile
    (``Donor.rules_profile``; blank: the deployment's): the age and weight limits the
    pool's steps apply (its SQL joins this table on the donor's profile), and the interval,
    12-month and switch numbers ``Donor.next_eligible_on`` was computed with. Written by
    ``donors.pool.rebuild``; when settings say otherwise, the steps decline to answer and
    ``donors.pool.stale_profiles`` names the profiles to compute again."""

    profile = models.CharField(max_length=16, primary_key=True, blank=True)
    min_age = models.PositiveSmallIntegerField()
    max_age = models.PositiveSmallIntegerField()
    first_time_max_age = models.PositiveSmallIntegerField()
    min_weight_male = models.DecimalField(max_digits=6, decimal_places=2)
    min_weight_female = models.DecimalField(max_digits=6, decimal_places=2)
    min_weight_other = models.DecimalField(max_digits=6, decimal_places=2)
    # {"interval": {sex: days}, "max_12m": {sex: n}, "switch": days}
    standing = models.JSONField(default=dict)

    def __str__(self):
        return f"eligible pool limits {self.profile or '(deployment)'}"
