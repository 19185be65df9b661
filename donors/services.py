"""Writes of the donors app: every page, API view, import and the pledge form call these."""

from dataclasses import replace
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit
from accounts.choices import AuditAction

from .choices import DRAWN_OUTCOMES, DeferralCategory, DonationKind, DonationOutcome
from .eligibility import PastDonation
from .models import Deferral, Donation, Donor
from .phones import normalise_phone


def duplicate_phone_error(phone: str, *, exclude_pk=None) -> ValidationError | None:
    """A field error naming the existing donor when ``phone`` (E.164) is already registered."""
    existing = Donor.objects.filter(phone=phone).exclude(pk=exclude_pk).only("pk").first()
    if existing is None:
        return None
    return ValidationError(
        _("This mobile number is already registered (donor #%(id)s)."),
        code="duplicate",
        params={"id": existing.pk},
    )


@transaction.atomic
def donor_create(*, actor=None, phone: str, **fields) -> Donor:
    """Register a donor. ``phone`` may be in any accepted form; a number already registered
    is refused with a ValidationError on ``phone`` rather than creating a second person."""
    donor = Donor(phone=normalise_phone(phone), created_by=actor, **fields)
    error = duplicate_phone_error(donor.phone)
    if error is not None:
        raise ValidationError({"phone": error})
    if actor is not None and donor.verified_at is None and donor.source != "pledge":
        donor.verified_at, donor.verified_by = timezone.now(), actor
    donor.full_clean()
    try:
        with transaction.atomic():
            donor.save()
    except IntegrityError:  # two clerks registering the same number at the same moment
        raise ValidationError({"phone": duplicate_phone_error(donor.phone)}) from None
    return donor


@transaction.atomic
def donor_update(*, donor: Donor, actor=None, request=None, **fields) -> Donor:
    """Change a donor's record; the fields changed (not their values) go to the audit log."""
    if "phone" in fields:
        fields["phone"] = normalise_phone(fields["phone"])
        error = duplicate_phone_error(fields["phone"], exclude_pk=donor.pk)
        if error is not None:
            raise ValidationError({"phone": error})
    changed = [name for name, value in fields.items() if getattr(donor, name) != value]
    for name, value in fields.items():
        setattr(donor, name, value)
    donor.full_clean()
    donor.save()
    if changed:
        audit.record(
            action=AuditAction.UPDATE, request=request, actor=actor, obj=donor, fields=changed
        )
    return donor


def default_deferral_until(category: str, starts_on: date) -> date | None:
    """The category's default end (DONOR_DEFERRAL_DAYS), or None when staff must enter it
    (or it is permanent)."""
    days = settings.DONOR_DEFERRAL_DAYS.get(category)
    return starts_on + timedelta(days=days) if days else None


def deferral_create(
    *,
    donor: Donor,
    category: str,
    starts_on: date,
    until: date | None = None,
    actor=None,
) -> Deferral:
    """Record a deferral. Without ``until`` the category's default applies; a category with
    no default needs a date, except the permanent one, which has none."""
    if category == DeferralCategory.PERMANENT:
        until = None
    elif until is None:
        until = default_deferral_until(category, starts_on)
        if until is None:
            raise ValidationError({"until": _("Enter the date the donor may give again.")})
    deferral = Deferral(
        donor=donor, category=category, starts_on=starts_on, until=until, recorded_by=actor
    )
    deferral.full_clean()
    if until is not None and until <= starts_on:
        raise ValidationError({"until": _("The end must be after the start.")})
    deferral.save()
    return deferral


def donor_verify(*, donor: Donor, actor) -> Donor:
    """Staff have checked a pledged donor: they now count as a registered donor."""
    if donor.verified_at is None:
        donor.verified_at, donor.verified_by = timezone.now(), actor
        donor.save(update_fields=["verified_at", "verified_by", "updated_at"])
    return donor


# Fields a merge copies from the duplicate when the kept record has them empty.
_MERGE_FILL = (
    "blood_group",
    "email",
    "locality",
    "rank",
    "badge_number",
    "weight_kg",
    "phenotype",
    "external_last_donation_on",
    "eraktkosh_id",
    "consent_at",
    "consent_version",
)


