"""The thank-you certificate for a collected donation (customary in India: DOMAIN.md §5).

One A4 landscape page built with fpdf2, in the portal's fonts (``portal/pdf.py``: Hindi
names print right).
"""

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import Align, XPos, YPos

from portal.l10n import local_date
from portal.pdf import INK, LATIN, MUTED, RED, new_document

# The title is printed in both languages whatever the donor's language, as Indian
# certificates are: these two are deliberately not translated.
TITLE_EN = "Certificate of Appreciation"
TITLE_HI = "प्रशस्ति पत्र"

PAGE_W, PAGE_H = 297, 210  # A4 landscape, mm
MARGIN = 28  # text starts inside the borders
PARAGRAPH_W = 200  # mm: shorter lines read better than the full width
NAME_MAX_PT, NAME_MIN_PT = 40, 20


def certificate_pdf(donation) -> bytes:
    """The certificate for ``donation`` (collected), worded in the donor's language."""
    donor = donation.donor
    with translation.override(donor.preferred_language or settings.LANGUAGE_CODE):
        wording = _wording(donation)
    pdf = _new_pdf()
    _borders(pdf)
    pdf.set_y(24)
    _write(pdf, settings.FORCE_NAME, size=15, style="B", colour=INK)
    _write(pdf, TITLE_EN, size=30, style="B", colour=RED, gap=5)
    _write(pdf, TITLE_HI, size=22, style="B", colour=RED, gap=2)
    _write(pdf, wording["presented"], size=13, colour=MUTED, gap=10)
    _name(pdf, donor.name)
    _write(pdf, wording["thanks"], size=14, colour=INK, gap=8, line=7.5, width=PARAGRAPH_W)
    _write(pdf, wording["gift"], size=11, colour=MUTED, gap=6, line=5.5, width=PARAGRAPH_W)
    _footer(pdf, wording)
    return bytes(pdf.output())


def _wording(donation) -> dict[str, str]:
    place = place_of(donation)
    params = {"date": local_date(donation.donated_on, "LONG_DATE_FORMAT"), "place": place}
    if place:
        thanks = _(
            "in grateful recognition of a voluntary blood donation on %(date)s at %(place)s."
        )
    else:
        thanks = _("in grateful recognition of a voluntary blood donation on %(date)s.")
    return {
        "presented": _("This certificate is presented to"),
        "thanks": thanks % params,
        "gift": _(
            "Every donation helps patients in need, among them children with thalassaemia "
            "who live on regular transfusions. Thank you for giving."
        ),
        "number": _("Certificate no. %(number)s") % {"number": donation.pk},
        "signatory": _("Authorised signatory"),
    }


def place_of(donation) -> str:
    """Where the blood was given: the camp when the donation names one, else the blood centre."""
    camp = getattr(donation, "camp", None)
    if camp is not None:
        return str(camp)
    return str(donation.blood_centre) if donation.blood_centre_id else ""


def _new_pdf() -> FPDF:
    return new_document(
        title=TITLE_EN, orientation="landscape", margins=(MARGIN, MARGIN, MARGIN), bottom=None
    )


def _borders(pdf: FPDF) -> None:
    pdf.set_draw_color(*RED)
    pdf.set_line_width(1.6)
    pdf.rect(10, 10, PAGE_W - 20, PAGE_H - 20)
    pdf.set_line_width(0.4)
    pdf.rect(14, 14, PAGE_W - 28, PAGE_H - 28)


def _write(pdf, text, *, size, colour, style="", gap=0.0, line=None, width=None):
    """Centred text ``gap`` mm below the last, wrapped inside ``width`` (mm; the margins
    by default)."""
    width = width or PAGE_W - 2 * MARGIN
    pdf.set_font(LATIN, style, size)
    pdf.set_text_color(*colour)
    pdf.set_xy((PAGE_W - width) / 2, pdf.get_y() + gap)
    pdf.multi_cell(
        width, line or size * 0.5, text, align=Align.C, new_x=XPos.LMARGIN, new_y=YPos.NEXT
    )


def _name(pdf: FPDF, name: str) -> None:
    """The donor's name, as large as fits on one line (long names wrap), over a rule."""
    size = NAME_MAX_PT
    pdf.set_font(LATIN, "B", size)
    while size > NAME_MIN_PT and pdf.get_string_width(name) > PAGE_W - 2 * MARGIN:
        size -= 2
        pdf.set_font(LATIN, "B", size)
    _write(pdf, name, size=size, style="B", colour=INK, gap=4, line=size * 0.5)
    rule_y = pdf.get_y() + 3
    pdf.set_draw_color(*MUTED)
    pdf.set_line_width(0.3)
    pdf.line(PAGE_W / 2 - 70, rule_y, PAGE_W / 2 + 70, rule_y)
    pdf.set_y(rule_y)


def _footer(pdf: FPDF, wording: dict[str, str]) -> None:
    bottom = PAGE_H - 38
    pdf.set_draw_color(*INK)
    pdf.set_line_width(0.3)
    pdf.line(PAGE_W - MARGIN - 70, bottom, PAGE_W - MARGIN, bottom)
    pdf.set_text_color(*MUTED)
    pdf.set_font(LATIN, "", 10)
    pdf.set_xy(PAGE_W - MARGIN - 70, bottom + 2)
    pdf.cell(70, 5, wording["signatory"], align=Align.C)
    pdf.set_xy(MARGIN, bottom + 2)
    pdf.cell(100, 5, wording["number"], align=Align.L)
