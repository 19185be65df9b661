"""Message text from templates/notifications/<template>.<language>.txt, one per message and
language. English SMS is kept in the GSM 7-bit alphabet: one typographic quote or a
non-breaking space turns a 160-character SMS into 70-character UCS-2 parts."""

from django.conf import settings
from django.shortcuts import render as render_page
from django.template import TemplateDoesNotExist
from django.template.loader import get_template
from django.utils import translation

GSM_CHARS = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZ"
    "ÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà^{}\\[~]|€"
)
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
NON_GSM_LANGUAGES = {"hi"}


def to_gsm(text: str) -> str:
    return "".join(GSM_SUBSTITUTES.get(ch, ch) for ch in text)


def render(template: str, language: str, context: dict) -> str:
    """The text of ``template`` in ``language`` (English when there is no such file)."""
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
