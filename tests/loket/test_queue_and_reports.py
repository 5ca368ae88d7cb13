"""The queue page (filters, counts, keyset pages, lenient parameters) and the report
page (figures, chart, CSV and Excel downloads for Dutch Excel, audited as exports)."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

from openpyxl import load_workbook

from loket.xlsx_export import XLSX_MEDIA_TYPE
from storage.audit import AuditFilter
from storage.lifecycle import Status
from tests.factories.dashboard import BASE, Dashboard, World
from tests.factories.pre_aanmeldingen import MAASTRICHT, PARKSTAD, submission


async def add_many(world: World, count: int) -> list[str]:
    refs = []
    async with world.database.unit_of_work() as uow:
        for index in range(count):
            world.clock.advance(minutes=1)
            item = await uow.pre_aanmeldingen.create(
                submission(
                    PARKSTAD if index % 2 else MAASTRICHT,
                    channel_user_hash=None,
                    client_name=f"Persoon {index}",
                )
            )
            refs.append(item.reference)
    return refs


def references(page: str) -> list[str]:
    return re.findall(r'href="/loket/p/(LH-[A-Z0-9-]+)"', page)


async def test_the_queue_pages_through_everything_once(dashboard: Dashboard) -> None:
    world = dashboard.world
    await add_many(world, 120)
    await dashboard.login("coord")
    seen: list[str] = []
    url = BASE + "/queue?status=all"
    while True:
        page = (await dashboard.client.get(url)).text
        seen += references(page)
        match = re.search(r'href="\?([^"]*after=[^"]+)" rel="next"', page)
        if not match:
            break
        url = BASE + "/queue?" + match.group(1).replace("&amp;", "&")
    assert len(seen) == 122 and len(set(seen)) == 122


async def test_filters_and_counts(dashboard: Dashboard) -> None:
    world = dashboard.world
    refs = await add_many(world, 6)
    async with world.database.unit_of_work() as uow:
        await uow.pre_aanmeldingen.transition(refs[1], Status.IN_BEHANDELING, staff_user_id=None)
    await dashboard.login("coord")
    page = await dashboard.client.get(BASE + "/queue?region=parkstad&status=in_behandeling")
    assert references(page.text) == [refs[1]]
    assert re.search(r"In behandeling <span class=\"count\">1</span>", page.text)
    parkstad = references((await dashboard.client.get(BASE + "/queue?region=parkstad")).text)
    assert len(parkstad) == 4
    newest = references((await dashboard.client.get(BASE + "/queue?sort=newest")).text)
    assert newest[0] == refs[-1]
    search = await dashboard.client.get(BASE + f"/queue?q={refs[2].lower()}")
    assert references(search.text) == [refs[2]]
    odd = await dashboard.client.get(BASE + "/queue?region=atlantis&from=gisteren&after=zz")
    assert odd.status_code == 200 and "niet geldig en is weggelaten" in odd.text
    unassigned = references((await dashboard.client.get(BASE + "/queue?view=unassigned")).text)
    assert len(unassigned) == 8


async def test_the_report_figures_chart_and_csv(dashboard: Dashboard) -> None:
    world = dashboard.world
    ref = world.references["parkstad"]
    async with world.database.unit_of_work() as uow:
        for status in (Status.IN_BEHANDELING, Status.INTAKE_GEPLAND):
            await uow.pre_aanmeldingen.transition(ref, status, staff_user_id=None)
        world.clock.advance(days=4)
        await uow.pre_aanmeldingen.transition(
            ref, Status.GEACCEPTEERD, staff_user_id=None, product="housing_first"
        )
    await dashboard.login("coord")
    page = await dashboard.client.get(BASE + "/reports?year=2025")
    assert page.status_code == 200 and "Rapportage 2025" in page.text
    svg = await dashboard.client.get(BASE + "/reports/chart.svg?year=2025")
    assert svg.headers["content-type"].startswith("image/svg+xml")
    ET.fromstring(svg.text)  # well-formed
    assert "<script" not in svg.text
    # CSV for Dutch Excel: a byte order mark, ";" between cells, Dutch column names,
    # region and product names, a decimal comma.
    figures = await dashboard.client.get(BASE + "/reports/figures.csv?year=2025")
    assert "attachment" in figures.headers["content-disposition"]
    assert figures.content.startswith(b"\xef\xbb\xbf")
    text = figures.content.decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Jaar;Regio;Product;Aanmeldingen;Zelf;Hulpverlener")
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    line = next(r for r in rows if r["Regio"] == "Parkstad" and r["Product"] == "Housing First")
    assert (line["Aanmeldingen"], line["Intakes"], line["Geaccepteerd"]) == ("1", "1", "1")
    assert line["Mediaan dagen tot besluit"] == "4,0"
    total = rows[-1]
    assert (total["Regio"], total["Product"], total["Aanmeldingen"]) == ("Totaal", "Totaal", "2")
    confusion_csv = await dashboard.client.get(BASE + "/reports/confusion.csv?year=2025")
    confusion = list(
        csv.DictReader(io.StringIO(confusion_csv.content.decode("utf-8-sig")), delimiter=";")
    )
    row = next(r for r in confusion if r["Advies van de bot"] == "Housing First")
    assert row["Housing First"] == "1"

    # The same columns as an Excel workbook, numbers as numbers.
    xlsx = await dashboard.client.get(BASE + "/reports/figures.xlsx?year=2025")
    assert xlsx.status_code == 200
    assert xlsx.headers["content-type"] == XLSX_MEDIA_TYPE
    assert 'filename="loket-figures-2025.xlsx"' in xlsx.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet is not None and sheet.title == "Cijfers 2025"
    cells = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert cells[0] == list(csv.DictReader(io.StringIO(text), delimiter=";").fieldnames or [])
    excel = next(r for r in cells if r[1] == "Parkstad" and r[2] == "Housing First")
    assert excel[0] == 2025 and excel[3] == 1 and excel[16] == 4.0
    assert cells[-1][:4] == [2025, "Totaal", "Totaal", 2]
    assert len(cells) == len(rows) + 1
    book = load_workbook(
        io.BytesIO((await dashboard.client.get(BASE + "/reports/confusion.xlsx?year=2025")).content)
    )
    matrix = [[cell.value for cell in row] for row in book.active.iter_rows()]  # type: ignore[union-attr]
    assert matrix[0][:2] == ["Jaar", "Advies van de bot"]
    housing_first = matrix[0].index("Housing First")
    assert next(r for r in matrix if r[1] == "Housing First")[housing_first] == 1
    assert (await dashboard.client.get(BASE + "/reports/figures.pdf?year=2025")).status_code == 404
    async with world.database.unit_of_work(write=False) as uow:
        exports = await uow.audit.find(AuditFilter(action="report_exported"))
    exported = sorted((e.details["table"], e.details["format"]) for e in exports)
    assert exported == [
        ("confusion", "csv"),
        ("confusion", "xlsx"),
        ("figures", "csv"),
        ("figures", "xlsx"),
    ]


async def test_the_audit_log_and_its_export(dashboard: Dashboard) -> None:
    world = dashboard.world
    await dashboard.login("park")
    await dashboard.client.get(BASE + f"/p/{world.references['parkstad']}")
    await dashboard.login("beheer")
    page = await dashboard.client.get(BASE + "/audit?action=pre_aanmelding_viewed")
    assert world.references["parkstad"] in page.text and "Jan de Vries" not in page.text
    export = await dashboard.client.get(BASE + "/audit.csv")
    assert export.content.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig")), delimiter=";"))
    actions = {r["action"] for r in rows}
    assert {"login_succeeded", "pre_aanmelding_viewed"} <= actions
    accounts = await dashboard.client.get(BASE + "/accounts")
    assert "park" in accounts.text and "Parkstad" in accounts.text
    async with world.database.unit_of_work(write=False) as uow:
        assert await uow.audit.count(AuditFilter(action="audit_exported")) == 1
