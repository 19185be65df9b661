"""Importing spreadsheets (CSV and Excel .xlsx): the generic core. Writing them is
``portal/exports.py``; keeping an upload between the dry run and the apply is
``portal/uploads.py``.

The donor import and export (``donors/spreadsheets.py``), a camp's donor sheet
(``camps/spreadsheets.py``) and the camp and dashboard reports use it, so nothing here knows
what a donor is; the upload page they share is ``portal/views.py``. The flow:

1. ``read_upload`` takes the uploaded bytes (size-capped); ``read_table`` turns them into a
   ``Table`` of rows, streaming (CSV through the ``csv`` module, .xlsx through openpyxl's
   read-only mode) and stopping at the row and unpacked-size caps, or raises
   ``UploadError`` with a message a person can act on.
2. ``validate_rows`` — the dry run — runs a per-row validator (a callable raising a
   ``ValidationError`` keyed by column) over every row and returns a ``Report``: each row's
   errors under the row number the spreadsheet shows, each valid row's cleaned value.
3. ``apply_rows`` validates every row again and, only when none has an error, writes them
   all in one transaction; if a write still fails (the same phone registered a second ago)
   the whole batch rolls back. All or nothing.

Why tablib and a small loop, not django-import-export's ``Resource``: a Resource maps
columns onto model fields and saves through ``Model.save()``, while our rules live in
services (``donor_create`` normalises the phone, refuses duplicates, stamps who verified)
and in scoping (a unit outside the user's jurisdiction is a row error, not a foreign-key
miss). Bending a Resource to call a service per row, number rows as the spreadsheet does
and refuse a partly-bad batch takes more code than this module. tablib — import-export's
own file layer — writes the exports.

Exports neutralise formulas with a leading apostrophe (``portal.exports``); the import strips
it again (``clean_cell``), so an exported sheet can be edited and re-imported.

A little past ~400 lines: reading a file, its cells and the all-or-nothing apply are one
flow, read top to bottom.
"""

import contextlib
import csv
import gc
import io
import itertools
import logging
import re
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

import openpyxl
from django.conf import settings
from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

logger = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx")
# OWASP "CSV injection": a cell starting with one of these may run as a formula (exports
# neutralise them with an apostrophe; the import strips it again).
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")


class UploadError(Exception):
    """The file as a whole cannot be used; the message says what to do about it."""


@dataclass(frozen=True)
class Row:
    """One data row. ``number`` is the row as the spreadsheet shows it (the header is 1)."""

    number: int
    values: dict[str, Any]


@dataclass
class Table:
    format: str
    columns: list[str]
    rows: list[Row]
    ignored_columns: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class RowError:
    row: int
    field: str  # the column; empty when the error concerns the row as a whole
    message: str


@dataclass
class RowResult:
    row: Row
    cleaned: Any = None
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class Report:
    results: list[RowResult]
    applied: int = 0  # rows written; 0 after a dry run or a refused apply

    @property
    def errors(self) -> list[RowError]:
        return [error for result in self.results for error in result.errors]

    @property
    def error_rows(self) -> int:
        return sum(1 for result in self.results if not result.ok)

    @property
    def valid_rows(self) -> int:
        return len(self.results) - self.error_rows

    @property
    def ok(self) -> bool:
        """Every row is valid (and there is at least one): the batch may be applied."""
        return bool(self.results) and self.error_rows == 0


# --- Reading ---------------------------------------------------------------------------


def normalise_header(text: Any) -> str:
    """``" Date of birth "`` → ``"date_of_birth"``: headers as people type them."""
    return "_".join(str(text or "").strip().lower().replace("-", " ").split())


def clean_cell(value: Any) -> Any:
    """Strip text and undo our own formula neutralisation; other values pass unchanged."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = value.strip()
        if value.startswith("'") and value[1:2] and value[1] in FORMULA_TRIGGERS:
            value = value[1:]
    return value


def read_upload(upload, *, max_bytes: int) -> bytes:
    """The bytes of an uploaded file, refusing one larger than ``max_bytes``."""
    if getattr(upload, "size", 0) and upload.size > max_bytes:
        raise UploadError(_too_big(max_bytes))
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise UploadError(_too_big(max_bytes))
    return data


def _too_big(max_bytes: int) -> str:
    return _("The file is larger than %(size)s. Split it into smaller files.") % {
        "size": filesizeformat(max_bytes)
    }


def file_format(filename: str) -> str:
    """``"csv"`` or ``"xlsx"`` from the file's name, or an UploadError naming what to do."""
    ext = PurePath(filename or "").suffix.lower().lstrip(".")
    if ext in FORMATS:
        return ext
    if ext == "xls":
        raise UploadError(
            _("This is an old Excel (.xls) file. Open it in Excel and save it as .xlsx or CSV.")
        )
    raise UploadError(_("Upload a .csv or an Excel .xlsx file."))


