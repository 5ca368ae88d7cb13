"""Bad input at the web chat: a forged or expired session, a replayed post, an
over-long answer, HTML in an answer, forged forms, and 100 posts in a second."""

from __future__ import annotations

import asyncio
from urllib.parse import urlencode

import httpx
import itsdangerous

from tests.factories.databases import FakeClock
from tests.factories.web_chat import SCENARIO_NOW, ChatApp, PlainBrowser, chat_app
from tests.web.html_page import Page
from webkit.rate_limits import Bucket, TokenBuckets

# zelfmelding: consent, where you sleep, municipality (typed), then the age (typed).
FIRST_STEPS = [{"choice": "yes"}, "Sam", {"choice": "public_space"}, "Heerlen", {"choice": "same"}]
FORM = {"content-type": "application/x-www-form-urlencoded"}
SAID = ["Voor mezelf", "Ja", "Sam", "Buiten of op straat", "Heerlen"]


async def begin(browser: PlainBrowser) -> Page:
    await browser.open()
    page = await browser.press("zelfmelding")
    for step in FIRST_STEPS:
        page = await browser.step(step)
    assert page.said_by_me() == [*SAID, "Nee, met de plaats waar ik nu ben"], page.said_by_me()
    return page


def cookie_of(browser: PlainBrowser) -> tuple[str, str]:
    ((name, value),) = browser.client.cookies.items()
    return name, value


async def test_a_forged_session_cookie_starts_afresh_and_shows_nothing(
    web: ChatApp, browser: PlainBrowser
) -> None:
    page = await begin(browser)
    name, value = cookie_of(browser)
    question = page.question
    form = page.form("answer-text")
    forgeries = [
        value[:-3] + ("AAA" if not value.endswith("AAA") else "BBB"),
        itsdangerous.TimestampSigner("another-key", salt="lh-web-chat-session-v1")
        .sign(value.split(".")[0])
        .decode(),
        "not a cookie at all",
    ]
    for forged in forgeries:
        intruder = PlainBrowser(web.app)
        intruder.client.cookies.set(name, forged, domain="chat.example")
        try:
            seen = await intruder.open()
            assert "Je sessie was verlopen of niet geldig" in seen.notice
            assert seen.said_by_me() == [] and seen.code is None
            assert "Heerlen" not in seen.html
            assert intruder.last is not None
            assert forged not in intruder.last.headers["set-cookie"]
            # Posting the victim's own form with the forged cookie changes nothing.
            intruder.client.cookies.set(name, forged, domain="chat.example")
            refused = await intruder.submit(form, [("text", "45")])
            assert "Je sessie was verlopen" in refused.notice
            assert refused.said_by_me() == []
        finally:
            await intruder.close()
    again = await browser.open()
    assert again.question == question and "45" not in again.said_by_me()


async def test_an_expired_session_starts_afresh(web: ChatApp, browser: PlainBrowser) -> None:
    page = await begin(browser)
    code = page.code
    assert code is not None
    web.clock.advance(days=31)
    fresh = await browser.open()
    assert "Je sessie was verlopen" in fresh.notice
    assert fresh.said_by_me() == [] and fresh.code is None
    other = PlainBrowser(web.app)
    try:
        await other.open()
        refused = await other.submit(other.current.form("resume-form"), [("code", code)])
        assert "geen gesprek vinden" in refused.notice
    finally:
        await other.close()


async def test_a_replayed_form_post_has_one_effect(web: ChatApp, browser: PlainBrowser) -> None:
    page = await begin(browser)
    form = page.form("answer-text")
    answered = await browser.submit(form, [("text", "45")])
    assert answered.said_by_me()[-1] == "45"
    next_question = answered.question
    for _ in range(3):  # the back button and "send again", a double click, a proxy retry
        again = await browser.submit(form, [("text", "45")])
        assert again.said_by_me() == answered.said_by_me()
        assert again.question == next_question
    # Also when the same form arrives twice at the same moment.
    two = await asyncio.gather(
        *(
            browser.client.post(
                "/chat",
                content=urlencode([*answered.form("commands").hidden.items(), ("command", "help")]),
                headers={**FORM, "x-chat-fetch": "1"},
            )
            for _ in range(2)
        )
    )
    assert sorted(r.json()["entries"].count("bubble me") for r in two) == [0, 1]


async def test_an_over_long_answer_is_asked_again_and_earlier_answers_stay(
    browser: PlainBrowser,
) -> None:
    page = await begin(browser)
    form = page.form("answer-text")
    assert form.max_length is not None and form.max_length <= 1000
    question = page.question
    page = await browser.submit(form, [("text", "4" * 5000)])
    assert browser.last is not None and browser.last.status_code == 200
    assert "Je antwoord is te lang" in page.html
    assert page.question == question
    assert page.said_by_me()[:5] == SAID
    assert len(page.said_by_me()[-1]) < 400  # the transcript keeps a short piece
    # A body far beyond any answer is not read at all.
    huge = await browser.submit(page.form("answer-text"), [("text", "x" * 100_000)])
    assert browser.last.status_code == 413
    assert "Je antwoord is te lang" in huge.notice
    assert huge.said_by_me() == page.said_by_me() and huge.question == question


