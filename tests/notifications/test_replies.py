"""The SMS reply parser: the words of the issue, in English, Hinglish and Hindi."""

import pytest

from notifications.choices import Intent
from notifications.replies import parse_reply


@pytest.mark.parametrize(
    "text", ["1", " 1 ", "1.", "yes", "YES", "Yes!", "haan", "Haan", "हाँ", "हां", "हाँ।"]
)
def test_confirm(text):
    assert parse_reply(text) == Intent.CONFIRM


@pytest.mark.parametrize("text", ["2", "no", "No.", "nahin", "NAHI", "नहीं", "नहीं।", " 2\n"])
def test_decline(text):
    assert parse_reply(text) == Intent.DECLINE


@pytest.mark.parametrize("text", ["STOP", "stop", "Stop.", " STOP "])
def test_stop(text):
    assert parse_reply(text) == Intent.STOP


@pytest.mark.parametrize(
    "text", ["", "12", "3", "yes but after 5", "who is this?", "कल बताऊँगा", "1 2", "stopp"]
)
def test_anything_else_is_unclear(text):
    assert parse_reply(text) == Intent.UNCLEAR
