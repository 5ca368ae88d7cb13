"""The year report for coordinators: figures per region and product, the bot's
recommendation against the loket's decision, a chart (SVG drawn on the server) and
CSV downloads (audited as exports)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import Response

from flows.products import PRODUCTS
from loket import labels
from loket.access import REGIONS, Permission
from loket.audit_trail import record_staff_action
from loket.csv_export import confusion_csv, figures_csv
from loket.i18n import TEMPLATES
from loket.report_chart import NO_DATA, build_chart
from loket.web import NotFound, Visit, render, visit
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


@router.get("/reports/{table}.csv")
async def report_csv(request: Request, table: str) -> Response:
    current = await visit(request)
    staff = current.require(Permission.REPORTS)
    if table not in ("figures", "confusion"):
        raise NotFound()
    report, _ = await _report(current)
    body = figures_csv(report) if table == "figures" else confusion_csv(report)
    async with current.loket.database.unit_of_work() as uow:
        await record_staff_action(
            uow, staff.id, "report_exported", "report", report.year, {"table": table}
        )
    response = Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="loket-{table}-{report.year}.csv"'},
    )
    current.set_cookies(response)
    return response
