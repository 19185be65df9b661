"""Mobile numbers: one normalisation for forms, the API, imports and the camp table."""

import functools

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


def normalise_phone(raw: str) -> str:
    """``raw`` as E.164 (``+91XXXXXXXXXX``), accepting spaces, dashes, a leading 0, 91 or
    +91; a ValidationError with a message a person can act on otherwise."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter a mobile number."), code="required")
    e164, problem = _parse(
        text, settings.PHONE_DEFAULT_REGION, tuple(sorted(settings.PHONE_ALLOWED_REGIONS))
    )
    if problem == "unparsable":
        raise ValidationError(
            _("“%(value)s” is not a phone number."), code="invalid", params={"value": text}
        )
    if problem:
        raise ValidationError(
            _("“%(value)s” is not a valid mobile number (India: 10 digits starting 6–9)."),
            code="invalid",
            params={"value": text},
        )
    return e164


@functools.lru_cache(maxsize=50_000)
def _parse(text: str, default_region: str, allowed_regions: tuple) -> tuple[str, str]:
    """(E.164, "") or ("", what is wrong). Remembered: an import reads each number in its
    dry run, again in its apply and once more in the service (a parse costs ~0.2 ms)."""
    try:
        number = phonenumbers.parse(text, default_region)
    except phonenumbers.NumberParseException:
        return "", "unparsable"
    region = phonenumbers.region_code_for_number(number)
    if (
        not phonenumbers.is_valid_number(number)
        or region not in allowed_regions
        or phonenumbers.number_type(number) not in MOBILE_TYPES
    ):
        return "", "invalid"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


def display_phone(e164: str) -> str:
    """+919876543210 → +91 98765 43210, for pages and printouts."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
