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
import contextlib
import json
import re
import socket
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from types import TracebackType
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from tests.fakes import telegram_objects as objects
from tests.fakes.telegram_chats import CallbackRecord, ChatLog, SentMessage
from tests.fakes.telegram_faults import Fault, FaultPlan
from tests.fakes.telegram_objects import JSONDict
from tests.fakes.telegram_params import read_params
from tests.fakes.telegram_rate import RateLimitChecker, RateLimits, RateViolation
from tests.fakes.telegram_rules import (
    CHAT_ACTIONS,
    ApiError,
    bad_request,
    check_callback_answer,
    check_commands,
    check_reply_markup,
    check_secret_token,
    require_chat_id,
    require_int,
    visible_text,
)
from tests.fakes.telegram_updates import UpdateQueue

if TYPE_CHECKING:
    from tests.fakes.telegram_thread import FakeBotAPIThread

__all__ = ["TEST_TOKEN", "ApiCall", "FakeBotAPI", "Webhook", "WebhookDelivery"]

T = TypeVar("T")

TEST_TOKEN = "123456789:AAFakeTokenForTheLoketIntakeTests_x"
LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
TOKEN_PATTERN = re.compile(r"\d+:[A-Za-z0-9_-]+")
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
DEFAULT_GROUP_USER_ID = 1000
DEFAULT_LANGUAGE = "nl"


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


@dataclass
class Webhook:
    url: str
    secret_token: str | None
    token: str
    last_error_date: int | None = None
    last_error_message: str | None = None


@dataclass(frozen=True)
class WebhookDelivery:
    update_id: int
    url: str
    status: int | None  # None when the connection failed
    error: str | None
    time: float


@dataclass(frozen=True)
class _Described:
    """A result that Telegram answers together with a description."""

    result: Any
    description: str


_Handler = Callable[[str, dict[str, Any]], Awaitable[Any]]


@dataclass
class _Commands:
    by_scope: dict[tuple[str, str], list[JSONDict]] = field(default_factory=dict)

    @staticmethod
    def key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")


