"""Short links for SMS: ``/r/AB3D5F7H`` instead of a 60-character signed token.

A code is 8 characters from an alphabet without look-alikes (no 0/O, 1/I/L): 31^8 ≈ 8.5e11
codes, guessed only online and through the rate limit of the pages that read them. It is
derived from a random nonce with SECRET_KEY (HMAC), and only its SHA-256 is stored: the
server verifies every code against its own secret and record, and the record says what the
link names, until when, and whether its one answer was given. Knows no domain: the rooms
that hand out links name their subject as a string ("assignment:12")."""

import hashlib
import re
import secrets
from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from accounts.audit import client_ip

from .models import ShortLink

ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 8
CODE_RE = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")
HMAC_SALT = "notifications.shortlinks"

# What short_link_open answers.
OK, USED, EXPIRED, INVALID = "ok", "used", "expired", "invalid"


def is_code(text: str) -> bool:
    return bool(CODE_RE.match(text or ""))


def _code_for(nonce: str) -> str:
    digest = salted_hmac(HMAC_SALT, nonce, algorithm="sha256").digest()
    return "".join(ALPHABET[b % len(ALPHABET)] for b in digest[:CODE_LENGTH])


def _hash(code: str) -> str:
    return hashlib.sha256(code.encode()).hexdigest()


def short_link_code(
    *, purpose: str, subject_key: str, valid_for: timedelta, single_use: bool = True
) -> str:
    """The code of a live link to ``subject_key`` (reused while it has at least half its
    life ahead, so a message written again carries the same link), or of a new one."""
    now = timezone.now()
    live = (
        ShortLink.objects.filter(
            purpose=purpose,
            subject_key=subject_key,
            used_at__isnull=True,
            expires_at__gt=now + valid_for / 2,
        )
        .order_by("-expires_at")
        .first()
    )
    if live is not None:
        return _code_for(live.nonce)
    for _attempt in range(5):  # a clash of two 40-bit codes: draw again
        nonce = secrets.token_hex(16)
        code = _code_for(nonce)
        try:
            with transaction.atomic():
                ShortLink.objects.create(
                    purpose=purpose,
                    subject_key=subject_key,
                    nonce=nonce,
                    code_hash=_hash(code),
                    single_use=single_use,
                    created_at=now,
                    expires_at=now + valid_for,
                )
            return code
        except IntegrityError:
            continue
    raise RuntimeError("could not draw a free short-link code")


def short_link_open(*, purpose: str, code: str) -> tuple[str | None, str]:
    """(subject_key, OK) for a live link; (subject_key or None, USED / EXPIRED / INVALID)
    otherwise. A code of another purpose is INVALID, exactly as one never issued."""
    if not is_code(code):
        return None, INVALID
    link = ShortLink.objects.filter(code_hash=_hash(code), purpose=purpose).first()
    if link is None:
        return None, INVALID
    if link.expires_at <= timezone.now():
        return link.subject_key, EXPIRED
    if link.single_use and link.used_at is not None:
        return link.subject_key, USED
    return link.subject_key, OK


def short_link_spend(*, purpose: str, code: str) -> bool:
    """Mark a single-use link answered (a conditional UPDATE: once)."""
    if not is_code(code):
        return False
    return bool(
        ShortLink.objects.filter(
            code_hash=_hash(code), purpose=purpose, single_use=True, used_at__isnull=True
        ).update(used_at=timezone.now())
    )


def short_links_spend_for(*, purpose: str, subject_key: str) -> int:
    """Spend every live link to ``subject_key`` (the subject was answered another way: by
    an SMS reply, a missed call, the call desk)."""
    return ShortLink.objects.filter(
        purpose=purpose, subject_key=subject_key, single_use=True, used_at__isnull=True
    ).update(used_at=timezone.now())


# --- guessing ---------------------------------------------------------------------------
# Only misses count (an unknown code), per client address: a donor opening a link again,
# or many donors behind one carrier's address, are never held back; a guesser is.


def _misses(request, *, increment: bool) -> bool:
    return is_ratelimited(
        request,
        group="notifications:short-link-misses",
        key=lambda group, request: client_ip(request) or "",
        rate=lambda group, request: settings.SHORT_LINK_MISS_RATE_LIMIT,
        method=ALL,
        increment=increment,
    )


def too_many_misses(request) -> bool:
    """True once this address has tried too many unknown codes (answer 429, look nothing up)."""
    return _misses(request, increment=False)


def count_miss(request) -> None:
    _misses(request, increment=True)
