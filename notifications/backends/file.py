"""Appends each message to a daily file under NOTIFY_FILE_DIR (the embedded default): the
"sent" SMS of a development portal can be read afterwards."""

import os
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from . import BaseBackend


class Backend(BaseBackend):
    def send(self, message) -> str:
        folder = Path(settings.NOTIFY_FILE_DIR)
        folder.mkdir(parents=True, exist_ok=True)
        now = timezone.localtime()
        path = folder / f"{now:%Y-%m-%d}.log"
        entry = (
            f"--- #{message.pk} {now:%Y-%m-%d %H:%M:%S} [{message.channel}] "
            f"{message.template}.{message.language} to {message.recipient_name} "
            f"<{message.address}>\n{message.body}\n"
        )
        # One write of the whole entry in append mode: two workers never interleave lines.
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o640)
        try:
            os.write(fd, entry.encode())
        finally:
            os.close(fd)
        return f"file-{message.pk}"
