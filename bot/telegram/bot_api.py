"""A small Bot API client for what both frameworks share: delivery and set-up calls.

The adapters read updates with their framework (aiogram or python-telegram-bot);
fetching them (`getUpdates`, bot/telegram/poller.py), sending from the outbox,
setMyCommands and setWebhook go through this one client, so
delivery, rate limits and retries behave the same whichever framework runs. Every
answer is classified, never raised: the deliverer decides what to do with it.

The token is part of every URL: nothing here logs URLs. (python-telegram-bot's httpx
does at INFO level; the runner keeps the `httpx` logger at WARNING.)
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import aiohttp

__all__ = ["ApiResult", "BotApi", "chat_id_param"]

DEFAULT_TIMEOUT = 10.0


@dataclass(frozen=True)
class ApiResult:
    """One answer of the Bot API. `status` 0 means no answer (a network error)."""

    status: int
    result: Any = None
    description: str = ""
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return self.status == HTTPStatus.OK

    @property
    def rate_limited(self) -> bool:
        return self.status == HTTPStatus.TOO_MANY_REQUESTS

    @property
    def transient(self) -> bool:
        """Worth trying again: no answer, a server error, or a server not ready (409,
        401/404 while a self-hosted Bot API server starts)."""
        return self.status == 0 or self.status >= 500 or self.status in (401, 404, 409)

    @property
    def not_modified(self) -> bool:
        return self.status == HTTPStatus.BAD_REQUEST and "not modified" in self.description


def chat_id_param(recipient: str) -> int | str:
    """A chat id as the Bot API takes it: a number, or an @username of a channel."""
    try:
        return int(recipient)
    except ValueError:
        return recipient


class BotApi:
    """`await api.call("sendMessage", {...})` against `<base_url>/bot<token>/`.

    aiohttp, not httpx: it costs about a quarter of the CPU per request (the benchmark
    showed httpx, httpcore and anyio at 2.4 ms per update), and aiogram brings it anyway.
    """

    def __init__(
        self,
        token: str,
        base_url: str = "https://api.telegram.org",
        *,
        timeout: float = DEFAULT_TIMEOUT,
        connections: int = 32,
    ) -> None:
        self._url = f"{base_url.rstrip('/')}/bot{token}/"
        self._timeout = aiohttp.ClientTimeout(total=timeout)
        self._connections = connections
        self._session: aiohttp.ClientSession | None = None

    def _client(self) -> aiohttp.ClientSession:
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(
                timeout=self._timeout,
                connector=aiohttp.TCPConnector(limit=self._connections),
                trust_env=False,
            )
        return self._session

    async def call(
        self, method: str, params: dict[str, Any] | None = None, *, wait: float | None = None
    ) -> ApiResult:
        """One call; `wait`: seconds allowed, longer than the default (a long poll)."""
        limit = aiohttp.ClientTimeout(total=wait) if wait else self._timeout
        try:
            request = self._client().post(self._url + method, json=params or {}, timeout=limit)
            async with request as response:
                status = response.status
                try:
                    body = await response.json(content_type=None)
                except ValueError:
                    body = {}
        except (aiohttp.ClientError, TimeoutError) as error:
            return ApiResult(0, description=type(error).__name__)
        if not isinstance(body, dict):
            body = {}
        if status == HTTPStatus.OK and body.get("ok") is False:
            status = int(body.get("error_code") or HTTPStatus.BAD_REQUEST)
        parameters = body.get("parameters") or {}
        retry_after = parameters.get("retry_after") if isinstance(parameters, dict) else None
        if status == HTTPStatus.TOO_MANY_REQUESTS and retry_after is None:
            retry_after = 1
        return ApiResult(
            status,
            result=body.get("result"),
            description=str(body.get("description") or ""),
            retry_after=float(retry_after) if retry_after is not None else None,
        )

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()
