"""Where people stop, in a real headless Chromium: a beheerder opens it from the menu,
filters it, reaches each table's scrolling box with the keyboard, and axe-core finds
no serious problem on the page. Takes docs/screenshots/dashboard-drop-off.png (when
missing, or with UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from flows.engine.drop_off import Path as DropOffPath
from loket.totp import code_at
from storage.database import Database
from storage.drop_off import drop_off
from tests.factories.dashboard import PASSWORD, World, build_app, populate
from tests.factories.databases import START, FakeClock, run_blocking
from tests.factories.drop_off import seed_conversations
from tests.factories.environment import CHROMIUM
from tests.web.browser_support import LAUNCH_ARGS, SCREENSHOTS, serious_violations, serve

pytestmark = pytest.mark.chromium

SHOT = "dashboard-drop-off.png"


# More conversations for a picture worth looking at: (stopped at question n of
# zelfmelding's first ones, how many); the rest went on to send.
STOPS = ((0, 14), (1, 6), (2, 9), (5, 5), (9, 7))
ZELFMELDING = ("consent", "name", "living", "municipality", "age", "household")
ZELFMELDING += ("homeless_months", "homeless_repeated", "problems", "support_need")


async def seed(url: str) -> World:
    clock = FakeClock(START)
    database = Database(url, clock=clock)
    world = await populate(database, clock)
    await seed_conversations(database, clock)
    paths = [
        DropOffPath("zelfmelding", "nl", ZELFMELDING[: at + 1], ZELFMELDING[at])
        for at, many in STOPS
        for _ in range(many)
    ]
    paths += [DropOffPath("zelfmelding", "nl", ZELFMELDING, None)] * 60
    async with database.unit_of_work() as uow:
        await drop_off(uow).add("web", paths)
    await database.dispose()
    return world


@pytest.fixture
def site(tmp_path: Path, sqlite_template: Path) -> Iterator[tuple[str, World]]:
    path = tmp_path / "intake.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"
    world = run_blocking(seed(url))
    database = Database(url)  # the real clock: the browser types real TOTP codes
    world.database = database
    try:
        with serve(build_app(database, secure=True)) as base:
            yield f"{base}/loket", world
    finally:
        run_blocking(database.dispose())


def test_a_beheerder_reads_where_people_stop(site: tuple[str, World], tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    url, world = site
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            # (bypass_csp: the page's CSP would refuse the injected axe-core script)
            context = browser.new_context(
                viewport={"width": 1280, "height": 900}, locale="nl-NL", bypass_csp=True
            )
            page = context.new_page()
            page.goto(url + "/login")
            page.get_by_label("Gebruikersnaam").fill("beheer")
            page.get_by_label("Wachtwoord").fill(PASSWORD)
            page.get_by_label("Code uit je authenticator-app").fill(
                code_at(world.accounts["beheer"].secret, datetime.now(UTC))
            )
            page.get_by_role("button", name="Inloggen").click()
            page.wait_for_url("**/loket/audit")

            page.get_by_role("link", name="Waar mensen stoppen").click()
            page.wait_for_url("**/loket/drop-off")
            page.get_by_label("Van (datum)").fill("2025-06-02")
            page.get_by_label("Tot en met (datum)").fill("2025-07-06")
            page.get_by_label("Kanaal").select_option("telegram")
            page.get_by_role("button", name="Tonen").click()
            page.wait_for_url("**channel=telegram**")
            boxes = page.get_by_role("region")
            assert boxes.count() == 2  # the start screen and zelfmelding (no veldwerk)
            first = page.get_by_role("region", name="Aanmelden voor jezelf")
            assert "Naam of voorletters" in first.inner_text()
            assert page.locator("[aria-current=page]").inner_text() == "Waar mensen stoppen"

            # Keyboard: from the filter button, Tab reaches each table's box.
            page.get_by_role("button", name="Tonen").focus()
            names = []
            for _ in range(2):
                page.keyboard.press("Tab")
                names.append(page.evaluate("() => document.activeElement.getAttribute('role')"))
            assert names == ["region", "region"]

            # The whole filter set back to all channels, for the picture.
            page.get_by_label("Kanaal").select_option("")
            page.get_by_role("button", name="Tonen").click()
            page.wait_for_url("**channel=")
            assert page.get_by_role("region").count() == 3
            assert serious_violations(page) == []
            page.screenshot(path=str(tmp_path / SHOT), full_page=True)
        finally:
            browser.close()
    update = os.environ.get("UPDATE_SCREENSHOTS", "") not in ("", "0")
    if update or not (SCREENSHOTS / SHOT).exists():
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(tmp_path / SHOT, SCREENSHOTS / SHOT)
