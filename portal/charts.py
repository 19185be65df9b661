"""Bar charts drawn on an fpdf2 page with its own vector primitives (rectangles, lines,
text): the dashboard's PDF prints the charts its page draws with Chart.js, from the same
figures, with no plotting library and no image in between. Text goes through the page's
fonts (``portal/pdf.py``), so Hindi labels are shaped like the rest of the report.

Every bar carries its number, so the printed chart can be read (and tested) exactly; the
axis has a few round ticks. Kept to what the dashboard needs: vertical bars in groups with
an optional line across them, and horizontal bars."""

import math
from dataclasses import dataclass

from fpdf import FPDF

from .l10n import number
from .pdf import INK, LATIN, MUTED

GRID = (222, 226, 230)


@dataclass
class Series:
    """One data set: its legend name, its values (one per label) and its colour."""

    name: str
    values: list
    colour: tuple[int, int, int]


def _ticks(top: float, count: int = 4) -> list[float]:
    """Round tick values from 0 to at least ``top`` (1, 2, 2.5 or 5 × 10^n apart)."""
    if top <= 0:
        return [0, 1]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    if step < 1:
        step = 1
    return [i * step for i in range(math.ceil(top / step) + 1)]


def _number(value) -> str:
    """A bar's label, grouped as the reader's language groups (1,234 / 1.234)."""
    if isinstance(value, float) and not value.is_integer():
        return number(value, 1)
    return number(round(value))


def _legend(pdf: FPDF, x: float, y: float, entries: list[tuple[str, tuple, bool]]) -> None:
    """Colour swatches (a bar, or a line) and names in a row from (x, y)."""
    pdf.set_font(LATIN, "", 7)
    pdf.set_text_color(*INK)
    for name, colour, is_line in entries:
        if is_line:
            pdf.set_draw_color(*colour)
            pdf.set_line_width(0.6)
            pdf.line(x, y + 1.6, x + 5, y + 1.6)
        else:
            pdf.set_fill_color(*colour)
            pdf.rect(x, y + 0.4, 5, 2.6, style="F")
        pdf.set_xy(x + 6, y)
        pdf.cell(pdf.get_string_width(name) + 1, 3.4, name)
        x += 6 + pdf.get_string_width(name) + 5


def bar_chart(
    pdf: FPDF,
    *,
    x: float,
    y: float,
    w: float,
    h: float,
    labels: list[str],
    bars: list[Series],
    line: Series | None = None,
) -> None:
    """Vertical bars, one group per label (a bar per series side by side), each bar's
    number above it; ``line`` joins its values across the groups (its number printed once,
    at the right end, when it is the same everywhere). The legend sits under the chart."""
    n = max(len(labels), 1)
    values = [v for s in bars for v in s.values] + (list(line.values) if line else [])
    ticks = _ticks(max(values, default=0))
    axis_w, label_h, legend_h = 9, 5 if n <= 13 else 14, 5
    left, bottom = x + axis_w, y + h - label_h - legend_h
    top = y + 3  # room for the tallest bar's number
    plot_w, plot_h = w - axis_w, bottom - top
    scale = plot_h / ticks[-1]
    pdf.set_line_width(0.15)
    pdf.set_font(LATIN, "", 6)
    pdf.set_text_color(*MUTED)
    for tick in ticks:
        ty = bottom - tick * scale
        pdf.set_draw_color(*GRID)
        pdf.line(left, ty, left + plot_w, ty)
        pdf.set_xy(x, ty - 1.5)
        pdf.cell(axis_w - 1, 3, _number(tick), align="R")
    slot = plot_w / n
    bar_w = slot * 0.78 / max(len(bars), 1)
    size = max(4.0, min(7.0, bar_w * 2.6))
    for i, label in enumerate(labels):
        x0 = left + slot * i + slot * 0.11
        for k, series in enumerate(bars):
            value = series.values[i]
            bx, bh = x0 + bar_w * k, value * scale
            pdf.set_fill_color(*series.colour)
            if bh > 0:
                pdf.rect(bx, bottom - bh, bar_w, bh, style="F")
            pdf.set_font(LATIN, "", size)
            pdf.set_text_color(*INK)
            pdf.set_xy(bx - 2, bottom - bh - 3)
            pdf.cell(bar_w + 4, 3, _number(value), align="C")
        _axis_label(pdf, label, left + slot * i, bottom, slot, rotate=n > 13)
    pdf.set_draw_color(*MUTED)
    pdf.line(left, bottom, left + plot_w, bottom)
    if line is not None:
        _line(pdf, line, left, bottom, slot, scale)
    entries = [(s.name, s.colour, False) for s in bars]
    if line is not None:
        entries.append((line.name, line.colour, True))
    _legend(pdf, left, y + h - legend_h + 1, entries)
    pdf.set_text_color(*INK)
    pdf.set_draw_color(*INK)


