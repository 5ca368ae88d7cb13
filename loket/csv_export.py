"""CSV downloads of the dashboard: the year report, its confusion table, the audit log.
A cell a spreadsheet would run as a formula gets a leading `'`."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from storage.audit import AuditEvent
from storage.reports import DECISIONS, RECOMMENDATIONS, ReportLine, YearReport

__all__ = ["audit_csv", "confusion_csv", "figures_csv"]

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
FIGURE_COLUMNS = (
    "year",
    "region",
    "product",
    "aanmeldingen",
    "self",
    "professional",
    "veldwerker",
    "convenant_partner",
    "other_organisation",
    "convenant_unknown",
    "intakes",
    "accepted",
    "referred",
    "rejected",
    "withdrawn",
    "open",
    "median_days_to_decision",
)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    text = str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _write(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        writer.writerow([_cell(v) for v in row])
    return out.getvalue()


def _figure_row(year: int, line: ReportLine) -> list[Any]:
    return [
        year,
        line.region,
        line.product,
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


def figures_csv(report: YearReport) -> str:
    """One row per region and product, a total row per region, and the grand total."""
    rows = [_figure_row(report.year, line) for line in report.lines]
    rows += [_figure_row(report.year, line) for line in report.region_totals]
    rows.append(_figure_row(report.year, report.total))
    return _write(FIGURE_COLUMNS, rows)


def confusion_csv(report: YearReport) -> str:
    """The bot's recommendation (rows) against the loket's decision (columns)."""
    rows = [
        [report.year, rec, *(report.confusion.get(rec, {}).get(d, 0) for d in DECISIONS)]
        for rec in RECOMMENDATIONS
    ]
    return _write(("year", "recommendation", *DECISIONS), rows)


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
