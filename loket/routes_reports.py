"""The year report for coordinators: figures per region and product, the bot's
recommendation against the loket's decision, a chart (SVG drawn on the server) and
downloads for Dutch Excel: CSV (`;`, a byte order mark) and .xlsx (audited as
exports)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from flows.products import PRODUCTS
from flows.texts import N_
from loket import labels
from loket.access import REGIONS, Permission
from loket.audit_trail import record_staff_action
from loket.csv_export import Table, confusion_table, figures_table, table_csv
from loket.i18n import TEMPLATES, dashboard_translations
from loket.report_chart import NO_DATA, build_chart
from loket.web import NotFound, Visit, render, visit
from loket.xlsx_export import XLSX_MEDIA_TYPE, table_xlsx
from storage.reports import DECISIONS, RECOMMENDATIONS, YearReport, build_report

__all__ = ["router"]

router = APIRouter()


async def _report(current: Visit) -> tuple[YearReport, list[int]]:
    async with current.loket.database.unit_of_work(write=False) as uow:
        years = await uow.reports.years()
        this_year = current.loket.now().year
        text = current.request.query_params.get("year", "")
        year = int(text) if text.isdigit() and 2000 <= int(text) <= 2100 else this_year
        facts = await uow.reports.facts(year)
    if this_year not in years:
        years = sorted({*years, this_year}, reverse=True)
    return build_report(year, facts, REGIONS), years


@router.get("/reports")
async def reports(request: Request) -> Response:
    current = await visit(request)
    current.require(Permission.REPORTS)
    report, years = await _report(current)
    return render(
        current,
        "reports.html",
        {
            "report": report,
            "years": years,
            "labels": labels,
            "products": PRODUCTS,
            "recommendations": RECOMMENDATIONS,
            "decisions": DECISIONS,
        },
    )


@router.get("/reports/chart.svg")
async def chart(request: Request) -> Response:
    current = await visit(request)
    current.require(Permission.REPORTS)
    report, _ = await _report(current)
    svg = TEMPLATES.render(
        "chart.svg",
        current.locale,
        chart=build_chart(report),
        report=report,
        labels=labels,
        no_data=NO_DATA,
    )
    response = Response(svg, media_type="image/svg+xml")
    current.set_cookies(response)
    return response


# The downloads: (table, format) -> media type.
FORMATS = {"csv": "text/csv; charset=utf-8", "xlsx": XLSX_MEDIA_TYPE}
SHEET_TITLES = {"figures": N_("Cijfers"), "confusion": N_("Advies tegen besluit")}


@router.get("/reports/{table}.{extension}")
async def report_download(request: Request, table: str, extension: str) -> Response:
    current = await visit(request)
    staff = current.require(Permission.REPORTS)
    if table not in SHEET_TITLES or extension not in FORMATS:
        raise NotFound()
    report, _ = await _report(current)
    t = dashboard_translations(current.locale).gettext
    made: Table = figures_table(report, t) if table == "figures" else confusion_table(report, t)
    body: str | bytes = (
        table_csv(made, current.locale)
        if extension == "csv"
        else table_xlsx(made, f"{t(SHEET_TITLES[table])} {report.year}")
    )
    async with current.loket.database.unit_of_work() as uow:
        await record_staff_action(
            uow,
            staff.id,
            "report_exported",
            "report",
            report.year,
            {"table": table, "format": extension},
        )
    filename = f"loket-{table}-{report.year}.{extension}"
    response = Response(
        body,
        media_type=FORMATS[extension],
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )
    current.set_cookies(response)
    return response
