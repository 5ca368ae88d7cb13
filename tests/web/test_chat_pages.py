"""The chat page and its HTTP: cookie, headers, languages, the script's JSON answers,
the embed snippet, and what the first page view stores (nothing)."""

from __future__ import annotations

import logging
from urllib.parse import urlencode

import pytest

from bot.web.routes import accepted_locale
from intake.conversation import ConversationService
from storage.web_chats import web_chats
from tests.factories.web_chat import SECRET, ChatApp, PlainBrowser

FORM = {"content-type": "application/x-www-form-urlencoded"}


def set_cookie(browser: PlainBrowser) -> str:
    assert browser.last is not None
    return browser.last.headers["set-cookie"]


async def test_the_cookie_holds_a_signed_random_id_only(
    web: ChatApp, browser: PlainBrowser
) -> None:
    await browser.open()
    await browser.press("zelfmelding")
    header = set_cookie(browser)
    assert header.startswith("__Host-lh_chat=")
    parts = {p.strip().split("=")[0].lower() for p in header.split(";")}
    assert {"secure", "httponly", "path", "max-age"} <= parts and "domain" not in parts
    assert "samesite=lax" in header.lower()
    value = header.split(";")[0].split("=", 1)[1]
    assert len(value) < 80 and "zelfmelding" not in value


@pytest.mark.parametrize(
    ("base", "secure", "name"),
    [
        ("http://127.0.0.1:8080", None, "lh_chat"),  # `make run`, plain http
        ("http://localhost:8080", None, "lh_chat"),
        ("http://chat.example", None, "__Host-lh_chat"),  # behind a TLS proxy
        ("http://127.0.0.1:8080", True, "__Host-lh_chat"),
        ("https://chat.example", False, "lh_chat"),
    ],
)
async def test_the_cookie_is_secure_except_on_plain_local_http(
    db_url: str, base: str, secure: bool | None, name: str
) -> None:
    from tests.factories.databases import FakeClock
    from tests.factories.web_chat import SCENARIO_NOW, chat_app

    made = chat_app(db_url, FakeClock(SCENARIO_NOW), cookie_secure=secure)
    browser = PlainBrowser(made.app, base_url=base)
    try:
        response = await browser.client.get("/chat")
        header = response.headers["set-cookie"]
        assert header.startswith(name + "=")
        assert ("secure" in header.lower().split("; ")) == name.startswith("__Host-")
    finally:
        await browser.close()
        await made.database.dispose()


async def test_pages_are_not_cached_framed_or_scripted_from_elsewhere(
    browser: PlainBrowser,
) -> None:
    await browser.open()
    assert browser.last is not None
    headers = browser.last.headers
    assert headers["cache-control"] == "no-store"
    assert headers["x-frame-options"] == "DENY"
    policy = headers["content-security-policy"]
    assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
    assert "http" not in browser.last.text.split("<body")[0].replace("http-equiv", "")


async def test_root_redirects_to_the_chat(browser: PlainBrowser) -> None:
    response = await browser.client.get("/", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/chat"


async def test_the_embed_script_for_partner_sites(browser: PlainBrowser) -> None:
    response = await browser.client.get("/chat/embed.js")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/javascript")
    assert response.headers["cross-origin-resource-policy"] == "cross-origin"
    assert "data-loket-chat" in response.text and "set-cookie" not in response.headers


async def test_a_page_view_stores_nothing(web: ChatApp, browser: PlainBrowser) -> None:
    for _ in range(3):
        page = await browser.open()
    assert page.question == "Voor wie is deze aanmelding?" and page.code is None
    async with web.database.unit_of_work(write=False) as uow:
        assert await web_chats(uow).delete_expired() == 0
        rows = await uow.session.execute(
            __import__("sqlalchemy").text("SELECT count(*) FROM web_chats")
        )
        assert rows.scalar() == 0


def test_opening_is_the_start_prompt_without_storing(web: ChatApp) -> None:
    service = ConversationService(web.database, secret_key=SECRET)
    turn = service.opening("ar-SY")
    assert turn.locale == "ar"
    assert turn.prompt is not None and turn.prompt.entry
    assert "noodhulp" in turn.messages[0].texts[1].msgid


@pytest.mark.parametrize(
    ("header", "locale"),
    [
        ("ar,en;q=0.8", "ar"),
        ("de-DE,pl;q=0.9,en;q=0.8", "de"),  # German is shipped (Zuid-Limburg borders it)
        ("fr-FR,pl;q=0.9,en;q=0.8", "pl"),
        ("en;q=0.1,uk;q=0.9", "uk"),
        ("ru-RU,uk;q=0.5", "ru"),
        ("fr, it", "nl"),
        ("", "nl"),
        ("pl;q=x", "nl"),
    ],
)
def test_the_first_page_speaks_the_browsers_language(header: str, locale: str) -> None:
    assert accepted_locale(header, "nl") == locale


async def test_choosing_arabic_mirrors_the_page_and_keeps_the_answers(
    browser: PlainBrowser,
) -> None:
    await browser.open()
    await browser.press("zelfmelding")
    await browser.press("yes")
    page = await browser.language("ar")
    assert (page.lang, page.dir) == ("ar", "rtl")
    assert len(page.said_by_me()) == 2  # re-shown in Arabic, none lost
    assert 'lang="nl" dir="ltr"' in page.html and 'lang="ar" dir="rtl"' in page.html
    page = await browser.language("nl")
    assert (page.lang, page.dir) == ("nl", "ltr")
    assert page.said_by_me() == ["Voor mezelf", "Ja"]


async def test_the_script_gets_the_new_messages_and_the_next_question(
    browser: PlainBrowser,
) -> None:
    page = await browser.open()
    form = page.option_form("zelfmelding")
    assert form is not None
    response = await browser.client.post(
        "/chat",
        content=urlencode([*form.hidden.items(), ("option", "zelfmelding")]),
        headers={**FORM, "x-chat-fetch": "1"},
    )
    body = response.json()
    assert set(body) == {"entries", "composer", "resume", "notice"}
    assert "Voor mezelf" in body["entries"] and "Welkom bij" not in body["entries"]
    assert 'value="yes"' in body["composer"] and "resume-code" in body["resume"]
    # Another language needs the whole page: the script is told to load it.
    lang = browser._read(await browser.client.get("/chat")).form("languages")
    moved = await browser.client.post(
        "/chat",
        content=urlencode([*lang.hidden.items(), ("language", "en")]),
        headers={**FORM, "x-chat-fetch": "1"},
    )
    assert moved.json()["reload"] is True


async def test_no_answer_is_logged(browser: PlainBrowser, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):  # what `intake serve` logs at
        await browser.open()
        await browser.press("zelfmelding")
        steps = [{"choice": "yes"}, "Sammy", {"choice": "public_space"}, "Hoensbroek", "61"]
        for step in steps:
            await browser.step(step)
    assert "Hoensbroek" not in caplog.text and "public_space" not in caplog.text
    assert "Sammy" not in caplog.text