@transaction.atomic
def donor_merge(*, keep: Donor, duplicate: Donor, actor, request=None) -> Donor:
    """Fold ``duplicate`` into ``keep``: every donation and deferral moves over, empty fields
    are filled, the duplicate is deleted, and the merge is in the audit log."""
    if keep.pk == duplicate.pk:
        raise ValidationError(_("Choose two different donors."))
    keep = Donor.objects.select_for_update().get(pk=keep.pk)
    duplicate = Donor.objects.select_for_update().get(pk=duplicate.pk)
    moved_donations = duplicate.donations.update(donor=keep)
    moved_deferrals = duplicate.deferrals.update(donor=keep)
    filled = []
    for name in _MERGE_FILL:
        if getattr(keep, name) in ("", None) and getattr(duplicate, name) not in ("", None):
            setattr(keep, name, getattr(duplicate, name))
            filled.append(name)
    keep.living_blood_bank = keep.living_blood_bank or duplicate.living_blood_bank
    keep.is_police = keep.is_police or duplicate.is_police
    if keep.external_last_donation_on and duplicate.external_last_donation_on:
        keep.external_last_donation_on = max(
            keep.external_last_donation_on, duplicate.external_last_donation_on
        )
    # Someone who opted out on either record has opted out.
    if duplicate.opted_out_at and not keep.opted_out_at:
        keep.opted_out_at = duplicate.opted_out_at
    duplicate_id = duplicate.pk
    duplicate.delete()
    keep.save()
    audit.record(
        action=AuditAction.UPDATE,
        request=request,
        actor=actor,
        obj=keep,
        merged_donor=duplicate_id,
        donations_moved=moved_donations,
        deferrals_moved=moved_deferrals,
        fields_filled=filled,
        note="merge",
    )
    return keep


# --- Recording a donation (the camp table, its import and the blood centre's own visits) --


def bag_number_error(*, blood_centre, bag_number: str, exclude_pk=None) -> ValidationError | None:
    """A field error when ``bag_number`` is already recorded at ``blood_centre``: bag numbers
    are the blood centre's, unique per centre (the database says so too)."""
    if not bag_number or blood_centre is None:
        return None
    taken = Donation.objects.filter(blood_centre=blood_centre, bag_number=bag_number)
    if taken.exclude(pk=exclude_pk).exists():
        return ValidationError(
            _("Bag %(bag)s is already recorded at this blood centre."),
            code="duplicate_bag",
            params={"bag": bag_number},
        )
    return None


def _collected_errors(donor, *, donated_on, fields, exclude_pk=None) -> dict:
    """What stops a collection being recorded: the bag, and the pre-screen with the
    screening's own haemoglobin and weight (a donation being corrected does not count
    against itself)."""
    from .eligibility import check_eligibility
    from .selectors import facts_for

    errors = {}
    if not fields.get("bag_number"):
        errors["bag_number"] = [_("Enter the bag number.")]
    if not fields.get("bag_volume_ml"):
        errors["bag_volume_ml"] = [_("Choose the bag volume.")]
    facts = facts_for(
        donor, haemoglobin_g_dl=fields.get("haemoglobin_g_dl"), weight_kg=fields.get("weight_kg")
    )
    if exclude_pk is not None:
        others = Donation.objects.filter(donor=donor, outcome__in=DRAWN_OUTCOMES).exclude(
            pk=exclude_pk
        )
        facts = replace(
            facts, donations=tuple(PastDonation(on=d.donated_on, kind=d.kind) for d in others)
        )
    answer = check_eligibility(
        facts,
        donated_on,
        kind=fields.get("kind") or DonationKind.WHOLE_BLOOD,
        bag_volume_ml=fields.get("bag_volume_ml"),
    )
    if not answer.eligible:
        errors[NON_FIELD_ERRORS] = [
            _("Not eligible today, so not recorded as collected: %(reasons)s")
            % {"reasons": " ".join(answer.reasons)}
        ]
    return errors


