"""Donors in and out of spreadsheets: the columns, the per-row checks and the export, on top
of the generic core in ``portal/sheets.py``.

The rows become donors through ``services.donors_create_bulk``, ``donor_create``'s rules
(phone normalisation, duplicates, model validation, who verified, consents, audit) for a
whole sheet in batched queries, so an import obeys the same rules as the registry form.
The dry run checks the same things without writing, in a bounded number of queries: the
units named in the file and the phones already registered are read once per file.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, QuerySet, Subquery
from django.db.models.functions import Lower
from django.utils.translation import gettext as _

from accounts import audit, ranges
from accounts.choices import AuditAction
from accounts.scoping import units_for_user
from portal import exports, sheets

from .choices import DRAWN_OUTCOMES, BloodGroup, ConsentPurpose, DonorSource
from .models import Donation
from .phones import normalise_phone
from .privacy import listed_phone
from .selectors import donors_for
from .services import donor_field_errors, donors_create_bulk, find_duplicates

REQUIRED_COLUMNS = ["name", "sex", "date_of_birth", "blood_group", "phone", "unit"]
OPTIONAL_COLUMNS = [
    "email",
    "locality",
    "weight_kg",
    "is_police",
    "rank",
    "badge_number",
    "living_blood_bank",
    "last_donated_on",
    "eraktkosh_id",
    "preferred_language",
    # The donor's consent per purpose, given to the unit that collected the list (yes/no).
    "consent_registry",
    "consent_reminders",
]
IMPORT_COLUMNS = REQUIRED_COLUMNS + OPTIONAL_COLUMNS
# A column whose Donor field has another name; the rest are named as the field.
FIELD_OF_COLUMN = {"last_donated_on": "external_last_donation_on"}
COLUMN_OF_FIELD = {field: column for column, field in FIELD_OF_COLUMN.items()}
# The weight range the registry form accepts (DonorForm.clean_weight_kg).
# find_duplicates' refusals (donors.services), worded per row by duplicate_message.
DUPLICATE_CODES = {"duplicate", "duplicate_in_batch", "phone_full"}
PHONE_CHUNK = 500  # phones per IN (...) query: well under SQLite's variable limit

SEXES = {
    "m": "M",
    "male": "M",
    "पुरुष": "M",
    "f": "F",
    "female": "F",
    "महिला": "F",
    "o": "O",
    "other": "O",
    "अन्य": "O",
}
TRUE_WORDS = {"yes", "y", "1", "true", "t", "हाँ", "हां"}
FALSE_WORDS = {"no", "n", "0", "false", "f", "नहीं", ""}
BLOOD_GROUPS = frozenset(BloodGroup.values)
LANGUAGES = {
    "en": "en",
    "english": "en",
    "hi": "hi",
    "hindi": "hi",
    "हिंदी": "hi",
    "vi": "vi",
    "vietnamese": "vi",
    "tiếng việt": "vi",
}


def max_bytes() -> int:
    return settings.DONOR_IMPORT_MAX_BYTES


def max_rows() -> int:
    return settings.DONOR_IMPORT_MAX_ROWS


def read_donor_file(data: bytes, *, filename: str) -> sheets.Table:
    """The donor rows of an uploaded CSV or .xlsx, or an UploadError saying what is wrong."""
    return sheets.read_table(
        data,
        filename=filename,
        columns=IMPORT_COLUMNS,
        required=REQUIRED_COLUMNS,
        max_rows=max_rows(),
        max_bytes=max_bytes(),
    )


# --- One cell ---------------------------------------------------------------------------


def parse_sex(value) -> str:
    sex = SEXES.get(sheets.cell_text(value).lower())
    if sex is None:
        raise ValidationError(_("Write M, F or O."))
    return sex


def parse_blood_group(value) -> str:
    """A+ A- B+ B- AB+ AB- O+ O- Oh, or empty; forgiving of "B +ve", "o neg", "A−"."""
    text = sheets.cell_text(value).upper().replace(" ", "").replace("−", "-").replace("–", "-")
    for written, sign in (("+VE", "+"), ("-VE", "-"), ("POSITIVE", "+"), ("NEGATIVE", "-")):
        text = text.replace(written, sign)
    text = text.replace("POS", "+").replace("NEG", "-")
    if text in ("OH", "BOMBAY"):
        return BloodGroup.BOMBAY
    if text in BLOOD_GROUPS:
        return text
    raise ValidationError(
        _(
            "“%(value)s” is not a blood group. Write A+, A-, B+, B-, AB+, AB-, O+, O-, Oh "
            "or leave it empty."
        ),
        params={"value": sheets.cell_text(value)},
    )


def parse_bool(value) -> bool:
    if isinstance(value, bool):
        return value
    text = sheets.cell_text(value).lower()
    if text in TRUE_WORDS:
        return True
    if text in FALSE_WORDS:
        return False
    raise ValidationError(_("Write yes or no."))


def parse_weight(value) -> Decimal | None:
    text = sheets.cell_text(value).lower().removesuffix("kg").strip()
    if not text:
        return None
    try:
        weight = Decimal(text)
    except InvalidOperation:
        weight = None
    if weight is None or not weight.is_finite():
        raise ValidationError(_("Enter the weight in kilograms, as a number."))
    ranges.validate_donor_weight(weight)  # the model's range, before the row is rounded
    return weight.quantize(Decimal("0.1"))


def parse_language(value) -> str | None:
    text = sheets.cell_text(value).lower()
    if not text:
        return None
    if text not in LANGUAGES:
        raise ValidationError(_("Write en or hi."))
    return LANGUAGES[text]


def parse_phone(value) -> str:
    return normalise_phone(sheets.cell_text(value))


def consents_from_row(values: dict, errors: dict) -> list[str]:
    """The purposes a row's consent_registry / consent_reminders columns say yes to (what
    ``donor_create`` records); a bad cell, or reminders without the registry, is the row's
    error on that column."""
    consents = []
    for column, purpose in (
        ("consent_registry", ConsentPurpose.REGISTRY),
        ("consent_reminders", ConsentPurpose.REMINDERS),
    ):
        try:
            if parse_bool(values.get(column)):
                consents.append(purpose)
        except ValidationError as error:
            errors[column] = error.messages
    if consents == [ConsentPurpose.REMINDERS]:
        errors["consent_reminders"] = [_("Reminders need the donor's consent to the registry.")]
    return consents


def duplicate_message(error: ValidationError, numbers: list[int]) -> str:
    """``find_duplicates``' refusal of a row as the sheet says it: the same person twice in
    the file names the first row by its number (``numbers``: each checked row's)."""
    [problem] = error.error_dict["phone"]
    if problem.code == "duplicate_in_batch":
        return _("The same person as row %(row)s of this file.") % {
            "row": numbers[problem.params["first"]]
        }
    return problem.messages[0]


# --- One row ----------------------------------------------------------------------------


class _Person(NamedTuple):
    """What ``find_duplicates`` compares of a row (no Donor built: a tenth of a second for
    a 10,000-row sheet)."""

    phone: str
    name: str
    date_of_birth: date


class DonorRowValidator:
    """Checks one row and answers the keyword arguments of ``donor_create``.

    Built per run, so "the same phone twice in the file" counts within that run. The units
    named in the file and the phones already registered are read on the first row."""

    def __init__(self, *, user, rows, check_model: bool = True, check_duplicates: bool = True):
        self.user = user
        self.rows = rows
        # The apply leaves the model's checks and the duplicate rule to donors_create_bulk,
        # which runs them anyway (the duplicates under the phones' lock).
        self.check_model = check_model
        self.check_duplicates = check_duplicates
        self.units = None  # code (lower case) → unit, for the codes the file names
        self.memo = {}  # the model's answer per field and value already checked
        self.parsed = {}  # the phone cell's text → E.164, or its ValidationError: parsed once
        self.duplicates = {}  # row number → find_duplicates' messages

    def _load(self):
        codes = {sheets.cell_text(row.values.get("unit")).lower() for row in self.rows} - {""}
        units = units_for_user(self.user).alias(code_lower=Lower("code"))
        self.units = {unit.code.lower(): unit for unit in units.filter(code_lower__in=codes)}
        self.duplicates = {}
        if self.check_duplicates:
            self._load_duplicates()

    def _load_duplicates(self):
        # The registry's duplicate rule (donors.services.find_duplicates, as the apply's
        # donors_create_bulk runs it) over every row whose number, name and date of birth
        # parse: the same person registered or twice in the file, a number already full.
        people, numbers = [], []
        for row in self.rows:
            phone = self._phone(row)
            if isinstance(phone, ValidationError):
                continue
            try:
                born = sheets.parse_date(row.values.get("date_of_birth"), required=True)
            except ValidationError:
                continue
            people.append(_Person(phone, sheets.cell_text(row.values.get("name")), born))
            numbers.append(row.number)
        refused = find_duplicates(people, viewer=self.user)
        self.duplicates = {
            numbers[index]: [duplicate_message(error, numbers)] for index, error in refused.items()
        }

    def __call__(self, row: sheets.Row) -> dict:
        if self.units is None:
            self._load()
        values, errors, fields = row.values, {}, {}

        def take(column, parse, **kwargs):
            try:
                fields[FIELD_OF_COLUMN.get(column, column)] = parse(values.get(column), **kwargs)
            except ValidationError as error:
                errors[column] = error.messages

        fields["name"] = sheets.cell_text(values.get("name"))
        take("sex", parse_sex)
        take("date_of_birth", sheets.parse_date, required=True)
        take("blood_group", parse_blood_group)
        take("weight_kg", parse_weight)
        take("is_police", parse_bool)
        take("living_blood_bank", parse_bool)
        take("last_donated_on", sheets.parse_date)
        take("preferred_language", parse_language)
        for column in ("email", "locality", "rank", "badge_number", "eraktkosh_id"):
            fields[column] = sheets.cell_text(values.get(column))
        if fields.get("preferred_language") is None:
            fields.pop("preferred_language", None)  # the model's default
        self._check_unit(values.get("unit"), fields, errors)
        self._check_phone(row, fields, errors)
        if self.check_model:
            self._check_model(fields, errors)
        consents = consents_from_row(values, errors)
        if errors:
            raise ValidationError(errors)
        fields["source"] = DonorSource.IMPORT
        fields["consents"] = consents
        return fields

    def _check_unit(self, value, fields, errors):
        code = sheets.cell_text(value)
        unit = self.units.get(code.lower()) if code else None
        if unit is None:
            errors["unit"] = [
                _("No police unit with the code “%(code)s” in your jurisdiction.") % {"code": code}
                if code
                else _("Enter the police unit's code.")
            ]
        fields["unit"] = unit

    def _phone(self, row) -> str | ValidationError:
        """The row's number as E.164, or why not: each distinct cell parsed once a run."""
        text = sheets.cell_text(row.values.get("phone"))
        if text not in self.parsed:
            try:
                self.parsed[text] = parse_phone(text)
            except ValidationError as error:
                self.parsed[text] = error
        return self.parsed[text]

    def _check_phone(self, row, fields, errors):
        phone = self._phone(row)
        if isinstance(phone, ValidationError):
            errors["phone"] = phone.messages
            return
        fields["phone"] = phone
        if row.number in self.duplicates:
            errors["phone"] = self.duplicates[row.number]

    def _check_model(self, fields, errors):
        """The model's own field checks (lengths, e-mail, blanks) on the fields that passed
        the checks above, as ``donors_create_bulk`` runs them: no donor built, no query."""
        failed = {FIELD_OF_COLUMN.get(column, column) for column in errors}
        given = {name: value for name, value in fields.items() if name not in failed}
        for name, messages in donor_field_errors(
            given, exclude={"unit", *failed}, memo=self.memo
        ).items():
            errors.setdefault(COLUMN_OF_FIELD.get(name, name), []).extend(messages)


# --- The batch --------------------------------------------------------------------------


def check_donor_rows(*, table: sheets.Table, user, progress=None) -> sheets.Report:
    """The dry run: every row's errors, nothing written."""
    validator = DonorRowValidator(user=user, rows=table.rows)
    with ranges.same_day():
        return sheets.validate_rows(table.rows, validator, progress)


def import_donors(*, table: sheets.Table, actor, request=None, progress=None) -> sheets.Report:
    """Check every row again and register them all as verified, imported donors in one
    transaction, or none if any row fails; each donor's creation, and the import, go to the
    audit log.

    The rows are parsed again here and handed to ``donors_create_bulk``, which runs the
    model's checks and the duplicate rule itself (once, under the phones' lock). Should a
    row fail its parse (the file or the registry changed since the dry run), the answer is
    the dry run's: every row's errors, duplicates and model checks included."""
    validator = DonorRowValidator(
        user=actor, rows=table.rows, check_model=False, check_duplicates=False
    )
    numbers = [row.number for row in table.rows]
    written = []  # the rows handed to the write: every row parsed

    def write_all(rows):
        written.append(len(rows))
        return _create_all(rows, actor=actor, request=request, numbers=numbers)

    with transaction.atomic(), ranges.same_day():
        report = sheets.apply_rows(table.rows, validator, write_all=write_all, progress=progress)
        if report.applied:
            audit.record(
                action=AuditAction.IMPORT,
                request=request,
                actor=actor,
                rows=report.applied,
                format=table.format,
                units=sorted({r.cleaned["unit"].code for r in report.results}),
            )
    if not report.ok and not written:  # refused before the write: say all that is wrong
        return check_donor_rows(table=table, user=actor)
    return report


def _create_all(rows: list[dict], *, actor, request, numbers: list[int]) -> list:
    """``donors_create_bulk``, its field errors named by the sheet's columns and its
    duplicates as the dry run words them."""
    try:
        return donors_create_bulk(actor=actor, request=request, rows=rows)
    except sheets.RowsRefused as refused:
        by_index = {}
        for index, error in refused.by_index.items():
            errors = {}
            for name, messages in error.message_dict.items():
                errors[COLUMN_OF_FIELD.get(name, name)] = messages
            if _is_duplicate(error):
                errors["phone"] = [duplicate_message(error, numbers)]
            by_index[index] = ValidationError(errors)
        raise sheets.RowsRefused(by_index) from None


def _is_duplicate(error: ValidationError) -> bool:
    problems = getattr(error, "error_dict", {}).get("phone", [])
    return len(problems) == 1 and problems[0].code in DUPLICATE_CODES


def template_csv() -> bytes:
    """The header row people fill in."""
    return exports.render(exports.build_dataset(IMPORT_COLUMNS, [], title="donors"), "csv")


# --- Export -----------------------------------------------------------------------------

EXPORT_COLUMNS = [
    ("name", lambda d: d.name),
    ("sex", lambda d: d.sex),
    ("date_of_birth", lambda d: d.date_of_birth),
    ("blood_group", lambda d: d.blood_group),
    ("phone", lambda d: d.phone),
    ("unit", lambda d: d.unit.code),
    ("unit_name", lambda d: d.unit.name),
    ("locality", lambda d: d.locality),
    ("is_police", lambda d: _yes_no(d.is_police)),
    ("rank", lambda d: d.rank),
    ("badge_number", lambda d: d.badge_number),
    ("weight_kg", lambda d: d.weight_kg),
    ("living_blood_bank", lambda d: _yes_no(d.living_blood_bank)),
    ("verified", lambda d: _yes_no(d.verified_at is not None)),
    ("last_donated_on", lambda d: _last_donated_on(d)),
    ("eraktkosh_id", lambda d: d.eraktkosh_id),
]


def _yes_no(value: bool) -> str:
    # Written as the import reads it, so an exported sheet can be imported elsewhere.
    return "yes" if value else "no"


def _last_donated_on(donor) -> date | None:
    dates = [d for d in (donor.last_drawn_on, donor.external_last_donation_on) if d]
    return max(dates) if dates else None


def export_queryset(queryset: QuerySet) -> QuerySet:
    """``queryset`` with what the columns read, in one query whatever the row count."""
    latest = (
        Donation.objects.filter(donor=OuterRef("pk"), outcome__in=DRAWN_OUTCOMES)
        .order_by("-donated_on")
        .values("donated_on")[:1]
    )
    return (
        queryset.select_related("unit")
        .annotate(last_drawn_on=Subquery(latest))
        .order_by("name", "id")
    )


EXPORT_HEADERS = [header for header, _read in EXPORT_COLUMNS]
EXPORT_CHUNK = 2000  # donors read per round trip (a server-side cursor on PostgreSQL)


def export_rows(queryset: QuerySet, viewer=None) -> Iterator[list]:
    """One list of cells per donor of ``queryset``, read in chunks, never all at once.
    Scope and filter ``queryset`` before calling. With a ``viewer``, phones are as the list
    shows them to that user (masked for staff beyond their own unit)."""
    phone_at = EXPORT_HEADERS.index("phone")
    for donor in export_queryset(queryset).iterator(chunk_size=EXPORT_CHUNK):
        row = [read(donor) for _header, read in EXPORT_COLUMNS]
        if viewer is not None:
            row[phone_at] = listed_phone(viewer, donor)
        yield row


def export_donors_csv(queryset: QuerySet, viewer=None) -> Iterator[bytes]:
    """The CSV file's bytes, piece by piece, for a streaming response."""
    return exports.stream_csv(EXPORT_HEADERS, export_rows(queryset, viewer))


def export_donors_xlsx(queryset: QuerySet, viewer=None) -> bytes:
    """The .xlsx file's bytes, written row by row in openpyxl's write-only mode."""
    return exports.write_xlsx(EXPORT_HEADERS, export_rows(queryset, viewer), title="donors")


def export_for_job(out, *, user, query: str, fmt: str, progress=None) -> None:
    """The export the list page's filters ``query`` (a query string) select from what
    ``user`` sees, written to ``out`` as ``fmt``, for a worker (``tasks.export_donor_sheet``)."""
    from django.http import QueryDict

    from .filters import DonorFilterSet

    filterset = DonorFilterSet(QueryDict(query), queryset=donors_for(user))
    donors = filterset.qs if filterset.is_valid() else donors_for(user).none()

    def counted(rows):
        for done, row in enumerate(rows, start=1):
            if progress is not None and done % EXPORT_CHUNK == 0:
                progress(done)
            yield row

    rows = counted(export_rows(donors, user))
    if fmt == "csv":
        for chunk in exports.stream_csv(EXPORT_HEADERS, rows):
            out.write(chunk)
    else:
        out.write(exports.write_xlsx(EXPORT_HEADERS, rows, title="donors"))
