"""The security headers of the web pages: one policy for the web chat and the dashboard.

Every page: a Content-Security-Policy that allows only this site's own styles and
images (and, with `scripts`, its own scripts and fetches), posts to this site only,
no `<base>`, and no framing by any site (with `X-Frame-Options: DENY` for older
browsers); no MIME sniffing; no shared browsing context with other sites; and
`Cache-Control: no-store`. The apps differ only in `scripts` (the chat has a script)
and `referrer` (the chat keeps it within its own site, the dashboard sends none).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from functools import cached_property

from fastapi import FastAPI, Request
from starlette.responses import Response

__all__ = ["SecurityHeaders", "add_security_headers"]


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

    def apply(self, response: Response, *, cacheable: bool = False) -> Response:
        """Set the headers on `response`, except any it set itself (and, for a
        `cacheable` response such as a static file, Cache-Control)."""
        for name, value in self.values.items():
            if not (cacheable and name == "Cache-Control"):
                response.headers.setdefault(name, value)
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
        return headers.apply(response, cacheable=cacheable)
