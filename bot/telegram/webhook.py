"""POST /telegram/webhook: updates from Telegram in webhook mode, on the app of `intake serve`.

Telegram sends the secret given at setWebhook in `X-Telegram-Bot-Api-Secret-Token`:
missing -> 401, wrong -> 403 (compared in constant time), before the body is read.
The update is handled before the answer: 200 when it was applied (or was a duplicate),
503 when it was not (the database was unavailable; Telegram sends it again).
"""

from __future__ import annotations

import hmac
import json
import logging
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response

if TYPE_CHECKING:
    from bot.telegram.runner import TelegramRunner

__all__ = ["SECRET_HEADER", "WEBHOOK_PATH", "telegram_webhook_router"]

SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"  # noqa: S105 - a header name
WEBHOOK_PATH = "/telegram/webhook"
MAX_BODY = 1_000_000  # an update is a few kilobytes
log = logging.getLogger(__name__)


def telegram_webhook_router() -> APIRouter:
    router = APIRouter()

    @router.post(WEBHOOK_PATH, include_in_schema=False)
    async def telegram_webhook(request: Request) -> Response:
        runner: TelegramRunner | None = getattr(request.app.state, "telegram", None)
        if runner is None or runner.mode != "webhook":
            return Response(status_code=404)
        given = request.headers.get(SECRET_HEADER)
        if given is None:
            return Response(status_code=401)
        if not hmac.compare_digest(given.encode(), runner.webhook_secret.encode()):
            return Response(status_code=403)
        body = await request.body()
        if len(body) > MAX_BODY:
            return Response(status_code=413)
        try:
            data: Any = json.loads(body)
        except ValueError:
            return Response(status_code=400)
        if not isinstance(data, dict) or not isinstance(data.get("update_id"), int):
            return Response(status_code=400)
        try:
            await runner.feed_webhook(data)
        except Exception:
            log.exception("telegram webhook: update %s not applied", data["update_id"])
            return Response(status_code=503)
        return Response(status_code=200)

    return router
