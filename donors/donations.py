"""Recording a donation: the camp table, its sheet import, the API and the demo loader call
these. Collected needs haemoglobin, weight and blood pressure measured at the screening, a
bag number unique at the blood centre and a donor who passes ``check_eligibility`` with the
screening's values; deferred at screening records the deferral through
``services.deferral_create``. Each writes its audit record. Kept apart from
``services.py`` (the registry's writes) because it is a concept of its own.

``donation_record`` passes ~60 lines only by its keyword-only signature (one argument per
screening value): its body is a sequence of named steps."""

from dataclasses import replace
from datetime import date

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import IntegrityError, transaction
from django.db.transaction import TransactionManagementError
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import audit, ranges
from accounts.choices import AuditAction

from . import hooks
from .choices import DRAWN_OUTCOMES, DonationKind, DonationOutcome, ReactionKind
from .eligibility import DonorFacts, PastDonation, Rules, check_eligibility
from .models import Deferral, Donation, Donor
from .selectors import facts_for
from .services import deferral_create, donor_refresh_eligibility
from .thanks import donation_thank


def bag_number_error(*, blood_centre, bag_number: str, exclude_pk=None) -> ValidationError | None:
    """A field error when ``bag_number`` is already recorded at ``blood_centre``: bag numbers
    are the blood centre's, unique per centre (the database says so too)."""
    if not bag_number or blood_centre is None:
        return None
    taken = Donation.objects.filter(blood_centre=blood_centre, bag_number=bag_number)
    if taken.exclude(pk=exclude_pk).exists():
        return _duplicate_bag(bag_number)
    return None


def _duplicate_bag(bag_number: str) -> ValidationError:
    return ValidationError(
        _("Bag %(bag)s is already recorded at this blood centre."),
        code="duplicate_bag",
        params={"bag": bag_number},
    )


# Where a failed pre-screen rule is shown: on the screening value that decided it. Rules
# about the donor's record (age, interval, deferral) concern the whole entry.
REASON_FIELDS = {
    "haemoglobin": "haemoglobin_g_dl",
    "weight": "weight_kg",
    "weight_450": "bag_volume_ml",
    "bp": "bp_systolic",
}
# The screening values whose failure is a screening deferral (DeferralCategory.SCREENING).
SCREENING_CODES = ("haemoglobin", "weight", "bp")


def _required_messages() -> dict:
    return {
        "haemoglobin_g_dl": _("Enter the haemoglobin measured at the screening."),
        "weight_kg": _("Enter the weight measured at the screening."),
        "bp_systolic": _("Enter the systolic blood pressure measured at the screening."),
        "bp_diastolic": _("Enter the diastolic blood pressure measured at the screening."),
        "bag_number": _("Enter the bag number."),
        "bag_volume_ml": _("Choose the bag volume."),
    }


# The screening's measurements and the model's plausible range for each (accounts.ranges).
_PLAUSIBLE = {
    "haemoglobin_g_dl": ranges.validate_haemoglobin,
    "weight_kg": ranges.validate_donor_weight,
    "bp_systolic": ranges.validate_bp_systolic,
    "bp_diastolic": ranges.validate_bp_diastolic,
}


def bag_volume_error(volume, rules: Rules) -> ValidationError:
    return ValidationError(
        _("A %(volume)s ml bag is not in use here: choose %(volumes)s ml."),
        code="invalid",
        params={"volume": volume, "volumes": ", ".join(str(v) for v in rules.bag_volumes_ml)},
    )


def collection_errors(
    facts: DonorFacts | None, *, donated_on: date, fields: dict, profile: str = ""
) -> dict:
    """What stops a unit being recorded as collected, from the donor's recorded facts and the
    screening's values, reading nothing: each missing measurement or bag detail on its own
    field, and the pre-screen on the measured values, each failed screening rule on the value
    that decided it (code "screening" when it calls for a screening deferral), the rest on the
    whole entry. The import's dry run calls this for donors not yet registered (``facts``
    None: not enough known to pre-screen, so only what is missing; ``profile``, the camp
    unit's rules, then says which bags are in use)."""
    errors = {}
    for name, message in _required_messages().items():
        if fields.get(name) in (None, ""):
            errors[name] = [ValidationError(message, code="required")]
    # A bag volume the rules do not use (a 250 ml bag is VN-26's, not India's): the one
    # message of every path (camp table, API, import, offline sync).
    rules = Rules.for_profile(facts.profile if facts is not None else profile)
    volume = fields.get("bag_volume_ml")
    if volume not in (None, "") and int(volume) not in rules.bag_volumes_ml:
        errors["bag_volume_ml"] = [bag_volume_error(volume, rules)]
    # An implausible measurement (haemoglobin 99, BP 300/20) is a typing error, not a
    # clinical answer: it is refused with the model's range message, before any pre-screen.
    for name, validate in _PLAUSIBLE.items():
        value = fields.get(name)
        if value in (None, "") or name in errors:
            continue
        try:
            validate(value)
        except ValidationError as error:
            errors[name] = error.error_list
    if facts is None or any(name in errors for name in _PLAUSIBLE):
        return errors
    weight = fields.get("weight_kg")
    facts = replace(
        facts,
        haemoglobin_g_dl=fields.get("haemoglobin_g_dl"),
        weight_kg=weight if weight is not None else facts.weight_kg,
        bp_systolic=fields.get("bp_systolic"),
        bp_diastolic=fields.get("bp_diastolic"),
    )
    answer = check_eligibility(
        facts,
        donated_on,
        kind=fields.get("kind") or DonationKind.WHOLE_BLOOD,
        bag_volume_ml=fields.get("bag_volume_ml"),
        rules=rules,
    )
    others = []
    for code, reason in zip(answer.codes, answer.reasons, strict=True):
        if code in REASON_FIELDS:
            kind = "screening" if code in SCREENING_CODES else "not_eligible"
            errors.setdefault(REASON_FIELDS[code], []).append(ValidationError(reason, code=kind))
        else:
            others.append(reason)
    if others:
        errors[NON_FIELD_ERRORS] = [
            ValidationError(
                _("Not eligible, so not recorded as collected: %(reasons)s")
                % {"reasons": " ".join(others)},
                code="not_eligible",
            )
        ]
    return errors


