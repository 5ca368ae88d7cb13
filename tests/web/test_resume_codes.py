"""Resume codes: continue in another browser with every answer; a wrong, expired or
used-up code reveals nothing; guessing is limited per session and per address."""

from __future__ import annotations

import pytest

from bot.web.resume_codes import resume_code, resume_key
from intake.short_codes import display_code, normalise_code
from tests.factories.web_chat import ChatApp, PlainBrowser
from tests.web.html_page import Page

STEPS = [{"choice": "yes"}, "Sam", {"choice": "public_space"}, "Heerlen", {"choice": "same"}, "45"]
WRONG = "Met deze code kunnen we geen gesprek vinden"


async def started(browser: PlainBrowser) -> Page:
    await browser.open()
    page = await browser.press("zelfmelding")
    for step in STEPS:
        page = await browser.step(step)
    return page


async def enter(browser: PlainBrowser, code: str) -> Page:
    page = browser.page or await browser.open()
    return await browser.submit(page.form("resume-form"), [("code", code)])


def test_codes_are_eight_readable_characters() -> None:
    codes = {resume_code("k", f"chat-{n}") for n in range(2000)}
    assert len(codes) == 2000
    for code in codes:
        assert len(code) == 8 and not set(code) & set("01IO")
        assert normalise_code(display_code(code).lower().replace("-", " - ")) == code
    assert normalise_code("ABCD-EFG") is None and normalise_code("ABCD-EFG0") is None
    assert resume_key("k", "ABCDEFGH") != resume_key("other", "ABCDEFGH")


async def test_a_new_browser_continues_with_every_answer(
    web: ChatApp, browser: PlainBrowser
) -> None:
    page = await started(browser)
    assert page.code is not None
    other = PlainBrowser(web.app)
    try:
        fresh = await other.open()
        assert fresh.said_by_me() == []
        resumed = await enter(other, page.code.lower().replace("-", ""))
        assert "Welkom terug" in resumed.notice
        assert (
            resumed.said_by_me()
            == page.said_by_me()
            == [
                "Voor mezelf",
                "Ja",
                "Sam",
                "Buiten of op straat",
                "Heerlen",
                "Nee, met de plaats waar ik nu ben",
                "45",
            ]
        )
        assert resumed.question == page.question and resumed.code == page.code
        # The chat moved: the first browser starts afresh, the new one goes on.
        left = await browser.open()
        assert left.said_by_me() == [] and left.code is None
        on = await other.step({"choice": "_dont_know"})
        assert on.said_by_me()[-1] == "Weet ik niet"
    finally:
        await other.close()


@pytest.mark.parametrize("typed", ["", "ABCD", "2222-2222", "<script>", "x" * 500])
async def test_a_wrong_code_reveals_nothing(
    typed: str, web: ChatApp, browser: PlainBrowser
) -> None:
    await started(browser)
    stranger = PlainBrowser(web.app)
    try:
        await stranger.open()
        page = await enter(stranger, typed)
        assert WRONG in page.notice
        assert page.said_by_me() == [] and "Heerlen" not in page.html
    finally:
        await stranger.close()


async def test_an_ended_chats_code_opens_nothing(web: ChatApp, browser: PlainBrowser) -> None:
    page = await started(browser)
    code = page.code
    assert code is not None
    page = await browser.command("stop")
    page = await browser.press("yes")
    assert page.said_by_me() == [] and page.code is None
    assert "gewist" in page.bubbles[-1].text
    stranger = PlainBrowser(web.app)
    try:
        await stranger.open()
        assert WRONG in (await enter(stranger, code)).notice
    finally:
        await stranger.close()
    # A new intake after the end: a fresh chat with a new code.
    again = await browser.submit(page.form("new-chat"))
    assert again.said_by_me() == [] and again.forms_with("answer-buttons")
    again = await browser.press("zelfmelding")
    assert again.code not in (None, code)


async def test_guessing_is_limited_per_session_and_per_address(
    web: ChatApp, browser: PlainBrowser
) -> None:
    page = await started(browser)
    code = page.code
    assert code is not None
    guesser = PlainBrowser(web.app)
    try:
        await guesser.open()
        for _ in range(5):
            assert WRONG in (await enter(guesser, "2222-2222")).notice
        stopped = await enter(guesser, code)  # even the right code, now
        assert guesser.last is not None and guesser.last.status_code == 429
        assert "te vaak een code geprobeerd" in stopped.notice and stopped.said_by_me() == []
        # New sessions from the same address get a few more tries, then none.
        refused = 0
        for _ in range(6):
            another = PlainBrowser(web.app)
            await another.open()
            await enter(another, "3333-3333")
            refused += another.last is not None and another.last.status_code == 429
            await another.close()
        assert refused >= 1
    finally:
        await guesser.close()
