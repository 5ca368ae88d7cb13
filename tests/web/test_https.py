"""Strict-Transport-Security on every response of the web chat served over https,
directly or behind a proxy (`X-Forwarded-Proto: https`), and never over plain http;
the chat's Secure cookie follows the same rule (the dashboard: tests/loket)."""

from __future__ import annotations

import httpx

from tests.factories.web_chat import ChatApp
from webkit.headers import STRICT_TRANSPORT_SECURITY

HSTS = "strict-transport-security"


async def test_the_chat_over_https_and_over_plain_http(web: ChatApp) -> None:
    transport = httpx.ASGITransport(app=web.app)
    async with httpx.AsyncClient(transport=transport, base_url="https://chat.example") as tls:
        for path in ("/chat", "/", "/chat/static/chat.css", "/chat/embed.js", "/chat/privacy"):
            answer = await tls.get(path)
            assert answer.headers.get_list(HSTS) == [STRICT_TRANSPORT_SECURITY], path
    async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as plain:
        answer = await plain.get("/chat")
        assert HSTS not in answer.headers
        assert "secure" not in answer.headers["set-cookie"].lower()  # make run, no TLS
        proxied = await plain.get("/chat", headers={"X-Forwarded-Proto": "https"})
        assert proxied.headers[HSTS] == STRICT_TRANSPORT_SECURITY
        assert "secure" in proxied.headers["set-cookie"].lower()  # the same rule
        assert proxied.headers["set-cookie"].startswith("__Host-lh_chat=")