def screening_reasons(error: ValidationError) -> list[str]:
    """The reasons ``error`` (from donation_record) refused a collection on a screening value
    that calls for a screening deferral (low haemoglobin, low weight, blood pressure);
    empty when there are none."""
    if not hasattr(error, "error_dict"):
        return []
    return [
        message
        for errors in error.error_dict.values()
        for e in errors
        if e.code == "screening"
        for message in e
    ]


def _collected_errors(donor, *, donated_on, fields, exclude_pk=None, read=None) -> dict:
    """``collection_errors`` for a registered donor (a donation being corrected does not count
    against itself). ``read``, a dict, gets the facts read under "facts"."""
    facts = facts_for(donor)
    if read is not None:
        read["facts"] = facts
    if exclude_pk is not None:
        others = Donation.objects.filter(donor=donor, outcome__in=DRAWN_OUTCOMES).exclude(
            pk=exclude_pk
        )
        facts = replace(
            facts, donations=tuple(PastDonation(on=d.donated_on, kind=d.kind) for d in others)
        )
    return collection_errors(facts, donated_on=donated_on, fields=fields)


def donation_record(**screening) -> Donation:
    """``donation_record_within`` in a transaction of its own (a savepoint inside the
    caller's): the API and any caller that goes on after a refusal."""
    with transaction.atomic():
        return donation_record_within(**screening)


def donation_record_within(
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
    bp_systolic: int | None = None,
    bp_diastolic: int | None = None,
    deferral_category: str = "",
    actor=None,
    request=None,
    bag_taken: bool | None = None,
) -> Donation:
    """Record one screening, on every path (camp table, its sheet import, the API, the demo),
    in the caller's transaction, which a refusal (a ValidationError) must end: no savepoint
    of its own, two statements fewer (camps.services, whose transaction is the entry's).
    Collected: needs haemoglobin, weight and blood pressure measured at the screening, a bag
    number unique at the blood centre and a volume, and a donor who passes the pre-screen
    with those values. Deferred at screening: records the deferral too (a coarse category,
    default length from settings). A ValidationError keyed by field says what is wrong;
    the entry goes to the audit log. ``bag_taken``: whether the bag number is already
    recorded at the centre, when the caller read it in this transaction (the camp table,
    with its camp lock); read here otherwise."""
    if transaction.get_autocommit():  # each write its own transaction: never half a record
        raise TransactionManagementError("donation_record_within needs a transaction.")
    fields = {
        "kind": kind,
        "bag_number": (bag_number or "").strip(),
        "bag_volume_ml": bag_volume_ml,
        "haemoglobin_g_dl": haemoglobin_g_dl,
        "weight_kg": weight_kg,
        "bp_systolic": bp_systolic,
        "bp_diastolic": bp_diastolic,
    }
    if outcome == DonationOutcome.DEFERRED:
        fields.update(bag_number="", bag_volume_ml=None)
    facts = _check_screening(
        donor,
        donated_on=donated_on,
        blood_centre=blood_centre,
        outcome=outcome,
        deferral_category=deferral_category,
        fields=fields,
        bag_taken=bag_taken,
    )
    donation = Donation(
        donor=donor,
        donated_on=donated_on,
        blood_centre=blood_centre,
        camp=camp,
        outcome=outcome,
        recorded_by=actor,
        **fields,
    )
    _save_unique_bag(donation)
    audit.record(
        action=AuditAction.CREATE,
        request=request,
        actor=actor,
        obj=donation,
        unit=donor.unit,
        outcome=outcome,
        camp=getattr(camp, "pk", None),
    )
    if outcome == DonationOutcome.DEFERRED:
        deferral_create(
            donor=donor,
            category=deferral_category,
            starts_on=donated_on,
            actor=actor,
            request=request,
        )
    if outcome in DRAWN_OUTCOMES:  # a deferral at screening refreshed it in deferral_create
        if facts is not None:  # read for the check, in this transaction: add this donation
            drawn = PastDonation(on=donated_on, kind=kind)
            facts = replace(facts, donations=(*facts.donations, drawn))
        donor_refresh_eligibility(donor, facts=facts)
    hooks.donation_made(donation, actor=actor)  # drawn blood: bookings in the interval go
    donation_thank(donation)  # the thank-you with the certificate link (donors.thanks)
    return donation


