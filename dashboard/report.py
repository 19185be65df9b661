"""The dashboard's figures as a spreadsheet (CSV/XLSX) and as a PDF report an admin can hand
to the commissioner: the figures on the first page, the page's three charts on the second
(drawn with fpdf2's vector primitives by ``portal/charts.py`` from ``chart_data``, the
figures Chart.js draws on the page, each bar labelled with its number). Both read a
``figures.Dashboard``, the object the page shows, so the numbers are the page's. The
spreadsheet goes through ``portal/sheets.py`` (cells neutralised against formulas); the
PDF uses the portal's Noto fonts (``portal/pdf.py``), so Hindi prints."""

from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from fpdf import FPDF
from fpdf.enums import XPos, YPos

from portal import exports
from portal.charts import Series, bar_chart, hbar_chart
from portal.l10n import local_date, number
from portal.pdf import LATIN, MUTED, RED, add_fonts

from .figures import Dashboard, chart_text


def _short(group: str) -> str:
    """A group as a narrow PDF column heads it: "Oh", and "?" for not yet typed."""
    return group or "?"


# The PDF's first page holds the figures: its tables show at most this many rows or
# columns. The charts' page shows every month and group, and this many units.
PDF_CHART_UNITS = 20
PDF_MONTHS = 12
PDF_UNITS = 6
PDF_CHILDREN = 5


def total_lines(board: Dashboard) -> list[tuple[str, object]]:
    """(label, value) of every total, in the order the page's cards show them."""
    t = board.totals
    return [
        (_("Units collected"), t["units"]),
        (_("Donations (visits)"), t["donations"]),
        (_("Camps held"), t["camps_held"]),
        (_("Donors registered"), t["donors_registered"]),
        (_("Donors donated"), t["donors_donated"]),
        (_("First-time donors"), t["first_time_donors"]),
        (_("Repeat donors"), t["repeat_donors"]),
        (_("Donors deferred at screening"), t["donors_deferred"]),
        (_("Children active"), t["children_active"]),
        (_("Transfusions due"), t["transfusions_due"]),
        (_("Transfusions done"), t["transfusions_done"]),
        (_("Transfusions missed"), t["transfusions_missed"]),
        (_("Units transfused"), t["units_transfused"]),
        (_("Children's need a year (plans)"), round(board.annual_need_total)),
        (_("Units due in the next 365 days (calendars)"), board.year_forecast.units_total),
        (_("Children at risk (no confirmed donor)"), board.at_risk_total),
    ]


def scope_lines(board: Dashboard) -> list[tuple[str, object]]:
    query = board.query
    return [
        (_("From"), query.start.isoformat()),
        (_("To"), query.end.isoformat()),
        (_("Police unit"), query.unit.name if query.unit else _("All in your jurisdiction")),
        (_("Blood group"), query.blood_group or _("Any")),
    ]


def headline(board: Dashboard) -> str:
    """The one sentence the page and the PDF open with. The need is a band (plans against
    calendars); when both ends agree it is one number, not "66–66"."""
    low, high = board.need_band
    values = {
        "start": date_format(board.query.start, "DATE_FORMAT"),
        "end": date_format(board.query.end, "DATE_FORMAT"),
        "units": number(board.totals["units"]),
        "low": number(low),
        "high": number(high),
    }
    if low == high:
        return (
            _(
                "%(start)s to %(end)s: %(units)s units given; the children need %(low)s units "
                "a year."
            )
            % values
        )
    return (
        _(
            "%(start)s to %(end)s: %(units)s units given; the children need %(low)s–%(high)s "
            "units a year."
        )
        % values
    )


# --- spreadsheet -------------------------------------------------------------------------


def _breakdown(title: str, rows, *, need=None) -> list[list]:
    header = [title, _("Units"), _("Donations"), _("Donors deferred")]
    if need is not None:
        header.append(_("Need"))
    lines = [header]
    for row in rows:
        line = [row.label, row.units, row.donations, row.donors_deferred]
        if need is not None:
            line.append(need(row))
        lines.append(line)
    return lines