@transaction.atomic
def donation_record(
    *,
    donor: Donor,
    donated_on: date,
    blood_centre,
    outcome: str,
    camp=None,
    kind: str = DonationKind.WHOLE_BLOOD,
    bag_number: str = "",
    bag_volume_ml: int | None = None,
    haemoglobin_g_dl=None,
    weight_kg=None,
    deferral_category: str = "",
    actor=None,
) -> Donation:
    """Record one screening. Collected: needs a bag number unique at the blood centre and a
    volume, and a donor who passes the pre-screen with the screening's haemoglobin and
    weight. Deferred at screening: records the deferral too (a coarse category, default
    length from settings). A ValidationError keyed by field says what is wrong."""
    fields = {
        "kind": kind,
        "bag_number": (bag_number or "").strip(),
        "bag_volume_ml": bag_volume_ml,
        "haemoglobin_g_dl": haemoglobin_g_dl,
        "weight_kg": weight_kg,
    }
    errors = {}
    if outcome == DonationOutcome.COLLECTED:
        errors = _collected_errors(donor, donated_on=donated_on, fields=fields)
    elif outcome == DonationOutcome.DEFERRED:
        fields.update(bag_number="", bag_volume_ml=None)
        if not deferral_category:
            errors["deferral_category"] = [_("Choose why the donor is deferred.")]
    bag = bag_number_error(blood_centre=blood_centre, bag_number=fields["bag_number"])
    if bag is not None:
        errors.setdefault("bag_number", []).extend(bag.messages)
    if errors:
        raise ValidationError(errors)
    donation = Donation(
        donor=donor,
        donated_on=donated_on,
        blood_centre=blood_centre,
        camp=camp,
        outcome=outcome,
        recorded_by=actor,
        **fields,
    )
    donation.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            donation.save()
    except IntegrityError:  # the same bag saved at another table a moment ago
        raise ValidationError(
            {
                "bag_number": bag_number_error(
                    blood_centre=blood_centre, bag_number=fields["bag_number"]
                )
            }
        ) from None
    if outcome == DonationOutcome.DEFERRED:
        deferral_create(donor=donor, category=deferral_category, starts_on=donated_on, actor=actor)
    return donation


# Fields a correction may change; the outcome is corrected by withdrawing the entry.
CORRECTABLE_FIELDS = ("bag_number", "bag_volume_ml", "haemoglobin_g_dl", "weight_kg")


@transaction.atomic
def donation_correct(*, donation: Donation, actor, request=None, **fields) -> Donation:
    """Correct a collected entry's bag, volume or screening values, checking them as when
    recorded; the fields changed go to the audit log as a correction."""
    unknown = set(fields) - set(CORRECTABLE_FIELDS)
    if unknown:
        raise ValidationError(
            _("These fields cannot be corrected: %s") % ", ".join(sorted(unknown))
        )
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    if "bag_number" in fields:
        fields["bag_number"] = (fields["bag_number"] or "").strip()
    merged = {name: fields.get(name, getattr(donation, name)) for name in CORRECTABLE_FIELDS}
    merged["kind"] = donation.kind
    errors = {}
    if donation.outcome == DonationOutcome.COLLECTED:
        errors = _collected_errors(
            donation.donor, donated_on=donation.donated_on, fields=merged, exclude_pk=donation.pk
        )
    bag = bag_number_error(
        blood_centre=donation.blood_centre,
        bag_number=merged["bag_number"],
        exclude_pk=donation.pk,
    )
    if bag is not None:
        errors.setdefault("bag_number", []).extend(bag.messages)
    if errors:
        raise ValidationError(errors)
    changed = [name for name, value in fields.items() if getattr(donation, name) != value]
    for name in changed:
        setattr(donation, name, fields[name])
    donation.full_clean(validate_constraints=False)
    donation.save()
    if changed:
        audit.record(
            action=AuditAction.CORRECTION,
            request=request,
            actor=actor,
            obj=donation,
            unit=donation.donor.unit,
            fields=changed,
        )
    return donation


@transaction.atomic
def donation_withdraw(*, donation: Donation, actor, request=None) -> None:
    """Remove a mistaken entry (the wrong donor, the wrong outcome), and the screening
    deferral it created; the correction is in the audit log."""
    removed_deferrals = 0
    if donation.outcome == DonationOutcome.DEFERRED:
        removed_deferrals, _by_model = Deferral.objects.filter(
            donor=donation.donor,
            starts_on=donation.donated_on,
            recorded_by=donation.recorded_by,
            recorded_at__gte=donation.recorded_at,
        ).delete()
    audit.record(
        action=AuditAction.CORRECTION,
        request=request,
        actor=actor,
        obj=donation,
        unit=donation.donor.unit,
        withdrawn=True,
        outcome=donation.outcome,
        deferrals_removed=removed_deferrals,
    )
    donation.delete()
