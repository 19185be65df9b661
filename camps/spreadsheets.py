"""A camp's donor sheet from its blood centre (CSV/XLSX) into the camp, on top of the
generic dry-run / all-or-nothing core in ``portal/sheets.py`` and the cell parsers of
``donors/spreadsheets.py``.

Each row is one screening at the camp. A known mobile number is that donor (whatever their
home unit, as at the camp table); an unknown one registers a donor of the organising unit
from the row's name, sex and date of birth. The row is then recorded through
``services.camp_donation_record``: the same pre-screen, bag and deferral rules as the table.
The dry run checks the same without writing, in a bounded number of queries."""

from __future__ import annotations

import contextlib
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts import audit, ranges
from accounts.choices import AuditAction
from donors.choices import BagVolume, DeferralCategory, DonationOutcome, DonorSource
from donors.donations import collection_errors
from donors.eligibility import DonorFacts
from donors.models import Donation, Donor
from donors.selectors import facts_for, with_eligibility_facts
from donors.services import donor_create, name_key
from donors.spreadsheets import (
    PHONE_CHUNK,
    consents_from_row,
    max_bytes,
    parse_blood_group,
    parse_phone,
    parse_sex,
    parse_weight,
)
from portal import exports, sheets

from . import services

REQUIRED_COLUMNS = ["phone", "outcome"]
OPTIONAL_COLUMNS = [
    "name",
    "sex",
    "date_of_birth",
    "blood_group",
    "bag_number",
    "bag_ml",
    "haemoglobin",
    "weight_kg",
    "bp_systolic",
    "bp_diastolic",
    "deferral_reason",
    # A new donor's consent per purpose, asked at the camp (yes/no).
    "consent_registry",
    "consent_reminders",
]
# What blood centres' sheets often call the same columns.
ALIASES = {
    "dob": "date_of_birth",
    "mobile": "phone",
    "hb": "haemoglobin",
    "volume": "bag_ml",
    "bag_volume": "bag_ml",
    "weight": "weight_kg",
    "reason": "deferral_reason",
    "group": "blood_group",
    "systolic": "bp_systolic",
    "diastolic": "bp_diastolic",
}
# The sheet's column for each field donation_record answers on; the rest (the donor's
# record: age, interval, deferral) is the row's outcome.
COLUMN_OF = {
    "haemoglobin_g_dl": "haemoglobin",
    "bag_volume_ml": "bag_ml",
    NON_FIELD_ERRORS: "outcome",
}
OUTCOMES = {
    "collected": DonationOutcome.COLLECTED,
    "c": DonationOutcome.COLLECTED,
    "yes": DonationOutcome.COLLECTED,
    "deferred": DonationOutcome.DEFERRED,
    "d": DonationOutcome.DEFERRED,
    "no": DonationOutcome.DEFERRED,
}
# A deferral with no reason written is the screening's (Hb, weight, BP).
DEFAULT_DEFERRAL = DeferralCategory.SCREENING


def max_rows() -> int:
    return settings.CAMP_IMPORT_MAX_ROWS


def read_sheet(data: bytes, *, filename: str) -> sheets.Table:
    table = sheets.read_table(
        data,
        filename=filename,
        columns=[*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS, *ALIASES],
        required=[],
        max_rows=max_rows(),
        max_bytes=max_bytes(),
    )
    rows = [
        sheets.Row(row.number, {ALIASES.get(k, k): v for k, v in row.values.items()})
        for row in table.rows
    ]
    columns = [ALIASES.get(column, column) for column in table.columns]
    missing = [column for column in REQUIRED_COLUMNS if column not in columns]
    if missing:
        raise sheets.UploadError(
            _("Missing columns: %(columns)s. The first row must name them; see the template.")
            % {"columns": ", ".join(missing)}
        )
    return sheets.Table(table.format, columns, rows, table.ignored_columns)


def parse_outcome(value) -> str:
    outcome = OUTCOMES.get(sheets.cell_text(value).lower())
    if outcome is None:
        raise ValidationError(_("Write collected or deferred."))
    return outcome


def parse_bag_ml(value) -> int | None:
    """The bag's volume in ml; whether the camp's rules use it is the service's to say
    (``donors.donations.collection_errors``: the same message as the camp table's)."""
    text = sheets.cell_text(value).lower().removesuffix("ml").strip()
    if not text:
        return None
    if text.isdigit() and int(text) in BagVolume.values:
        return int(text)
    raise ValidationError(
        _("Write one of %(volumes)s.")
        % {"volumes": ", ".join(str(v) for v in sorted(BagVolume.values))}
    )


def parse_haemoglobin(value) -> Decimal | None:
    text = sheets.cell_text(value)
    if not text:
        return None
    try:
        hb = Decimal(text).quantize(Decimal("0.1"))
    except InvalidOperation:
        hb = None
    if hb is None or not hb.is_finite():
        raise ValidationError(_("Enter the haemoglobin in g/dL, as a number."))
    ranges.validate_haemoglobin(hb)  # the model's range, with its message
    return hb


