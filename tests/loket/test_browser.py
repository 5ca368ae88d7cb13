"""The dashboard in a real headless Chromium (Playwright): log in with a TOTP code,
filter the queue, open a pre-aanmelding, change its status with a reason, find the
change in the history and in the audit log, download the CSV; stored script and HTML
in answers stay inert. Takes the screenshots of docs/screenshots/ (written there when
missing or with UPDATE_SCREENSHOTS=1, so a test run leaves the work tree clean)."""

from __future__ import annotations

import asyncio
import csv
import io
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from loket.totp import code_at
from storage.database import Database
from storage.lifecycle import Status
from storage.pre_aanmeldingen import Submitter
from tests.factories.dashboard import PASSWORD, World, build_app, populate
from tests.factories.databases import FakeClock, run_blocking
from tests.factories.environment import CHROMIUM
from tests.factories.pre_aanmeldingen import MAASTRICHT, PARKSTAD, submission
from tests.web.browser_support import LAUNCH_ARGS, SCREENSHOTS, serve

pytestmark = pytest.mark.chromium

XSS_ANSWER = '<script>window.__xss = 1; alert("xss")</script><img src=x onerror="window.__xss=2">'
XSS_NAME = '"><svg onload="window.__xss=3"><b>vet</b>'


@dataclass
class Server:
    url: str
    world: World
    xss_reference: str


async def seed(url: str) -> tuple[World, str]:
    """Staff accounts and a year of pre-aanmeldingen, submitted and handled at past
    moments (a fake clock), so queue and report have something to show."""
    start = datetime(datetime.now(UTC).year, 1, 6, 9, 0, tzinfo=UTC)
    clock = FakeClock(start)
    database = Database(url, clock=clock)
    world = await populate(database, clock)
    partner = Submitter(
        "professional",
        name="M. Bakker",
        organisation="Radar",
        convenant_partner=True,
        contact="045-1234567",
    )
    async with database.unit_of_work() as uow:
        store = uow.pre_aanmeldingen
        for index in range(18):
            clock.advance(hours=31)
            profile = PARKSTAD if index % 3 else MAASTRICHT
            new = submission(profile, client_name=f"Cliënt {index}", channel_user_hash=None)
            if index % 2:
                new = type(new)(
                    **{**new.__dict__, "submitter": partner, "contact_preference": "via_submitter"}
                )
            item = await store.create(new)
            if index % 4 == 0:
                continue
            await store.transition(
                item.reference, Status.IN_BEHANDELING, staff_user_id=None, reason="Opgepakt"
            )
            if index % 4 == 1:
                await store.transition(
                    item.reference,
                    Status.INTAKE_GEPLAND,
                    staff_user_id=None,
                    reason="Intake ingepland",
                )
                clock.advance(days=9)
                await store.transition(
                    item.reference,
                    Status.GEACCEPTEERD,
                    staff_user_id=None,
                    reason="Past binnen Housing",
                    product="housing_first" if profile is PARKSTAD else "housing",
                )
            elif index % 4 == 2:
                clock.advance(days=3)
                await store.transition(
                    item.reference,
                    Status.DOORVERWEZEN,
                    staff_user_id=None,
                    reason="Andere hulp past beter",
                    referral="Maatschappelijke opvang",
                )
            clock.now -= timedelta(days=9 if index % 4 == 1 else 3 if index % 4 == 2 else 0)
        clock.advance(hours=2)
        xss = await store.create(
            submission(
                PARKSTAD,
                answers={"story": XSS_ANSWER, "waar": "<i>schuur</i>"},
                client_name=XSS_NAME,
            )
        )
    await database.dispose()
    return world, xss.reference


@pytest.fixture
def server(tmp_path: Path, sqlite_template: Path) -> Iterator[Server]:
    path = tmp_path / "intake.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite+aiosqlite:///{path}"
    world, xss_reference = run_blocking(seed(url))
    database = Database(url)  # the real clock: the browser types real TOTP codes
    world.database = database
    # Secure cookies, as in production: browsers keep them on http://127.0.0.1.
    try:
        with serve(build_app(database, secure=True)) as base:
            yield Server(f"{base}/loket", world, xss_reference)
    finally:
        run_blocking(database.dispose())


def keep_screenshots(taken: Path) -> None:
    """Copy the screenshots taken into docs/screenshots/ when asked or missing."""
    update = os.environ.get("UPDATE_SCREENSHOTS", "") not in ("", "0")
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    for shot in taken.glob("dashboard-*.png"):
        if update or not (SCREENSHOTS / shot.name).exists():
            shutil.copy(shot, SCREENSHOTS / shot.name)


def log_in(page: object, server: Server, username: str) -> None:
    from playwright.sync_api import Page

    assert isinstance(page, Page)
    account = server.world.accounts[username]
    page.goto(server.url + "/login")
    page.get_by_label("Gebruikersnaam").fill(username)
    page.get_by_label("Wachtwoord").fill(PASSWORD)
    page.get_by_label("Code uit je authenticator-app").fill(
        code_at(account.secret, datetime.now(UTC))
    )
    page.get_by_role("button", name="Inloggen").click()