def report_lines(board: Dashboard) -> list[list]:
    """Every figure of the page as spreadsheet lines, one block per table."""
    lines = [[_("Dashboard"), settings.FORCE_NAME], [headline(board)]]
    lines += [[label, value] for label, value in scope_lines(board)]
    lines += [[]] + [[label, value] for label, value in total_lines(board)]
    monthly = round(board.monthly_need)
    lines += [[]] + _breakdown(_("Month"), board.by["month"], need=lambda _row: monthly)
    lines += [[]] + _breakdown(_("Police unit"), board.by["unit"])
    lines += [[], [_("Blood group"), _("Units"), _("Need")]]
    lines += [[row["label"], row["units"], row["need"]] for row in board.group_rows()]
    lines += [[]] + _breakdown(_("Camp"), board.by["camp"])
    lines += [[]] + _breakdown(_("Blood centre"), board.by["blood_centre"])
    lines += [[], [_("Police unit"), _("Camps held")]]
    lines += [[row.label, row.extra["camps"]] for row in board.camps_by_unit]
    for forecast in board.forecasts:
        lines += [
            [],
            [
                _("Next %(days)s days") % {"days": forecast.days},
                _("Units needed"),
                _("Eligible donors"),
            ],
        ]
        lines += [[r["label"], r["units_needed"], r["eligible_donors"]] for r in forecast.rows()]
    lines += [[], [_("Blood group"), _("Need a week"), _("Eligible donors"), _("Weeks covered")]]
    for risk in board.risk:
        weeks = risk.weeks_covered
        lines.append(
            [
                risk.label,
                round(risk.weekly_need, 1),
                risk.eligible_now,
                "" if weeks is None else round(weeks, 1),
            ]
        )
    lines += [
        [],
        [
            _("Child at risk"),
            _("Police unit"),
            _("Blood group"),
            _("Due on"),
            _("Units confirmed"),
            _("Units needed"),
        ],
    ]
    for t in board.at_risk:
        lines.append(
            [
                t.patient.name,
                t.patient.unit.name,
                t.patient.blood_group,
                t.due_on.isoformat(),
                t.covered,
                t.units_needed,
            ]
        )
    return lines


def report_file(board: Dashboard, fmt: str) -> bytes:
    """The report as CSV or XLSX bytes: one sheet, tables one under another."""
    lines = report_lines(board)
    width = max(len(line) for line in lines)
    padded = [line + [""] * (width - len(line)) for line in lines]
    dataset = exports.build_dataset(padded[0], padded[1:], title="dashboard")
    return exports.render(dataset, fmt)


# --- PDF --------------------------------------------------------------------------------


