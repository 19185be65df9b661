"""A pledged number is unverified until it is proven the donor's: by a one-time code sent to
it by SMS and typed back on the pledge page, or by staff checking the person
(``services.donor_verify``). Until then the number gets that code and nothing else
(``consent.may_be_reminded``), and matching ranks the donor below every verified one.

Only a keyed hash of a code is stored (HMAC with SECRET_KEY and a per-code salt), with its
expiry (DONOR_CODE_MINUTES) and the wrong answers given (at most DONOR_CODE_MAX_ATTEMPTS,
then a new code must be asked for). Codes sent are rate-limited per number and per client
address. Nothing here tells a stranger whether a number is registered: every number gets the
same answers, and a number with nobody to verify simply receives no SMS.
"""

import secrets
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, get_random_string, salted_hmac
from django_ratelimit import ALL
from django_ratelimit.core import is_ratelimited

from accounts.audit import client_ip
from notifications.choices import Channel
from notifications.services import hand_to_worker, message_enqueue

from .models import Donor, PhoneVerification
from .services import donor_verify

TOPIC = "phone_code"
TEMPLATE = "phone_code"
HASH_SALT = "donors.verification.code"
CODE_DIGITS = 6

# What code_check answers.
VERIFIED = "verified"
WRONG = "wrong"
EXPIRED = "expired"
LOCKED = "locked"


def code_hash(code: str, salt: str) -> str:
    return salted_hmac(HASH_SALT, f"{salt}:{code}", algorithm="sha256").hexdigest()


def new_code() -> str:
    return f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"


def over_the_limit(request, phone: str) -> bool:
    """Count one code sent to ``phone`` from this client; True once the number or the
    address has had its share (DONOR_CODE_RATE_LIMIT / DONOR_CODE_IP_RATE_LIMIT)."""
    by_number = is_ratelimited(
        request,
        group="donors:code-number",
        key=lambda group, request: phone,
        rate=lambda group, request: settings.DONOR_CODE_RATE_LIMIT,
        method=ALL,
        increment=True,
    )
    by_address = is_ratelimited(
        request,
        group="donors:code-address",
        key=lambda group, request: client_ip(request) or "",
        rate=lambda group, request: settings.DONOR_CODE_IP_RATE_LIMIT,
        method=ALL,
        increment=True,
    )
    return by_number or by_address


@transaction.atomic
def code_send(*, phone: str, donor: Donor | None = None) -> PhoneVerification | None:
    """Send a new code to ``phone`` (E.164) when an unverified, not erased donor has it (the
    ``donor`` just pledged when given, else the latest pledge on a number a family may
    share); the codes sent before stop working. None when there is nobody to verify (the
    caller answers the same either way). Rate limits are the caller's (``over_the_limit``)."""
    code = new_code()
    salt = get_random_string(12)
    hashed = code_hash(code, salt)  # computed either way: the answer takes as long
    pending = Donor.objects.select_for_update().filter(
        phone=phone, verified_at__isnull=True, erased_at__isnull=True
    )
    if donor is not None:
        pending = pending.filter(pk=donor.pk)
    donor = pending.order_by("-created_at", "-id").first()
    if donor is None:
        return None
    now = timezone.now()
    PhoneVerification.objects.filter(donor=donor, closed_at__isnull=True).update(closed_at=now)
    verification = PhoneVerification.objects.create(
        donor=donor,
        phone=phone,
        salt=salt,
        code_hash=hashed,
        created_at=now,
        expires_at=now + timedelta(minutes=settings.DONOR_CODE_MINUTES),
    )
    today = timezone.localdate()
    message, _new = message_enqueue(
        topic=TOPIC,
        subject_key=f"code:{verification.pk}",
        # The number, not the donor: the code is the one message an unverified number gets,
        # and the donors' send check (opt-out, consent) is not asked about it.
        recipient_key=f"phone:{phone}",
        recipient_name=donor.name,
        phone=phone,
        channel=Channel.SMS,
        template=TEMPLATE,
        due_on=today,
        valid_until=today,
        language=donor.preferred_language,
        unit=donor.unit,
        context={"code": code, "minutes": settings.DONOR_CODE_MINUTES},
    )
    # The person waits on the page: send now, not at the next dispatch tick (with the broker
    # down the row waits for dispatch, and the page still answers).
    transaction.on_commit(lambda: hand_to_worker(message.pk))
    return verification


@transaction.atomic
def code_check(*, phone: str, code: str, request=None) -> str:
    """The answer to a code typed for ``phone``: VERIFIED (the donor's number is now
    verified, audit-logged), WRONG, EXPIRED, or LOCKED (too many wrong answers: ask for a
    new code). A wrong, expired or locked code changes nothing but the count of answers."""
    verification = (
        PhoneVerification.objects.select_for_update()
        .filter(phone=phone, closed_at__isnull=True)
        .select_related("donor")
        .order_by("-created_at", "-id")
        .first()
    )
    code = "".join(ch for ch in (code or "") if ch.isdigit())
    if verification is None:
        code_hash(code, "-")  # the same work as a real check
        return WRONG
    now = timezone.now()
    if verification.attempts >= settings.DONOR_CODE_MAX_ATTEMPTS:
        return LOCKED
    if verification.expires_at <= now:
        return EXPIRED
    if not constant_time_compare(code_hash(code, verification.salt), verification.code_hash):
        verification.attempts += 1
        verification.save(update_fields=["attempts"])
        if verification.attempts >= settings.DONOR_CODE_MAX_ATTEMPTS:
            return LOCKED
        return WRONG
    verification.closed_at = now
    verification.save(update_fields=["closed_at"])
    donor = verification.donor
    if donor.phone != phone or donor.erased_at is not None:
        return WRONG  # the number changed (or went) since the code was sent
    donor_verify(donor=donor, actor=None, request=request, through="code")
    return VERIFIED
