"""Writing rows with PostgreSQL COPY from Python, for the bench seeder: column lists from
the model's concrete fields (a column the caller does not know gets the field's default, or
NULL, or ""), rows streamed to the server while Python builds the next ones."""

from __future__ import annotations

import io
import json
from datetime import date, datetime


def _literal(value) -> str:
    """One constant in COPY's text format (the defaults of columns the seeder leaves out)."""
    if value is None:
        return r"\N"
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, dict | list):
        value = json.dumps(value)
    return str(value).replace("\\", "\\\\").replace("\t", "\\t").replace("\n", "\\n")


def _default(field, now: datetime) -> str:
    from django.db import models

    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return _literal(now)
    if field.has_default():
        return _literal(field.get_default())
    if field.null:
        return r"\N"
    if isinstance(field, models.CharField | models.TextField):
        return ""
    raise RuntimeError(
        f"{field.model.__name__}.{field.name} is NOT NULL without a default: give the seeder "
        "a value for it in bench/seed.py"
    )


class _Stream(io.TextIOBase):
    """A file COPY reads from, fed by a generator of text chunks: PostgreSQL parses one
    chunk while Python builds the next (two processes on two cores)."""

    def __init__(self, chunks):
        self._chunks = iter(chunks)
        self._buffer = ""

    def readable(self):
        return True

    def read(self, size=-1):
        while size < 0 or len(self._buffer) < size:
            try:
                self._buffer += next(self._chunks)
            except StopIteration:
                break
        if size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


def copy_rows(cursor, model, names: list[str], rows, *, now: datetime, chunk: int = 20_000) -> int:
    """COPY ``rows`` (tuples of COPY-ready text, one per name in ``names``: attnames such as
    ``unit_id``) into ``model``'s table. A name the model lacks is dropped; a concrete column
    not in ``names`` gets its default. Answers the row count."""
    fields = model._meta.concrete_fields
    present = {field.attname for field in fields}
    keep = [i for i, name in enumerate(names) if name in present]
    missing = [field for field in fields if field.attname not in names]
    columns = [names[i] for i in keep] + [field.column for field in missing]
    suffix = "".join("\t" + _default(field, now) for field in missing)
    exact = len(keep) == len(names)
    written = 0

    def chunks():
        nonlocal written
        lines = []
        for row in rows:
            if exact:
                lines.append("\t".join(row) + suffix)
            else:
                lines.append("\t".join([row[i] for i in keep]) + suffix)
            if len(lines) >= chunk:
                written += len(lines)
                yield "\n".join(lines) + "\n"
                lines = []
        if lines:
            written += len(lines)
            yield "\n".join(lines) + "\n"

    table = model._meta.db_table
    quoted = ", ".join(f'"{column}"' for column in columns)
    cursor.copy_expert(f'COPY "{table}" ({quoted}) FROM STDIN', _Stream(chunks()), 1 << 20)
    return written


def plain_indexes(cursor, table: str) -> list[tuple[str, str]]:
    """(name, definition) of ``table``'s indexes that back no constraint."""
    cursor.execute(
        """
        SELECT i.relname, pg_get_indexdef(i.oid)
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        WHERE t.relname = %s
          AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.oid)
        """,
        [table],
    )
    return cursor.fetchall()
