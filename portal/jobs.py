"""Work a page hands to a Celery worker (a spreadsheet import's check and apply), and what
the page polls while it runs: a small record per job in the cache (Redis in production,
shared by the web and the workers), owned by the user who started it and gone after
JOB_MAX_AGE.

The record holds the job's state (``queued`` → ``running`` → ``done`` or ``failed``), its
progress (rows done of rows), and at the end the worker's result (a slimmed
``sheets.Report``, a message). It is not a model: nothing in it needs to outlive a day, and
the audit log records what the job did."""

import contextlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.core.cache import cache
from django.utils import translation

JOB_MAX_AGE = timedelta(hours=24)
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


def _key(job_id: str) -> str:
    return f"portal.job:{job_id}"


def job_start(*, user, kind: str, **data) -> str:
    """A new job of ``kind`` for ``user``; ``data`` is what the worker needs (a stashed
    file's path, a mode). Returns the job's id (unguessable: the page's URL holds it)."""
    job_id = secrets.token_urlsafe(18)
    record = {"user": user.pk, "kind": kind, "state": QUEUED, "done": 0, "total": 0, **data}
    cache.set(_key(job_id), record, timeout=JOB_MAX_AGE.total_seconds())
    return job_id


def job_get(job_id: str) -> dict | None:
    """The record, for the worker (no user check: the worker acts for the job's owner)."""
    if not job_id or not isinstance(job_id, str) or len(job_id) > 64:
        return None
    return cache.get(_key(job_id))


def job_for(job_id: str, user, *, kind: str) -> dict | None:
    """The record of ``job_id`` when ``user`` started it and it is of ``kind``; None
    otherwise (someone else's job, another page's, expired or made up)."""
    record = job_get(job_id)
    if record is None or record.get("user") != user.pk or record.get("kind") != kind:
        return None
    return record


def job_update(job_id: str, **changes) -> None:
    """Change the record (its state, progress, result); a job gone meanwhile stays gone."""
    record = job_get(job_id)
    if record is None:
        return
    record.update(changes)
    cache.set(_key(job_id), record, timeout=JOB_MAX_AGE.total_seconds())


def job_claim(job_id: str, what: str) -> bool:
    """True once per (job, ``what``): a double click on "Import" applies a check once."""
    return cache.add(f"{_key(job_id)}:{what}", 1, timeout=JOB_MAX_AGE.total_seconds())


def job_unclaim(job_id: str, what: str) -> None:
    """Undo ``job_claim`` when what it guarded could not start (the broker was down)."""
    cache.delete(f"{_key(job_id)}:{what}")


def job_drop(job_id: str) -> None:
    """Forget a job that never reached a worker."""
    cache.delete(_key(job_id))


def job_claimed(job_id: str, what: str) -> bool:
    return cache.get(f"{_key(job_id)}:{what}") is not None


def progress_of(record: dict) -> int:
    """Percent done, 0–100."""
    total = record.get("total") or 0
    return min(100, round(100 * record.get("done", 0) / total)) if total else 0


# --- A spreadsheet import in a worker --------------------------------------------------

CHECK, APPLY = "check", "apply"
KEPT_ROWS = 50  # valid rows whose cleaned values the result keeps (the page shows 50)


def run_sheet_job(job_id: str, *, read, check, write) -> None:
    """The worker's half of an import page (``portal.views.SpreadsheetImportView`` with a
    ``task``): read the kept file, then check it (mode ``check``, the dry run) or write it
    (``apply``), saying how far it got as it goes, and leave the slimmed report in the job.

    ``read(data, filename)`` → Table; ``check(table, user, progress)`` → Report;
    ``write(table, user, progress)`` → Report (all rows or none; may raise ValidationError
    for the sheet as a whole). A file that cannot be read, or a refused sheet, ends the job
    ``failed`` with the message for the person, in the language of the page that started
    it. The file is kept after a clean check (the apply reads it again) and deleted
    otherwise."""
    record = job_get(job_id)
    if record is None or record.get("state") not in (QUEUED, RUNNING):
        return  # expired, or already run (a redelivered message)
    job_update(job_id, state=RUNNING)
    with translation.override(record.get("language") or settings.LANGUAGE_CODE):
        try:
            _run_sheet_job(job_id, record, read=read, check=check, write=write)
        except Exception:  # a bug or a lost database: the page must not poll for ever
            job_update(job_id, state=FAILED, message=_broken())
            raise


def _run_sheet_job(job_id, record, *, read, check, write) -> None:
    from django.core.exceptions import ValidationError

    from accounts.models import User

    from . import sheets, uploads

    user = User.objects.filter(pk=record["user"], is_active=True).first()
    data = uploads.read_kept(record["path"]) if user is not None else None
    if data is None:
        job_update(job_id, state=FAILED, message=_gone())
        return
    keep_file = False
    try:
        table = read(data, record["filename"])
        job_update(job_id, total=len(table.rows))

        def progress(done):
            job_update(job_id, done=done)

        if record["mode"] == CHECK:
            report = check(table, user, progress)
            keep_file = report.ok
        else:
            report = write(table, user, progress)
    except sheets.UploadError as error:
        job_update(job_id, state=FAILED, message=str(error))
        return
    except ValidationError as error:  # the sheet as a whole is refused (a closed camp)
        job_update(job_id, state=FAILED, message=" ".join(error.messages))
        return
    finally:
        if not keep_file:
            uploads.drop_kept(record["path"])
    job_update(
        job_id,
        state=DONE,
        done=len(table.rows),
        report=sheets.slim(report, keep_cleaned=KEPT_ROWS),
        table=sheets.Table(
            format=table.format,
            columns=table.columns,
            rows=[],
            ignored_columns=table.ignored_columns,
        ),
    )


def _broken() -> str:
    return translation.gettext("The file could not be processed. Try again, or tell your admin.")


def _gone() -> str:
    return translation.gettext(
        "That upload was already imported or has expired. Upload the file again."
    )


# --- An export in a worker -----------------------------------------------------------------


@contextlib.contextmanager
def _fails_the_job(job_id):
    """Any error ends the job ``failed`` (the page stops polling) and is raised on."""
    try:
        yield
    except Exception:
        job_update(job_id, state=FAILED, message=_broken())
        raise


def run_export_job(job_id: str, *, write) -> None:
    """Write the export a job asks for (``write(out, user=, query=, fmt=, progress=)``
    writes the file's bytes to ``out``) into storage, for the requester's download link
    (``EXPORT_LINK_HOURS``)."""
    import tempfile

    from accounts.models import User

    from . import uploads
    from .dbrouter import replica_reads

    record = job_get(job_id)
    if record is None or record.get("state") not in (QUEUED, RUNNING):
        return
    job_update(job_id, state=RUNNING)
    user = User.objects.filter(pk=record["user"], is_active=True).first()
    if user is None:
        job_update(job_id, state=FAILED, message="")
        return
    with (
        translation.override(record.get("language") or settings.LANGUAGE_CODE),
        tempfile.TemporaryFile() as out,
        _fails_the_job(job_id),
        # An export reads from the read replica when there is one (portal/dbrouter.py).
        replica_reads(),
    ):
        write(
            out,
            user=user,
            query=record["query"],
            fmt=record["format"],
            progress=lambda done: job_update(job_id, done=done),
        )
        out.seek(0)
        path = uploads.keep_export(out, max_age=timedelta(hours=settings.EXPORT_LINK_HOURS))
    job_update(job_id, state=DONE, done=record.get("total", 0), path=path)
