"""The crisis queue in a real headless Chromium: reached from the menu, the signs with
their question shown, a typed contact with HTML in it stays inert text, "Opgevolgd"
works without script, and the page reflows at 320 px. Takes
docs/screenshots/dashboard-crisis.png (when missing or with UPDATE_SCREENSHOTS=1)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from loket.totp import code_at
from storage.conversations import ConversationKey
from storage.crisis_signs import CrisisSigns, crisis_signs
from storage.database import Database
from tests.factories.dashboard import PASSWORD, World, build_app, populate
from tests.factories.databases import FakeClock, run_blocking
from tests.factories.environment import CHROMIUM
from tests.web.browser_support import LAUNCH_ARGS, SCREENSHOTS, serve

pytestmark = pytest.mark.chromium

HOSTILE = '<img src=x onerror="window.__xss=1">'


@dataclass
class Server:
    url: str
    world: World
    db_url: str


async def add_hostile_contact(url: str) -> None:
    """A conversation whose typed e-mail holds HTML (the contact is shown as typed)."""
    database = Database(url)
    sign = {"category": "exploitation", "at": datetime.now(UTC).isoformat()}
    signs = CrisisSigns("zelfmelding", [sign], "email", HOSTILE, "parkstad")
    async with database.unit_of_work() as uow:
        await crisis_signs(uow).record(ConversationKey("web", "x" * 64), datetime.now(UTC), signs)
    await database.dispose()


async def seed(url: str) -> World:
    start = datetime.now(UTC) - timedelta(days=10)
    clock = FakeClock(start)
    database = Database(url, clock=clock)
    world = await populate(database, clock)
    cases = (
        ("a", "suicide", "municipality", "phone", "+31612345678", "parkstad"),
        ("b", "violence", "living", "email", "sanne@example.org", "parkstad"),
        ("c", "cold", None, "none", None, "parkstad"),
        ("d", "danger", "age", "none", None, "parkstad"),
    )
    async with database.unit_of_work() as uow:
        for letter, category, node, kind, contact, region in cases:
            clock.advance(days=2)
            sign = {"category": category, "at": clock().isoformat(), "flow": "zelfmelding"}
            if node is not None:
                sign["node"] = node
            signs = CrisisSigns("zelfmelding", [sign], kind, contact, region)
            key = ConversationKey("web", letter * 64)
            await crisis_signs(uow).record(key, clock(), signs)
    await database.dispose()
    return world


@pytest.fixture
def server(tmp_path: Path, sqlite_template: Path) -> Iterator[Server]:
    path = tmp_path / "intake.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"
    world = run_blocking(seed(url))
    database = Database(url)  # the real clock: the browser types real TOTP codes
    world.database = database
    try:
        with serve(build_app(database, secure=True)) as base:
            yield Server(f"{base}/loket", world, url)
    finally:
        run_blocking(database.dispose())


def test_the_crisis_queue_in_chromium(server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            account = server.world.accounts["park"]
            page.goto(server.url + "/login")
            page.get_by_label("Gebruikersnaam").fill("park")
            page.get_by_label("Wachtwoord").fill(PASSWORD)
            page.get_by_label("Code uit je authenticator-app").fill(
                code_at(account.secret, datetime.now(UTC))
            )
            page.get_by_role("button", name="Inloggen").click()
            page.wait_for_url("**/loket/queue")
            page.get_by_role("navigation", name="Hoofdmenu").get_by_role(
                "link", name="Crisisopvolging"
            ).click()
            page.wait_for_url("**/loket/crisis")
            table = page.get_by_role("table", name="Gesprekken met signalen van nood")
            assert table.locator("tbody tr").count() == 2
            assert "Bij de vraag: Plaats" in table.inner_text()
            assert "Gedachten aan zelfdoding" in table.inner_text()
            counts = page.get_by_role("table", name="Niet bereikbaar, per week en regio")
            assert "Parkstad" in counts.inner_text()
            shot = tmp_path / "dashboard-crisis.png"
            page.screenshot(path=str(shot), full_page=True)
            page.get_by_role("button", name="Opgevolgd").first.click()
            page.wait_for_url("**/loket/crisis?done=handled")
            assert page.get_by_role("status").inner_text() == "Gemarkeerd als opgevolgd."
            assert page.get_by_role("button", name="Opgevolgd").count() == 1
            run_blocking(add_hostile_contact(server.db_url))
            page.reload()
            assert HOSTILE in table.inner_text()  # shown as text, never run
            assert page.evaluate("() => window.__xss") is None
            # Reflow at 320 px: the tables scroll within their own named box, which
            # takes keyboard focus; the page itself does not scroll sideways.
            page.set_viewport_size({"width": 320, "height": 800})
            wide = page.evaluate("() => document.documentElement.scrollWidth")
            assert wide <= 320
            box = page.get_by_role("region", name="Op te volgen")
            assert box.get_attribute("tabindex") == "0"
        finally:
            browser.close()
    update = os.environ.get("UPDATE_SCREENSHOTS", "") not in ("", "0")
    target = SCREENSHOTS / "dashboard-crisis.png"
    if update or not target.exists():
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        shutil.copy(shot, target)
