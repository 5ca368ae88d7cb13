"""Webhook delivery as Telegram does it, to loopback addresses only.

Pending updates are POSTed one at a time, in order, as JSON with the header
`X-Telegram-Bot-Api-Secret-Token` when a secret was set. A 2xx answer confirms the
update; anything else is retried after a pause (doubling from `retry_delay` to 1 s)
and noted in getWebhookInfo's `last_error_message`. A 2xx answer whose JSON body
names a `method` has that method run, as Telegram does (aiogram can reply this way).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import aiohttp

from tests.fakes import telegram_objects as objects
from tests.fakes.telegram_objects import JSONDict

if TYPE_CHECKING:
    from tests.fakes.telegram_methods import BotApiMethods

__all__ = ["SECRET_HEADER", "Webhook", "WebhookDeliverer", "WebhookDelivery"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"

RunMethod = Callable[[str, str, dict[str, Any]], Awaitable[Any]]


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


class WebhookDeliverer:
    def __init__(self, state: BotApiMethods, run_method: RunMethod, retry_delay: float) -> None:
        self.deliveries: list[WebhookDelivery] = []
        self._state = state
        self._run_method = run_method
        self._retry_delay = retry_delay
        self._client: aiohttp.ClientSession | None = None
        self._task: asyncio.Task[None] | None = None

    def ensure_running(self) -> None:
        if self._client is None:
            self._client = aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=10), trust_env=False
            )
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._deliver())

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._client is not None:
            await self._client.close()

    async def _deliver(self) -> None:
        delay = self._retry_delay
        state = self._state
        while not state.closing and state.webhook is not None:
            changed, hook = state.current_change(), state.webhook
            batch = state.updates.hand_out(1)
            if not batch:
                await changed.wait()
                continue
            if await self._post(hook, batch[0]):
                state.updates.remove(batch[0])
                delay = self._retry_delay
            else:
                await asyncio.sleep(delay)
                delay = min(delay * 2, 1.0)

    async def _post(self, hook: Webhook, update: JSONDict) -> bool:
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
        self.deliveries.append(
            WebhookDelivery(update["update_id"], hook.url, status, error, time.monotonic())
        )
        if status is not None and 200 <= status < 300:
            await self._run_reply(hook, body)
            return True
        hook.last_error_date = objects.now()
        hook.last_error_message = error or f"Wrong response from the webhook: {status}"
        return False

    async def _run_reply(self, hook: Webhook, body: bytes) -> None:
        try:
            reply = json.loads(body) if body.strip() else None
        except ValueError:
            return
        if isinstance(reply, dict) and isinstance(reply.get("method"), str):
            params = {key: value for key, value in reply.items() if key != "method"}
            await self._run_method(hook.token, reply["method"], params)
