"""The message outbox, channel backends and the send task; knows no domain app."""
