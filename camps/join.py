"""The camp's public join page: the form a donor fills in after scanning the camp's QR code,
and the QR code itself (an SVG drawn on the server: no script, no outside service)."""

import segno
from django.urls import reverse
from django.utils.safestring import mark_safe

from donors.pledge import PledgeForm
from notifications.rendering import portal_url

from .models import Camp
from .queue import join_code


class JoinForm(PledgeForm):
    """The pledge's questions a camp needs before the table: name, mobile number, sex and
    date of birth (the pre-screen's age), the blood group when known, and consent. The rest
    (weight, station, address) is asked at the table or never."""

    email = unit = locality = preferred_language = is_police = weight_kg = None


def join_url(camp: Camp) -> str:
    """The full address of the camp's join page, as a phone reaches it (SITE_URL)."""
    return portal_url(reverse("camps:join", args=[join_code(camp)]))


def qr_svg(url: str) -> str:
    """``url`` as an inline SVG QR code, scaled by CSS (it has a viewBox, no fixed size)."""
    svg = segno.make(url, error="m").svg_inline(
        scale=4, border=2, omitsize=True, svgclass="join-qr", lineclass=None
    )
    return mark_safe(svg)  # noqa: S308 (drawn by segno from our own address)