async def test_html_in_an_answer_is_shown_as_text(browser: PlainBrowser) -> None:
    await browser.open()
    await browser.press("zelfmelding")
    await browser.press("yes")
    await browser.type("Sam")
    await browser.press("public_space")
    typed = '<script>alert("x")</script><b onmouseover="x()">Heerlen</b>'
    page = await browser.type(typed)
    assert page.said_by_me()[-1] == typed
    assert "<script>alert" not in page.html and "<b onmouseover" not in page.html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in page.html
    fetched = await browser.client.post(
        "/chat",
        content=urlencode([*page.form("answer-text").hidden.items(), ("text", typed)]),
        headers={**FORM, "x-chat-fetch": "1"},
    )
    entries = fetched.json()["entries"]
    assert "<script>" not in entries and "&lt;script&gt;" in entries


async def test_forged_forms_change_nothing(web: ChatApp, browser: PlainBrowser) -> None:
    page = await begin(browser)
    form = page.form("answer-text")
    hidden = form.hidden
    cases = [
        {**hidden, "csrf": "0" * 32},  # another session's or a made-up token
        {k: v for k, v in hidden.items() if k != "csrf"},
        {**hidden, "form_id": "short"},
        {**hidden, "action": "choice", "option": "<b>"},
        {**hidden, "action": "language", "language": "xx"},
        {**hidden, "action": "explode"},
    ]
    for fields in cases:
        response = await browser.client.post(
            "/chat", content=urlencode([*fields.items(), ("text", "45")]), headers=FORM
        )
        seen = browser._read(response)
        assert "Dat ging niet goed" in seen.notice
        assert seen.said_by_me() == page.said_by_me()
    other_site = await browser.client.post(
        "/chat",
        content=urlencode([*hidden.items(), ("text", "45")]),
        headers={**FORM, "origin": "https://evil.example"},
    )
    assert "Dat ging niet goed" in browser._read(other_site).notice
    # A text typed in an older page does not answer today's question.
    await browser.submit(form, [("text", "45")])
    stale = await browser.submit(
        form.__class__(form.action, form.classes, {**hidden, "form_id": "x" * 22}),
        [("text", "46")],
    )
    assert "al beantwoord" in stale.notice and "46" not in stale.said_by_me()


async def test_a_token_of_other_characters_is_refused_by_every_post(
    browser: PlainBrowser,
) -> None:
    page = await begin(browser)
    for path in ("/chat", "/chat/resume", "/chat/new", "/chat/verwijder"):
        fields = [("csrf", "é" * 32), ("text", "45"), ("answer", "yes"), ("code", "ABCD-EFGH")]
        response = await browser.client.post(path, content=urlencode(fields), headers=FORM)
        seen = browser._read(response)
        assert "Dat ging niet goed" in seen.notice, path
        assert seen.said_by_me() == page.said_by_me()


async def test_a_hundred_posts_in_a_second_are_limited_and_nothing_is_lost(
    db_url: str,
) -> None:
    """Default limits. Posts that get through are applied once; the rest are refused
    with a clear message; every answer given before stays."""
    made = chat_app(db_url, FakeClock(SCENARIO_NOW))
    moment = [0.0]
    for name in ("posts_per_session", "posts_per_address"):
        bucket = getattr(made.routes, name).bucket
        setattr(made.routes, name, TokenBuckets(bucket, clock=lambda: moment[0]))
    browser = PlainBrowser(made.app)
    try:
        page = await begin(browser)
        hidden = page.form("answer-text").hidden
        responses = await asyncio.gather(
            *(
                browser.client.post(
                    "/chat",
                    content=urlencode(
                        [
                            *{**hidden, "form_id": f"flood-{n:03d}-xxxxxxxxxx"}.items(),
                            ("text", "45"),
                        ]
                    ),
                    headers={**FORM, "x-chat-fetch": "1"},
                )
                for n in range(100)
            )
        )
        limited = [r for r in responses if r.status_code == 429]
        assert len(limited) >= 85
        assert all("Je gaat te snel" in r.json()["notice"] for r in limited)
        assert all(int(r.headers["retry-after"]) >= 1 for r in limited)
        # Refused right now, too: the page says why and still shows everything.
        refused = await browser.open()
        assert refused.said_by_me() == [*page.said_by_me(), "45"]
        moment[0] += 60  # a minute later
        after = await browser.type("46")
        assert browser.last is not None and browser.last.status_code == 200
        assert after.said_by_me()[:7] == [*page.said_by_me(), "45"]
        assert after.notice == ""
    finally:
        await browser.close()
        await made.database.dispose()


async def test_the_limit_per_address_holds_across_sessions(db_url: str) -> None:
    made = chat_app(db_url, FakeClock(SCENARIO_NOW), posts_per_address=Bucket(5, 0.001))
    crowd = [PlainBrowser(made.app) for _ in range(6)]
    elsewhere = PlainBrowser(made.app)
    elsewhere.client._transport = httpx.ASGITransport(  # type: ignore[attr-defined]
        app=made.app, client=("198.51.100.7", 40000)
    )
    try:
        statuses = []
        for person in crowd:
            await person.open()
            await person.press("zelfmelding")
            assert person.last is not None
            statuses.append(person.last.status_code)
        assert statuses == [200] * 5 + [429]
        assert "Je gaat te snel" in crowd[-1].current.notice
        await elsewhere.open()
        await elsewhere.press("zelfmelding")
        assert elsewhere.last is not None and elsewhere.last.status_code == 200
    finally:
        for person in [*crowd, elsewhere]:
            await person.close()
        await made.database.dispose()


async def test_expired_chats_are_erased(web: ChatApp, browser: PlainBrowser) -> None:
    await begin(browser)
    web.clock.advance(days=29)
    assert await web.routes.chats.purge() == 0
    web.clock.advance(days=1, seconds=1)
    assert await web.routes.chats.purge() == 1
