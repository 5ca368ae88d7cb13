"""The way back in a real headless Chromium, web chat and dashboard on one server as
`intake serve` mounts them: a person registers in the web chat and chooses "via deze
chat"; a coordinator asks a question in the dashboard; the person comes back in a new
browser with the chat's code, reads the question and answers; the coordinator sees
the answer and the status moved back. Saves docs/screenshots/webchat-inbox.png."""

from __future__ import annotations

import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from fastapi import FastAPI
from playwright.sync_api import Browser, Page, sync_playwright

from bot.web import WebChatConfig, mount_web_chat
from loket.app import create_loket_app
from loket.config import LoketConfig
from loket.totp import code_at
from storage.database import Database
from storage.lifecycle import Status
from tests.factories.dashboard import PASSWORD, World, populate
from tests.factories.databases import FakeClock, run_blocking
from tests.factories.environment import CHROMIUM
from tests.factories.web_chat import SECRET, UNLIMITED, settings_for
from tests.scenario_files import load_scenarios
from tests.web.browser_support import (
    LAUNCH_ARGS,
    ChatDriver,
    screenshot,
    serious_violations,
    serve,
)

pytestmark = pytest.mark.chromium

QUESTION = "Bij wie slaap je deze week, en tot wanneer kan dat?"
ANSWER = "Bij mijn zus in Heerlen, tot vrijdag."
CODE = re.compile(r"code in: ([A-Z0-9]{4}-[A-Z0-9]{4})")


@dataclass
class Site:
    url: str
    world: World


def build(database: Database, url: str) -> FastAPI:
    app = FastAPI()
    config = WebChatConfig(secret_key=SECRET, posts_per_session=UNLIMITED)
    routes = mount_web_chat(app, settings_for(url), database=database, config=config)
    loket = LoketConfig(secret_key=SECRET, secure_cookies=True)
    app.mount("/loket", create_loket_app(loket, database, chat_url=routes.config.chat_url))
    return app


@pytest.fixture
def site(tmp_path: Path, sqlite_template: Path) -> Iterator[Site]:
    path = tmp_path / "intake.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"
    clock = FakeClock(datetime.now(UTC))
    seeding = Database(url, clock=clock)
    world = run_blocking(populate(seeding, clock))
    run_blocking(seeding.dispose())
    database = Database(url)  # the real clock: the browser types real TOTP codes
    world.database = database
    try:
        with serve(build(database, url)) as base:
            yield Site(base, world)
    finally:
        run_blocking(database.dispose())


@pytest.fixture
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


def log_in(page: Page, site: Site, username: str) -> None:
    account = site.world.accounts[username]
    page.goto(site.url + "/loket/login")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Code uit je authenticator-app").fill(
        code_at(account.secret, datetime.now(UTC))
    )
    page.get_by_role("button", name="Inloggen").click()


def status_of(site: Site, reference: str) -> Status:
    async def read() -> Status:
        async with site.world.database.unit_of_work(write=False) as uow:
            item = await uow.pre_aanmeldingen.get(reference)
        assert item is not None
        return item.status

    return run_blocking(read())


def test_a_question_from_the_loket_reaches_the_web_chat_and_the_answer_comes_back(
    chromium: Browser, site: Site
) -> None:
    scenario = next(s for s in load_scenarios() if s.name == "zelfmelding/housing_leaving_ggz")
    assert {"choice": "chat"} in scenario.steps
    person = chromium.new_context(locale="nl-NL", viewport={"width": 400, "height": 860})
    person.set_default_timeout(10_000)
    page = person.new_page()
    page.goto(site.url + "/chat")
    driver = ChatDriver(page)
    driver.press(scenario.flow)
    for step in scenario.steps:
        driver.step(step)
    log = page.locator("#log").inner_text()
    reference = re.search(r"LH-[0-9A-Z]{4}-[0-9A-Z]{2}", log)
    code = CODE.search(log)
    assert reference and code, "the result gives the reference and the code"
    person.close()

    staff = chromium.new_context(locale="nl-NL", viewport={"width": 1280, "height": 900})
    staff.set_default_timeout(10_000)
    desk = staff.new_page()
    log_in(desk, site, "coord")
    desk.goto(f"{site.url}/loket/p/{reference.group(0)}")
    desk.locator("#new-status").select_option("in_behandeling")
    desk.locator("#reason").fill("Opgepakt")
    desk.get_by_role("button", name="Status wijzigen").click()
    assert "de persoon, in de webchat (berichten)" in desk.content()
    desk.locator("#question").fill(QUESTION)
    desk.get_by_role("button", name="Vraag versturen").click()
    assert status_of(site, reference.group(0)) is Status.INFO_GEVRAAGD

    again = chromium.new_context(
        locale="nl-NL",
        viewport={"width": 400, "height": 860},
        bypass_csp=True,  # for axe
    )
    again.set_default_timeout(10_000)
    inbox = again.new_page()
    inbox.goto(site.url + "/chat/berichten")
    inbox.get_by_label("Je code").fill(code.group(1))
    inbox.get_by_role("button", name="Berichten openen").click()
    assert QUESTION in inbox.locator("main").inner_text()
    assert "Een medewerker van het loket is met je aanmelding bezig." in inbox.content()
    screenshot(inbox, "inbox")
    assert serious_violations(inbox) == []
    inbox.get_by_label("Je antwoord aan het loket").fill(ANSWER)
    inbox.get_by_role("button", name="Versturen").click()
    assert "Je antwoord is naar het loket gestuurd." in inbox.locator("main").inner_text()
    again.close()

    desk.goto(f"{site.url}/loket/queue")
    row = desk.locator("tr", has_text=reference.group(0))
    assert "Nieuw antwoord" in row.inner_text()
    desk.goto(f"{site.url}/loket/p/{reference.group(0)}")
    messages = desk.locator("section[aria-labelledby=messages-h]").inner_text()
    assert ANSWER in messages and QUESTION in messages
    assert "In behandeling" in desk.locator("dl.summary").first.inner_text()
    assert status_of(site, reference.group(0)) is Status.IN_BEHANDELING
    staff.close()
