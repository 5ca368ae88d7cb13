"""Where people stop, on the dashboard: the figures of the seeded conversations
(tests/factories/drop_off.py) per flow in the flow's order, small counts as "<5",
for coordinators and beheerders only, nothing about any person; bad form input gets
a message at its field. SQLite and PostgreSQL (the `world` fixture)."""

from __future__ import annotations

import re
from html import unescape

import pytest

from flows.engine.drop_off import Path
from storage.drop_off import drop_off
from tests.factories.dashboard import BASE, Dashboard, World, fresh_dashboard
from tests.factories.drop_off import seed_conversations

PERIOD = "from=2025-06-02&to=2025-07-06"


def tables(page: str) -> dict[str, list[tuple[str, str, str, str]]]:
    """Each flow's table (by its heading): (question, reached, left, share) rows."""
    found: dict[str, list[tuple[str, str, str, str]]] = {}
    for heading, body in re.findall(
        r'<h2 id="flow-\d+">(.*?)</h2>\s*<div class="scroll"[^>]*>(.*?)</div>', page, re.S
    ):
        rows = re.findall(
            r'<th scope="row">(.*?)</th>\s*<td class="num">(.*?)</td>\s*'
            r'<td class="num">(.*?)</td>\s*<td class="num">(.*?)</td>',
            body,
            re.S,
        )
        found[unescape(heading)] = [
            (unescape(q), unescape(r), unescape(left), unescape(s)) for q, r, left, s in rows
        ]
    return found


async def seeded_dashboard(world: World) -> Dashboard:
    await seed_conversations(world.database, world.clock)
    return await fresh_dashboard(world)


@pytest.mark.parametrize("role", ["coord", "beheer"])
async def test_the_figures_per_flow_in_question_order(world: World, role: str) -> None:
    dashboard = await seeded_dashboard(world)
    async with dashboard.client:
        await dashboard.login(role)
        page = await dashboard.client.get(f"{BASE}/drop-off?{PERIOD}")
    assert page.status_code == 200
    found = tables(page.text)
    assert list(found) == [
        "Startscherm: voor wie en in welke taal",
        "Aanmelden voor jezelf",
        "Screening op straat (voor veldwerkers)",
    ]
    # six conversations passed the start screen's question; one (eva) ended there
    assert found["Startscherm: voor wie en in welke taal"] == [("Voor wie", "6", "<5", "—")]
    zelfmelding = found["Aanmelden voor jezelf"]
    assert zelfmelding[:3] == [
        ("Toestemming", "5", "<5", "—"),
        ("Naam of voorletters", "<5", "<5", "—"),
        ("Waar je slaapt", "<5", "<5", "—"),
    ]
    # 0 looks like 1 to 4: a follow-up question does not tell who answered what
    assert all(row[1:] == ("<5", "<5", "—") for row in zelfmelding[3:])
    veldwerk = found["Screening op straat (voor veldwerkers)"]
    assert veldwerk[0] == ("Persoon is akkoord", "<5", "<5", "—")
    assert veldwerk[-1] == ("Overzicht van de antwoorden, voor het versturen", "<5", "<5", "—")
    assert len(veldwerk) == len([r for r in veldwerk if r[1] == "<5"])
    # The table scrolls within a box that has a name and takes keyboard focus.
    assert re.search(
        r'<div class="scroll" role="region" aria-labelledby="flow-1" tabindex="0">', page.text
    )
    assert "<caption" in page.text and 'scope="col"' in page.text


async def test_nothing_about_a_person_is_shown(world: World) -> None:
    dashboard = await seeded_dashboard(world)
    async with dashboard.client:
        await dashboard.login("coord")
        page = await dashboard.client.get(f"{BASE}/drop-off?{PERIOD}")
    text = page.text
    for typed in ("Bob", "Fien", "hallo", "Iris Dumoulin", "Straatteam", "043-3501234"):
        assert typed not in text  # answers the seeded people typed
    assert not re.search(r"[0-9a-f]{16}", text)  # no user hash
    assert "LH-" not in text  # no reference code


