"""Writing spreadsheets (CSV and Excel .xlsx) for exports and reports: the generic core.

Exports neutralise formulas (OWASP "CSV injection"): a text cell starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return gets a leading apostrophe, in CSV and XLSX alike,
phone numbers included (``'+919876543210`` still reads as the number); ``portal.sheets``
strips it again on import, so an exported sheet can be edited and re-imported. A large CSV
streams (``stream_csv``) and a large XLSX is written in openpyxl's write-only mode."""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

import openpyxl
import tablib
from django.utils import timezone
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .sheets import FORMULA_TRIGGERS

CONTENT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def neutralise(value: Any) -> Any:
    """A text cell that a spreadsheet could run as a formula, prefixed with an apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_TRIGGERS):
        return "'" + value
    return value


def build_dataset(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str):
    """A tablib Dataset of ``rows`` with every cell neutralised."""
    dataset = tablib.Dataset(headers=list(headers), title=title)
    for row in rows:
        dataset.append([neutralise(value) for value in row])
    return dataset


def render(dataset: tablib.Dataset, fmt: str) -> bytes:
    """The file's bytes. CSV carries a UTF-8 byte-order mark so Excel shows Hindi names."""
    if fmt == "xlsx":
        return dataset.export("xlsx")
    return ("\ufeff" + dataset.export("csv")).encode("utf-8")


# A streamed CSV is sent in pieces of about this many characters.
STREAM_CHUNK_CHARS = 64 * 1024


def stream_csv(headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[bytes]:
    """The bytes ``render(build_dataset(headers, rows), "csv")`` would answer (byte-order
    mark, header row, every cell neutralised, the same dialect), a piece at a time: a
    ``StreamingHttpResponse`` sends a registry of a million donors without holding the file,
    or its rows, in memory."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    buffer.write("\ufeff")
    writer.writerow(list(headers))
    for row in rows:
        writer.writerow([neutralise(value) for value in row])
        if buffer.tell() >= STREAM_CHUNK_CHARS:
            yield buffer.getvalue().encode("utf-8")
            buffer.seek(0)
            buffer.truncate()
    yield buffer.getvalue().encode("utf-8")


def write_xlsx(headers: Sequence[str], rows: Iterable[Sequence[Any]], *, title: str) -> bytes:
    """An .xlsx of ``rows`` in openpyxl's write-only mode: each row goes to a temporary file
    as it comes, so memory holds the compressed file, not a cell object per value. The sheet
    reads as ``render`` makes it: named ``title``, bold header row frozen, cells neutralised
    (dates stay date cells)."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for text in headers:
        cell = WriteOnlyCell(sheet, value=text)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for row in rows:
        sheet.append([neutralise(value) for value in row])
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


def filename_for(stem: str, fmt: str) -> str:
    return f"{stem}-{timezone.localtime():%Y%m%d-%H%M}.{fmt}"
