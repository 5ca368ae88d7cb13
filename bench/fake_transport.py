"""Fake transports: the frameworks and the outbox client without HTTP.

Each records the Bot API calls it was asked for and answers with a canned result, so
the framework's own work (building the request, parsing the answer into its objects)
is done and measured, and the network is not:

- `FakeAiogramSession`: aiogram's aiohttp session, with the request built
  (`build_form_data`) but never posted;
- `FakePtbRequest`: python-telegram-bot's request object; PTB has encoded the
  parameters before `do_request`, which answers at once;
- `FakeBotApi`: the outbox deliverer's `BotApi`, its parameters encoded and a
  canned `ApiResult` returned without the HTTP client.
"""

from __future__ import annotations

import json
import time
from collections import Counter
from typing import Any

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.methods import TelegramMethod
from aiogram.methods.base import TelegramType
from telegram.request import BaseRequest, RequestData
from telegram_script import BOT

from bot.telegram.bot_api import ApiResult, BotApi
from tests.fakes.telegram_objects import chat

__all__ = [
    "MESSAGE_METHODS",
    "FakeAiogramSession",
    "FakeBotApi",
    "FakePtbRequest",
    "canned",
    "fake_bot_api",
]

TOKEN = "123456789:AAFakeTokenForTheLoketIntakeBenchmark"


def canned(method: str, params: dict[str, Any]) -> Any:
    """What Telegram answers to `method` (only the fields the libraries need)."""
    name = method.lower()
    if name == "getme":
        return BOT
    if name in ("sendmessage", "editmessagetext", "editmessagereplymarkup"):
        chat_id = int(params.get("chat_id") or 1)
        return {
            "message_id": int(params.get("message_id") or 1),
            "from": BOT,
            "chat": chat(chat_id, "private"),
            "date": int(time.time()),
            "text": str(params.get("text") or "?"),
        }
    return True


class FakeAiogramSession(AiohttpSession):
    def __init__(self, calls: Counter[str]) -> None:
        super().__init__()
        self.calls = calls

    async def make_request(
        self,
        bot: Bot,
        method: TelegramMethod[TelegramType],
        timeout: int | None = None,  # noqa: ASYNC109 - aiogram's signature
    ) -> TelegramType:
        self.build_form_data(bot=bot, method=method)  # what would be posted
        name = method.__api_method__
        self.calls[name] += 1
        params = {
            "chat_id": getattr(method, "chat_id", None),
            "text": getattr(method, "text", None),
            "message_id": getattr(method, "message_id", None),
        }
        content = json.dumps({"ok": True, "result": canned(name, params)})
        response = self.check_response(bot=bot, method=method, status_code=200, content=content)
        return response.result  # type: ignore[return-value]


class FakePtbRequest(BaseRequest):
    def __init__(self, calls: Counter[str]) -> None:
        self.calls = calls

    @property
    def read_timeout(self) -> float | None:
        return None

    async def initialize(self) -> None:
        return None

    async def shutdown(self) -> None:
        return None

    async def do_request(
        self,
        url: str,
        method: str,
        request_data: RequestData | None = None,
        read_timeout: Any = None,
        write_timeout: Any = None,
        connect_timeout: Any = None,
        pool_timeout: Any = None,
    ) -> tuple[int, bytes]:
        name = url.rsplit("/", 1)[-1]
        self.calls[name] += 1
        params: dict[str, Any] = {}
        if request_data is not None:
            request_data.json_parameters  # noqa: B018 - what HTTPXRequest would post
            params = dict(request_data.parameters)
        body = json.dumps({"ok": True, "result": canned(name, params)})
        return 200, body.encode()


MESSAGE_METHODS = frozenset({"sendMessage", "editMessageText", "editMessageReplyMarkup"})


class FakeBotApi(BotApi):
    """The outbox's Bot API client, answered in process: the parameters are encoded as
    the client would post them, the answer is canned (`ApiResult`, status 200).
    `per_chat` counts the messages and edits each chat received."""

    def __init__(self, calls: Counter[str], per_chat: Counter[int] | None = None) -> None:
        super().__init__(TOKEN, "http://telegram.invalid")
        self.calls = calls
        self.per_chat = per_chat

    async def call(self, method: str, params: dict[str, Any] | None = None) -> ApiResult:
        params = params or {}
        json.dumps(params).encode()  # what would be posted
        self.calls[method] += 1
        if self.per_chat is not None and method in MESSAGE_METHODS:
            self.per_chat[int(params["chat_id"])] += 1
        result = json.loads(json.dumps(canned(method, params)))  # what would be read
        return ApiResult(200, result=result)


def fake_bot_api(calls: Counter[str], per_chat: Counter[int] | None = None) -> BotApi:
    return FakeBotApi(calls, per_chat)
