"""The Cloud API client: one message to one person, over httpx.

`send` posts `{messaging_product, recipient_type, to, **message}` to
`{WHATSAPP_API_BASE_URL}/{phone_number_id}/messages` with the token as a bearer
header (never in the URL) and reads what came back: the message id (`wamid...`), or
the error's code. Throughput limits (HTTP 429, codes 130429, 131056, 80007, 4, 80008)
and server errors are worth trying again; other refusals are not.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

import httpx

from bot.whatsapp.config import WhatsAppConfig

__all__ = ["RATE_LIMIT_CODES", "REENGAGEMENT", "GraphApi", "SendResult"]

log = logging.getLogger(__name__)

# Too many messages: to the one person (131056), from the number (130429), the app.
RATE_LIMIT_CODES = frozenset({4, 80007, 80008, 130429, 131056})
REENGAGEMENT = 131047  # more than 24 hours since the person's last message
_TRANSIENT_CODES = frozenset({1, 2, 131000, 131016})  # unknown / service unavailable


@dataclass(frozen=True)
class SendResult:
    status: int  # HTTP status; 0: no answer (network error, timeout)
    message_id: str | None = None
    code: int | None = None  # the Graph API error code
    retry_after: float | None = None

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300 and self.message_id is not None

    @property
    def rate_limited(self) -> bool:
        return self.status == 429 or self.code in RATE_LIMIT_CODES

    @property
    def transient(self) -> bool:
        return self.status == 0 or self.status >= 500 or self.code in _TRANSIENT_CODES

    @property
    def error(self) -> str:
        """A code for the outbox's `last_error` (no personal data)."""
        return f"whatsapp_{self.code}" if self.code is not None else f"http_{self.status}"


class GraphApi:
    def __init__(
        self,
        config: WhatsAppConfig,
        *,
        timeout: float = 15.0,
        transport: httpx.AsyncBaseTransport | None = None,
    ) -> None:
        self.url = config.messages_url
        self._client = httpx.AsyncClient(
            timeout=timeout,
            transport=transport,
            headers={"Authorization": f"Bearer {config.token}"},
        )

    async def send(self, to: str, message: dict[str, Any]) -> SendResult:
        body = {"messaging_product": "whatsapp", "recipient_type": "individual", "to": to}
        try:
            response = await self._client.post(self.url, json={**body, **message})
        except httpx.HTTPError as error:
            log.warning("whatsapp: no answer from the Cloud API (%s)", type(error).__name__)
            return SendResult(0)
        try:
            data: Any = response.json()
        except ValueError:
            data = None
        if not isinstance(data, dict):
            return SendResult(response.status_code if response.status_code >= 300 else 502)
        if response.status_code < 300:
            messages = data.get("messages")
            first = messages[0] if isinstance(messages, list) and messages else None
            message_id = first.get("id") if isinstance(first, dict) else None
            if isinstance(message_id, str):
                return SendResult(response.status_code, message_id=message_id)
            return SendResult(502)
        refusal = data.get("error")
        code = refusal.get("code") if isinstance(refusal, dict) else None
        retry = response.headers.get("Retry-After")
        return SendResult(
            response.status_code,
            code=code if isinstance(code, int) else None,
            retry_after=float(retry) if retry and retry.isdigit() else None,
        )

    async def close(self) -> None:
        await self._client.aclose()
