"""Back up a PostgreSQL database and prove the backup restores (docs/operations.md).

    uv run python ops/backup_restore_check.py [DATABASE_URL] [--keep FILE]

1. Opens a REPEATABLE READ transaction on the database, exports its snapshot and counts
   the rows of every table in it.
2. ``pg_dump --format=custom --snapshot=...``: the dump holds exactly the rows counted,
   however busy the database is meanwhile.
3. Creates a scratch database beside it, ``pg_restore``s the dump into it, counts its
   rows, and drops it.
4. Prints one line per table and exits 0 when every table came back with the same number
   of rows, 1 otherwise (2 when a step failed).

``--keep FILE`` keeps the dump there (the nightly backup can be this command); without
it the dump is deleted. DATABASE_URL defaults to the environment's. Needs pg_dump and
pg_restore of the server's major version or newer, and a role that may create databases.
"""

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import psycopg2
from psycopg2 import sql

COUNT_TABLES = """
SELECT n.nspname, c.relname
FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
WHERE c.relkind IN ('r', 'p')
  AND n.nspname NOT IN ('pg_catalog', 'information_schema')
  AND n.nspname NOT LIKE 'pg_toast%'
  AND NOT c.relispartition
ORDER BY 1, 2
"""


def with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def database_of(url: str) -> str:
    return urlsplit(url).path.lstrip("/")


def row_counts(cursor) -> dict[str, int]:
    cursor.execute(COUNT_TABLES)
    counts = {}
    for schema, table in cursor.fetchall():
        query = sql.SQL("SELECT count(*) FROM {}.{}").format(
            sql.Identifier(schema), sql.Identifier(table)
        )
        cursor.execute(query)
        counts[f"{schema}.{table}"] = cursor.fetchone()[0]
    return counts


def run(command: list[str]) -> None:
    # Our own argument list (pg_dump / pg_restore), no shell.
    result = subprocess.run(command, capture_output=True, text=True)  # noqa: S603
    if result.returncode != 0:
        raise RuntimeError(f"{command[0]} failed:\n{result.stderr.strip()}")


def dump(url: str, target: Path) -> dict[str, int]:
    """The database's row counts, and its dump at the same snapshot in ``target``."""
    with closing(psycopg2.connect(url)) as connection:
        connection.set_session(isolation_level="REPEATABLE READ", readonly=True)
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = row_counts(cursor)
            # The snapshot lives as long as this transaction: pg_dump runs inside it.
            run(
                [
                    "pg_dump",
                    "--format=custom",
                    f"--snapshot={snapshot}",
                    f"--file={target}",
                    f"--dbname={url}",
                ]
            )
        connection.rollback()
    return counts


def restore(url: str, source: Path) -> dict[str, int]:
    """Row counts of ``source`` restored into a scratch database (dropped afterwards)."""
    scratch = f"{database_of(url)}_restore_check_{os.getpid()}"[:63]
    admin_url = with_database(url, "postgres")
    with closing(psycopg2.connect(admin_url)) as admin:
        admin.autocommit = True
        with admin.cursor() as cursor:
            cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {}").format(sql.Identifier(scratch)))
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(scratch)))
        try:
            scratch_url = with_database(url, scratch)
            run(
                [
                    "pg_restore",
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    f"--dbname={scratch_url}",
                    str(source),
                ]
            )
            with closing(psycopg2.connect(scratch_url)) as restored, restored.cursor() as cursor:
                return row_counts(cursor)
        finally:
            with admin.cursor() as cursor:
                cursor.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(scratch)
                    )
                )


def compare(before: dict[str, int], after: dict[str, int]) -> list[str]:
    """Lines for the report; a line starting "MISMATCH" for each table that differs."""
    lines = []
    for table in sorted(before.keys() | after.keys()):
        dumped, restored = before.get(table), after.get(table)
        mark = "ok" if dumped == restored else "MISMATCH"
        lines.append(f"{mark:8} {table}: {dumped} dumped, {restored} restored")
    return lines


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("database_url", nargs="?", default=os.environ.get("DATABASE_URL"))
    parser.add_argument("--keep", type=Path, help="keep the dump in this file")
    parser.add_argument("--quiet", action="store_true", help="print mismatches only")
    args = parser.parse_args(argv)
    if not args.database_url or not args.database_url.startswith(("postgres://", "postgresql://")):
        parser.error("give a postgres:// DATABASE_URL")
    for tool in ("pg_dump", "pg_restore"):
        if shutil.which(tool) is None:
            print(f"{tool} is not installed", file=sys.stderr)
            return 2
    with tempfile.TemporaryDirectory() as work:
        target = args.keep or Path(work) / "backup.dump"
        try:
            before = dump(args.database_url, target)
            after = restore(args.database_url, target)
        except (RuntimeError, psycopg2.Error) as error:
            print(f"FAILED: {error}", file=sys.stderr)
            return 2
    lines = compare(before, after)
    bad = [line for line in lines if line.startswith("MISMATCH")]
    for line in bad if args.quiet else lines:
        print(line)
    rows = sum(before.values())
    print(
        f"{len(before)} tables, {rows} rows dumped; "
        + (f"{len(bad)} tables differ after the restore" if bad else "all restored")
        + (f"; dump kept in {args.keep}" if args.keep else "")
    )
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
