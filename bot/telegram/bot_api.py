"""A small Bot API client for what both frameworks share: delivery and set-up calls.

The adapters receive updates through their framework (aiogram or python-telegram-bot);
sending from the outbox, setMyCommands and setWebhook go through this one client, so
delivery, rate limits and retries behave the same whichever framework runs. Every
answer is classified, never raised: the deliverer decides what to do with it.

The token is part of every URL. httpx logs request URLs at INFO level, so the runner
keeps the `httpx` logger at WARNING (docs/telegram.md, "Logs").
"""

from __future__ import annotations

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import httpx

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
    """`await api.call("sendMessage", {...})` against `<base_url>/bot<token>/`."""

    def __init__(
        self,
        token: str,
        base_url: str = "https://api.telegram.org",
        *,
        timeout: float = DEFAULT_TIMEOUT,
        client: httpx.AsyncClient | None = None,
    ) -> None:
        self._url = f"{base_url.rstrip('/')}/bot{token}/"
        self._client = client or httpx.AsyncClient(
            timeout=timeout,
            limits=httpx.Limits(max_connections=32, max_keepalive_connections=16),
            trust_env=False,
        )

    async def call(self, method: str, params: dict[str, Any] | None = None) -> ApiResult:
        try:
            response = await self._client.post(self._url + method, json=params or {})
        except httpx.HTTPError as error:
            return ApiResult(0, description=type(error).__name__)
        try:
            body = response.json()
        except ValueError:
            body = {}
        if not isinstance(body, dict):
            body = {}
        status = response.status_code
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
        await self._client.aclose()
