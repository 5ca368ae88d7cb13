"""The report's chart, drawn on the server as SVG: per region, bars for aanmeldingen,
intakes and acceptances. No script and no external resource; the figures are also in
the table next to it (the chart is decoration for those who cannot see it)."""

from __future__ import annotations

from dataclasses import dataclass

from flows.texts import N_
from storage.reports import YearReport

__all__ = ["NO_DATA", "SERIES", "Bar", "Chart", "build_chart"]

# (attribute of ReportLine, label msgid, colour): colours with 4.5:1 contrast on white.
SERIES: tuple[tuple[str, str, str], ...] = (
    ("aanmeldingen", N_("Aanmeldingen"), "#1f4e79"),
    ("intakes", N_("Intakes"), "#b35900"),
    ("accepted", N_("Geaccepteerd"), "#2e6b30"),
)
NO_DATA = N_("Geen aanmeldingen in dit jaar.")
LABEL_WIDTH = 190
BAR_HEIGHT = 16
GROUP_GAP = 18
CHART_WIDTH = 640
TOP = 40


@dataclass(frozen=True)
class Bar:
    x: int
    y: int
    width: int
    value: int
    colour: str
    series: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    groups: list[tuple[str, int]]  # region id and the y of its label
    bars: list[Bar]
    legend: list[tuple[str, str, int]]  # label msgid, colour, x


def build_chart(report: YearReport) -> Chart:
    lines = report.region_totals
    peak = max([1, *(getattr(line, name) for line in lines for name, _, _ in SERIES)])
    room = CHART_WIDTH - LABEL_WIDTH - 60
    bars: list[Bar] = []
    groups: list[tuple[str, int]] = []
    y = TOP
    for line in lines:
        groups.append((line.region, y + BAR_HEIGHT + 4))
        for name, label, colour in SERIES:
            value = int(getattr(line, name))
            width = round(room * value / peak)
            bars.append(Bar(LABEL_WIDTH, y, width, value, colour, label))
            y += BAR_HEIGHT + 2
        y += GROUP_GAP
    legend = [
        (label, colour, LABEL_WIDTH + index * 150)
        for index, (_, label, colour) in enumerate(SERIES)
    ]
    return Chart(CHART_WIDTH, max(y, TOP + 40), groups, bars, legend)
