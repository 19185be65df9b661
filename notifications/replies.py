"""What a donor's SMS reply means: a small pure function, no database.

The whole reply must be one of the words below (case, spaces, punctuation and Devanagari
spelling variants aside): "yes, but only after 5" is not a yes, it goes to the call desk as
an unclear reply with its text, where a person reads it.

A family may share one phone (issue 15): a request to a shared number carries its own
4-character reply code (``reply_code``), and "1 K7QM" answers that request, whoever else on
the number has one open. The code may come before or after the word."""

import hashlib
import hmac
import re
import unicodedata

from django.conf import settings

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


# No 0/O, 1/I/L: a code is typed from an SMS on a keypad.
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
CODE_LENGTH = 4
_CODE = re.compile(rf"^[A-Za-z0-9]{{{CODE_LENGTH}}}$")


def reply_code(subject_key: str) -> str:
    """The reply code of a request ("assignment:12", "emergency_call:7"): derived from the
    subject with the server's key, so nothing is stored and nobody can guess another's. It
    tells apart the few requests open on one number, not the whole portal's."""
    digest = hmac.new(
        settings.SECRET_KEY.encode(), f"reply:{subject_key}".encode(), hashlib.sha256
    ).digest()
    return "".join(CODE_ALPHABET[b % len(CODE_ALPHABET)] for b in digest[:CODE_LENGTH])


def split_code(text: str) -> tuple[str, str]:
    """(the reply without its code, the code upper-cased or "") for "1 K7QM" / "K7QM haan"."""
    words = (text or "").split()
    if len(words) >= 2:
        for code, rest in ((words[-1], words[:-1]), (words[0], words[1:])):
            code = code.strip(".,!?;:'\"()-_।")
            if _CODE.match(code) and normalise(code) not in _WORDS:
                return " ".join(rest), code.upper()
    return text or "", ""


def parse_reply(text: str) -> str:
    """CONFIRM, DECLINE, STOP or UNCLEAR for the text of an SMS reply (a reply code aside)."""
    intent = _WORDS.get(normalise(text))
    if intent is None:
        rest, code = split_code(text)
        intent = _WORDS.get(normalise(rest)) if code else None
    return intent or Intent.UNCLEAR


def code_of(text: str) -> str:
    """The reply code an answer carries ("" for a bare "1", a missed call's empty text)."""
    if normalise(text) in _WORDS:
        return ""
    return split_code(text)[1]