def parse_bp(value, *, validate) -> int | None:
    """A pressure in mmHg ("120", "120 mmHg"), within the model's range (its message)."""
    text = sheets.cell_text(value).lower().removesuffix("mmhg").strip()
    if not text:
        return None
    if not text.lstrip("-").isdigit():
        raise ValidationError(_("Enter the blood pressure in mmHg, as a whole number."))
    validate(int(text))
    return int(text)


def parse_systolic(value) -> int | None:
    return parse_bp(value, validate=ranges.validate_bp_systolic)


def parse_diastolic(value) -> int | None:
    return parse_bp(value, validate=ranges.validate_bp_diastolic)


def columns_of(error: ValidationError) -> ValidationError:
    """donation_record's field errors under the sheet's column names."""
    if not hasattr(error, "error_dict"):
        return error
    return ValidationError(
        {COLUMN_OF.get(field, field): errors for field, errors in error.error_dict.items()}
    )


def parse_reason(value) -> str:
    text = sheets.cell_text(value).lower()
    if not text:
        return DEFAULT_DEFERRAL
    for code, label in DeferralCategory.choices:
        if text in (code, str(label).lower()):
            return code
    raise ValidationError(
        _("Unknown reason “%(value)s”: write one of %(codes)s.")
        % {"value": sheets.cell_text(value), "codes": ", ".join(DeferralCategory.values)}
    )


class CampRowValidator:
    """Checks one row; answers the donor (or the fields to register one) and the screening.
    The file's donors and the bag numbers already used at the centre are read on row one."""

    def __init__(self, *, camp, rows):
        self.camp = camp
        self.rows = rows
        self.donors = None  # E.164 → the Donors on it (with eligibility facts)
        self.at_camp = set()  # donor ids already recorded at this camp
        self.bags_taken = set()
        self.seen_phones, self.seen_bags = {}, {}

    def _load(self):
        phones, bags = set(), set()
        for row in self.rows:
            with contextlib.suppress(ValidationError):
                phones.add(parse_phone(row.values.get("phone")))
            if sheets.cell_text(row.values.get("bag_number")):
                bags.add(sheets.cell_text(row.values.get("bag_number")))
        self.donors = {}
        phones = sorted(phones)
        for start in range(0, len(phones), PHONE_CHUNK):
            chunk = phones[start : start + PHONE_CHUNK]
            donors = with_eligibility_facts(Donor.objects.filter(phone__in=chunk))
            for donor in donors:
                self.donors.setdefault(donor.phone, []).append(donor)
        self.at_camp = set(
            Donation.objects.filter(camp=self.camp).values_list("donor_id", flat=True)
        )
        bags = sorted(bags)
        for start in range(0, len(bags), PHONE_CHUNK):
            self.bags_taken.update(
                Donation.objects.filter(
                    blood_centre=self.camp.blood_centre,
                    bag_number__in=bags[start : start + PHONE_CHUNK],
                ).values_list("bag_number", flat=True)
            )

    def __call__(self, row: sheets.Row) -> dict:
        if self.donors is None:
            self._load()
        values, errors, out = row.values, {}, {}

        def take(column, parse, **kwargs):
            try:
                out[column] = parse(values.get(column), **kwargs)
            except ValidationError as error:
                errors[column] = error.messages

        take("phone", parse_phone)
        take("outcome", parse_outcome)
        take("bag_ml", parse_bag_ml)
        take("haemoglobin", parse_haemoglobin)
        take("weight_kg", parse_weight)
        take("bp_systolic", parse_systolic)
        take("bp_diastolic", parse_diastolic)
        take("deferral_reason", parse_reason)
        out["bag_number"] = sheets.cell_text(values.get("bag_number"))
        donor = self._donor(row, out, errors)
        if out.get("outcome") == DonationOutcome.COLLECTED:
            self._check_collected(row, donor, out, errors)
        if errors:
            raise ValidationError(errors)
        return out

    def _donor(self, row, out, errors):
        phone = out.get("phone")
        if phone is None:
            return None
        name = sheets.cell_text(row.values.get("name"))
        on_number = self.donors.get(phone, [])
        # A family may share a number: the row's name says which of them (a number with one
        # donor needs no name; a new name on a known number is a new family member).
        donor = None
        if len(on_number) == 1 and not name:
            donor = on_number[0]
        elif name:
            try:  # the date of birth, when the row gives one, tells namesakes apart
                born = sheets.parse_date(row.values.get("date_of_birth"))
            except ValidationError:
                born = None
            same = [d for d in on_number if name_key(d.name) == name_key(name)]
            donor = next((d for d in same if born in (None, d.date_of_birth)), None)
        elif on_number:
            errors["name"] = [_("Several donors share this mobile number: enter the name.")]
            return None
        seen = (phone, donor.pk if donor is not None else name_key(name))
        if seen in self.seen_phones:
            errors["phone"] = [
                _("The same donor as row %(row)s of this file.") % {"row": self.seen_phones[seen]}
            ]
            return None
        self.seen_phones[seen] = row.number
        if donor is not None:
            if donor.pk in self.at_camp:
                errors["phone"] = [_("This donor is already recorded at this camp.")]
            out["donor"] = donor
            return donor
        new, values = {"phone": phone, "name": name}, row.values
        if not new["name"]:
            errors["name"] = [_("A new donor needs a name.")]
        for column, parse, kwargs in (
            ("sex", parse_sex, {}),
            ("date_of_birth", sheets.parse_date, {"required": True}),
            ("blood_group", parse_blood_group, {}),
        ):
            try:
                new[column] = parse(values.get(column), **kwargs)
            except ValidationError as error:
                errors[column] = error.messages
        try:
            ranges.validate_birth_date(new.get("date_of_birth"))  # the model's range
        except ValidationError as error:
            errors["date_of_birth"] = error.messages
        new["weight_kg"] = out.get("weight_kg")
        new["consents"] = consents_from_row(values, errors)
        out["new_donor"] = new
        return None

    def _check_collected(self, row, donor, out, errors):
        """donation_record's rules for a collection (collection_errors: what is missing, the
        pre-screen on the row's values), plus the bag numbers of the file and the centre."""
        bag = out["bag_number"]
        if bag in self.bags_taken:
            errors["bag_number"] = [
                _("Bag %(bag)s is already recorded at this blood centre.") % {"bag": bag}
            ]
        elif bag in self.seen_bags:
            errors["bag_number"] = [
                _("The same bag number as row %(row)s of this file.") % {"row": self.seen_bags[bag]}
            ]
        elif bag:
            self.seen_bags[bag] = row.number
        fields = {
            "bag_number": bag,
            "bag_volume_ml": out.get("bag_ml"),
            "haemoglobin_g_dl": out.get("haemoglobin"),
            "weight_kg": out.get("weight_kg"),
            "bp_systolic": out.get("bp_systolic"),
            "bp_diastolic": out.get("bp_diastolic"),
        }
        found = collection_errors(
            self._facts(donor, out),
            donated_on=self.camp.held_on,
            fields=fields,
            profile=self.camp.unit.rules_in_force,
        )
        for column, messages in columns_of(ValidationError(found)).message_dict.items():
            if column not in errors:  # a cell that could not be read says so already
                errors[column] = messages

    def _facts(self, donor, out):
        if donor is not None:
            return facts_for(donor)
        new = out.get("new_donor") or {}
        if not new.get("sex") or not new.get("date_of_birth"):
            return None
        return DonorFacts(
            sex=new["sex"],
            date_of_birth=new["date_of_birth"],
            profile=self.camp.unit.rules_in_force,  # the unit the donor will join
        )


