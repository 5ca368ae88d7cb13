"""The security headers of the web pages: one policy for the web chat and the dashboard.

Every page: a Content-Security-Policy that allows only this site's own styles and
images (and, with `scripts`, its own scripts and fetches), posts to this site only,
no `<base>`, and no framing by any site (with `X-Frame-Options: DENY` for older
browsers); no MIME sniffing; no shared browsing context with other sites; and
`Cache-Control: no-store`. The apps differ only in `scripts` (the chat has a script)
and `referrer` (the chat keeps it within its own site, the dashboard sends none).

Over https, and only then, every response also says `Strict-Transport-Security`: the
browser then uses https only for this site for a year. "Over https" is one rule,
`served_over_https`, which the web chat's cookie uses too: the request's scheme (https
directly, or as uvicorn's `--proxy-headers` sets it from a trusted proxy) or a proxy's
`X-Forwarded-Proto: https`. Over plain http the header is never sent.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property

from fastapi import FastAPI, Request
from starlette.datastructures import Headers
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

__all__ = [
    "STRICT_TRANSPORT_SECURITY",
    "SecurityHeaders",
    "StrictTransportSecurity",
    "add_security_headers",
    "served_over_https",
]

# One year; not for subdomains (other sites of the operator's domain may not have https).
STRICT_TRANSPORT_SECURITY = "max-age=31536000"
_HSTS = "Strict-Transport-Security"


def served_over_https(request: Request | Scope) -> bool:
    """Whether the browser talks https to this site: the request's own scheme, or the
    first `X-Forwarded-Proto` of a proxy in front (which only ever makes this stricter:
    a Secure cookie, a header browsers ignore over http)."""
    scope = request.scope if isinstance(request, Request) else request
    if scope.get("scheme") in ("https", "wss"):
        return True
    forwarded = Headers(scope=scope).get("x-forwarded-proto", "")
    return forwarded.split(",")[0].strip().lower() == "https"


@dataclass(frozen=True)
class SecurityHeaders:
    scripts: bool = False  # script-src and connect-src 'self' (the page's own script)
    referrer: str = "no-referrer"  # Referrer-Policy

    @cached_property
    def values(self) -> dict[str, str]:
        policy = ["default-src 'none'"]
        policy += ["script-src 'self'"] if self.scripts else []
        policy += ["style-src 'self'", "img-src 'self'"]
        policy += ["connect-src 'self'"] if self.scripts else []
        policy += ["form-action 'self'", "frame-ancestors 'none'", "base-uri 'none'"]
        return {
            "Content-Security-Policy": "; ".join(policy),
            "X-Frame-Options": "DENY",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": self.referrer,
            "Cross-Origin-Opener-Policy": "same-origin",
            "Cache-Control": "no-store",
        }

    def apply(
        self, response: Response, *, cacheable: bool = False, https: bool = False
    ) -> Response:
        """Set the headers on `response`, except any it set itself (and, for a
        `cacheable` response such as a static file, Cache-Control); `https`: the
        response goes out over https (`served_over_https`), so HSTS too."""
        for name, value in self.values.items():
            if not (cacheable and name == "Cache-Control"):
                response.headers.setdefault(name, value)
        if https:
            response.headers.setdefault(_HSTS, STRICT_TRANSPORT_SECURITY)
        return response


def add_security_headers(
    app: FastAPI, headers: SecurityHeaders, *, static: str = "/static/"
) -> None:
    """Set `headers` on every response of `app`; the files under `static` (below the
    path the app is mounted at) stay cacheable."""

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        response = await call_next(request)
        cacheable = request.url.path.startswith(f"{request.scope.get('root_path', '')}{static}")
        return headers.apply(response, cacheable=cacheable, https=served_over_https(request))


class StrictTransportSecurity:
    """ASGI middleware: `Strict-Transport-Security` on every response of an app served
    over https (its static files, redirects and mounted apps included), once."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not served_over_https(scope):
            await self.app(scope, receive, send)
            return

        async def send_with_hsts(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = list(message.get("headers", []))
                if not any(name.lower() == b"strict-transport-security" for name, _ in headers):
                    headers.append(
                        (b"strict-transport-security", STRICT_TRANSPORT_SECURITY.encode())
                    )
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_hsts)
