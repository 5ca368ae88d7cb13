"""`/whatsapp/webhook` on the app of `intake serve`: the Cloud API's webhook.

- GET: the verification handshake. Meta calls it once when the webhook is set up,
  with `hub.mode=subscribe`, `hub.verify_token` (WHATSAPP_VERIFY_TOKEN) and
  `hub.challenge`: the challenge is echoed; anything else is 403.
- POST: checked before the body is parsed: a body over 256 KB is 413, a missing
  `X-Hub-Signature-256` 401, a wrong one 403 (HMAC-SHA256 of the raw body with
  WHATSAPP_APP_SECRET, compared in constant time); nothing of a refused body is read.
  A body that is not JSON is 400; one of unknown shape, or for another phone number
  id, is answered 200 and ignored (Meta would otherwise send it again for days).
  Statuses are recorded on their outbox rows (an unknown message id: ignored); each
  message goes through the channel core before the answer: 200 when every message was
  applied (or was a repeat), 503 when one could not be (the database was unavailable;
  Meta sends the body again and the applied ones count once).

Log lines carry counts and HTTP statuses, never a number, a name or a text.
"""

from __future__ import annotations

import json
import logging
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, Response
from fastapi.responses import PlainTextResponse

from bot.whatsapp.signature import SIGNATURE_HEADER, signature_valid
from bot.whatsapp.updates import read_webhook

if TYPE_CHECKING:
    from bot.whatsapp.runner import WhatsAppChannel

__all__ = ["MAX_BODY", "WEBHOOK_PATH", "whatsapp_webhook_router"]

WEBHOOK_PATH = "/whatsapp/webhook"
MAX_BODY = 256 * 1024  # a webhook body is a few kilobytes
log = logging.getLogger(__name__)


async def _body(request: Request) -> bytes | None:
    """The raw body, or None when it is longer than `MAX_BODY` (read no further)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def whatsapp_webhook_router() -> APIRouter:
    router = APIRouter()

    @router.get(WEBHOOK_PATH, include_in_schema=False)
    async def verify(request: Request) -> Response:
        channel: WhatsAppChannel | None = getattr(request.app.state, "whatsapp", None)
        if channel is None:
            return Response(status_code=404)
        params = request.query_params
        token = params.get("hub.verify_token", "")
        challenge = params.get("hub.challenge", "")
        if params.get("hub.mode") == "subscribe" and channel.verify_token_matches(token):
            log.info("whatsapp webhook: verification answered")
            return PlainTextResponse(challenge[:200])
        log.warning("whatsapp webhook: verification refused")
        return Response(status_code=403)

    @router.post(WEBHOOK_PATH, include_in_schema=False)
    async def receive(request: Request) -> Response:
        channel: WhatsAppChannel | None = getattr(request.app.state, "whatsapp", None)
        if channel is None:
            return Response(status_code=404)
        given = request.headers.get(SIGNATURE_HEADER)
        if given is None:
            log.warning("whatsapp webhook: a post without a signature, refused")
            return Response(status_code=401)
        body = await _body(request)
        if body is None:
            log.warning("whatsapp webhook: a body over %s bytes, refused", MAX_BODY)
            return Response(status_code=413)
        if not signature_valid(body, given, channel.config.app_secret):
            log.warning("whatsapp webhook: a wrong signature, refused")
            return Response(status_code=403)
        try:
            data: Any = json.loads(body)
        except ValueError:
            log.warning("whatsapp webhook: a signed body that is not JSON, refused")
            return Response(status_code=400)
        content = read_webhook(data, channel.config.phone_number_id)
        if content.other_number:
            log.warning(
                "whatsapp webhook: %s change(s) for another phone number id, ignored",
                content.other_number,
            )
        if content.skipped:
            log.info("whatsapp webhook: %s part(s) of unknown shape, ignored", content.skipped)
        try:
            await channel.record_statuses(content.statuses)
            for message in content.messages:
                await channel.intake.handle(message)
        except Exception as error:
            log.error("whatsapp webhook: not applied (%s), 503", type(error).__name__)
            return Response(status_code=503)
        return Response(status_code=200)

    return router
