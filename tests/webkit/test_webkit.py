"""The web kit on its own: the two apps' header policies, headers on an app (static
files cacheable, a response's own header kept), the CSRF token check, the same-origin
check, rate limits over several buckets, and templates with chained catalogs."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response

from locales import translator
from webkit.csrf import same_origin, tokens_match
from webkit.headers import SecurityHeaders, add_security_headers
from webkit.rate_limits import Bucket, TokenBuckets, take_tokens
from webkit.templates import Templates, translations


def test_the_policies_of_the_chat_and_the_dashboard() -> None:
    chat = SecurityHeaders(scripts=True, referrer="same-origin").values
    assert chat["Content-Security-Policy"] == (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
        "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    )
    dashboard = SecurityHeaders().values
    assert dashboard["Content-Security-Policy"] == (
        "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
        "frame-ancestors 'none'; base-uri 'none'"
    )
    assert (chat["Referrer-Policy"], dashboard["Referrer-Policy"]) == ("same-origin", "no-referrer")
    for values in (chat, dashboard):
        assert values["X-Frame-Options"] == "DENY" and values["Cache-Control"] == "no-store"
        assert values["X-Content-Type-Options"] == "nosniff"


async def test_headers_on_every_response_of_an_app() -> None:
    app = FastAPI()

    @app.get("/page")
    async def page() -> Response:
        return PlainTextResponse("page")

    @app.get("/static/site.css")
    async def css() -> Response:
        return PlainTextResponse("css", headers={"Referrer-Policy": "origin"})

    add_security_headers(app, SecurityHeaders())
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        page_answer = await client.get("/page")
        css_answer = await client.get("/static/site.css")
    assert page_answer.headers["cache-control"] == "no-store"
    assert "cache-control" not in css_answer.headers  # static files stay cacheable
    assert css_answer.headers["referrer-policy"] == "origin"  # its own header wins
    assert css_answer.headers["x-frame-options"] == "DENY"


def test_a_csrf_token_matches_only_itself() -> None:
    assert tokens_match("abc123", "abc123")
    for posted in ("abc124", "", None, 123, ["abc123"], "é" * 6):
        assert not tokens_match("abc123", posted)


async def test_same_origin() -> None:
    def request(headers: dict[str, str]) -> Request:
        raw = [(k.encode(), v.encode()) for k, v in headers.items()]
        return Request({"type": "http", "method": "POST", "path": "/", "headers": raw})

    host = {"host": "chat.example"}
    assert await same_origin(request(host))
    assert await same_origin(request({**host, "origin": "null"}))
    assert await same_origin(request({**host, "origin": "https://chat.example"}))
    assert not await same_origin(request({**host, "origin": "https://evil.example"}))


def test_take_tokens_stops_at_the_bucket_that_refuses() -> None:
    moment = [0.0]
    session = TokenBuckets(Bucket(1, 1 / 60), clock=lambda: moment[0])
    address = TokenBuckets(Bucket(2, 1.0), clock=lambda: moment[0])
    assert take_tokens((session, "s"), (address, "a")) is None
    assert take_tokens((session, "s"), (address, "a")) == 60  # the session's wait
    assert take_tokens((session, "t"), (address, "a")) is None  # "a" was not charged above
    assert take_tokens((session, "u"), (address, "a")) == 1  # now the address's wait
    assert take_tokens() is None


def test_templates_autoescape_and_chain_catalogs(tmp_path: Path) -> None:
    (tmp_path / "page.html").write_text("{{ _('Ja') }} {{ text }}")
    templates = Templates(tmp_path, ("loket", "messages"))
    assert templates.render("page.html", "nl", text="<b>") == "Ja &lt;b&gt;"
    assert templates.environment("en") is templates.environment("en")
    chained = translations("en", ("loket", "messages"))
    assert chained.gettext("Ja") == translator("en").gettext("Ja") != "Ja"
    # The loader's own catalog is not changed by the chain.
    assert translator("en", "loket").gettext("Ja") == "Ja"
