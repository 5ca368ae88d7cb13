"""A fake Telegram Bot API server on 127.0.0.1, for driving the real bot libraries.

It speaks the Bot API over HTTP under `/bot<token>/<method>` (JSON, form or multipart
bodies), keeps the state Telegram keeps (pending updates, messages per chat, callback
queries, the webhook) and lets a test inject updates, inject failures and inspect every
call. Nothing leaves the machine: webhooks are only delivered to loopback addresses.

In an async test:

    async with FakeBotAPI() as api:
        # aiogram 3
        session = AiohttpSession(api=TelegramAPIServer.from_base(api.base_url))
        bot = aiogram.Bot(TOKEN, session=session)
        # python-telegram-bot 21+
        app = (
            Application.builder().token(TOKEN)
            .base_url(f"{api.base_url}/bot").base_file_url(f"{api.base_url}/file/bot")
            .build()
        )
        ...
        update = api.inject_message(42, "/start", language_code="nl")
        await api.wait_for(lambda: api.sent_messages(42))
        api.inject_callback(42, api.sent_messages(42)[-1].message_id, "yes")
        api.fail_next("sendMessage", status=429, retry_after=1)
        assert api.rate_violations == []

For a bot in another process (`intake serve`), run the server in a thread and give the
process `TELEGRAM_API_BASE_URL=handle.base_url`:

    with FakeBotAPI.run_in_thread() as handle:
        handle.inject_message(42, "/start")
        handle.wait_for(lambda: handle.sent_messages(42), timeout=10)
"""

from __future__ import annotations

import asyncio
import re
import socket
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar

from aiohttp import web

from tests.fakes import telegram_objects as objects
from tests.fakes.telegram_chats import CallbackRecord, SentMessage
from tests.fakes.telegram_faults import Fault, FaultPlan
from tests.fakes.telegram_methods import (
    DEFAULT_LANGUAGE,
    LOOPBACK_HOSTS,
    BotApiMethods,
    Described,
    chat_type_of,
)
from tests.fakes.telegram_objects import JSONDict
from tests.fakes.telegram_params import read_params
from tests.fakes.telegram_rate import RateLimits, RateViolation
from tests.fakes.telegram_rules import ApiError, bad_request
from tests.fakes.telegram_webhook import Webhook, WebhookDeliverer, WebhookDelivery

if TYPE_CHECKING:
    from tests.fakes.telegram_thread import FakeBotAPIThread

__all__ = ["TEST_TOKEN", "ApiCall", "FakeBotAPI", "Webhook", "WebhookDelivery"]

T = TypeVar("T")

TEST_TOKEN = "123456789:AAFakeTokenForTheLoketIntakeTests_x"
TOKEN_PATTERN = re.compile(r"\d+:[A-Za-z0-9_-]+")


@dataclass
class ApiCall:
    """One request to the fake, as the bot made it (params typed, see telegram_params)."""

    method: str
    params: dict[str, Any]
    time: float  # time.monotonic() when the request arrived
    token: str
    status: int | None = None  # HTTP status answered; None while a long poll is open
    response: JSONDict | None = None
    via: str = "http"  # "webhook-reply" for a method returned in a webhook's answer
    content_type: str = ""  # how the parameters came: application/json, form, multipart


