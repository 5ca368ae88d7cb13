"""The queue page (filters, counts, keyset pages, lenient parameters) and the report
page (figures, chart, CSV downloads audited as exports)."""

from __future__ import annotations

import csv
import io
import re
import xml.etree.ElementTree as ET

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
    figures = await dashboard.client.get(BASE + "/reports/figures.csv?year=2025")
    assert "attachment" in figures.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(figures.text)))
    line = next(r for r in rows if r["region"] == "parkstad" and r["product"] == "housing_first")
    assert (line["aanmeldingen"], line["intakes"], line["accepted"]) == ("1", "1", "1")
    assert line["median_days_to_decision"] == "4.0"
    total = rows[-1]
    assert (total["region"], total["aanmeldingen"]) == ("all", "2")
    confusion = list(
        csv.DictReader(
            io.StringIO(
                (await dashboard.client.get(BASE + "/reports/confusion.csv?year=2025")).text
            )
        )
    )
    row = next(r for r in confusion if r["recommendation"] == "housing_first")
    assert row["housing_first"] == "1"
    async with world.database.unit_of_work(write=False) as uow:
        exports = await uow.audit.find(AuditFilter(action="report_exported"))
    assert [e.details["table"] for e in exports] == ["confusion", "figures"]


async def test_the_audit_log_and_its_export(dashboard: Dashboard) -> None:
    world = dashboard.world
    await dashboard.login("park")
    await dashboard.client.get(BASE + f"/p/{world.references['parkstad']}")
    await dashboard.login("beheer")
    page = await dashboard.client.get(BASE + "/audit?action=pre_aanmelding_viewed")
    assert world.references["parkstad"] in page.text and "Jan de Vries" not in page.text
    export = await dashboard.client.get(BASE + "/audit.csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    actions = {r["action"] for r in rows}
    assert {"login_succeeded", "pre_aanmelding_viewed"} <= actions
    accounts = await dashboard.client.get(BASE + "/accounts")
    assert "park" in accounts.text and "Parkstad" in accounts.text
    async with world.database.unit_of_work(write=False) as uow:
        assert await uow.audit.count(AuditFilter(action="audit_exported")) == 1
