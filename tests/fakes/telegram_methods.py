"""The Bot API as the fake serves it: the state Telegram keeps for a bot, and its methods.

`BotApiMethods` is the part of `FakeBotAPI` that answers method calls; `FakeBotAPI`
adds the HTTP server, the test controls and webhook delivery. Each method takes the
token and the typed parameters and returns the `result`, or raises `ApiError`.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from tests.fakes import telegram_objects as objects
from tests.fakes.telegram_chats import ChatLog, SentMessage
from tests.fakes.telegram_objects import JSONDict
from tests.fakes.telegram_rate import RateLimitChecker, RateLimits
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
from tests.fakes.telegram_webhook import Webhook

__all__ = [
    "DEFAULT_LANGUAGE",
    "LOOPBACK_HOSTS",
    "BotApiMethods",
    "Described",
    "Handler",
    "chat_type_of",
]

LOOPBACK_HOSTS = frozenset({"127.0.0.1", "::1", "localhost"})
NOT_MODIFIED = (
    "message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
DEFAULT_GROUP_USER_ID = 1000
DEFAULT_LANGUAGE = "nl"


@dataclass(frozen=True)
class Described:
    """A result that Telegram answers together with a description."""

    result: Any
    description: str


Handler = Callable[[str, dict[str, Any]], Awaitable[Any]]


@dataclass
class _Commands:
    by_scope: dict[tuple[str, str], list[JSONDict]] = field(default_factory=dict)

    @staticmethod
    def key(params: dict[str, Any]) -> tuple[str, str]:
        scope = params.get("scope") or {"type": "default"}
        return json.dumps(scope, sort_keys=True), str(params.get("language_code") or "")


class BotApiMethods:
    """Pending updates, chats, commands, the webhook, and the methods that use them."""

    def __init__(
        self,
        *,
        bot_username: str = "loket_test_bot",
        rate_limits: RateLimits | None = None,
        max_poll_timeout: float = 50.0,
    ) -> None:
        self.bot_username = bot_username
        self.max_poll_timeout = max_poll_timeout
        self.rate = RateLimitChecker(rate_limits or RateLimits())
        self.updates = UpdateQueue()
        self.chats = ChatLog()
        self.webhook: Webhook | None = None
        self.closing = False
        self._commands = _Commands()
        self._chat_objects: dict[int, JSONDict] = {}
        self._users: dict[int, JSONDict] = {}
        self._changed = asyncio.Event()
        self._poll_generation = 0
        self.methods: dict[str, tuple[str, Handler]] = {
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

    def _on_webhook_set(self) -> None:
        """Called after a successful setWebhook; `FakeBotAPI` starts delivering."""

    def current_change(self) -> asyncio.Event:
        """The event the next change (update, webhook, poll, closing) will set."""
        return self._changed

    def commands(self, scope: JSONDict | None = None, language_code: str = "") -> list[JSONDict]:
        """The commands setMyCommands stored for a scope and language."""
        key = _Commands.key({"scope": scope, "language_code": language_code})
        return list(self._commands.by_scope.get(key, []))

    # --- helpers ---------------------------------------------------------------------

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
        chat = self._chat_objects.get(chat_id) or self._chat(chat_id, chat_type_of(chat_id))
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
            link_preview_options=_object(params.get("link_preview_options")),
            method=method,
            time=time.monotonic(),
        )

    # --- Bot API methods -------------------------------------------------------------

    async def _true(self, token: str, params: dict[str, Any]) -> bool:
        return True

    async def _get_me(self, token: str, params: dict[str, Any]) -> JSONDict:
        return self._bot(token)

    async def _get_updates(self, token: str, params: dict[str, Any]) -> list[JSONDict]:
        if self.webhook is not None:
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
            if self.webhook is not None or generation != self._poll_generation:
                raise ApiError(
                    HTTPStatus.CONFLICT,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                )
            batch = self.updates.hand_out(limit)
            remaining = deadline - loop.time()
            if batch or self.closing or remaining <= 0:
                return batch
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(changed.wait(), remaining)

    async def _set_webhook(self, token: str, params: dict[str, Any]) -> Described:
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
        self.webhook = Webhook(str(url), params.get("secret_token"), token)
        self._on_webhook_set()
        self._notify()
        return Described(True, "Webhook was set")

    async def _delete_webhook(self, token: str, params: dict[str, Any]) -> Described:
        if params.get("drop_pending_updates"):
            self.updates.drop_all()
        had_webhook, self.webhook = self.webhook is not None, None
        self._notify()
        return Described(
            True, "Webhook was deleted" if had_webhook else "Webhook is already deleted"
        )

    async def _get_webhook_info(self, token: str, params: dict[str, Any]) -> JSONDict:
        hook = self.webhook
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


def chat_type_of(chat_id: int) -> str:
    return "private" if chat_id > 0 else "group"


def _object(value: Any) -> JSONDict | None:
    """A parameter that must be a JSON object, or None."""
    return value if isinstance(value, dict) else None