class FakeBotAPI(BotApiMethods):
    """The fake server. Use it as `async with FakeBotAPI() as api:` (see module doc)."""

    def __init__(
        self,
        *,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str | None = None,
        bot_username: str = "loket_test_bot",
        rate_limits: RateLimits | None = None,
        max_poll_timeout: float = 50.0,
        webhook_retry_delay: float = 0.05,
    ) -> None:
        """`token`: accept only this token (others get 401); any well-formed one if None.

        `rate_limits` says what counts as flooding (see telegram_rate; only sendMessage
        counts); `max_poll_timeout` caps getUpdates' `timeout`; `webhook_retry_delay` is
        the first pause before a failed webhook delivery is tried again.
        """
        if host not in LOOPBACK_HOSTS:
            raise ValueError("the fake Bot API listens on loopback addresses only")
        super().__init__(
            bot_username=bot_username, rate_limits=rate_limits, max_poll_timeout=max_poll_timeout
        )
        self.host = host
        self.port = port
        self.token = token
        self.faults = FaultPlan()
        # Called on the fake's loop with each call, "before" it runs and "after" it ran
        # but before its answer goes out (a fault test kills the bot there).
        self.watchers: list[Callable[[ApiCall, str], None]] = []
        self._calls: list[ApiCall] = []
        self._runner: web.AppRunner | None = None
        self._deliverer = WebhookDeliverer(self, self._run_webhook_reply, webhook_retry_delay)

    # --- lifecycle -------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        """`http://127.0.0.1:<port>`: what aiogram's `TelegramAPIServer.from_base` takes."""
        host = f"[{self.host}]" if ":" in self.host else self.host
        return f"http://{host}:{self.port}"

    def api_url(self, token: str = TEST_TOKEN) -> str:
        """`<base_url>/bot<token>`: the prefix of every method URL."""
        return f"{self.base_url}/bot{token}"

    async def start(self) -> None:
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle)
        app.router.add_route("*", "/{tail:.*}", self._not_found)
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=1.0)
        await self._runner.setup()
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = socket.socket(family, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((self.host, self.port))
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    async def close(self) -> None:
        """Answer open long polls, stop webhook delivery and the server."""
        self.closing = True
        self._notify()
        await self._deliverer.close()
        if self._runner is not None:
            await self._runner.cleanup()

    async def __aenter__(self) -> FakeBotAPI:
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        await self.close()

    @classmethod
    def run_in_thread(cls, **kwargs: Any) -> FakeBotAPIThread:
        """Start a fake in its own thread and event loop; see `FakeBotAPIThread`."""
        from tests.fakes.telegram_thread import FakeBotAPIThread

        return FakeBotAPIThread(**kwargs)

    # --- injecting updates -----------------------------------------------------------

    def inject_message(
        self,
        /,
        chat_id: int,
        text: str | None = None,
        *,
        user_id: int | None = None,
        language_code: str | None = DEFAULT_LANGUAGE,
        chat_type: str = "private",
        first_name: str = "Test",
        username: str | None = None,
        update_id: int | None = None,
        **fields: Any,
    ) -> JSONDict:
        """Queue a message from a person; returns the update.

        A text starting with "/" gets its `bot_command` entity. Extra `fields` go into
        the message, e.g. `inject_message(42, None, sticker=STICKER)`. The sender is the
        chat's own user in a private chat, user 1000 in a group unless `user_id` says
        otherwise; `language_code=""` leaves the language out, None keeps the last one.
        """
        chat = self._chat(chat_id, chat_type, first_name)
        sender = self._user(chat_id, chat_type, user_id, language_code, first_name, username)
        message: JSONDict = {
            "message_id": self.chats.new_message_id(chat_id),
            "from": sender,
            "chat": chat,
            "date": objects.now(),
        }
        if text is not None:
            message["text"] = text
            if entities := objects.command_entities(text):
                message["entities"] = entities
        message.update(fields)
        self.chats.store(message)
        return self._queue({"message": message}, update_id)

    def inject_edited_message(
        self, chat_id: int, message_id: int, text: str, *, update_id: int | None = None
    ) -> JSONDict:
        """Queue an `edited_message` update: the person changed an earlier message."""
        original = self.chats.get(chat_id, message_id)
        if original is None:
            raise KeyError(f"no message {message_id} in chat {chat_id}")
        edited = {**original, "text": text, "edit_date": objects.now()}
        self.chats.store(edited)
        return self._queue({"edited_message": edited}, update_id)

    def inject_callback(
        self,
        chat_id: int,
        message_id: int,
        data: str,
        *,
        user_id: int | None = None,
        language_code: str | None = None,
        update_id: int | None = None,
    ) -> JSONDict:
        """Queue a button press on message `message_id`; returns the update.

        The query's `message` is the stored message (as the bot last edited it), or an
        inaccessible message (date 0) if the fake never saw it. The query id is
        `update["callback_query"]["id"]`.
        """
        chat = self._chat_objects.get(chat_id) or self._chat(chat_id, chat_type_of(chat_id))
        sender = self._user(chat_id, chat["type"], user_id, language_code, "Test", None)
        message = self.chats.get(chat_id, message_id) or {
            "chat": chat,
            "message_id": message_id,
            "date": 0,
        }
        query: JSONDict = {
            "id": self.chats.new_callback_id(),
            "from": sender,
            "message": message,
            "chat_instance": str(abs(chat_id) * 7919),
            "data": data,
        }
        self.chats.callbacks[query["id"]] = CallbackRecord(query)
        return self._queue({"callback_query": query}, update_id)

    def inject_update(self, update: dict[str, Any]) -> JSONDict:
        """Queue any raw update; an `update_id` is added unless given (duplicates allowed)."""
        return self._queue(dict(update), update.get("update_id"))

    # --- injecting failures ----------------------------------------------------------

    def fail_next(
        self,
        method: str,
        status: int = HTTPStatus.TOO_MANY_REQUESTS,
        retry_after: int | None = 1,
        count: int = 1,
        description: str | None = None,
    ) -> None:
        """The next `count` calls of `method` ("*" for any) fail with `status`."""
        self.faults.fail_next(method, Fault(status, retry_after, description), count)

    def fail_ratio(
        self,
        method: str,
        ratio: float,
        status: int = HTTPStatus.TOO_MANY_REQUESTS,
        retry_after: int | None = 1,
        seed: int = 0,
        description: str | None = None,
    ) -> None:
        """A storm: each call of `method` fails with probability `ratio` (seeded, so the
        same calls fail on every run). `ratio=0` ends the storm."""
        self.faults.fail_ratio(method, Fault(status, retry_after, description), ratio, seed)

    def clear_faults(self, method: str | None = None) -> None:
        self.faults.clear(method)

    # --- inspecting ------------------------------------------------------------------

    @property
    def calls(self) -> list[ApiCall]:
        """Every request so far, in arrival order."""
        return list(self._calls)

    def calls_to(self, method: str) -> list[ApiCall]:
        return [call for call in self._calls if call.method.lower() == method.lower()]

    def sent_messages(self, chat_id: int | None = None) -> list[SentMessage]:
        """The messages the bot sent successfully (to one chat or all), in order."""
        return [m for m in self.chats.sent if chat_id is None or m.chat_id == chat_id]

    def sent_texts(self, chat_id: int | None = None) -> list[str]:
        return [m.text or "" for m in self.sent_messages(chat_id)]

    def edits(self, chat_id: int | None = None) -> list[SentMessage]:
        """The successful editMessageText / editMessageReplyMarkup calls, in order."""
        return [m for m in self.chats.edits if chat_id is None or m.chat_id == chat_id]

    def message(self, chat_id: int, message_id: int) -> JSONDict | None:
        """A message as it stands now (after edits), or None."""
        return self.chats.get(chat_id, message_id)

    @property
    def callback_answers(self) -> list[CallbackRecord]:
        return [record for record in self.chats.callbacks.values() if record.answer is not None]

    def unanswered_callbacks(self) -> list[str]:
        """Ids of injected callback queries the bot has not answered."""
        return [qid for qid, record in self.chats.callbacks.items() if record.answer is None]

    @property
    def pending_updates(self) -> list[JSONDict]:
        return self.updates.pending

    @property
    def webhook_deliveries(self) -> list[WebhookDelivery]:
        """Every POST to the webhook: update id, HTTP status or connection error."""
        return list(self._deliverer.deliveries)

    @property
    def rate_violations(self) -> list[RateViolation]:
        return list(self.rate.violations)

    async def wait_for(
        self,
        predicate: Callable[[], T],
        timeout: float = 5.0,  # noqa: ASYNC109 - the documented test-helper API
        interval: float = 0.01,
    ) -> T:
        """Poll `predicate` until it returns something truthy, and return that.

        Raises AssertionError (with the last calls) after `timeout` seconds.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            result = predicate()
            if result:
                return result
            if loop.time() >= deadline:
                raise AssertionError(
                    f"condition not met within {timeout} s; last calls: {self.describe_calls()}"
                )
            await asyncio.sleep(interval)

    def describe_calls(self, last: int = 10) -> str:
        return "; ".join(
            f"{call.method}({', '.join(sorted(call.params))}) -> {call.status}"
            for call in self._calls[-last:]
        )

    # --- HTTP ------------------------------------------------------------------------

    async def _not_found(self, request: web.Request) -> web.Response:
        return web.json_response(ApiError(404, "Not Found").body(), status=404)

    async def _handle(self, request: web.Request) -> web.Response:
        content_type = request.content_type if request.body_exists else ""
        try:
            params = await read_params(request)
        except ValueError:
            error = bad_request("can't parse JSON object")
            return web.json_response(error.body(), status=error.status)
        status, body = await self.execute(
            request.match_info["token"],
            request.match_info["method"],
            params,
            content_type=content_type,
        )
        return web.json_response(body, status=status)

    async def execute(
        self,
        token: str,
        method: str,
        params: dict[str, Any],
        via: str = "http",
        content_type: str = "",
    ) -> tuple[int, JSONDict]:
        """Run one Bot API method as if it came over HTTP; returns (status, body)."""
        name, handler = self.methods.get(method.lower(), (method, None))
        call = ApiCall(name, params, time.monotonic(), token, via=via, content_type=content_type)
        self._calls.append(call)
        try:
            self._check_token(token)
            if handler is None:
                raise ApiError(HTTPStatus.NOT_FOUND, "Not Found")
            if fault := self.faults.take(name):
                raise fault.error()
            for watcher in list(self.watchers):
                watcher(call, "before")
            result = await handler(token, params)
            body: JSONDict = {"ok": True}
            if isinstance(result, Described):
                body.update(result=result.result, description=result.description)
            else:
                body["result"] = result
            status: int = HTTPStatus.OK
        except ApiError as error:
            status, body = error.status, error.body()
        call.status, call.response = int(status), body
        for watcher in list(self.watchers):
            watcher(call, "after")
        return int(status), body

    def _check_token(self, token: str) -> None:
        if not TOKEN_PATTERN.fullmatch(token):
            raise ApiError(HTTPStatus.NOT_FOUND, "Not Found")
        if self.token is not None and token != self.token:
            raise ApiError(HTTPStatus.UNAUTHORIZED, "Unauthorized")

    # --- webhook ---------------------------------------------------------------------

    def _on_webhook_set(self) -> None:
        self._deliverer.ensure_running()

    async def _run_webhook_reply(self, token: str, method: str, params: dict[str, Any]) -> None:
        await self.execute(token, method, params, via="webhook-reply")