class FakeBotAPI:
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

        `max_poll_timeout` caps getUpdates' `timeout`; `webhook_retry_delay` is the
        first pause before a failed webhook delivery is tried again (it doubles, to 1 s).
        """
        if host not in LOOPBACK_HOSTS:
            raise ValueError("the fake Bot API listens on loopback addresses only")
        self.host = host
        self.port = port
        self.token = token
        self.bot_username = bot_username
        self.max_poll_timeout = max_poll_timeout
        self.webhook_retry_delay = webhook_retry_delay
        self.rate = RateLimitChecker(rate_limits or RateLimits())
        self.faults = FaultPlan()
        self.updates = UpdateQueue()
        self.chats = ChatLog()
        self.webhook_deliveries: list[WebhookDelivery] = []
        self._calls: list[ApiCall] = []
        self._webhook: Webhook | None = None
        self._webhook_task: asyncio.Task[None] | None = None
        self._commands = _Commands()
        self._chat_objects: dict[int, JSONDict] = {}
        self._users: dict[int, JSONDict] = {}
        self._changed = asyncio.Event()
        self._poll_generation = 0
        self._closing = False
        self._runner: web.AppRunner | None = None
        self._client: aiohttp.ClientSession | None = None
        self._methods: dict[str, tuple[str, _Handler]] = {
            name.lower(): (name, handler)
            for name, handler in {
                "getMe": self._get_me,
                "getUpdates": self._get_updates,
                "setWebhook": self._set_webhook,
                "deleteWebhook": self._delete_webhook,
                "getWebhookInfo": self._get_webhook_info,
                "sendMessage": self._send_message,
                "editMessageText": self._edit_message_text,
                "editMessageReplyMarkup": self._edit_message_reply_markup,
                "deleteMessage": self._delete_message,
                "answerCallbackQuery": self._answer_callback_query,
                "sendChatAction": self._send_chat_action,
                "setMyCommands": self._set_my_commands,
                "getMyCommands": self._get_my_commands,
                "deleteMyCommands": self._delete_my_commands,
                "close": self._true,
                "logOut": self._true,
            }.items()
        }

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
        self._client = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=10), trust_env=False
        )

    async def close(self) -> None:
        """Answer open long polls, stop webhook delivery and the server."""
        self._closing = True
        self._notify()
        if self._webhook_task is not None:
            self._webhook_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._webhook_task
        if self._client is not None:
            await self._client.close()
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
        chat = self._chat_objects.get(chat_id) or self._chat(chat_id, _chat_type(chat_id))
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
    def webhook(self) -> Webhook | None:
        return self._webhook

    @property
    def rate_violations(self) -> list[RateViolation]:
        return list(self.rate.violations)

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        key = _Commands.key({"scope": scope, "language_code": language_code})
        return list(self._commands.by_scope.get(key, []))

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
        name, handler = self._methods.get(method.lower(), (method, None))
        call = ApiCall(name, params, time.monotonic(), token, via=via, content_type=content_type)
        self._calls.append(call)
        try:
            self._check_token(token)
            if handler is None:
                raise ApiError(HTTPStatus.NOT_FOUND, "Not Found")
            if fault := self.faults.take(name):
                raise fault.error()
            result = await handler(token, params)
            body: JSONDict = {"ok": True}
            if isinstance(result, _Described):
                body.update(result=result.result, description=result.description)
            else:
                body["result"] = result
            status: int = HTTPStatus.OK
        except ApiError as error:
            status, body = error.status, error.body()
        call.status, call.response = int(status), body
        return int(status), body

    def _check_token(self, token: str) -> None:
        if not TOKEN_PATTERN.fullmatch(token):
            raise ApiError(HTTPStatus.NOT_FOUND, "Not Found")
        if self.token is not None and token != self.token:
            raise ApiError(HTTPStatus.UNAUTHORIZED, "Unauthorized")

    # --- state helpers ---------------------------------------------------------------

    def _notify(self) -> None:
        """Wake long polls and the webhook deliverer."""
        changed, self._changed = self._changed, asyncio.Event()
        changed.set()

    def _queue(self, update: JSONDict, update_id: Any) -> JSONDict:
        if update_id is not None:
            update["update_id"] = update_id
        queued = self.updates.add(update)
        self._notify()
        return queued

    def _chat(self, chat_id: int, chat_type: str, first_name: str = "Test") -> JSONDict:
        chat = self._chat_objects.get(chat_id)
        if chat is None or chat["type"] != chat_type:
            chat = objects.chat(chat_id, chat_type, first_name=first_name)
            self._chat_objects[chat_id] = chat
        return chat

    def _user(
        self,
        chat_id: int,
        chat_type: str,
        user_id: int | None,
        language_code: str | None,
        first_name: str,
        username: str | None,
    ) -> JSONDict:
        if user_id is None:
            user_id = chat_id if chat_type == "private" else DEFAULT_GROUP_USER_ID
        known = self._users.get(user_id)
        if known is not None and language_code is None:
            return known
        if language_code is None:
            language_code = DEFAULT_LANGUAGE
        person = objects.user(
            user_id,
            first_name=first_name,
            language_code=language_code or None,  # "" leaves language_code out
            username=username,
        )
        self._users[user_id] = person
        return person

    def _bot(self, token: str) -> JSONDict:
        return objects.bot_user(int(token.split(":", 1)[0]), self.bot_username)

    def _bot_message(self, token: str, chat_id: int) -> JSONDict:
        chat = self._chat_objects.get(chat_id) or self._chat(chat_id, _chat_type(chat_id))
        return {
            "message_id": self.chats.new_message_id(chat_id),
            "from": self._bot(token),
            "chat": chat,
            "date": objects.now(),
        }

    def _editable(self, token: str, params: dict[str, Any]) -> JSONDict:
        if params.get("inline_message_id"):
            raise bad_request("inline messages are not supported by the fake Bot API")
        chat_id = require_chat_id(params)
        message = self.chats.get(chat_id, require_int(params, "message_id"))
        if message is None:
            raise bad_request("message to edit not found")
        if not message.get("from", {}).get("is_bot"):
            raise bad_request("message can't be edited")
        return message

    def _record(self, message: JSONDict, params: dict[str, Any], method: str) -> SentMessage:
        return SentMessage(
            chat_id=message["chat"]["id"],
            message_id=message["message_id"],
            text=params.get("text", message.get("text")),
            reply_markup=message.get("reply_markup"),
            parse_mode=params.get("parse_mode"),
            method=method,
            time=time.monotonic(),
        )

    # --- Bot API methods -------------------------------------------------------------

    async def _true(self, token: str, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, token: str, params: dict[str, Any]) -> JSONDict:
        return self._bot(token)

    async def _get_updates(self, token: str, params: dict[str, Any]) -> list[JSONDict]:
        if self._webhook is not None:
            raise ApiError(
                HTTPStatus.CONFLICT,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        offset, limit, timeout = (params.get(k) for k in ("offset", "limit", "timeout"))
        limit = min(max(int(limit or 100), 1), 100)
        timeout = min(max(float(timeout or 0), 0.0), self.max_poll_timeout)
        try:
            self.updates.set_allowed(params.get("allowed_updates"))
        except ValueError as error:
            raise bad_request(str(error)) from error
        self.updates.confirm(int(offset) if offset is not None else None)
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()  # an older open poll is terminated by this one
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            changed = self._changed
            if self._webhook is not None or generation != self._poll_generation:
                raise ApiError(
                    HTTPStatus.CONFLICT,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = self.updates.hand_out(limit)
            remaining = deadline - loop.time()
            if batch or self._closing or remaining <= 0:
                return batch
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def _set_webhook(self, token: str, params: dict[str, Any]) -> _Described:
        url = params.get("url") or ""
        if not url:
            return await self._delete_webhook(token, params)
        parts = urlsplit(str(url))
        if parts.scheme not in ("http", "https") or parts.hostname not in LOOPBACK_HOSTS:
            raise bad_request(
                "bad webhook: the fake Bot API delivers only to http(s)://127.0.0.1, [::1] "
                "or localhost"
            )
        check_secret_token(params.get("secret_token"))
        try:
            self.updates.set_allowed(params.get("allowed_updates"))
        except ValueError as error:
            raise bad_request(str(error)) from error
        if params.get("drop_pending_updates"):
            self.updates.drop_all()
        self._webhook = Webhook(str(url), params.get("secret_token"), token)
        if self._webhook_task is None or self._webhook_task.done():
            self._webhook_task = asyncio.create_task(self._deliver_to_webhook())
        self._notify()
        return _Described(True, "Webhook was set")

    async def _delete_webhook(self, token: str, params: dict[str, Any]) -> _Described:
        if params.get("drop_pending_updates"):
            self.updates.drop_all()
        had_webhook, self._webhook = self._webhook is not None, None
        self._notify()
        return _Described(
            True, "Webhook was deleted" if had_webhook else "Webhook is already deleted"
        )

    async def _get_webhook_info(self, token: str, params: dict[str, Any]) -> JSONDict:
        hook = self._webhook
        info: JSONDict = {
            "url": hook.url if hook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self.updates),
        }
        if hook is not None:
            info["max_connections"] = 40
            if hook.last_error_date is not None:
                info["last_error_date"] = hook.last_error_date
                info["last_error_message"] = hook.last_error_message
            if self.updates.allowed_updates:
                info["allowed_updates"] = list(self.updates.allowed_updates)
        return info

    async def _send_message(self, token: str, params: dict[str, Any]) -> JSONDict:
        chat_id = require_chat_id(params)
        shown = visible_text(params.get("text"), params.get("parse_mode"))
        markup = check_reply_markup(params.get("reply_markup"))
        retry_after = self.rate.admit(chat_id, "sendMessage")
        if retry_after is not None:
            raise ApiError(
                HTTPStatus.TOO_MANY_REQUESTS,
                f"Too Many Requests: retry after {retry_after}",
                {"retry_after": retry_after},
            )
        message = self._bot_message(token, chat_id)
        message["text"] = shown
        if markup and "inline_keyboard" in markup:
            message["reply_markup"] = markup
        reply_to = (params.get("reply_parameters") or {}).get("message_id") or params.get(
            "reply_to_message_id"
        )
        if isinstance(reply_to, int) and (original := self.chats.get(chat_id, reply_to)):
            message["reply_to_message"] = original
        self.chats.store(message)
        self.chats.sent.append(self._record(message, params, "sendMessage"))
        return message

    async def _edit_message_text(self, token: str, params: dict[str, Any]) -> JSONDict:
        message = self._editable(token, params)
        shown = visible_text(params.get("text"), params.get("parse_mode"))
        markup = check_reply_markup(params.get("reply_markup"), inline_only=True)
        if shown == message.get("text") and markup == message.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        edited = {**message, "text": shown, "edit_date": objects.now()}
        edited.pop("reply_markup", None)  # Telegram drops a keyboard not sent again
        if markup:
            edited["reply_markup"] = markup
        self.chats.store(edited)
        self.chats.edits.append(self._record(edited, params, "editMessageText"))
        return edited

    async def _edit_message_reply_markup(self, token: str, params: dict[str, Any]) -> JSONDict:
        message = self._editable(token, params)
        markup = check_reply_markup(params.get("reply_markup"), inline_only=True)
        if markup == message.get("reply_markup"):
            raise bad_request(NOT_MODIFIED)
        edited = {**message, "edit_date": objects.now()}
        edited.pop("reply_markup", None)
        if markup:
            edited["reply_markup"] = markup
        self.chats.store(edited)
        self.chats.edits.append(self._record(edited, params, "editMessageReplyMarkup"))
        return edited

    async def _delete_message(self, token: str, params: dict[str, Any]) -> bool:
        chat_id = require_chat_id(params)
        if not self.chats.delete(chat_id, require_int(params, "message_id")):
            raise bad_request("message to delete not found")
        return True

    async def _answer_callback_query(self, token: str, params: dict[str, Any]) -> bool:
        record = self.chats.callbacks.get(str(params.get("callback_query_id")))
        if record is None or record.answer is not None:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        check_callback_answer(params)
        record.answer = dict(params)
        return True

    async def _send_chat_action(self, token: str, params: dict[str, Any]) -> bool:
        require_chat_id(params)
        if params.get("action") not in CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        return True

    async def _set_my_commands(self, token: str, params: dict[str, Any]) -> bool:
        self._commands.by_scope[_Commands.key(params)] = check_commands(params.get("commands"))
        return True

    async def _get_my_commands(self, token: str, params: dict[str, Any]) -> list[JSONDict]:
        return list(self._commands.by_scope.get(_Commands.key(params), []))

    async def _delete_my_commands(self, token: str, params: dict[str, Any]) -> bool:
        self._commands.by_scope.pop(_Commands.key(params), None)
        return True

    # --- webhook delivery ------------------------------------------------------------

    async def _deliver_to_webhook(self) -> None:
        """Post pending updates one by one, in order, retrying until one is accepted."""
        delay = self.webhook_retry_delay
        while not self._closing and self._webhook is not None:
            changed, hook = self._changed, self._webhook
            batch = self.updates.hand_out(1)
            if not batch:
                await changed.wait()
                continue
            if await self._post_update(hook, batch[0]):
                self.updates.remove(batch[0])
                delay = self.webhook_retry_delay
            else:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)

    async def _post_update(self, hook: Webhook, update: JSONDict) -> bool:
        assert self._client is not None
        headers = {SECRET_HEADER: hook.secret_token} if hook.secret_token else {}
        status: int | None = None
        error: str | None = None
        body = b""
        try:
            async with self._client.post(hook.url, json=update, headers=headers) as response:
                status, body = response.status, await response.read()
        except (aiohttp.ClientError, TimeoutError) as failure:
            error = f"Connection failed: {failure!r}"
        self.webhook_deliveries.append(
            WebhookDelivery(update["update_id"], hook.url, status, error, time.monotonic())
        )
        if status is not None and 200 <= status < 300:
            await self._run_webhook_reply(hook, body)
            return True
        hook.last_error_date = objects.now()
        hook.last_error_message = error or f"Wrong response from the webhook: {status}"
        return False

    async def _run_webhook_reply(self, hook: Webhook, body: bytes) -> None:
        """Telegram runs a method returned in the webhook's answer (aiogram can do this)."""
        try:
            reply = json.loads(body) if body.strip() else None
        except ValueError:
            return
        if isinstance(reply, dict) and isinstance(reply.get("method"), str):
            params = {key: value for key, value in reply.items() if key != "method"}
            await self.execute(hook.token, reply["method"], params, via="webhook-reply")


def _chat_type(chat_id: int) -> str:
    return "private" if chat_id > 0 else "group"
