"""Mobile numbers: one normalisation for forms, the API, imports and the camp table."""

import contextlib
import functools
import re
from contextvars import ContextVar

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


# How a number written without its country code is read, for the request or job under way:
# the region of the donor rules of the signed-in person's unit (``RegionMiddleware``,
# ``for_user``), so a Vietnamese force's staff type 091 234 5678 in an Indian deployment.
# Holds a callable (resolved at the first number: most requests parse none) or a region.
_REGION: ContextVar = ContextVar("phone_region", default=None)


def region_of_user(user) -> str | None:
    """The phone region of the rules ``user``'s unit holds; None: the deployment's."""
    if not getattr(user, "is_authenticated", False) or not getattr(user, "unit_id", None):
        return None
    from .eligibility import Rules

    return Rules.for_profile(user.unit.rules_in_force).phone_region


def region_of_unit(unit) -> str | None:
    """The phone region of the rules ``unit`` holds (a pledge's station, a camp's unit)."""
    if unit is None:
        return None
    from .eligibility import Rules

    return Rules.for_profile(unit.rules_in_force).phone_region


@contextlib.contextmanager
def reading_for(region_or_resolver):
    """Within: numbers without a country code are read in this region (or the callable's
    answer, asked at the first number)."""
    token = _REGION.set(region_or_resolver)
    try:
        yield
    finally:
        _REGION.reset(token)


class RegionMiddleware:
    """A page or API call reads national numbers in its signed-in person's region. The
    person is asked at the first number (DRF sets the API's token user on the request
    before any serializer reads a phone)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        with reading_for(lambda: region_of_user(getattr(request, "user", None))):
            return self.get_response(request)


def _current_region() -> str:
    value = _REGION.get()
    if callable(value):
        value = value()
        _REGION.set(value)
    return value or settings.PHONE_DEFAULT_REGION


def normalise_phone(raw: str, region: str | None = None) -> str:
    """``raw`` as E.164 (``+91XXXXXXXXXX``), accepting spaces, dashes, a leading 0, 91 or
    +91; a ValidationError with a message a person can act on otherwise. A number without
    its country code is read in ``region``: by default the region of the request's person's
    unit's rules, else PHONE_DEFAULT_REGION."""
    text = (raw or "").strip()
    if not text:
        raise ValidationError(_("Enter a mobile number."), code="required")
    region = region or _current_region()
    e164, problem = _parse(text, region, tuple(sorted(settings.PHONE_ALLOWED_REGIONS)))
    if problem == "unparsable":
        raise ValidationError(
            _("“%(value)s” is not a phone number."), code="invalid", params={"value": text}
        )
    if problem:
        raise ValidationError(
            _INVALID.get(region, _INVALID["IN"]),
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
