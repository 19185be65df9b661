"""PDF pages of the portal (fpdf2): the fonts, the colours and the page every report starts
from. The donor's certificate, the camp report and the dashboard report use them.

Names may be written in Devanagari, so text is set in Noto Sans with Noto Sans Devanagari
as a fallback font, shaped by HarfBuzz (conjuncts and vowel signs come out right). The
fonts are vendored under static/fonts/ (OFL, see OFL.txt)."""

import logging

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

FONT_DIR = settings.BASE_DIR / "static" / "fonts"
LATIN, DEVANAGARI = "NotoSans", "NotoSansDevanagari"

RED = (176, 42, 55)
INK = (33, 37, 41)
MUTED = (108, 117, 125)
BLACK = (0, 0, 0)

# fpdf2 subsets the fonts with fontTools, which logs some 60 INFO lines per font per PDF.
logging.getLogger("fontTools.subset").setLevel(logging.WARNING)


def add_fonts(pdf: FPDF) -> None:
    """Noto Sans with Noto Sans Devanagari as fallback, shaped: Hindi names print right."""
    for family, stem in ((LATIN, "NotoSans"), (DEVANAGARI, "NotoSansDevanagari")):
        pdf.add_font(family, "", FONT_DIR / f"{stem}-Regular.ttf")
        pdf.add_font(family, "B", FONT_DIR / f"{stem}-Bold.ttf")
    # Latin first; a character Noto Sans lacks (Devanagari) is taken from the fallback.
    pdf.set_fallback_fonts([DEVANAGARI], exact_match=False)
    pdf.set_text_shaping(True)


def new_document(
    *,
    title: str,
    orientation: str = "portrait",
    margins: tuple[float, float, float] = (15, 15, 15),
    bottom: float | None = 15,
) -> FPDF:
    """An A4 document with our fonts, signed by the force and the portal, on its first
    page. ``margins`` are left, top, right (mm); ``bottom`` is where a page breaks (None:
    never, a one-page layout placed by hand)."""
    pdf = FPDF(orientation=orientation, unit="mm", format="A4")
    pdf.set_margins(*margins)
    if bottom is None:
        pdf.set_auto_page_break(False)
    else:
        pdf.set_auto_page_break(True, margin=bottom)
    add_fonts(pdf)
    pdf.set_title(title)
    pdf.set_author(settings.FORCE_NAME)
    pdf.set_creator(settings.PORTAL_NAME)
    pdf.add_page()
    return pdf


def letterhead(pdf: FPDF, title: str, *, size: float, line: float | None = None) -> None:
    """The force's name, then the report's title in red at ``size`` points (wrapped on
    lines ``line`` mm high, half the size by default)."""
    pdf.set_font(LATIN, "B", 11)
    pdf.cell(0, 6, settings.FORCE_NAME, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*RED)
    pdf.set_font(LATIN, "B", size)
    pdf.multi_cell(0, line or size / 2, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*BLACK)


def generated_now() -> str:
    """When a report was made, as its footer says it (local time)."""
    return date_format(timezone.localtime(), "DATETIME_FORMAT")


def generated_line() -> str:
    return _("Generated %(when)s from the portal's records.") % {"when": generated_now()}
