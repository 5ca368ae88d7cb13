"""The web kit on its own: the two apps' header policies, headers on an app (static
files cacheable, a response's own header kept), the CSRF token check, the same-origin
check, rate limits over several buckets, templates with chained catalogs, HSTS over
https only, and fault pages instead of a bare 500."""

from __future__ import annotations

from pathlib import Path

import httpx
from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response

from locales import translator
from webkit.csrf import same_origin, tokens_match
from webkit.faults import RETRY_AFTER_SECONDS, Fault, add_fault_pages
from webkit.headers import (
    STRICT_TRANSPORT_SECURITY,
    SecurityHeaders,
    StrictTransportSecurity,
    add_security_headers,
    served_over_https,
)
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


def _request(scheme: str, headers: dict[str, str]) -> Request:
    raw = [(k.encode(), v.encode()) for k, v in headers.items()]
    return Request({"type": "http", "scheme": scheme, "path": "/", "headers": raw})


def test_over_https_is_the_scheme_or_the_proxys_forwarded_proto() -> None:
    assert served_over_https(_request("https", {}))
    assert served_over_https(_request("http", {"x-forwarded-proto": "https"}))
    assert served_over_https(_request("http", {"x-forwarded-proto": "HTTPS, http"}))
    assert not served_over_https(_request("http", {}))
    assert not served_over_https(_request("http", {"x-forwarded-proto": "http"}))


async def test_strict_transport_security_over_https_only() -> None:
    app = FastAPI()

    @app.get("/page")
    async def page() -> Response:
        return PlainTextResponse("page")

    @app.get("/own")
    async def own() -> Response:
        return PlainTextResponse("own", headers={"Strict-Transport-Security": "max-age=60"})

    add_security_headers(app, SecurityHeaders())
    app.add_middleware(StrictTransportSecurity)  # both: the header still comes once
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="https://test") as client:
        direct = await client.get("/page")
        own_value = await client.get("/own")
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        proxied = await client.get("/page", headers={"X-Forwarded-Proto": "https"})
        plain = await client.get("/page")
    for answer in (direct, proxied):
        assert answer.headers.get_list("strict-transport-security") == [STRICT_TRANSPORT_SECURITY]
    assert own_value.headers.get_list("strict-transport-security") == ["max-age=60"]
    assert "strict-transport-security" not in plain.headers


class _Gone(Exception):
    pass


async def test_fault_pages_answer_every_failure_with_the_apps_page() -> None:
    """An expected error (a handler) and anything else (the last resort), also from a
    mounted app: the app's page, 503 with Retry-After for a passing fault, 500 for a
    bug, the security headers on it, and each fault heard once."""
    heard: list[Fault] = []

    def build(name: str) -> FastAPI:
        app = FastAPI()

        @app.get("/gone")
        async def gone() -> Response:
            raise _Gone()

        @app.post("/bug")
        async def bug() -> Response:
            raise KeyError("typed text")

        async def page(request: Request, fault: Fault) -> Response:
            return PlainTextResponse(f"{name}: {fault.kind} {fault.changes}")

        add_fault_pages(
            app,
            page,
            kind_of=lambda error: "away" if isinstance(error, _Gone) else None,
            expected=(_Gone,),
            headers=SecurityHeaders(),
            on_fault=heard.append,
        )
        return app

    outer = build("outer")
    outer.mount("/inner", build("inner"))
    transport = httpx.ASGITransport(app=outer)
    async with httpx.AsyncClient(transport=transport, base_url="https://test") as client:
        gone = await client.get("/gone")
        bug = await client.post("/bug")
        inner = await client.post("/inner/bug")
    assert (gone.status_code, gone.text, gone.headers["retry-after"]) == (
        503,
        "outer: away False",
        str(RETRY_AFTER_SECONDS),
    )
    assert (bug.status_code, bug.text) == (500, "outer: internal True")
    assert "retry-after" not in bug.headers
    assert (inner.status_code, inner.text) == (500, "inner: internal True")
    for answer in (gone, bug, inner):
        assert answer.headers["x-frame-options"] == "DENY"
        assert answer.headers["strict-transport-security"] == STRICT_TRANSPORT_SECURITY
    assert [(f.kind, f.error) for f in heard] == [
        ("away", "_Gone"),
        ("internal", "KeyError"),
        ("internal", "KeyError"),
    ]