def test_review_decide_and_audit_in_chromium(server: Server, tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    shots = tmp_path / "screenshots"
    shots.mkdir()
    dialogs: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            context = browser.new_context(
                viewport={"width": 1280, "height": 900}, accept_downloads=True, locale="nl-NL"
            )
            page = context.new_page()
            page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))

            # Log in with a TOTP code, filter the queue.
            log_in(page, server, "coord")
            page.wait_for_url("**/loket/queue")
            page.get_by_label("Regio", exact=True).select_option("parkstad")
            page.get_by_label("Status", exact=True).select_option("all")
            page.get_by_role("button", name="Filteren").click()
            page.wait_for_url("**region=parkstad**")
            rows = page.locator("table.queue tbody tr")
            assert rows.count() > 3
            assert "Maastricht" not in page.locator("table.queue").inner_text()
            page.screenshot(path=str(shots / "dashboard-queue.png"), full_page=True)

            # Stored XSS: the answers are shown as text, nothing runs or is injected.
            page.get_by_role("link", name=server.xss_reference).click()
            page.wait_for_url(f"**/p/{server.xss_reference}")
            answers = page.locator("dl.answers").first.inner_text()
            assert "<script>window.__xss = 1" in answers and "<i>schuur</i>" in answers
            assert XSS_NAME in page.locator("main").inner_text()
            injected = page.evaluate(
                """() => ({
                    flag: window.__xss || 0,
                    scripts: [...document.querySelectorAll('script')]
                        .filter(s => !s.src.endsWith('/loket/static/session.js')).length,
                    imgs: document.querySelectorAll('main img').length,
                    svgs: document.querySelectorAll('main svg').length,
                    bold: document.querySelectorAll('main dd b, main dd i').length,
                })"""
            )
            assert injected == {"flag": 0, "scripts": 0, "imgs": 0, "svgs": 0, "bold": 0}
            assert dialogs == []

            # Change its status with a reason; find it in the history.
            page.get_by_label("Nieuwe status").select_option("in_behandeling")
            page.get_by_label("Reden (verplicht)").fill("Dossier compleet, oppakken")
            page.get_by_role("button", name="Status wijzigen").click()
            page.wait_for_url("**done=status")
            assert "De status is gewijzigd." in page.locator("[role=status]").inner_text()
            history = page.locator("table.history").inner_text()
            assert "Dossier compleet, oppakken" in history and "coord" in history
            page.screenshot(path=str(shots / "dashboard-detail.png"), full_page=True)

            # The report, its chart and the CSV download.
            page.get_by_role("link", name="Rapportage").click()
            page.wait_for_url("**/reports")
            assert page.locator("figure img").evaluate("img => img.naturalWidth") > 0
            page.screenshot(path=str(shots / "dashboard-report.png"), full_page=True)
            with page.expect_download() as download_info:
                page.get_by_role("link", name="Cijfers downloaden (CSV)").click()
            download = download_info.value
            target = tmp_path / download.suggested_filename
            download.save_as(target)
            rows_csv = list(
                csv.DictReader(io.StringIO(target.read_text(encoding="utf-8-sig")), delimiter=";")
            )
            assert rows_csv[-1]["Regio"] == "Totaal" and int(rows_csv[-1]["Aanmeldingen"]) == 21

            # Log out; the beheerder finds the change in the audit log and exports it.
            page.get_by_role("button", name="Uitloggen").click()
            page.wait_for_url("**/loket/login")
            log_in(page, server, "beheer")
            page.wait_for_url("**/loket/audit")
            page.get_by_label("Referentie of id").fill(server.xss_reference)
            page.get_by_role("button", name="Filteren").click()
            log = page.locator("table.audit").inner_text()
            assert "Status gewijzigd" in log and "Aanmelding bekeken" in log
            with page.expect_download() as audit_info:
                page.get_by_role("link", name="Auditlog downloaden (CSV)").click()
            audit_rows = audit_info.value.path().read_text(encoding="utf-8")
            assert "status_changed" in audit_rows and server.xss_reference in audit_rows
            assert dialogs == []
        finally:
            browser.close()
    keep_screenshots(shots)


def test_keyboard_users_can_reach_the_content(server: Server) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        try:
            page = browser.new_page()
            page.goto(server.url + "/login")
            assert page.locator("html").get_attribute("lang") == "nl"
            page.keyboard.press("Tab")
            focused = page.evaluate("() => document.activeElement.textContent")
            assert focused == "Naar de inhoud"
            # Every form control has a label.
            unlabeled = page.evaluate(
                """() => [...document.querySelectorAll(
                        'input:not([type=hidden]), select, textarea')]
                    .filter(el => !el.labels || el.labels.length === 0).length"""
            )
            assert unlabeled == 0
            page.get_by_role("link", name="English").click()
            assert page.locator("html").get_attribute("lang") == "en"
        finally:
            browser.close()


__all__ = ["asyncio"]