def _heading(pdf, text):
    pdf.ln(2)
    pdf.set_font(LATIN, "B", 10.5)
    pdf.cell(0, 6, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(LATIN, "", 8.5)


def _grid(pdf, lines, *, first_col=None):
    widths = None
    if first_col:
        rest = (pdf.epw - first_col) / max(len(lines[0]) - 1, 1)
        widths = (first_col, *([rest] * (len(lines[0]) - 1)))
    with pdf.table(col_widths=widths, text_align="CENTER", line_height=4.6) as table:
        for line in lines:
            row = table.row()
            for value in line:
                row.cell(str(value))


def report_pdf(board: Dashboard) -> bytes:
    """The PDF: the title and headline, one block per section of the page, then the
    page's charts on a page of their own."""
    pdf = FPDF(orientation="portrait", unit="mm", format="A4")
    pdf.set_margins(14, 12, 14)
    pdf.set_auto_page_break(True, margin=10)
    add_fonts(pdf)
    pdf.set_title(_("Blood donation report"))
    pdf.set_author(settings.FORCE_NAME)
    pdf.set_creator(settings.PORTAL_NAME)
    pdf.add_page()
    for section in PDF_SECTIONS:
        section(pdf, board)
    return bytes(pdf.output())


def _pdf_title(pdf, board: Dashboard) -> None:
    pdf.set_font(LATIN, "B", 11)
    pdf.cell(0, 6, settings.FORCE_NAME, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(*RED)
    pdf.set_font(LATIN, "B", 15)
    pdf.cell(0, 8, _("Blood donation report"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(LATIN, "B", 12)
    pdf.multi_cell(0, 6, headline(board), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(LATIN, "", 8.5)
    pdf.set_text_color(*MUTED)
    scope = " · ".join(f"{label}: {value}" for label, value in scope_lines(board))
    pdf.multi_cell(0, 4.5, scope, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)


def _pdf_totals(pdf, board: Dashboard) -> None:
    """The totals in two columns of (label, value)."""
    _heading(pdf, _("Totals"))
    totals = total_lines(board)
    half = (len(totals) + 1) // 2
    pairs = []
    for i in range(half):
        left = totals[i]
        right = totals[i + half] if i + half < len(totals) else ("", "")
        pairs.append([left[0], number(left[1]), right[0], number(right[1]) if right[0] else ""])
    with pdf.table(
        col_widths=(62, 25, 63, 25), first_row_as_headings=False, line_height=4.6
    ) as table:
        for line in pairs:
            row = table.row()
            for value in line:
                row.cell(value)


def _pdf_months(pdf, board: Dashboard) -> None:
    months = board.by["month"][-PDF_MONTHS:]
    _heading(pdf, _("Units by month, against the children's need"))
    monthly = number(round(board.monthly_need))
    _grid(
        pdf,
        [
            [_("Month"), *(local_date(r.key, "SHORT_YEAR_MONTH_FORMAT") for r in months)],
            [_("Units"), *(number(r.units) for r in months)],
            [_("Need"), *([monthly] * len(months))],
        ],
        first_col=18,
    )


def _pdf_groups(pdf, board: Dashboard) -> None:
    groups = board.group_rows()
    if not groups:
        return
    _heading(pdf, _("Units by blood group, against the children's need in the period"))
    _grid(
        pdf,
        [
            [_("Group"), *(_short(g["group"]) for g in groups)],
            [_("Units"), *(number(g["units"]) for g in groups)],
            [_("Need"), *(number(g["need"]) for g in groups)],
        ],
        first_col=18,
    )


def _pdf_units(pdf, board: Dashboard) -> None:
    units = board.by["unit"][:PDF_UNITS]
    if not units:
        return
    _heading(pdf, _("Units by police unit (most first)"))
    camps = {row.key: row.extra["camps"] for row in board.camps_by_unit}
    _grid(
        pdf,
        [[_("Police unit"), _("Units"), _("Donations"), _("Camps held")]]
        + [[r.label, number(r.units), number(r.donations), camps.get(r.key, 0)] for r in units],
        first_col=80,
    )


def _pdf_forecasts(pdf, board: Dashboard) -> None:
    if not board.forecasts:
        return
    _heading(pdf, _("Units needed against donors eligible by then (same group)"))
    groups = board.forecasts[0].rows()
    lines = [[_("Group"), *(_short(g["group"]) for g in groups)]]
    for forecast in board.forecasts:
        rows = forecast.rows()
        days = {"days": forecast.days}
        lines.append([_("%(days)s d: units") % days, *(number(r["units_needed"]) for r in rows)])
        lines.append(
            [_("%(days)s d: donors") % days, *(number(r["eligible_donors"]) for r in rows)]
        )
    _grid(pdf, lines, first_col=24)


def _pdf_risk(pdf, board: Dashboard) -> None:
    if not board.risk:
        return
    _heading(pdf, _("Supply risk: weeks of need covered by donors eligible today"))
    weeks = ("—" if r.weeks_covered is None else number(r.weeks_covered, 1) for r in board.risk)
    _grid(
        pdf,
        [[_("Group"), *(_short(r.group) for r in board.risk)], [_("Weeks"), *weeks]],
        first_col=18,
    )


def _pdf_at_risk(pdf, board: Dashboard) -> None:
    """The children due soon with no confirmed donor: the first few, and how many more."""
    _heading(
        pdf,
        _("Children due within %(days)s days with no confirmed donor: %(n)s")
        % {"days": settings.DASHBOARD_AT_RISK_DAYS, "n": board.at_risk_total},
    )
    if not board.at_risk:
        return
    shown = board.at_risk[:PDF_CHILDREN]
    _grid(
        pdf,
        [[_("Child"), _("Police unit"), _("Group"), _("Due on"), _("Confirmed")]]
        + [
            [
                t.patient.name,
                t.patient.unit.name,
                t.patient.blood_group or "?",
                local_date(t.due_on),
                f"{t.covered}/{t.units_needed}",
            ]
            for t in shown
        ],
        first_col=50,
    )
    if board.at_risk_total > len(shown):
        pdf.cell(
            0,
            5,
            _("…and %(n)s more on the dashboard.") % {"n": board.at_risk_total - len(shown)},
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )


def _pdf_footer(pdf, board: Dashboard) -> None:
    pdf.ln(2)
    pdf.set_font(LATIN, "", 7.5)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(
        0,
        4,
        _(
            "Generated %(when)s from the portal's records. A camp's donations count for the unit "
            "that organised it. Need: units × 365 ÷ interval on today's plans; donors: same blood "
            "group, pre-screen only."
        )
        % {"when": date_format(timezone.localtime(), "DATETIME_FORMAT")},
    )


GREY = (173, 181, 189)
BLUE = (13, 110, 253)


def _bar_chart(pdf, title: str, height: float, **chart) -> None:
    """A heading, then a bar chart ``height`` mm high across the page under it."""
    _heading(pdf, title)
    top = pdf.get_y() + 1
    bar_chart(pdf, x=pdf.l_margin, y=top, w=pdf.epw, h=height, **chart)
    pdf.set_y(top + height + 2)


def _pdf_charts(pdf, board: Dashboard) -> None:
    """The dashboard page's three charts, from the figures Chart.js draws there."""
    data, text = board.chart_data(), chart_text()
    pdf.add_page()
    pdf.set_text_color(0, 0, 0)
    pdf.set_font(LATIN, "B", 11)
    pdf.cell(0, 6, _("Charts"), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(LATIN, "", 8.5)
    pdf.set_text_color(*MUTED)
    pdf.multi_cell(0, 4.5, headline(board), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_text_color(0, 0, 0)
    months, groups = data["months"], data["groups"]
    _bar_chart(
        pdf,
        _("Units collected by month, against the children's need"),
        72,
        labels=months["labels"],
        bars=[Series(text["units"], months["units"], RED)],
        line=Series(text["need"], months["need"], BLUE),
    )
    if groups["labels"]:
        _bar_chart(
            pdf,
            _("Units by blood group, against the children's need in the period"),
            58,
            labels=groups["labels"],
            bars=[
                Series(text["units"], groups["units"], RED),
                Series(text["need"], groups["need"], GREY),
            ],
        )
    camps = data["camps"]
    _heading(pdf, _("Camps held by police unit"))
    if not camps["labels"]:
        pdf.cell(0, 5, _("No camps held in this period."), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        return
    shown = camps["labels"][:PDF_CHART_UNITS]
    top = pdf.get_y() + 1
    height = hbar_chart(
        pdf,
        x=pdf.l_margin,
        y=top,
        w=pdf.epw,
        labels=shown,
        series=Series(text["camps"], camps["camps"][: len(shown)], RED),
    )
    pdf.set_y(top + height + 1)
    more = len(camps["labels"]) - len(shown)
    if more > 0:
        pdf.set_font(LATIN, "", 8.5)
        pdf.cell(
            0,
            5,
            _("…and %(n)s more on the dashboard.") % {"n": more},
            new_x=XPos.LMARGIN,
            new_y=YPos.NEXT,
        )


# The page's sections, top to bottom.
PDF_SECTIONS = (
    _pdf_title,
    _pdf_totals,
    _pdf_months,
    _pdf_groups,
    _pdf_units,
    _pdf_forecasts,
    _pdf_risk,
    _pdf_at_risk,
    _pdf_footer,
    _pdf_charts,
)