def read_table(
    data: bytes,
    *,
    filename: str,
    columns: Sequence[str],
    required: Sequence[str],
    max_rows: int,
    max_bytes: int,
) -> Table:
    """Parse ``data`` (named ``filename``) into rows keyed by the known ``columns``.

    Headers match loosely (case, spaces); unknown columns are ignored and listed; rows with
    every known cell blank are skipped. Rows are numbered as the spreadsheet shows them.

    The file is read row by row (CSV through the ``csv`` module, .xlsx through openpyxl's
    read-only mode) and reading stops the moment the row cap or the unpacked-size cap
    (IMPORT_MAX_UNPACKED_BYTES) is passed: a small zip that unpacks to a huge sheet costs
    what the cap allows, not what it holds."""
    fmt = file_format(filename)
    if not data.strip():
        raise UploadError(_("The file is empty."))
    records = _xlsx_records(data, max_rows) if fmt == "xlsx" else _csv_records(data)
    header_cells = next(records, None) or []
    headers = [normalise_header(h) for h in header_cells]
    if not any(headers):
        raise UploadError(_("The first row must name the columns. Download the template."))
    # A first row wider than the header says more about the file than its column names.
    first = next(records, None)
    if first is not None and _wider(first[1], headers):
        raise UploadError(_wider_than_header(fmt, first[0]))
    records = itertools.chain([first] if first is not None else [], records)
    known = [h for h in headers if h in columns]
    twice = sorted({h for h in known if known.count(h) > 1})
    if twice:
        raise UploadError(_("These columns appear twice: %(columns)s.") % _listed(twice))
    missing = [c for c in required if c not in headers]
    if missing:
        raise UploadError(
            _("Missing columns: %(columns)s. The first row must name them; see the template.")
            % _listed(missing)
        )
    rows = []
    with collecting_less():
        for count, (number, cells) in enumerate(records, start=1):
            if count > max_rows:
                raise UploadError(_too_many(max_rows))
            if _wider(cells, headers):
                raise UploadError(_wider_than_header(fmt, number))
            values = {
                h: clean_cell(v) for h, v in zip(headers, cells, strict=False) if h in columns
            }
            if any(v not in ("", None) for v in values.values()):
                rows.append(Row(number=number, values=values))
    if not rows:
        raise UploadError(_("The file has a header row but no rows of data."))
    ignored = [h for h in dict.fromkeys(headers) if h and h not in columns]
    return Table(format=fmt, columns=known, rows=rows, ignored_columns=ignored)


def _listed(names) -> dict:
    return {"columns": ", ".join(names)}


def _too_many(max_rows: int) -> str:
    return _("The file has more than %(max)s rows. Split it into smaller files.") % {
        "max": max_rows
    }


def _wider(cells, headers) -> bool:
    return any(cell not in ("", None) for cell in cells[len(headers) :])


def _wider_than_header(fmt: str, number: int) -> str:
    if fmt == "xlsx":
        return _(
            "A row has cells to the right of the last named column. Remove them and try again."
        )
    return _(
        "Row %(row)s has more cells than the header row has columns. Remove the extra "
        "cells (or stray commas) and try again."
    ) % {"row": number}


