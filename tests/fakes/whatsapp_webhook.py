"""Webhook bodies as the WhatsApp Cloud API sends them, signed with the app secret
(`X-Hub-Signature-256`), and posted to the app's `/whatsapp/webhook`."""

from __future__ import annotations

import itertools
import json
from typing import Any

import httpx

from bot.whatsapp.signature import SIGNATURE_HEADER, sign
from tests.fakes.whatsapp_api import TEST_PHONE_NUMBER_ID

__all__ = [
    "TEST_APP_SECRET",
    "TEST_VERIFY_TOKEN",
    "button_reply",
    "encode",
    "envelope",
    "list_reply",
    "media_message",
    "new_message_id",
    "post_webhook",
    "post_webhook_sync",
    "signed_headers",
    "status_update",
    "text_message",
]

TEST_APP_SECRET = "fake-app-secret-0123456789abcdef"
TEST_VERIFY_TOKEN = "fake-verify-token"
_IDS = itertools.count(1)


def new_message_id() -> str:
    return f"wamid.HBgLMzE2MTIzNDU2NzgVAgASGBQz{next(_IDS):012d}AA=="


def _message(wa_id: str, kind: str, message_id: str | None, **content: Any) -> dict[str, Any]:
    return {
        "from": wa_id,
        "id": message_id or new_message_id(),
        "timestamp": "1764900000",
        "type": kind,
        **content,
    }


def text_message(wa_id: str, body: str, message_id: str | None = None) -> dict[str, Any]:
    return _message(wa_id, "text", message_id, text={"body": body})


def button_reply(
    wa_id: str, reply_id: str, title: str = "", message_id: str | None = None
) -> dict[str, Any]:
    interactive = {"type": "button_reply", "button_reply": {"id": reply_id, "title": title}}
    return _message(wa_id, "interactive", message_id, interactive=interactive)


def list_reply(
    wa_id: str, reply_id: str, title: str = "", message_id: str | None = None
) -> dict[str, Any]:
    interactive = {"type": "list_reply", "list_reply": {"id": reply_id, "title": title}}
    return _message(wa_id, "interactive", message_id, interactive=interactive)


def media_message(wa_id: str, kind: str, message_id: str | None = None) -> dict[str, Any]:
    """A photo ("image"), voice message ("audio"), "sticker", "location", "document"."""
    content: dict[str, Any]
    if kind == "location":
        content = {"location": {"latitude": 50.88, "longitude": 5.98, "name": "Heerlen"}}
    else:
        content = {kind: {"id": "1234567890", "mime_type": "image/jpeg", "sha256": "abc"}}
    return _message(wa_id, kind, message_id, **content)


def status_update(
    message_id: str, status: str, wa_id: str = "31612345678", code: int | None = None
) -> dict[str, Any]:
    update: dict[str, Any] = {
        "id": message_id,
        "status": status,
        "timestamp": "1764900001",
        "recipient_id": wa_id,
    }
    if code is not None:
        update["errors"] = [{"code": code, "title": "Message failed"}]
    return update


def envelope(
    *,
    messages: list[dict[str, Any]] = (),  # type: ignore[assignment]
    statuses: list[dict[str, Any]] = (),  # type: ignore[assignment]
    phone_number_id: str = TEST_PHONE_NUMBER_ID,
    name: str = "Sam",
) -> dict[str, Any]:
    """A whole webhook body: one entry, one change of the `messages` field."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "31850000000", "phone_number_id": phone_number_id},
    }
    if messages:
        value["contacts"] = [{"profile": {"name": name}, "wa_id": m["from"]} for m in messages]
        value["messages"] = list(messages)
    if statuses:
        value["statuses"] = list(statuses)
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "102290129340398", "changes": [{"value": value, "field": "messages"}]}],
    }


def signed_headers(body: bytes, secret: str = TEST_APP_SECRET) -> dict[str, str]:
    return {SIGNATURE_HEADER: sign(body, secret), "Content-Type": "application/json"}


def encode(data: Any) -> bytes:
    return json.dumps(data).encode()


async def post_webhook(
    client: httpx.AsyncClient, data: Any, *, secret: str = TEST_APP_SECRET
) -> httpx.Response:
    """POST a signed body to the app (in-process)."""
    body = encode(data)
    return await client.post(
        "/whatsapp/webhook", content=body, headers=signed_headers(body, secret)
    )


def post_webhook_sync(base_url: str, data: Any, *, secret: str = TEST_APP_SECRET) -> httpx.Response:
    """POST a signed body to a running `intake serve`."""
    body = encode(data)
    return httpx.post(
        f"{base_url}/whatsapp/webhook",
        content=body,
        headers=signed_headers(body, secret),
        timeout=30,
    )
