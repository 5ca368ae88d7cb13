"""Downloads of the dashboard: the year report and its confusion table (CSV and
Excel), the audit log (CSV). The CSV is made for Dutch Excel: `;` between cells,
a UTF-8 byte order mark, decimal commas; the report's columns, regions and products
have their names in the staff language (`loket.labels`). A cell a spreadsheet would
run as a formula gets a leading `'`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from babel.numbers import format_decimal

from loket import labels
from storage.audit import AuditEvent
from storage.reports import DECISIONS, RECOMMENDATIONS, ReportLine, YearReport

__all__ = [
    "BOM",
    "SEPARATOR",
    "Cell",
    "Table",
    "audit_csv",
    "confusion_table",
    "figures_table",
    "table_csv",
]

BOM = "\ufeff"  # Excel reads the file as UTF-8 only with it
SEPARATOR = ";"  # Dutch Excel's list separator (the comma is the decimal sign)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
Cell = str | int | float | None
Translate = Callable[[str], str]


@dataclass(frozen=True)
class Table:
    """A download: its column names and rows of plain values (numbers stay numbers
    until written, so Excel gets numbers)."""

    name: str
    header: list[str]
    rows: list[list[Cell]]


def safe_text(value: str) -> str:
    """Text that no spreadsheet runs as a formula."""
    return "'" + value if value.startswith(_FORMULA_START) else value


def _cell(value: Any, locale: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return str(format_decimal(value, format="0.0##", locale=locale))
    if isinstance(value, int):
        return str(value)
    return safe_text(str(value))


def _write(header: Sequence[str], rows: Iterable[Sequence[Any]], locale: str = "nl") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=SEPARATOR, lineterminator="\r\n")
    writer.writerow([safe_text(h) for h in header])
    for row in rows:
        writer.writerow([_cell(v, locale) for v in row])
    return BOM + out.getvalue()


def table_csv(table: Table, locale: str) -> str:
    return _write(table.header, table.rows, locale)


def _product(t: Translate, product: str) -> str:
    return t(labels.DECISION_LABELS["all"]) if product == "all" else t(labels.product_name(product))


def _figure_row(t: Translate, year: int, line: ReportLine) -> list[Cell]:
    return [
        year,
        t(labels.region_name(line.region)),
        _product(t, line.product),
        line.aanmeldingen,
        line.by_submitter["self"],
        line.by_submitter["professional"],
        line.by_submitter["veldwerker"],
        line.convenant_partner,
        line.other_organisation,
        line.convenant_unknown,
        line.intakes,
        line.accepted,
        line.referred,
        line.rejected,
        line.withdrawn,
        line.open,
        line.median_days,
    ]


def figures_table(report: YearReport, t: Translate) -> Table:
    """One row per region and product, a total row per region, and the grand total."""
    lines = [*report.lines, *report.region_totals, report.total]
    return Table(
        "figures",
        [t(label) for label in labels.FIGURE_COLUMNS.values()],
        [_figure_row(t, report.year, line) for line in lines],
    )


def _decision(t: Translate, decision: str) -> str:
    if decision in labels.DECISION_LABELS:
        return t(labels.DECISION_LABELS[decision])
    return t(labels.product_name(decision))


def confusion_table(report: YearReport, t: Translate) -> Table:
    """The bot's recommendation (rows) against the loket's decision (columns)."""
    header = [t(label) for label in labels.CONFUSION_COLUMNS.values()]
    header += [_decision(t, d) for d in DECISIONS]
    rows: list[list[Cell]] = [
        [
            report.year,
            t(labels.product_name(rec)),
            *(report.confusion.get(rec, {}).get(d, 0) for d in DECISIONS),
        ]
        for rec in RECOMMENDATIONS
    ]
    return Table("confusion", header, rows)


def audit_csv(events: Iterable[AuditEvent], names: Mapping[int, str]) -> str:
    rows = [
        [
            event.id,
            event.at.isoformat(),
            event.actor,
            event.staff_user_id,
            names.get(event.staff_user_id, "") if event.staff_user_id is not None else "",
            event.action,
            event.subject_type,
            event.subject_id,
            json.dumps(dict(event.details), sort_keys=True, ensure_ascii=False),
        ]
        for event in events
    ]
    header = (
        "id",
        "at",
        "actor",
        "staff_user_id",
        "staff_username",
        "action",
        "subject_type",
        "subject_id",
        "details",
    )
    return _write(header, rows)