def _csv_records(data: bytes):
    """The header row, then (row number, cells) for each non-empty record, read lazily."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UploadError(
            _("The file is not a UTF-8 CSV. In Excel choose “Save as” → “CSV UTF-8”.")
        ) from None
    if "\x00" in text:
        raise UploadError(_("The file is not a CSV text file."))
    reader = csv.reader(io.StringIO(text, newline=""))
    try:
        header = next((record for record in reader if record), None)
        yield header
        for record in reader:
            if record:
                yield reader.line_num, record
    except csv.Error:  # a stray quote, a field past the csv module's limit…
        logger.info("unreadable CSV upload", exc_info=True)
        raise UploadError(_("The CSV file could not be read. Check it and try again.")) from None


def _xlsx_records(data: bytes, max_rows: int | None = None):
    """The first sheet's header row, then (row number, cells) per row, from openpyxl's
    read-only (streaming) reader, after checking how big the workbook really unpacks.

    A sheet of more than ``max_rows`` rows after the header is refused before openpyxl
    parses a cell: when its ``<dimension>`` says so, or when its ``<row>`` elements, counted
    in the raw XML as the size check inflates it, say so. Parsing was what a row bomb cost
    (20,000 rows read before the cap stopped them: 50–81 s of a worker's time under load,
    bench/README.md); counting tags costs what inflating does. ``read_table`` still counts
    the rows it gets, should both lie."""
    not_xlsx = _("The file is not a valid Excel .xlsx workbook. Open it in Excel and save again.")
    stream = io.BytesIO(data)
    if not zipfile.is_zipfile(stream):
        raise UploadError(not_xlsx)
    row_tags = _check_unpacked_size(stream, not_xlsx)
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a damaged workbook
        logger.info("unreadable XLSX upload", exc_info=True)
        raise UploadError(not_xlsx) from None
    try:
        sheet = workbook.worksheets[0]
        if max_rows is not None:
            claimed = (sheet.max_row or 1) - 1  # rows after the header, as <dimension> says
            tagged = row_tags.get(sheet._worksheet_path.lstrip("/"), 0) - 1
            if max(claimed, tagged) > max_rows:
                raise UploadError(_too_many(max_rows))
        # openpyxl stops at the rows and columns <dimension> claims: a sheet whose generator
        # wrote it too small would lose its last rows or columns without a word. The cap is
        # checked above; read what the sheet holds.
        sheet.reset_dimensions()
        rows = sheet.iter_rows(values_only=True)
        header = next(rows, None)
        yield list(_trim(header or ()))
        for number, cells in enumerate(rows, start=2):
            yield number, list(_trim(cells))
    except UploadError:
        raise
    except Exception:
        logger.info("unreadable XLSX upload", exc_info=True)
        raise UploadError(not_xlsx) from None
    finally:
        workbook.close()


def _dimensions_before_the_data(self) -> None:
    """A read-only sheet's size from its ``<dimension>``, looked for only before
    ``<sheetData>`` begins.

    openpyxl (3.1) looks for it on *end* events and stops at the end of ``<sheetData>``, so
    a sheet without a ``<dimension>`` is parsed whole as the workbook opens, before its first
    row is read: a 20 MB sheet of 48,000 rows cost the worker 17 s however early the row
    cap then stopped the reading (bench/xlsx_bombs.py). In a valid sheet ``<dimension>``
    comes before ``<sheetData>`` (ECMA-376, CT_Worksheet), so the answer is the same."""
    from openpyxl.worksheet._reader import DATA_TAG, DIMENSION_TAG
    from openpyxl.worksheet.dimensions import SheetDimension
    from openpyxl.xml.functions import iterparse

    with self._get_source() as source:
        for _event, element in iterparse(source, events=("start",)):
            if element.tag == DIMENSION_TAG:
                boundaries = SheetDimension.from_tree(element).boundaries
                self._min_column, self._min_row, self._max_column, self._max_row = boundaries
                return
            if element.tag == DATA_TAG:
                return


# Every read-only workbook the portal opens (imports only) sizes its sheets this way.
ReadOnlyWorksheet._get_size = _dimensions_before_the_data


def _trim(cells) -> list:
    """A read-only sheet pads every row to the widest: drop the empty cells at the end."""
    cells = list(cells)
    while cells and cells[-1] in ("", None):
        cells.pop()
    return cells


# A row's start tag (``<row r="2">``, not ``<rowBreaks>``), and the rarer prefixed form
# (``<x:row>``), looked for only in chunks that hold ``:row`` (the general pattern costs
# six times as much). Counted across 64 KB chunks, so a tag may straddle two of them.
_ROW_TAG = re.compile(rb"<row[\s/>]")
_PREFIXED_ROW_TAG = re.compile(rb"<[A-Za-z_][\w.-]{0,15}:row[\s/>]")
_ROW_TAG_SPAN = 32


def _row_tags(text: bytes) -> int:
    count = len(_ROW_TAG.findall(text))
    if b":row" in text:
        count += len(_PREFIXED_ROW_TAG.findall(text))
    return count


def _check_unpacked_size(stream, not_xlsx: str) -> dict[str, int]:
    """Refuse a workbook that unpacks past IMPORT_MAX_UNPACKED_BYTES, by what its members
    really inflate to (a zip's declared sizes can lie), stopping as soon as it is past.
    Returns the number of ``<row>`` start tags in each worksheet member, counted on the way
    (the row cap's first check, before any XML is parsed)."""
    limit = settings.IMPORT_MAX_UNPACKED_BYTES
    too_big = _("The workbook unpacks to more than %(size)s. Split it into smaller files.") % {
        "size": filesizeformat(limit)
    }
    row_tags = {}
    try:
        with zipfile.ZipFile(stream) as archive:
            if sum(info.file_size for info in archive.infolist()) > limit:
                raise UploadError(too_big)
            total = 0
            for info in archive.infolist():
                sheet = info.filename.startswith("xl/worksheets/")
                rows, carry = 0, b""
                with archive.open(info) as member:
                    while chunk := member.read(64 * 1024):
                        total += len(chunk)
                        if total > limit:
                            raise UploadError(too_big)
                        if sheet:  # the tags wholly inside ``carry`` were counted last time
                            text = carry + chunk
                            rows += _row_tags(text) - _row_tags(carry)
                            carry = text[-_ROW_TAG_SPAN:]
                if sheet:
                    row_tags[info.filename] = rows
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        raise UploadError(not_xlsx) from None
    stream.seek(0)
    return row_tags


# --- Reading cells ------------------------------------------------------------------------

# Dates as Indian offices type them, after ISO 8601 and Excel's own date cells.
DATE_FORMATS = ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y")


def cell_text(value) -> str:
    """A cell as text; Excel's 12345.0 for a number typed as 12345 becomes "12345"."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return "" if value is None else str(value).strip()


def parse_date(value, *, required: bool = False) -> date | None:
    """ISO (YYYY-MM-DD), Indian DD/MM/YYYY (or with - or .), or an Excel date cell."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    text = cell_text(value)
    if not text:
        if required:
            raise ValidationError(_("Enter a date."))
        return None
    try:
        return datetime.fromisoformat(text).date()
    except ValueError:
        pass
    for fmt in DATE_FORMATS:
        try:
            return datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise ValidationError(
        _("“%(value)s” is not a date. Write YYYY-MM-DD or DD/MM/YYYY."), params={"value": text}
    )


# --- Validating and applying -------------------------------------------------------------

Validator = Callable[[Row], Any]
Writer = Callable[[Any], Any]


def errors_of(number: int, error: ValidationError) -> list[RowError]:
    """One RowError per message of ``error``; a dict's keys are the columns."""
    if hasattr(error, "error_dict"):
        return [
            RowError(number, "" if column == NON_FIELD_ERRORS else column, message)
            for column, messages in error.message_dict.items()
            for message in messages
        ]
    return [RowError(number, "", message) for message in error.messages]


Progress = Callable[[int], Any]  # called with the rows checked so far
PROGRESS_EVERY = 500


@contextlib.contextmanager
def collecting_less():
    """Python's cycle collector paused while a sheet's rows are checked or written (on again
    after, if it was on). Every row leaves a few dicts and objects that live to the end, so
    the collector would walk the growing heap again and again for cycles there are none
    of: a quarter of a 10,000-row apply's CPU time (bench/README.md). Reference counting
    still frees everything as usual. A pause already in force is left alone."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def validate_rows(rows: Iterable[Row], validate: Validator, progress: Progress | None = None):
    """The dry run: every row through ``validate``; nothing is written. ``progress`` hears
    how many rows are done every PROGRESS_EVERY rows."""
    results = []
    with collecting_less():
        for done, row in enumerate(rows, start=1):
            result = RowResult(row=row)
            try:
                result.cleaned = validate(row)
            except ValidationError as error:
                result.errors = errors_of(row.number, error)
            results.append(result)
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)
    return Report(results=results)


def slim(report: Report, *, keep_cleaned: int) -> Report:
    """``report`` small enough to keep in a job record for a 20,000-row sheet: every row's
    number and errors (so every count stays exact), the cells and cleaned values of only
    the first ``keep_cleaned`` valid rows (what the page shows)."""
    results, kept = [], 0
    for result in report.results:
        cleaned = None
        if result.ok and kept < keep_cleaned:
            cleaned, kept = result.cleaned, kept + 1
        results.append(
            RowResult(row=Row(result.row.number, {}), cleaned=cleaned, errors=result.errors)
        )
    return Report(results=results, applied=report.applied)


class RowsRefused(ValidationError):
    """A bulk writer's refusal of some rows of a batch: ``by_index`` maps the position of
    each refused row in the batch to its ValidationError (field errors, as a service
    raises them for one row)."""

    def __init__(self, by_index: dict[int, ValidationError]):
        self.by_index = dict(by_index)
        super().__init__([error for _index, error in sorted(self.by_index.items())])


BulkWriter = Callable[[list], Any]


def apply_rows(
    rows: Iterable[Row],
    validate: Validator,
    write: Writer | None = None,
    *,
    write_all: BulkWriter | None = None,
    progress: Progress | None = None,
) -> Report:
    """Validate every row again and, when none has an error, write them all in one
    transaction: ``write`` each cleaned row, or ``write_all`` the list of them at once (a
    bulk service, which raises ``RowsRefused`` naming the rows it refuses). One error
    anywhere — found now or raised by a write — and nothing is written. ``report.applied``
    says how many rows were written."""
    with transaction.atomic(), collecting_less():
        report = validate_rows(rows, validate, progress)
        if not report.ok:
            return report
        if write_all is not None:
            try:
                write_all([result.cleaned for result in report.results])
            except RowsRefused as refused:
                for index, error in refused.by_index.items():
                    result = report.results[index]
                    result.errors = errors_of(result.row.number, error)
        else:
            for result in report.results:
                try:
                    write(result.cleaned)
                except ValidationError as error:
                    result.errors = errors_of(result.row.number, error)
        if report.error_rows:
            transaction.set_rollback(True)
        else:
            report.applied = len(report.results)
        return report