def _check_screening(
    donor, *, donated_on, blood_centre, outcome, deferral_category, fields, bag_taken=None
):
    """Every field error of a screening about to be recorded, raised at once; else the
    donor's facts when they were read (a collection), for the standing after it."""
    errors, read = {}, {}
    if donated_on > timezone.localdate():
        errors["donated_on"] = [_("A donation cannot be in the future.")]
    if outcome == DonationOutcome.COLLECTED:
        errors.update(_collected_errors(donor, donated_on=donated_on, fields=fields, read=read))
    elif outcome == DonationOutcome.DEFERRED and not deferral_category:
        errors["deferral_category"] = [_("Choose why the donor is deferred.")]
    if bag_taken is None or not fields["bag_number"] or blood_centre is None:
        bag = bag_number_error(blood_centre=blood_centre, bag_number=fields["bag_number"])
    else:
        bag = _duplicate_bag(fields["bag_number"]) if bag_taken else None
    if bag is not None:
        errors.setdefault("bag_number", []).extend(bag.error_list)
    if errors:
        raise ValidationError(errors)
    return read.get("facts")


_HELD = ("donor", "camp", "blood_centre", "recorded_by")


BAG_CONSTRAINT = "donation_bag_number_unique_per_centre"


def _save_unique_bag(donation: Donation) -> None:
    """Save, answering a bag number taken meanwhile (at another table) as its field error.
    The donor, camp, centre and recorder are rows the caller holds: not read again to check
    that they exist (four queries fewer on the camp table's every entry). No savepoint: the
    refusal ends the transaction (donation_record's), so the error is written without
    reading the database again."""
    held = [name for name in _HELD if getattr(donation, f"{name}_id") is not None]
    donation.full_clean(exclude=held, validate_constraints=False)
    try:
        donation.save()
    except IntegrityError as error:  # the same bag saved at another table a moment ago
        text = str(error)
        # PostgreSQL names the constraint; SQLite names the columns.
        if BAG_CONSTRAINT not in text and "donors_donation.bag_number" not in text:
            raise
        raise ValidationError({"bag_number": _duplicate_bag(donation.bag_number)}) from None


# Fields a correction may change; the outcome is corrected by withdrawing the entry.
CORRECTABLE_FIELDS = (
    "bag_number",
    "bag_volume_ml",
    "haemoglobin_g_dl",
    "weight_kg",
    "bp_systolic",
    "bp_diastolic",
)


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
    # No CORRECTABLE_FIELDS enters the donor's standing (date, kind and outcome are
    # corrected by withdrawing), so next_eligible_on stays as it is.
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
    donor_refresh_eligibility(donation.donor)


@transaction.atomic
def donation_reaction_record(
    *, donation: Donation, reaction: str, note: str = "", actor, request=None
) -> Donation:
    """Note an adverse reaction on a donation (during it or after: a donor who faints once
    the bag is full still gave), or clear it with ``reaction=""``. A deferral at screening
    drew no blood and takes none; "other" needs a note saying what happened."""
    donation = Donation.objects.select_for_update().get(pk=donation.pk)
    note = " ".join((note or "").split())
    errors = {}
    if reaction and reaction not in ReactionKind.values:
        errors["reaction"] = [_("Choose a reaction from the list.")]
    elif reaction and donation.outcome == DonationOutcome.DEFERRED:
        errors["reaction"] = [_("This donor was deferred at screening: no blood was drawn.")]
    if reaction == ReactionKind.OTHER and not note:
        errors["reaction_note"] = [_("Say what happened.")]
    if len(note) > Donation._meta.get_field("reaction_note").max_length:
        errors["reaction_note"] = [_("Keep the note to 200 characters.")]
    if errors:
        raise ValidationError(errors)
    before = donation.reaction
    donation.reaction, donation.reaction_note = reaction, note if reaction else ""
    donation.save(update_fields=["reaction", "reaction_note"])
    audit.record(
        action=AuditAction.UPDATE,
        request=request,
        actor=actor,
        obj=donation,
        unit=donation.donor.unit,
        reaction_from=before,
        reaction_to=reaction,
    )
    return donation
