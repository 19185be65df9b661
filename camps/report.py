"""The camp report: what the blood centre reports to the licensing authority within 7 days
(DOMAIN.md §5) — the venue and units by ABO/RhD group and bag size — and the donor list.
Every number is counted from the records by ``selectors.totals_for``.

CSV and XLSX are one sheet (the spreadsheet machinery of ``portal/sheets.py``: cells
neutralised against formulas); the PDF is a ``portal/pdf.py`` page, so Hindi names print."""

from django.utils.translation import gettext as _
from fpdf.enums import XPos, YPos

from donors.eligibility import age_on
from portal import exports
from portal.l10n import local_date
from portal.pdf import LATIN, generated_line, letterhead, new_document

from .selectors import camp_totals, report_donations

DONOR_HEADERS = [
    "name",
    "sex",
    "age",
    "blood_group",
    "outcome",
    "bag_number",
    "bag_ml",
    "haemoglobin_g_dl",
    "weight_kg",
    "donor",
]


def _summary(camp, totals, *, for_print: bool = False) -> list[tuple[str, object]]:
    """Label and value of the report's head. ``for_print``: the date as people read it and
    a dash where nothing is recorded (the files keep ISO dates and empty cells)."""
    centre = camp.blood_centre
    hours = ""
    if camp.starts_at and camp.ends_at:
        hours = f"{camp.starts_at:%H:%M}–{camp.ends_at:%H:%M}"
    lines = [
        (_("Camp"), camp.name),
        (
            _("Date"),
            local_date(camp.held_on, "LONG_WEEKDAY_DATE_FORMAT")
            if for_print
            else camp.held_on.isoformat(),
        ),
        (_("Hours"), hours),
        (_("Venue"), camp.venue),
        (_("Organising police unit"), camp.unit.name),
        (_("Blood centre"), centre.name),
        (_("Licence number"), centre.licence_number),
        (_("e-RaktKosh camp id"), camp.eraktkosh_id),
        (_("Registered"), totals.registered),
        (_("Deferred"), totals.deferred),
        (_("Units collected"), totals.collected),
        (_("First-time donors"), totals.first_time),
        (_("Repeat donors"), totals.repeat),
        # Noted on the entries (Donation.reaction), counted from the camp's donations.
        (_("Adverse reactions"), totals.reactions),
    ]
    if for_print:
        lines = [(label, "—" if value in ("", None) else value) for label, value in lines]
    return lines


def _bag_label(size) -> str:
    return f"{size} ml" if size else _("unknown")


def units_table(totals) -> tuple[list[str], list[list]]:
    """Header and rows of units by blood group × bag size, with a total row."""
    sizes = totals.bag_sizes
    header = [_("Blood group"), *(_bag_label(size) for size in sizes), _("Units")]
    rows = [[group or _("unknown"), *cells, total] for group, cells, total in totals.table()]
    rows.append([_("Total"), *(totals.by_bag[size] for size in sizes), totals.collected])
    return header, rows


# The donor list's column titles on paper (the files keep DONOR_HEADERS, for machines).
def donor_titles() -> list[str]:
    return [
        _("Name"),
        _("Sex"),
        _("Age"),
        _("Group"),
        _("Outcome"),
        _("Bag number"),
        _("Bag (ml)"),
        _("Hb (g/dL)"),
        _("Weight (kg)"),
        _("Donor"),
    ]


def _donor_rows(camp, *, for_print: bool = False):
    for donation in report_donations(camp):
        donor = donation.donor
        repeat = _is_repeat(donation)
        if for_print:
            outcome = donation.get_outcome_display()
            kind = _("repeat") if repeat else _("first-time")
        else:
            outcome, kind = donation.outcome, "repeat" if repeat else "first-time"
        yield [
            donor.name,
            donor.sex,
            age_on(donor.date_of_birth, donation.donated_on),
            donor.blood_group,
            outcome,
            donation.bag_number,
            donation.bag_volume_ml or "",
            donation.haemoglobin_g_dl if donation.haemoglobin_g_dl is not None else "",
            donation.weight_kg if donation.weight_kg is not None else "",
            kind,
        ]


def _is_repeat(donation) -> bool:
    last = donation.donor.external_last_donation_on
    return donation.has_earlier or bool(last and last < donation.donated_on)


def report_file(camp, fmt: str) -> tuple[bytes, int]:
    """The report as CSV or XLSX bytes, and the number of donor rows."""
    totals = camp_totals(camp)
    lines = [[label, value] for label, value in _summary(camp, totals)]
    header, rows = units_table(totals)
    donors = list(_donor_rows(camp))
    lines += [[], header, *rows, [], DONOR_HEADERS, *donors]
    width = max(len(line) for line in lines)
    padded = [line + [""] * (width - len(line)) for line in lines]
    dataset = exports.build_dataset(padded[0], padded[1:], title="camp report")
    return exports.render(dataset, fmt), len(donors)


# --- PDF --------------------------------------------------------------------------------


def report_pdf(camp) -> bytes:
    totals = camp_totals(camp)
    pdf = new_document(title=_("Camp report: %(name)s") % {"name": camp.name})
    letterhead(pdf, _("Blood donation camp report"), size=16)
    pdf.set_font(LATIN, "", 10)
    with pdf.table(col_widths=(45, 135), first_row_as_headings=False) as table:
        for label, value in _summary(camp, totals, for_print=True):
            row = table.row()
            row.cell(str(label))
            row.cell(str(value))
    pdf.ln(4)
    pdf.set_font(LATIN, "B", 12)
    pdf.cell(0, 7, _("Units by blood group and bag size"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(LATIN, "", 10)
    header, rows = units_table(totals)
    with pdf.table(text_align="CENTER") as table:
        for line in [header, *rows]:
            row = table.row()
            for value in line:
                row.cell(str(value))
    pdf.ln(4)
    pdf.set_font(LATIN, "B", 12)
    pdf.cell(0, 7, _("Donors"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(LATIN, "", 8)
    widths = (42, 9, 9, 12, 28, 22, 14, 14, 15, 15)
    with pdf.table(col_widths=widths, text_align="LEFT") as table:
        row = table.row()
        for title in donor_titles():
            row.cell(title)
        for line in _donor_rows(camp, for_print=True):
            row = table.row()
            for value in line:
                row.cell(str(value) if value != "" else "—")
    # Signed by the blood centre's medical officer and the organiser before it is filed.
    pdf.ln(18)
    pdf.set_font(LATIN, "", 9)
    half = (pdf.w - pdf.l_margin - pdf.r_margin) / 2
    y = pdf.get_y()
    for n, title in enumerate((_("Medical officer, blood centre"), _("Camp organiser"))):
        x = pdf.l_margin + n * half
        pdf.line(x, y, x + half - 15, y)
        pdf.set_xy(x, y + 1)
        pdf.cell(half - 15, 5, title)
    pdf.set_xy(pdf.l_margin, y + 10)
    pdf.set_font(LATIN, "", 8)
    pdf.cell(0, 5, generated_line())
    return bytes(pdf.output())
