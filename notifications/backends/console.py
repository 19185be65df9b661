"""Prints each message to the worker's standard output (development)."""

import sys

from . import BaseBackend


class Backend(BaseBackend):
    def send(self, message) -> str:
        sys.stdout.write(
            f"[{message.channel}] to {message.recipient_name} <{message.address}> "
            f"(#{message.pk}):\n{message.body}\n\n"
        )
        sys.stdout.flush()
        return f"console-{message.pk}"
