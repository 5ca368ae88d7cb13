"""Fault pages: a request that fails answers with the app's own page, never with a
bare "Internal Server Error".

`add_fault_pages(app, page, kind_of=..., expected=...)` installs, on one app:

- exception handlers (Starlette's `ExceptionMiddleware`) for the `expected` classes,
  e.g. the database's errors: the app's page, through the app's own middleware;
- a last resort around the whole app (inside Starlette's `ServerErrorMiddleware`) for
  every other exception, also raised in a middleware or an exception handler: the
  same page, sent when no response has started yet. It answers instead of
  re-raising, so a mounted app's failure is answered (and counted) once.

`kind_of(error)` names a passing fault (e.g. "database_busy"): the answer is 503 with
`Retry-After`. Anything else is "internal", a 500 (still the app's page). The page
maker gets the `Fault` and renders it in the reader's language; it must not need what
failed (no database). The log line says the kind, the error's type, the method and the
route's pattern, never the error's text, the body or the path (they can carry what
people typed, or reference codes). `on_fault` hears every fault (metrics).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from fastapi import FastAPI, Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from webkit.headers import SecurityHeaders, served_over_https

__all__ = [
    "RETRY_AFTER_SECONDS",
    "Fault",
    "FaultPage",
    "KindOf",
    "add_fault_pages",
]

log = logging.getLogger(__name__)
RETRY_AFTER_SECONDS = 5
INTERNAL = "internal"


@dataclass(frozen=True)
class Fault:
    """What went wrong, for the page, the log and the metrics (no personal data)."""

    kind: str  # "database_busy", "database_unavailable", "database_error", "internal"
    error: str  # the exception's type name
    changes: bool  # the request was a post: it changed nothing (a unit of work or none)

    @property
    def passing(self) -> bool:
        """Will pass by itself (overload, an outage): 503 and "try again in a moment"."""
        return self.kind != INTERNAL

    @property
    def status(self) -> int:
        return 503 if self.passing else 500


KindOf = Callable[[BaseException], str | None]
FaultPage = Callable[[Request, Fault], Awaitable[Response]]


def _route(scope: Scope) -> str:
    """The route's pattern ("/case/{reference}"), never the path itself."""
    route = scope.get("route")
    return str(getattr(route, "path", "?"))


class _Answer:
    """Turns an exception into the app's fault page (both ways of catching use it)."""

    def __init__(
        self,
        page: FaultPage,
        kind_of: KindOf,
        headers: SecurityHeaders,
        on_fault: Callable[[Fault], None] | None,
        app_name: str,
    ) -> None:
        self.page, self.kind_of, self.headers = page, kind_of, headers
        self.on_fault, self.app_name = on_fault, app_name

    def fault(self, request: Request, error: BaseException) -> Fault:
        kind = self.kind_of(error) or INTERNAL
        fault = Fault(kind, type(error).__name__, request.method not in ("GET", "HEAD"))
        level = logging.WARNING if fault.passing else logging.ERROR
        log.log(
            level,
            "%s %s %s failed: %s (%s)",
            self.app_name,
            request.method,
            _route(request.scope),
            fault.kind,
            fault.error,
            # The traceback of a bug (type and place only: bot/logging_setup.py).
            exc_info=None if fault.passing else error,
        )
        if self.on_fault is not None:
            self.on_fault(fault)
        return fault

    async def __call__(self, request: Request, error: Exception) -> Response:
        fault = self.fault(request, error)
        try:
            response = await self.page(request, fault)
        except Exception as page_error:  # the page itself failed: still no bare 500
            log.error("%s fault page failed: %s", self.app_name, type(page_error).__name__)
            response = Response(status_code=fault.status)
        response.status_code = fault.status
        if fault.passing:
            response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return self.headers.apply(response, https=served_over_https(request))


class _LastResort:
    """ASGI middleware: any exception that got this far gets the fault page."""

    def __init__(self, app: ASGIApp, answer: _Answer) -> None:
        self.app, self.answer = app, answer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as error:
            if started:  # too late for a page: the connection ends
                log.error("response broken off: %s", type(error).__name__)
                return
            response = await self.answer(Request(scope, receive), error)
            await response(scope, receive, send)


def add_fault_pages(
    app: FastAPI,
    page: FaultPage,
    *,
    kind_of: KindOf,
    expected: tuple[type[Exception], ...] = (),
    headers: SecurityHeaders,
    on_fault: Callable[[Fault], None] | None = None,
    app_name: str = "app",
) -> None:
    """Answer every failure of `app` with `page` (see the module's docstring)."""
    answer = _Answer(page, kind_of, headers, on_fault, app_name)
    for error_class in expected:
        app.add_exception_handler(error_class, answer)
    app.add_middleware(_LastResort, answer=answer)
