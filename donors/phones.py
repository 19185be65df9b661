"""Mobile numbers: one normalisation for forms, the API, imports and the camp table."""

import functools
import re

import phonenumbers
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

MOBILE_TYPES = {
    phonenumbers.PhoneNumberType.MOBILE,
    phonenumbers.PhoneNumberType.FIXED_LINE_OR_MOBILE,
}


# What a valid mobile looks like, told in the default region's terms.
_INVALID = {
    "IN": _("“%(value)s” is not a valid mobile number (India: 10 digits starting 6–9)."),
    "VN": _("“%(value)s” is not a valid mobile number (Vietnam: +84 and 9 digits)."),
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
            _INVALID.get(settings.PHONE_DEFAULT_REGION, _INVALID["IN"]),
            code="invalid",
            params={"value": text},
        )
    return e164


# Already E.164: "+", a country code, a national number not starting with 0.
_E164 = re.compile(r"\+([1-9]\d{6,15})")


@functools.lru_cache(maxsize=50_000)
def _parse(text: str, default_region: str, allowed_regions: tuple) -> tuple[str, str]:
    """(E.164, "") or ("", what is wrong). Remembered: an import reads each number in its
    dry run, again in its apply and once more in the service."""
    number = _from_e164(text, allowed_regions)
    if number is None:
        try:
            number = phonenumbers.parse(text, default_region)
        except phonenumbers.NumberParseException:
            return "", "unparsable"
    region = phonenumbers.region_code_for_number(number)
    # A mobile type implies a valid number (number_type answers UNKNOWN for any number its
    # region's patterns refuse, as is_valid_number does): one look at the patterns, not two.
    if region not in allowed_regions or phonenumbers.number_type(number) not in MOBILE_TYPES:
        return "", "invalid"
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164), ""


def _from_e164(text: str, allowed_regions: tuple) -> phonenumbers.PhoneNumber | None:
    """The number ``phonenumbers.parse`` makes of ``text`` when ``text`` is already E.164
    in an allowed region's country code (what our own exports and the services hand back),
    without its general parser (about 25 µs a number): country codes are prefix-free, and
    a national number not starting with 0 has no national prefix to strip. None for any
    other form, which the general parser reads."""
    match = _E164.fullmatch(text)
    if match is None:
        return None
    digits = match[1]
    for code in _country_codes(allowed_regions):
        if digits.startswith(code) and digits[len(code) : len(code) + 1] not in ("", "0"):
            return phonenumbers.PhoneNumber(
                country_code=int(code), national_number=int(digits[len(code) :])
            )
    return None


@functools.cache
def _country_codes(regions: tuple) -> tuple[str, ...]:
    return tuple(str(phonenumbers.country_code_for_region(region)) for region in regions)


def display_phone(e164: str) -> str:
    """+919876543210 → +91 98765 43210, for pages and printouts."""
    try:
        number = phonenumbers.parse(e164, None)
    except phonenumbers.NumberParseException:
        return e164
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
