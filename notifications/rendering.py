"""Message text from templates/notifications/<template>.<language>.txt, one per message and
language. English SMS is kept in the GSM 7-bit alphabet: one typographic quote or a
non-breaking space turns a 160-character SMS into 70-character UCS-2 parts."""

from django.conf import settings
from django.shortcuts import render as render_page
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import translation

from .smsparts import GSM_CHARS, sms_parts  # noqa: F401 (GSM_CHARS: the SMS backend's)

# Look-alikes that creep in from word processors, and their GSM equivalents.
GSM_SUBSTITUTES = {
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
    "\u2018": "'",
    "\u2019": "'",
    "\u201c": '"',
    "\u201d": '"',
    "\u2013": "-",
    "\u2014": "-",
    "\u2026": "...",
    "\u2022": "-",
}
# Languages whose script is outside GSM: their SMS go as Unicode anyway.
NON_GSM_LANGUAGES = {"hi", "vi"}  # Devanagari; Vietnamese with its diacritics


def to_gsm(text: str) -> str:
    return "".join(GSM_SUBSTITUTES.get(ch, ch) for ch in text)


# Context values the renderer may shorten, in this order, to keep an SMS within
# NOTIFY_SMS_MAX_PARTS: the place (a long hospital or venue name) and the person's name.
# Each keeps at least this many characters, ending in "…": "where" is still readable, and
# the page the message links to says it in full.
SHRINKABLE = {"place": 12, "name": 6}
ELLIPSIS = "…"


def render(template: str, language: str, context: dict, *, max_parts: int | None = None) -> str:
    """The text of ``template`` in ``language`` (English when there is no such file). With
    ``max_parts`` (an SMS), the shrinkable values are cut until the text fits, when it can."""
    text = _render(template, language, context)
    if max_parts is None or sms_parts(text) <= max_parts:
        return text
    context = dict(context)
    for key, keep in SHRINKABLE.items():
        value = context.get(key)
        if not isinstance(value, str) or len(value) <= keep:
            continue
        context[key] = _longest_fitting(template, language, context, key, value, keep, max_parts)
        text = _render(template, language, context)
        if sms_parts(text) <= max_parts:
            break
    return text


def _cut(value: str, length: int) -> str:
    return value if length >= len(value) else value[: length - 1].rstrip(" ,.-") + ELLIPSIS


def _longest_fitting(template, language, context, key, value, keep, max_parts) -> str:
    """``value`` cut to the longest length (at least ``keep``) whose text fits."""
    low, high = keep, len(value) - 1
    while low < high:  # the longest length that fits, by bisection
        middle = (low + high + 1) // 2
        trial = _render(template, language, {**context, key: _cut(value, middle)})
        if sms_parts(trial) <= max_parts:
            low = middle
        else:
            high = middle - 1
    return _cut(value, low)


def _render(template: str, language: str, context: dict) -> str:
    try:
        source = get_template(f"notifications/{template}.{language}.txt")
    except TemplateDoesNotExist:
        language = "en"
        source = get_template(f"notifications/{template}.en.txt")
    with translation.override(language):
        text = source.render(context).strip()
    text = "\n".join(line.rstrip() for line in text.splitlines())
    if language not in NON_GSM_LANGUAGES:
        text = to_gsm(text)
    return text


def portal_url(path: str) -> str:
    """A page's full address for a link in a message (SITE_URL and ``path``)."""
    return f"{settings.SITE_URL.rstrip('/')}{path}"


def link_url(path: str) -> str:
    """A short link's full address for an SMS: on NOTIFY_LINK_BASE_URL (a short domain that
    points to the portal, when the force has one) or else SITE_URL."""
    base = settings.NOTIFY_LINK_BASE_URL or settings.SITE_URL
    return f"{base.rstrip('/')}{path}"


def offered_language(code: str) -> str:
    """``code`` when the portal speaks it, else the site's default language."""
    return code if code in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE


def render_in_language(request, template_name: str, context: dict, *, language: str, status=200):
    """A page a message's link opens, in the recipient's language (the site's default when
    that one is not offered), saying so in Content-Language."""
    language = offered_language(language)
    with translation.override(language):
        response = render_page(request, template_name, context, status=status)
    response["Content-Language"] = language
    return response
