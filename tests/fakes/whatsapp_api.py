"""A fake WhatsApp Cloud API (the Graph API's messages endpoint) on 127.0.0.1.

It answers `POST /{phone_number_id}/messages` as Meta does: with the bearer token,
`messaging_product: whatsapp`, a recipient and a message object within the limits
(a text body of at most 4,096 characters; at most 3 reply buttons of 20 characters;
a list of at most 10 rows with titles of 24 and descriptions of 72 characters; an
interactive body of at most 1,024 characters), it records the message and answers

    {"messaging_product": "whatsapp",
     "contacts": [{"input": "<to>", "wa_id": "<to>"}],
     "messages": [{"id": "wamid.<unique>"}]}

Anything else is refused with a Graph API error (`{"error": {"message", "type",
"code", ...}}`, HTTP 400, or 401 for a wrong token) and kept in `violations`. A test
can make the next sends fail (`fail_next`: e.g. 131047 re-engagement, 130429 rate
limit). The recorded messages are safe to read from any thread.

    async with FakeGraphApi(phone_number_id="1234") as fake:      # in the test's loop
        ...
    with FakeGraphApi.run_in_thread(phone_number_id="1234") as fake:  # another process
        env["WHATSAPP_API_BASE_URL"] = fake.base_url
"""

from __future__ import annotations

import asyncio
import itertools
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import Any

from aiohttp import web

__all__ = ["TEST_PHONE_NUMBER_ID", "TEST_WA_TOKEN", "FakeGraphApi", "SentMessage"]

TEST_PHONE_NUMBER_ID = "106540352242922"
TEST_WA_TOKEN = "EAAG-fake-whatsapp-token"
VERSION = "v21.0"


@dataclass(frozen=True)
class SentMessage:
    to: str
    message: dict[str, Any] = field(repr=False)
    id: str

    @property
    def type(self) -> str:
        return str(self.message.get("type"))

    @property
    def text(self) -> str:
        """What the person reads: the text, or an interactive message's body."""
        if self.type == "text":
            return str(self.message["text"]["body"])
        if self.type == "interactive":
            return str(self.message["interactive"]["body"]["text"])
        return ""

    @property
    def reply_ids(self) -> dict[str, str]:
        """An interactive message's choices: id -> title."""
        if self.type != "interactive":
            return {}
        interactive = self.message["interactive"]
        action = interactive["action"]
        if interactive["type"] == "button":
            return {b["reply"]["id"]: b["reply"]["title"] for b in action["buttons"]}
        return {r["id"]: r["title"] for s in action["sections"] for r in s["rows"]}

    @property
    def interactive_type(self) -> str | None:
        return self.message["interactive"]["type"] if self.type == "interactive" else None


@dataclass(frozen=True)
class _Failure:
    code: int
    status: int


