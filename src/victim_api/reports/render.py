"""The report as CSV and as an SVG bar chart. Pure functions.

The chart is written with ``xml.etree`` (small and exact): text elements only, no
scripts, no external fonts or images, so it is readable on its own in the
weekly management pack: a title, the period, both axes labelled, a label and a
value on every bar.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any
from xml.etree import ElementTree as ET

from victim_api.reference.data import BOROUGHS_BY_CODE

CSV_COLUMNS = (
    "duties_due",
    "met_on_time",
    "met_late",
    "overdue",
    "waived",
    "pending",
    "on_time_percent",
)
TOTAL = "TOTAL"


def to_csv(report: Mapping[str, Any]) -> str:
    """One row per group and a TOTAL row: the duty figures (RFC 4180, CRLF)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([str(report["group_by"]), *CSV_COLUMNS])
    rows = [*report["duties"]["groups"], {"group": TOTAL, **report["duties"]["total"]}]
    for row in rows:
        writer.writerow([row["group"], *("" if row[c] is None else row[c] for c in CSV_COLUMNS)])
    return out.getvalue()


# Layout, in SVG user units.
WIDTH, LEFT, RIGHT, TOP, BAR, GAP, BOTTOM = 720, 80, 24, 78, 28, 16, 120
FONT = "font-family:sans-serif"


def _text(parent: ET.Element, x: float, y: float, content: str, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, "text", {"x": f"{x:g}", "y": f"{y:g}", **attrs})
    element.text = content
    return element


def _borough_name(code: str) -> str:
    borough = BOROUGHS_BY_CODE.get(code)
    return borough.name if borough else code


def to_svg(series: Sequence[Mapping[str, Any]], first_day: date, last_day: date) -> str:
    """A vertical bar chart of on-time % (0 to 100) per borough."""
    count = max(len(series), 1)
    plot_width = count * (BAR + GAP) + GAP
    width = max(WIDTH, LEFT + plot_width + RIGHT)
    plot_height = 260
    height = TOP + plot_height + BOTTOM
    title = "Victims' Code duties met on time, by borough"
    period = f"Duties due {first_day.isoformat()} to {last_day.isoformat()}"
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "width": str(width),
            "height": str(height),
            "viewBox": f"0 0 {width} {height}",
            "role": "img",
            "aria-labelledby": "chart-title chart-desc",
        },
    )
    ET.SubElement(svg, "title", {"id": "chart-title"}).text = title
    ET.SubElement(svg, "desc", {"id": "chart-desc"}).text = (
        f"{period}. Bars show the percentage of duties met on time (met on time out of met "
        "on time, met late and overdue; waived and not yet due left out)."
    )
    ET.SubElement(svg, "rect", {"width": "100%", "height": "100%", "fill": "#ffffff"})
    _text(svg, LEFT, 30, title, style=f"{FONT};font-size:18px;font-weight:bold")
    _text(svg, LEFT, 52, period, style=f"{FONT};font-size:13px", fill="#333333")
    base = TOP + plot_height
    _axes(svg, base, plot_height, plot_width)
    for index, row in enumerate(series):
        _bar(svg, index, row, base, plot_height)
    if not series:
        _text(
            svg,
            LEFT + 12,
            base - plot_height / 2,
            "No duties were due in this period.",
            style=f"{FONT};font-size:13px",
        )
    _text(
        svg,
        LEFT + plot_width / 2,
        height - 12,
        "Borough",
        style=f"{FONT};font-size:13px",
        **{"text-anchor": "middle"},
    )
    return ET.tostring(svg, encoding="unicode", xml_declaration=False)


def _axes(svg: ET.Element, base: float, plot_height: float, plot_width: float) -> None:
    axis = {"stroke": "#333333", "stroke-width": "1"}
    ET.SubElement(
        svg, "line", {"x1": str(LEFT), "y1": str(TOP), "x2": str(LEFT), "y2": str(base), **axis}
    )
    ET.SubElement(
        svg,
        "line",
        {"x1": str(LEFT), "y1": str(base), "x2": str(LEFT + plot_width), "y2": str(base), **axis},
    )
    for tick in (0, 25, 50, 75, 100):
        y = base - plot_height * tick / 100
        ET.SubElement(
            svg,
            "line",
            {"x1": str(LEFT - 4), "y1": f"{y:g}", "x2": str(LEFT), "y2": f"{y:g}", **axis},
        )
        _text(
            svg,
            LEFT - 8,
            y + 4,
            f"{tick}%",
            style=f"{FONT};font-size:11px",
            **{"text-anchor": "end"},
        )
    label_y = TOP + plot_height / 2
    _text(
        svg,
        18,
        label_y,
        "Duties met on time (%)",
        style=f"{FONT};font-size:13px",
        transform=f"rotate(-90 18 {label_y:g})",
        **{"text-anchor": "middle"},
    )


def _bar(
    svg: ET.Element, index: int, row: Mapping[str, Any], base: float, plot_height: float
) -> None:
    x = LEFT + GAP + index * (BAR + GAP)
    percent = row["on_time_percent"]
    name = _borough_name(str(row["group"]))
    if percent is not None:
        bar_height = plot_height * float(percent) / 100
        bar = ET.SubElement(
            svg,
            "rect",
            {
                "x": f"{x:g}",
                "y": f"{base - bar_height:g}",
                "width": str(BAR),
                "height": f"{bar_height:g}",
                "fill": "#1d70b8",
            },
        )
        ET.SubElement(bar, "title").text = f"{name}: {percent:g}%"
    value = f"{percent:g}%" if percent is not None else "n/a"
    top = base - (plot_height * float(percent) / 100 if percent is not None else 0)
    _text(
        svg,
        x + BAR / 2,
        top - 6,
        value,
        style=f"{FONT};font-size:11px",
        **{"text-anchor": "middle"},
    )
    label_x, label_y = x + BAR / 2, base + 14
    _text(
        svg,
        label_x,
        label_y,
        name,
        style=f"{FONT};font-size:11px",
        transform=f"rotate(45 {label_x:g} {label_y:g})",
    )
