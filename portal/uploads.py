"""Keeping an uploaded sheet between its dry run and its apply: the file waits in the
default storage under a random token kept in the user's session (or, for an import a
Celery worker runs, under a path its job record holds: ``keep_upload``), and an upload
nobody applied (it holds personal data) is deleted after STASH_MAX_AGE."""

import logging
import secrets
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.utils import timezone

logger = logging.getLogger(__name__)

# Uploads waiting between a dry run and its apply; older ones are swept away.
STASH_DIR = "imports"
STASH_MAX_AGE = timedelta(hours=24)


def stash_upload(session, key: str, data: bytes, *, filename: str) -> str:
    """Keep ``data`` in storage for the apply that may follow, remembered in the session
    under ``key``; returns the token the apply form must send back."""
    drop_stash(session, key)
    _sweep_stale()
    token = secrets.token_urlsafe(24)
    path = default_storage.save(f"{STASH_DIR}/{token}", ContentFile(data))
    session[key] = {"token": token, "path": path, "filename": filename}
    return token


def take_stash(session, key: str, token: str) -> tuple[bytes, str] | None:
    """The stashed bytes and file name if ``token`` matches, removing them (an upload is
    applied at most once); None when there is nothing (expired, applied, another tab)."""
    entry = session.get(key)
    if not entry or not secrets.compare_digest(str(entry.get("token", "")), token or ""):
        return None
    del session[key]
    try:
        with default_storage.open(entry["path"], "rb") as stashed:
            data = stashed.read()
    except OSError:
        return None
    finally:
        _delete(entry["path"])
    return data, entry["filename"]


def drop_stash(session, key: str) -> None:
    entry = session.pop(key, None)
    if entry:
        _delete(entry["path"])


def _delete(path: str) -> None:
    try:
        default_storage.delete(path)
    except OSError:
        logger.warning("could not delete stashed upload %s", path, exc_info=True)


def _sweep_stale(directory: str = STASH_DIR, max_age: timedelta = STASH_MAX_AGE) -> None:
    """Uploads nobody applied, exports nobody fetched, hold personal data: delete them
    after ``max_age``."""
    cutoff = timezone.now() - max_age
    try:
        names = default_storage.listdir(directory)[1]
    except OSError:  # the folder does not exist yet
        return
    for name in names:
        path = f"{directory}/{name}"
        try:
            if default_storage.get_modified_time(path) < cutoff:
                default_storage.delete(path)
        except OSError:
            continue


def keep_upload(data: bytes) -> str:
    """Keep ``data`` for a worker's job; returns the storage path the job record holds.
    Swept like a stash when nobody applies it."""
    _sweep_stale()
    return default_storage.save(f"{STASH_DIR}/{secrets.token_urlsafe(24)}", ContentFile(data))


def read_kept(path: str) -> bytes | None:
    """The kept bytes, or None when they are gone (applied, swept)."""
    if not str(path).startswith(f"{STASH_DIR}/"):
        return None
    try:
        with default_storage.open(path, "rb") as kept:
            return kept.read()
    except OSError:
        return None


def drop_kept(path: str) -> None:
    if str(path).startswith(f"{STASH_DIR}/"):
        _delete(path)


# Exports a worker wrote, waiting for their download (EXPORT_LINK_HOURS).
EXPORT_DIR = "exports"


def keep_export(fileobj, *, max_age: timedelta) -> str:
    """Keep a finished export (an open file) for its download link; older ones are swept."""
    from django.core.files import File

    _sweep_stale(EXPORT_DIR, max_age)
    return default_storage.save(f"{EXPORT_DIR}/{secrets.token_urlsafe(24)}", File(fileobj))


def open_export(path: str):
    """The kept export, open for reading, or None when it is gone."""
    if not str(path).startswith(f"{EXPORT_DIR}/"):
        return None
    try:
        return default_storage.open(path, "rb")
    except OSError:
        return None