def _axis_label(pdf: FPDF, label: str, x: float, bottom: float, slot: float, *, rotate: bool):
    pdf.set_font(LATIN, "", 6.5)
    pdf.set_text_color(*INK)
    if rotate:  # read upwards, ending just under the axis
        cx, top = x + slot / 2 + 1.2, bottom + 1
        with pdf.rotation(90, cx, top):
            pdf.set_xy(cx - 12, top)
            pdf.cell(12, 2.6, label, align="R")
        return
    pdf.set_xy(x, bottom + 0.8)
    pdf.cell(slot, 3.2, label, align="C")


def _line(pdf: FPDF, series: Series, left: float, bottom: float, slot: float, scale: float):
    points = [(left + slot * (i + 0.5), bottom - v * scale) for i, v in enumerate(series.values)]
    pdf.set_draw_color(*series.colour)
    pdf.set_fill_color(*series.colour)
    pdf.set_line_width(0.5)
    for (x1, y1), (x2, y2) in zip(points, points[1:], strict=False):
        pdf.line(x1, y1, x2, y2)
    for px, py in points:
        pdf.circle(px, py, 0.7, style="F")
    pdf.set_line_width(0.15)
    values = set(series.values)
    if len(values) == 1 and points:
        px, py = points[-1]
        pdf.set_font(LATIN, "B", 6.5)
        pdf.set_text_color(*series.colour)
        pdf.set_xy(px - 12, py - 3.6)
        pdf.cell(12 + slot / 2, 3, _number(series.values[-1]), align="R")
        pdf.set_text_color(*INK)


def hbar_chart(
    pdf: FPDF,
    *,
    x: float,
    y: float,
    w: float,
    labels: list[str],
    series: Series,
    row_h: float = 4.6,
    label_w: float = 42,
) -> float:
    """Horizontal bars, a row per label with its name on the left and its number at the
    bar's end; answers the height drawn."""
    top = max(series.values, default=0)
    ticks = _ticks(top)
    plot_w = w - label_w - 8
    scale = plot_w / ticks[-1]
    left = x + label_w
    height = row_h * len(labels)
    pdf.set_line_width(0.15)
    pdf.set_draw_color(*GRID)
    pdf.set_font(LATIN, "", 6)
    pdf.set_text_color(*MUTED)
    for tick in ticks:
        tx = left + tick * scale
        pdf.line(tx, y, tx, y + height)
        pdf.set_xy(tx - 5, y + height + 0.5)
        pdf.cell(10, 3, _number(tick), align="C")
    pdf.set_fill_color(*series.colour)
    for i, (label, value) in enumerate(zip(labels, series.values, strict=True)):
        ry = y + row_h * i
        pdf.set_font(LATIN, "", 7)
        pdf.set_text_color(*INK)
        pdf.set_xy(x, ry)
        pdf.cell(label_w - 1.5, row_h, label, align="R")
        if value:
            pdf.rect(left, ry + row_h * 0.15, value * scale, row_h * 0.7, style="F")
        pdf.set_xy(left + value * scale + 0.8, ry)
        pdf.cell(8, row_h, _number(value))
    pdf.set_draw_color(*MUTED)
    pdf.line(left, y, left, y + height)
    pdf.set_draw_color(*INK)
    return height + 4
