"""The web chat's privacy pages: the notice, the person's own data after an intake,
erasure after yes (and nothing after no), and a plain answer for a visitor without
data that reveals nothing about anyone else."""

from __future__ import annotations

import html

import pytest

from flows.privacy_notices import current_notice
from flows.texts import Text
from intake import privacy_wording as w
from locales import render
from tests.factories.intakes import FULL_INTAKES
from tests.factories.tables import decrypted_dump, row_counts
from tests.factories.web_chat import ChatApp, PlainBrowser

SCENARIO = FULL_INTAKES[0]  # zelfmelding, in detention, with a phone number


async def full_intake(web: ChatApp, browser: PlainBrowser) -> str:
    web.clock.now = SCENARIO.now.replace(tzinfo=web.clock.now.tzinfo)
    await browser.open()
    await browser.press(SCENARIO.flow)
    for step in SCENARIO.steps:
        await browser.step(step)
    async with web.database.unit_of_work(write=False) as uow:
        [record] = await uow.pre_aanmeldingen.find()
    return record.reference


def text_of(browser: PlainBrowser) -> str:
    assert browser.last is not None
    return html.unescape(browser.last.text)


async def test_the_notice_page_shows_the_current_notice(
    web: ChatApp, browser: PlainBrowser
) -> None:
    await browser.open("/chat/privacy")
    notice = current_notice("zelfmelding", web.clock.now.date())  # the page's own date
    page = text_of(browser)
    assert render(notice.title) in page
    assert all(render(p) in page for p in notice.paragraphs)
    await browser.open("/chat")
    assert 'href="/chat/mijngegevens"' in text_of(browser)


async def test_my_data_then_erase_after_yes(web: ChatApp, browser: PlainBrowser) -> None:
    reference = await full_intake(web, browser)
    await browser.open("/chat/mijngegevens")
    page = text_of(browser)
    assert reference in page and "+31612345678" in page and "14 maart 2026" in page
    assert render(Text(w.COPY_HOW_TO_ERASE_WEB)) in page

    await browser.open("/chat/verwijder")
    assert render(Text(w.ERASE_ASK)) in text_of(browser)
    form = browser.current.form("answer-buttons")
    await browser.submit(form, [("answer", "no")])
    assert render(Text(w.ERASE_CANCELLED)) in text_of(browser)
    assert (await row_counts(web.database))["pre_aanmeldingen"] == 1

    await browser.open("/chat/verwijder")
    await browser.submit(browser.current.form("answer-buttons"), [("answer", "yes")])
    assert render(Text(w.ERASE_DONE)) in text_of(browser)
    counts = await row_counts(web.database)
    assert counts["pre_aanmeldingen"] == counts["web_chats"] == 0
    assert counts["conversation_sessions"] == 0
    stored = await decrypted_dump(web.database)
    assert reference not in stored and "+31612345678" not in stored
    await browser.open("/chat/mijngegevens")
    assert render(Text(w.COPY_NOTHING)) in text_of(browser)


async def test_a_visitor_without_data_gets_a_plain_answer(
    web: ChatApp, browser: PlainBrowser
) -> None:
    reference = await full_intake(web, browser)  # someone else's intake
    stranger = PlainBrowser(web.app)
    try:
        await stranger.open("/chat/mijngegevens")
        page = text_of(stranger)
        assert render(Text(w.COPY_NOTHING)) in page and reference not in page
        await stranger.open("/chat")  # a session cookie, no chat yet
        await stranger.open("/chat/verwijder")
        await stranger.submit(stranger.current.form("answer-buttons"), [("answer", "yes")])
        assert render(Text(w.ERASE_NOTHING)) in text_of(stranger)
    finally:
        await stranger.close()
    assert (await row_counts(web.database))["pre_aanmeldingen"] == 1


@pytest.mark.parametrize("forged", ["csrf", "origin"])
async def test_a_forged_erasure_changes_nothing(
    forged: str, web: ChatApp, browser: PlainBrowser
) -> None:
    await full_intake(web, browser)
    await browser.open("/chat/verwijder")
    form = browser.current.form("answer-buttons")
    if forged == "csrf":
        form.hidden["csrf"] = "forged"
        await browser.submit(form, [("answer", "yes")])
    else:
        await browser.submit(form, [("answer", "yes")], origin="https://evil.example")
    assert (await row_counts(web.database))["pre_aanmeldingen"] == 1