class GraphError(Exception):
    def __init__(self, code: int, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.status = code, status


def _check_text(message: dict[str, Any]) -> None:
    text = message.get("text")
    if not isinstance(text, dict) or not isinstance(text.get("body"), str) or not text["body"]:
        raise GraphError(100, "(#100) text.body is required")
    if len(text["body"]) > 4096:
        raise GraphError(100, "(#100) text.body is longer than 4096 characters")


def _check_interactive(message: dict[str, Any]) -> None:
    interactive = message.get("interactive")
    if not isinstance(interactive, dict):
        raise GraphError(100, "(#100) interactive is required")
    body = (interactive.get("body") or {}).get("text")
    if not isinstance(body, str) or not body:
        raise GraphError(100, "(#100) interactive.body.text is required")
    action = interactive.get("action") or {}
    kind = interactive.get("type")
    if kind == "button":
        if len(body) > 1024:
            raise GraphError(100, "(#100) body.text is longer than 1024 characters")
        buttons = action.get("buttons") or []
        if not 1 <= len(buttons) <= 3:
            raise GraphError(100, "(#100) buttons: between 1 and 3")
        ids = [b["reply"]["id"] for b in buttons]
        if len(set(ids)) != len(ids) or any(len(i) > 256 for i in ids):
            raise GraphError(100, "(#100) button ids must be unique, at most 256 characters")
        if any(not 1 <= len(b["reply"]["title"]) <= 20 for b in buttons):
            raise GraphError(100, "(#100) a button title is longer than 20 characters")
    elif kind == "list":
        if len(body) > 4096:
            raise GraphError(100, "(#100) body.text is longer than 4096 characters")
        if not 1 <= len(str(action.get("button") or "")) <= 20:
            raise GraphError(100, "(#100) action.button: 1 to 20 characters")
        rows = [row for section in action.get("sections") or [] for row in section["rows"]]
        if not 1 <= len(rows) <= 10:
            raise GraphError(131009, "(#131009) Total row count exceed max allowed count: 10")
        for row in rows:
            if not 1 <= len(row["title"]) <= 24 or len(row.get("description", "")) > 72:
                raise GraphError(100, "(#100) a row title or description is too long")
            if len(row["id"]) > 200:
                raise GraphError(100, "(#100) a row id is longer than 200 characters")
    else:
        raise GraphError(100, f"(#100) unsupported interactive type {kind!r}")


class FakeGraphApi:
    def __init__(self, *, phone_number_id: str = TEST_PHONE_NUMBER_ID, token: str = TEST_WA_TOKEN):
        self.phone_number_id, self.token = phone_number_id, token
        self._lock = threading.Lock()
        self._sent: list[SentMessage] = []
        self._violations: list[str] = []
        self._failures: list[_Failure] = []
        self._ids = itertools.count(1)
        self._runner: web.AppRunner | None = None
        self.base_url = ""

    # --- the server ------------------------------------------------------------------

    async def start(self) -> None:
        app = web.Application()
        app.router.add_post(f"/{VERSION}/{{number}}/messages", self._messages)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        server = site._server
        assert server is not None
        port = server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}/{VERSION}"

    async def close(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeGraphApi:
        await self.start()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.close()

    @classmethod
    @contextmanager
    def run_in_thread(cls, **kwargs: Any) -> Iterator[FakeGraphApi]:
        """The fake on its own loop in a daemon thread (for `intake serve`)."""
        fake = cls(**kwargs)
        loop = asyncio.new_event_loop()
        ready = threading.Event()

        def serve() -> None:
            asyncio.set_event_loop(loop)
            loop.run_until_complete(fake.start())
            ready.set()
            loop.run_forever()

        thread = threading.Thread(target=serve, name="fake-graph-api", daemon=True)
        thread.start()
        if not ready.wait(10):
            raise TimeoutError("the fake Graph API did not start")
        try:
            yield fake
        finally:
            asyncio.run_coroutine_threadsafe(fake.close(), loop).result(10)
            loop.call_soon_threadsafe(loop.stop)
            thread.join(10)

    async def _messages(self, request: web.Request) -> web.Response:
        try:
            return web.json_response(await self._send(request))
        except GraphError as error:
            with self._lock:
                self._violations.append(str(error))
            return web.json_response(
                {
                    "error": {
                        "message": str(error),
                        "type": "OAuthException",
                        "code": error.code,
                        "fbtrace_id": "AfakeTrace",
                    }
                },
                status=error.status,
            )

    async def _send(self, request: web.Request) -> dict[str, Any]:
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            raise GraphError(190, "Invalid OAuth access token", status=401)
        if request.match_info["number"] != self.phone_number_id:
            raise GraphError(100, "(#100) Unsupported post request: unknown phone number id")
        try:
            data = await request.json()
        except ValueError:
            raise GraphError(100, "(#100) the body is not JSON") from None
        if not isinstance(data, dict) or data.get("messaging_product") != "whatsapp":
            raise GraphError(100, "(#100) messaging_product must be whatsapp")
        to = data.get("to")
        if not isinstance(to, str) or not to.isdigit():
            raise GraphError(100, "(#100) to must be a phone number")
        message = {k: v for k, v in data.items() if k not in ("messaging_product", "to")}
        message.pop("recipient_type", None)
        kind = message.get("type")
        if kind == "text":
            _check_text(message)
        elif kind == "interactive":
            _check_interactive(message)
        elif kind != "template":
            raise GraphError(100, f"(#100) unsupported message type {kind!r}")
        with self._lock:
            if self._failures:
                failure = self._failures.pop(0)
                raise GraphError(
                    failure.code, f"(#{failure.code}) a failure asked for", failure.status
                )
            sent = SentMessage(to, message, f"wamid.FAKE{next(self._ids):08d}")
            self._sent.append(sent)
        return {
            "messaging_product": "whatsapp",
            "contacts": [{"input": to, "wa_id": to}],
            "messages": [{"id": sent.id}],
        }

    # --- the test's controls -----------------------------------------------------------

    def fail_next(self, code: int, *, times: int = 1, status: int = 400) -> None:
        """The next `times` sends fail with this Graph API error code (131047: more
        than 24 hours since the person wrote; 130429: too many messages)."""
        with self._lock:
            self._failures.extend(_Failure(code, status) for _ in range(times))

    def sent(self, to: str | None = None) -> list[SentMessage]:
        with self._lock:
            return [m for m in self._sent if to is None or m.to == to]

    @property
    def violations(self) -> list[str]:
        with self._lock:
            return list(self._violations)

    def wait_for(self, condition: Callable[[], Any], timeout: float = 10.0) -> Any:
        """Block until `condition()` is true (another process sends); its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError("the fake Graph API did not see it in time")
            time.sleep(0.02)

    async def until(self, condition: Callable[[], Any], timeout: float = 10.0) -> Any:  # noqa: ASYNC109
        """`wait_for` in an async test (the app runs on the same loop)."""
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                raise TimeoutError("the fake Graph API did not see it in time")
            await asyncio.sleep(0.02)
