"""How many SMS parts a text costs: a pure function, used by the renderer to keep every
donor-facing message within NOTIFY_SMS_MAX_PARTS and by the test that lists each template.

GSM 03.38: a text wholly in the GSM 7-bit alphabet goes as 160 septets in one part, or 153
per part when concatenated (the user data header takes 7); the extension characters
(``^ { } \\ [ ~ ] | €`` and form feed) are sent as escape + character, so they count
double and are never split across parts. Any other character (Devanagari, a curly quote)
sends the whole text as UCS-2: 70 code units in one part, 67 per part concatenated; a
character outside the Basic Multilingual Plane is a surrogate pair (2 units, not split)."""

import math

GSM_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENDED = frozenset("^{}\\[~]|€\f")
GSM_CHARS = GSM_BASIC | GSM_EXTENDED

GSM_SINGLE, GSM_PART = 160, 153
UCS2_SINGLE, UCS2_PART = 70, 67


def is_gsm(text: str) -> bool:
    return all(ch in GSM_CHARS for ch in text)


def _costs(text: str, gsm: bool) -> list[int]:
    if gsm:
        return [2 if ch in GSM_EXTENDED else 1 for ch in text]
    return [2 if ord(ch) > 0xFFFF else 1 for ch in text]


def _pack(costs: list[int], size: int) -> int:
    """Parts of ``size`` units needed, an escape pair or a surrogate pair never split."""
    parts, used = 1, 0
    for cost in costs:
        if used + cost > size:
            parts, used = parts + 1, 0
        used += cost
    return parts


def sms_parts(text: str) -> int:
    """The number of SMS parts ``text`` is sent in (0 for an empty text)."""
    if not text:
        return 0
    gsm = is_gsm(text)
    costs = _costs(text, gsm)
    single, part = (GSM_SINGLE, GSM_PART) if gsm else (UCS2_SINGLE, UCS2_PART)
    if sum(costs) <= single:
        return 1
    return max(_pack(costs, part), math.ceil(sum(costs) / part))


def sms_units(text: str) -> tuple[str, int]:
    """("gsm" or "ucs2", units used): septets or UTF-16 code units, for the listing."""
    gsm = is_gsm(text)
    return ("gsm" if gsm else "ucs2"), sum(_costs(text, gsm))
