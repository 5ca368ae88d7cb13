"""The channel core runs one incoming message in one unit of work: a web chat post
(the chat found or made, the answer checked against the open question, the engine,
the transcript) and a Telegram update each open exactly one transaction."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import event

from bot.telegram.intake import Incoming
from storage.database import Database
from tests.factories.web_chat import ChatApp, PlainBrowser
from tests.web.html_page import Form
from tests.web.telegram_person import TelegramPerson

FORM = {"content-type": "application/x-www-form-urlencoded"}


@contextmanager
def transactions(database: Database) -> Iterator[list[int]]:
    """Counts the transactions begun on the database while the block runs."""
    count = [0]

    def begun(connection: Any) -> None:
        count[0] += 1

    engine = database.engine.sync_engine
    event.listen(engine, "begin", begun)
    try:
        yield count
    finally:
        event.remove(engine, "begin", begun)


async def post(browser: PlainBrowser, form: Form, fields: list[tuple[str, str]]) -> int:
    """Post a form of the page (no redirect followed); the response's status."""
    body = urlencode([*form.hidden.items(), *fields])
    response = await browser.client.post(
        form.action, content=body, headers=FORM, follow_redirects=False
    )
    return response.status_code


async def test_every_web_post_is_one_transaction_and_a_page_one_read(
    web: ChatApp, browser: PlainBrowser
) -> None:
    # The hourly sweep of expired chats runs on the first post of a process: a
    # transaction of its own, not the message's. Done already here.
    await web.routes.maybe_purge()
    page = await browser.open()
    steps: list[tuple[str, str]] = [("option", "zelfmelding"), ("option", "yes")]
    for name, value in steps:  # the first post also makes the chat
        form = page.option_form(value)
        assert form is not None
        with transactions(web.database) as count:
            assert await post(browser, form, [(name, value)]) == 303
        assert count == [1], value
        with transactions(web.database) as count:
            page = await browser.open()  # the page after the post: one read
        assert count == [1]
    for kind, value in (("text", "Sam"), ("option", "public_space"), ("text", "Heerlen")):
        form = page.form("answer-text") if kind == "text" else page.option_form(value)
        assert form is not None
        with transactions(web.database) as count:
            assert await post(browser, form, [(kind, value)]) == 303
        assert count == [1], value
        page = await browser.open()
    assert page.said_by_me()[-3:] == ["Sam", "Buiten of op straat", "Heerlen"]


async def test_a_stale_typed_answer_is_refused_in_the_same_transaction(
    web: ChatApp, browser: PlainBrowser
) -> None:
    await browser.open()
    await browser.press("zelfmelding")
    page = await browser.press("yes")
    old = page.form("answer-text")
    await browser.type("Sam")  # the page moved on to the next question
    with transactions(web.database) as count:
        assert await post(browser, old, [("text", "Heerlen")]) == 303
    assert count == [1]
    stale = await browser.open("/chat?notice=stale")
    assert "al beantwoord" in stale.notice and "Heerlen" not in stale.said_by_me()


async def test_every_telegram_update_is_one_transaction(web: ChatApp) -> None:
    service = web.routes.chats.service
    person = TelegramPerson(service)
    await person.send("/start")
    for option in ("zelfmelding", "yes"):
        view = await service.view("telegram", person.chat_id)  # the button's message
        assert view is not None and view.prompt is not None
        with transactions(web.database) as count:
            await person.press(option, token=view.prompt.token)
        assert count == [1], option
    with transactions(web.database) as count:
        await person.send("Sam")
    assert count == [1]
    assert await person.open_question() == "living"


async def test_every_telegram_command_and_odd_message_is_one_transaction(web: ChatApp) -> None:
    """Answers made outside the dialogue (/status, /privacy, a sticker, ...) go through
    the same channel core: the lock, the update id, the open question and the outbox
    in one transaction; a repeated update id in one more, with no effect."""
    service = web.routes.chats.service
    person = TelegramPerson(service)
    await person.send("/start")
    await person.press("zelfmelding")
    for text in ("/status", "/privacy", "/mijngegevens", "/webchat", "/taal", "/onbekend"):
        with transactions(web.database) as count:
            await person.send(text)
        assert count == [1], text
    with transactions(web.database) as count:
        await person.intake.handle(Incoming(person.update_id + 1, person.chat_id, text=None))
    assert count == [1]  # a sticker: "type your answer", and the question again
    person.update_id += 1
    queued = len(await person.payloads())
    with transactions(web.database) as count:
        await person.intake.handle(Incoming(person.update_id, person.chat_id, text="/status"))
    assert count == [1] and len(await person.payloads()) == queued  # a repeat: nothing new


async def test_with_the_script_a_post_is_one_transaction_and_nothing_is_read_again(
    web: ChatApp, browser: PlainBrowser
) -> None:
    """The script's post answers with the new bubbles and the next question from what
    the post itself wrote: one transaction, no page read after it."""
    await web.routes.maybe_purge()
    page = await browser.open()
    form = page.option_form("zelfmelding")
    assert form is not None
    with transactions(web.database) as count:
        response = await browser.client.post(
            form.action,
            content=urlencode([*form.hidden.items(), ("option", "zelfmelding")]),
            headers={**FORM, "x-chat-fetch": "1"},
        )
    assert response.status_code == 200 and count == [1]
    answer = response.json()
    reread = await browser.open()  # the same question and code as the page read afresh
    assert reread.form("answer-buttons").hidden["token"] in answer["composer"]
    assert reread.code is not None and reread.code in answer["resume"]