async def test_filters_by_language_channel_and_weeks(world: World) -> None:
    dashboard = await seeded_dashboard(world)
    async with world.database.unit_of_work() as uow:  # 45 more: 10 left at consent, 5 at name
        paths = [Path("zelfmelding", "en", ("consent",), "consent")] * 10
        paths += [Path("zelfmelding", "en", ("consent", "name"), "name")] * 5
        paths += [Path("zelfmelding", "en", ("consent", "name"), None)] * 30
        await drop_off(uow).add("web", paths)
    async with dashboard.client:
        await dashboard.login("coord")
        english = await dashboard.client.get(f"{BASE}/drop-off?{PERIOD}&language=en")
        telegram = await dashboard.client.get(
            f"{BASE}/drop-off?{PERIOD}&channel=telegram&flow=zelfmelding"
        )
        first_week = await dashboard.client.get(f"{BASE}/drop-off?from=2025-06-02&to=2025-06-08")
        later = await dashboard.client.get(f"{BASE}/drop-off?from=2025-08-01&to=2025-08-31")
    # cem (no consent) and the 45 added in the week of 30 June
    assert tables(english.text)["Aanmelden voor jezelf"][:2] == [
        ("Toestemming", "46", "11", "24%"),
        ("Naam of voorletters", "35", "5", "14%"),  # 5 stopped: the share shows
    ]
    found = tables(telegram.text)
    assert list(found) == ["Aanmelden voor jezelf"]
    assert found["Aanmelden voor jezelf"][:3] == [
        ("Toestemming", "<5", "<5", "—"),
        ("Naam of voorletters", "<5", "<5", "—"),
        ("Waar je slaapt", "<5", "<5", "—"),
    ]
    assert tables(first_week.text)["Startscherm: voor wie en in welke taal"] == [
        ("Voor wie", "5", "<5", "—")
    ]
    assert "maandag 2 jun 2025 tot en met zondag 8 jun 2025" in first_week.text
    assert tables(later.text) == {}
    assert "Geen gesprekken die in deze weken eindigden" in later.text


async def test_bad_input_is_named_at_its_field(world: World) -> None:
    dashboard = await seeded_dashboard(world)
    async with dashboard.client:
        await dashboard.login("coord")
        bad_date = await dashboard.client.get(f"{BASE}/drop-off?from=2-juni&to=2025-07-06")
        reversed_ = await dashboard.client.get(f"{BASE}/drop-off?from=2025-07-06&to=2025-06-02")
        unknown = await dashboard.client.get(
            f"{BASE}/drop-off?{PERIOD}&language=xx&channel=<script>&flow=nope"
        )
    assert bad_date.status_code == 200
    assert 'aria-invalid="true" aria-describedby="from-error"' in bad_date.text
    assert '<span id="from-error" class="field-error">Dit is geen datum.' in bad_date.text
    assert 'id="from-error" class="field-error">De begindatum ligt na de einddatum.' in (
        reversed_.text
    )
    assert unknown.status_code == 200
    assert "Een deel van de keuzes was niet geldig en is weggelaten." in unknown.text
    assert "<script>" not in unknown.text
    assert "Aanmelden voor jezelf" in tables(unknown.text)  # the filter fell back to all


async def test_english_staff_read_english_labels(world: World) -> None:
    dashboard = await seeded_dashboard(world)
    async with dashboard.client:
        await dashboard.login("beheer")
        await dashboard.client.get(f"{BASE}/language/en?next=/drop-off")
        page = await dashboard.client.get(f"{BASE}/drop-off?{PERIOD}")
    found = tables(page.text)
    assert list(found) == [
        "Start screen: for whom and in which language",
        "Register yourself",
        "Street screening (for outreach workers)",
    ]
    assert found["Start screen: for whom and in which language"] == [("For whom", "6", "<5", "—")]
    assert found["Register yourself"][0] == ("Consent", "5", "<5", "—")
    assert '<th scope="col">Reached</th>' in page.text.replace(' class="num"', "")


async def test_the_menu_links_it_for_those_who_may_read_it(dashboard: Dashboard) -> None:
    for role, shown in (("coord", True), ("beheer", True), ("park", False)):
        async with (await fresh_dashboard(dashboard.world)).client as client:
            other = Dashboard(client, dashboard.world)
            await other.login(role)
            home = await client.get(BASE + "/", follow_redirects=True)
            assert (f'href="{BASE}/drop-off"' in home.text) is shown, role
            answer = await client.get(BASE + "/drop-off")
            assert answer.status_code == (200 if shown else 403), role
