"""Health probes, mounted by the composition root (bot/app.py) with or without Telegram:

- `/healthz`, liveness: the process answers. Nothing else is checked, so a database
  outage does not get the service restarted in a loop.
- `/readyz`, readiness: the database answers a trivial query on the service's own
  pool (a SQLite file must still be where it was) and this process's encryption key
  encrypts and reads back a value. 200 or 503.

Both answer GET and HEAD with a short JSON body (`{"status": ..., "checks": ...}`):
no personal data, no error text, no stack. Why a check fails goes to the log, once
when it starts failing and once when it is fine again. `HEAD /` answers as `GET /`
does (`answer_head_like_get`), for uptime monitors that try the root with HEAD.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from typing import TYPE_CHECKING

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

if TYPE_CHECKING:
    from storage.database import Database

__all__ = ["answer_head_like_get", "mount_health"]

log = logging.getLogger("bot.health")
PING_SECONDS = 2.0
_PROBE = "readyz"


def mount_health(app: FastAPI, database: Database | None) -> None:
    """`/healthz` on `app`, and `/readyz` when it has a `database`."""
    router = APIRouter()

    @router.api_route("/healthz", methods=["GET", "HEAD"], include_in_schema=False)
    async def healthz(request: Request) -> Response:
        return _answer(request, 200, {"status": "ok"})

    if database is not None:
        readiness = _Readiness(database)

        @router.api_route("/readyz", methods=["GET", "HEAD"], include_in_schema=False)
        async def readyz(request: Request) -> Response:
            checks = await readiness.check()
            ready = all(state == "ok" for state in checks.values())
            body = {"status": "ready" if ready else "not ready", "checks": checks}
            return _answer(request, 200 if ready else 503, body)

    app.include_router(router)


def answer_head_like_get(app: FastAPI, *paths: str) -> None:
    """HEAD on `paths` answers with the status and headers of GET there, no body."""
    app.add_middleware(_HeadLikeGet, paths=frozenset(paths))


class _HeadLikeGet:
    """ASGI middleware: a HEAD request to one of `paths` is served as a GET, and the
    body of the answer is dropped."""

    def __init__(self, app: ASGIApp, paths: frozenset[str]) -> None:
        self.app = app
        self.paths = paths

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "HEAD" or scope["path"] not in self.paths:
            await self.app(scope, receive, send)
            return

        async def headers_only(message: Message) -> None:
            if message["type"] == "http.response.body":
                if message.get("more_body", False):
                    return
                message = {"type": "http.response.body", "body": b""}
            await send(message)

        await self.app({**scope, "method": "GET"}, receive, headers_only)


def _answer(request: Request, status: int, body: Mapping[str, object]) -> Response:
    headers = {"Cache-Control": "no-store"}
    if request.method == "HEAD":
        return Response(status_code=status, headers=headers, media_type="application/json")
    return JSONResponse(body, status_code=status, headers=headers)


class _Readiness:
    """The checks of `/readyz`; remembers the last problems, to log only changes."""

    def __init__(self, database: Database) -> None:
        self.database = database
        self._failing: dict[str, str] = {}

    async def check(self) -> dict[str, str]:
        problems: dict[str, str] = {}
        try:
            await self.database.ping(seconds=PING_SECONDS)
        except Exception as error:  # whatever it is: not ready
            problems["database"] = _reason(error)
        try:
            _key_usable()
        except Exception as error:
            problems["encryption_key"] = _reason(error)
        self._log_changes(problems)
        return {name: "failing" if name in problems else "ok" for name in _CHECKS}

    def _log_changes(self, problems: dict[str, str]) -> None:
        for name in _CHECKS:
            now, before = problems.get(name), self._failing.get(name)
            if now is not None and now != before:
                log.warning("not ready: %s: %s", name, now)
            elif now is None and before is not None:
                log.warning("ready again: %s", name)
        self._failing = problems


_CHECKS = ("database", "encryption_key")


def _reason(error: BaseException) -> str:
    """Our own errors say what is wrong without personal data; others by their kind."""
    from storage.column_types import EncryptionNotConfigured
    from storage.engine import DatabaseUnavailable

    if isinstance(error, DatabaseUnavailable | EncryptionNotConfigured):
        return str(error)
    return type(error).__name__


def _key_usable() -> None:
    """This process's key encrypts a value and reads it back."""
    from storage.column_types import SensitiveValueCodec

    sealed = SensitiveValueCodec.encode_text(_PROBE, _PROBE)
    if SensitiveValueCodec.decode_text(sealed, _PROBE) != _PROBE:
        raise RuntimeError("the encryption key does not read back what it wrote")
