"""Back-pressure at the web chat (`bot.web.admission`): when too many people post at
once, the next one waits a moment and then gets 503 with Retry-After in their own
language, before anything was written; never a 500, never a wait for the whole pool
timeout. Sent again, the answer counts once."""

from __future__ import annotations

import asyncio
import logging
from collections import Counter
from collections.abc import AsyncIterator
from urllib.parse import urlencode

import httpx
import pytest
from sqlalchemy import text

from bot.web import wording
from bot.web.admission import Admission, WebChatBusy, admission_limit
from flows.texts import Text
from locales import render
from storage.engine import PoolOptions
from tests.factories.databases import FakeClock
from tests.factories.web_chat import SCENARIO_NOW, UNLIMITED, ChatApp, PlainBrowser, chat_app

FORM = {"content-type": "application/x-www-form-urlencoded"}


@pytest.fixture
async def narrow(db_url: str) -> AsyncIterator[ChatApp]:
    """The chat with one place for database work and a short wait for it."""
    made = chat_app(
        db_url,
        FakeClock(SCENARIO_NOW),
        posts_per_session=UNLIMITED,
        posts_per_address=UNLIMITED,
        concurrent_requests=1,
        admission_wait=0.05,
    )
    yield made
    await made.database.dispose()


async def counts(chat: ChatApp) -> tuple[int, int, int]:
    """Rows a post writes: processed form ids, conversations, web chats."""
    async with chat.database.engine.connect() as conn:
        found = []
        for table in ("processed_updates", "conversation_sessions", "web_chats"):
            found.append(int((await conn.execute(text(f"SELECT count(*) FROM {table}"))).one()[0]))
        return found[0], found[1], found[2]


def busy_in(response: httpx.Response, locale: str) -> None:
    assert response.status_code == 503, response.status_code
    assert response.headers["retry-after"] == "5"
    assert render(Text(wording.FAULT_BUSY), locale) in response.text
    assert render(Text(wording.FAULT_KEPT), locale) in response.text


async def test_a_post_over_the_limit_gets_503_in_the_persons_language_and_writes_nothing(
    narrow: ChatApp,
) -> None:
    browser = PlainBrowser(narrow.app)
    try:
        await browser.open()
        await browser.press("zelfmelding")
        page = await browser.language("pl")  # the chat goes on in Polish
        form = page.option_form("yes")
        assert form is not None
        fields = urlencode([*form.hidden.items(), ("option", "yes")])
        before = await counts(narrow)
        admission = narrow.routes.chats.admission
        async with admission.place():  # somebody else holds the only place
            plain = await browser.client.post(
                "/chat", content=fields, headers=FORM, follow_redirects=False
            )
            scripted = await browser.client.post(
                "/chat", content=fields, headers={**FORM, "x-chat-fetch": "1"}
            )
            shown = await browser.client.get("/chat", headers={"accept-language": "de"})
        busy_in(plain, "pl")
        assert 'lang="pl"' in plain.text and "/chat" in plain.text  # offers to send again
        busy_in(scripted, "pl")
        assert scripted.json().keys() == {"notice"}  # the script keeps the form
        busy_in(shown, "pl")  # the page too, in the chat's language, not the browser's
        assert await counts(narrow) == before  # nothing half-written
        assert admission.refused == 3 and admission.in_use == 0
        for _ in range(2):  # sent again when there is room: it counts once
            again = await browser.client.post(
                "/chat", content=fields, headers=FORM, follow_redirects=False
            )
            assert again.status_code == 303
        page = await browser.open()
        assert page.lang == "pl" and len(page.said_by_me()) == 2
    finally:
        await browser.close()


async def test_many_at_once_on_a_small_pool_get_their_answer_or_a_503_never_a_pool_timeout(
    db_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    """Twenty people press at the same moment; two connections, a pool timeout of half
    a second, one place for the chat. Each gets the answer or the admission's 503 (no
    pool timeout, no 500), presses again after it, and every answer counts once."""
    made = chat_app(
        db_url,
        FakeClock(SCENARIO_NOW),
        pool=PoolOptions(size=2, max_overflow=0, timeout=0.5),
        posts_per_session=UNLIMITED,
        posts_per_address=UNLIMITED,
        concurrent_requests=1,
        admission_wait=0.1,
    )
    statuses: Counter[int] = Counter()
    browsers = [PlainBrowser(made.app) for _ in range(20)]
    try:
        for browser in browsers:
            await browser.open()
        start = asyncio.Event()

        async def person(browser: PlainBrowser) -> None:
            form = browser.current.option_form("zelfmelding")
            assert form is not None
            fields = urlencode([*form.hidden.items(), ("option", "zelfmelding")])
            await start.wait()
            for _ in range(200):
                response = await browser.client.post(
                    "/chat", content=fields, headers=FORM, follow_redirects=False
                )
                statuses[response.status_code] += 1
                if response.status_code != 503:
                    return
                await asyncio.sleep(0.05)  # Retry-After, shortened for the test

        with caplog.at_level(logging.WARNING, logger="webkit.faults"):
            people = [asyncio.create_task(person(b)) for b in browsers]
            await asyncio.sleep(0)
            start.set()
            await asyncio.gather(*people)
        assert set(statuses) <= {303, 503} and statuses[303] == 20, statuses
        assert statuses[503] > 0  # the limit did turn people away
        said = [(await browser.open()).said_by_me() for browser in browsers]
        assert said == [["Voor mezelf"]] * 20  # each answer once
        faults = [r.getMessage() for r in caplog.records if "failed:" in r.getMessage()]
        assert all(f.endswith("database_busy (WebChatBusy)") for f in faults), faults
        assert len(faults) == statuses[503] == made.routes.chats.admission.refused
    finally:
        for browser in browsers:
            await browser.close()
        await made.database.dispose()


async def test_the_limit_is_three_quarters_of_the_pool_and_waits_its_time() -> None:
    assert admission_limit(10, 10) == 15
    assert admission_limit(1, 0) == 1
    admission = Admission(1, 0.01)
    async with admission.place():
        with pytest.raises(WebChatBusy):
            async with admission.place():
                pass
    async with admission.place():  # free again
        assert admission.in_use == 1
