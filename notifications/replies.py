"""What a donor's SMS reply means: a small pure function, no database.

The whole reply must be one of the words below (case, spaces, punctuation and Devanagari
spelling variants aside): "yes, but only after 5" is not a yes, it goes to the call desk as
an unclear reply with its text, where a person reads it."""

import re
import unicodedata

from .choices import Intent

CONFIRM_WORDS = {"1", "yes", "y", "ok", "haan", "han", "haa", "ha", "हाँ", "हां", "हा", "जी"}
DECLINE_WORDS = {"2", "no", "n", "nahin", "nahi", "nai", "na", "नहीं", "नही", "ना"}
STOP_WORDS = {"stop", "stopall", "unsubscribe", "बंद"}

_NOISE = re.compile(r"[\s\.,!?;:'\"()\-_।]+")


def normalise(text: str) -> str:
    """Lower-case, NFC, without spaces and punctuation (the Devanagari danda too)."""
    return _NOISE.sub("", unicodedata.normalize("NFC", text or "").casefold())


_WORDS = {
    **{normalise(w): Intent.CONFIRM for w in CONFIRM_WORDS},
    **{normalise(w): Intent.DECLINE for w in DECLINE_WORDS},
    **{normalise(w): Intent.STOP for w in STOP_WORDS},
}


def parse_reply(text: str) -> str:
    """CONFIRM, DECLINE, STOP or UNCLEAR for the text of an SMS reply."""
    return _WORDS.get(normalise(text), Intent.UNCLEAR)