def check_sheet(*, camp, table: sheets.Table) -> sheets.Report:
    """The dry run: every row's errors, nothing written."""
    return sheets.validate_rows(table.rows, CampRowValidator(camp=camp, rows=table.rows))


def import_sheet(*, camp, table: sheets.Table, actor, request=None) -> sheets.Report:
    """Check every row again and record them all at the camp in one transaction, or none."""
    services.ensure_open(camp)

    def write(row):
        donor = row.get("donor")
        if donor is None:
            donor = donor_create(
                actor=actor,
                unit=camp.unit,
                source=DonorSource.IMPORT,
                request=request,
                **row["new_donor"],
            )
        try:
            services.camp_donation_record(
                camp=camp,
                donor=donor,
                actor=actor,
                request=request,
                outcome=row["outcome"],
                bag_number=row["bag_number"],
                bag_volume_ml=row.get("bag_ml"),
                haemoglobin_g_dl=row.get("haemoglobin"),
                weight_kg=row.get("weight_kg"),
                bp_systolic=row.get("bp_systolic"),
                bp_diastolic=row.get("bp_diastolic"),
                deferral_category=row["deferral_reason"]
                if row["outcome"] == DonationOutcome.DEFERRED
                else "",
            )
        except ValidationError as error:
            raise columns_of(error) from None

    validator = CampRowValidator(camp=camp, rows=table.rows)
    with transaction.atomic():
        report = sheets.apply_rows(table.rows, validator, write)
        if report.applied:
            audit.record(
                action=AuditAction.IMPORT,
                request=request,
                actor=actor,
                obj=camp,
                rows=report.applied,
                format=table.format,
            )
    return report


def template_csv() -> bytes:
    columns = [*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS]
    return exports.render(exports.build_dataset(columns, [], title="camp donors"), "csv")
