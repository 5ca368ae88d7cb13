"""The hand-off: a person who started in Telegram continues the health and justice
questions in the web chat, and every answer goes along (`intake.handoff`).

Telegram here is the real `TelegramIntake` (what both adapters call) on the same
database as the web chat; what it would send is read from the outbox. The adapters
themselves, talking HTTP to the fake Bot API, are covered in
tests/telegram/test_conformance.py; a real browser in tests/web/test_browser.py.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from sqlalchemy import func, select

from bot.web.chat import CHANNEL as WEB
from intake.handoff import HANDOFF_TTL
from intake.privacy import ERASE_TOKEN
from storage.tables import HandoffRow, PreAanmeldingRow
from tests.factories.web_chat import ChatApp, PlainBrowser
from tests.web.html_page import Page
from tests.web.telegram_person import (
    AFTER_PROBLEMS,
    BEFORE_PROBLEMS,
    CHAT,
    WEB_CHAT_URL,
    TelegramPerson,
)

MOVED_HERE = "Je antwoorden uit Telegram staan nu hier"
WRONG = "Met deze code kunnen we geen gesprek vinden"


def code_of(link: str) -> str:
    return parse_qs(urlsplit(link).query)["code"][0]


async def count(web: ChatApp, table: Any) -> int:
    async with web.database.unit_of_work(write=False) as uow:
        return int(await uow.session.scalar(select(func.count()).select_from(table)) or 0)


@pytest.fixture
async def person(web: ChatApp) -> TelegramPerson:
    made = TelegramPerson(web.routes.chats.service)
    for step in BEFORE_PROBLEMS:
        await made.step(step)
    assert await made.open_question() == "problems"
    return made


async def follow(browser: PlainBrowser, link: str) -> Page:
    """Open the link and press the button, as a person does."""
    page = await browser.open(link.removeprefix("https://chat.example"))
    form = page.forms_with("resume-form")[0]
    return await browser.submit(form, [("code", form.text_value or "")])


async def test_the_link_moves_every_answer_to_the_web_chat(
    web: ChatApp, browser: PlainBrowser, person: TelegramPerson
) -> None:
    payloads = await person.payloads()
    offer = payloads[-1]
    assert "Je antwoorden gaan mee" in offer["text"]
    assert offer["link_preview_options"] == {"is_disabled": True}  # Telegram fetches none
    [link] = await person.links()
    assert await count(web, HandoffRow) == 1

    # Opening the link fills in the code; it does not use it (a link preview, a
    # prefetch or a second look must not move the intake).
    page = await browser.open(link.removeprefix("https://chat.example"))
    form = page.forms_with("resume-form")[0]
    assert form.text_value == code_of(link)
    assert "Kom je uit Telegram?" in page.html
    assert await person.open_question() == "problems"

    page = await browser.submit(form, [("code", form.text_value or "")])
    assert MOVED_HERE in page.html
    assert page.question is not None and "Heb je met een of meer" in page.question
    assert page.code is not None  # a resume code of its own, for later
    # Telegram's copy is gone and the chat is told where the intake went.
    assert await person.open_question() is None
    assert "Je gaat verder in de webchat" in (await person.payloads())[-1]["text"]
    assert await count(web, HandoffRow) == 0

    # The rest of the intake in the web chat: the answers from Telegram are in it.
    for step in AFTER_PROBLEMS:
        page = await browser.step(step)
    async with web.database.unit_of_work(write=False) as uow:
        [record] = (await uow.session.scalars(select(PreAanmeldingRow))).all()
    assert record.channel == WEB
    assert record.municipality.lower() == "heerlen"
    assert record.profile["age"] == 45 and record.profile["homeless_months"] == 14
    assert record.profile["sleeping_place"] == "public_space"
    assert record.profile["problems"] == ["addiction", "psychiatric"]
    assert record.recommended_product == "housing_first"
    assert record.reference in page.html


async def test_a_code_works_once(
    web: ChatApp, browser: PlainBrowser, person: TelegramPerson
) -> None:
    [link] = await person.links()
    assert MOVED_HERE in (await follow(browser, link)).html
    other = PlainBrowser(web.app)
    try:
        again = await follow(other, link)  # replayed, or someone else has the link
        assert WRONG in again.notice
        assert MOVED_HERE not in again.html
    finally:
        await other.close()
    # The first browser still has the intake, at the same question.
    page = await browser.open()
    assert MOVED_HERE in page.html and page.question is not None


async def test_ticking_an_option_makes_no_new_code(web: ChatApp, person: TelegramPerson) -> None:
    await person.press("addiction")  # the buttons change; no new message, no new code
    assert await count(web, HandoffRow) == 1
    assert (await person.payloads())[-1]["method"] == "editMessageReplyMarkup"
    await person.press("_done")  # the next question is not a sensitive one
    assert await count(web, HandoffRow) == 1


async def test_using_one_link_ends_the_others(
    web: ChatApp, browser: PlainBrowser, person: TelegramPerson
) -> None:
    await person.send("/terug")
    await person.press("no")  # the health question again: a second link
    await person.send("/webchat")  # and a third, asked for
    links = await person.links()
    assert len(set(links)) == 3 and await count(web, HandoffRow) == 3
    assert MOVED_HERE in (await follow(browser, links[1])).html
    assert await count(web, HandoffRow) == 0
    other = PlainBrowser(web.app)
    try:
        assert WRONG in (await follow(other, links[2])).notice
    finally:
        await other.close()


async def test_an_expired_code_moves_nothing(
    web: ChatApp, browser: PlainBrowser, person: TelegramPerson
) -> None:
    [link] = await person.links()
    web.clock.advance(seconds=HANDOFF_TTL.total_seconds())
    page = await follow(browser, link)
    assert WRONG in page.notice
    assert await person.open_question() == "problems"  # still in Telegram
    assert "Je gaat verder in de webchat" not in str(await person.payloads())


async def test_a_stopped_or_erased_intake_cannot_be_moved(
    web: ChatApp, browser: PlainBrowser, person: TelegramPerson
) -> None:
    [link] = await person.links()
    await person.send("/stop")
    await person.press("yes")
    assert await person.open_question() is None
    assert WRONG in (await follow(browser, link)).notice
    assert MOVED_HERE not in browser.current.html

    # /verwijder erases the codes with the rest.
    again = TelegramPerson(web.routes.chats.service, chat_id=CHAT + 1)
    for step in BEFORE_PROBLEMS:
        await again.step(step)
    assert await count(web, HandoffRow) == 1
    await again.send("/verwijder")
    await again.press("yes", token=ERASE_TOKEN)
    assert await count(web, HandoffRow) == 0


async def test_webchat_command_without_an_intake_gives_the_address(web: ChatApp) -> None:
    newcomer = TelegramPerson(web.routes.chats.service, chat_id=CHAT + 2)
    await newcomer.send("/webchat")
    [payload] = await newcomer.payloads()
    assert WEB_CHAT_URL in payload["text"] and "?code=" not in payload["text"]
    assert await count(web, HandoffRow) == 0


async def test_a_code_in_the_address_is_only_shown_when_it_can_be_one(
    browser: PlainBrowser,
) -> None:
    page = await browser.open("/chat?code=<script>alert(1)</script>")
    assert "<script>alert" not in page.html
    assert all(form.text_value is None for form in page.forms_with("resume-form"))
    page = await browser.open("/chat?code=abcd efgh")
    assert page.forms_with("resume-form")[0].text_value == "ABCD-EFGH"
