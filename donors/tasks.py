"""Tasks of the donors app: the "you can donate again" scan, the eligible pool's compaction,
the sheet imports and exports."""

from celery import shared_task

from . import reminders


@shared_task
def scan_reminders() -> int:
    return reminders.scan()


@shared_task(ignore_result=True)
def compact_eligible_pool() -> None:
    """Fold the eligible pool's new steps together, and the past days' onto today
    (``donors.pool.compact``; DONOR_POOL_COMPACT_MINUTES); first, when the settings' rules
    changed since the donors' standing was computed, compute it again
    (``standing.refresh_if_stale``)."""
    from . import pool
    from .standing import refresh_if_stale

    refresh_if_stale()
    pool.compact()


@shared_task(ignore_result=True)
def import_donor_sheet(job_id: str) -> None:
    """An uploaded donor sheet's check or apply (``portal.jobs.run_sheet_job``): the donor
    import page hands it here so no web worker waits on 20,000 rows."""
    from portal.jobs import run_sheet_job

    from . import spreadsheets
    from .phones import reading_for, region_of_user

    def check(table, user, progress):
        # Numbers without a country code are read as the importing person's force writes them.
        with reading_for(region_of_user(user)):
            return spreadsheets.check_donor_rows(table=table, user=user, progress=progress)

    def write(table, user, progress):
        with reading_for(region_of_user(user)):
            return spreadsheets.import_donors(table=table, actor=user, progress=progress)

    run_sheet_job(
        job_id,
        read=lambda data, filename: spreadsheets.read_donor_file(data, filename=filename),
        check=check,
        write=write,
    )


@shared_task(ignore_result=True)
def export_donor_sheet(job_id: str) -> None:
    """A donor export too big to write while a web worker waits (DONOR_EXPORT_IN_WORKER_ABOVE
    rows), into a file behind the requester's download link."""
    from portal.jobs import run_export_job

    from . import spreadsheets

    run_export_job(job_id, write=spreadsheets.export_for_job)
