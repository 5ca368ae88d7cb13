"""What a webhook body from the Cloud API holds: messages and statuses, for our number.

The shape (`object: whatsapp_business_account`, `entry[].changes[]` with `field:
messages` and a `value` holding `metadata.phone_number_id`, `messages[]` and
`statuses[]`) is read defensively: anything else is skipped and counted, never an
error. A change for another phone number id (another number on the same app) is
skipped too. Nothing here is logged: the caller logs counts, never contents.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Incoming", "Status", "WebhookContent", "read_webhook"]

# Message types read as a typed answer or a pressed button; the rest (image, audio,
# voice, video, document, sticker, location, contacts, ...) get a kind message asking
# to type, and nothing of them is kept. Reactions are ignored silently.
_SILENT = frozenset({"reaction", "system", "ephemeral", "request_welcome"})


@dataclass(frozen=True)
class Incoming:
    """One message of a person: `kind` is text, choice (a button or list row, `reply_id`
    its id) or unsupported."""

    message_id: str
    wa_id: str  # the person's WhatsApp number, as the API names them
    kind: str
    text: str | None = field(default=None, repr=False)
    reply_id: str | None = None


@dataclass(frozen=True)
class Status:
    message_id: str
    status: str
    error_code: int | None = None


@dataclass
class WebhookContent:
    messages: list[Incoming] = field(default_factory=list)
    statuses: list[Status] = field(default_factory=list)
    skipped: int = 0  # parts of unknown shape, or silent messages
    other_number: int = 0  # changes for a phone number id that is not ours


def _message(raw: Any) -> Incoming | None:
    if not isinstance(raw, dict):
        return None
    message_id, wa_id, kind = raw.get("id"), raw.get("from"), raw.get("type")
    if not (isinstance(message_id, str) and isinstance(wa_id, str) and isinstance(kind, str)):
        return None
    if kind in _SILENT:
        return None
    if kind == "text":
        body = (raw.get("text") or {}).get("body") if isinstance(raw.get("text"), dict) else None
        if isinstance(body, str):
            return Incoming(message_id, wa_id, "text", text=body)
        return None
    if kind == "interactive":
        interactive = raw.get("interactive")
        if isinstance(interactive, dict):
            reply = interactive.get("button_reply") or interactive.get("list_reply")
            if isinstance(reply, dict) and isinstance(reply.get("id"), str):
                return Incoming(message_id, wa_id, "choice", reply_id=reply["id"])
        return Incoming(message_id, wa_id, "unsupported")
    if kind == "button":  # a quick-reply button of a template message: its text
        button = raw.get("button")
        text = button.get("text") if isinstance(button, dict) else None
        if isinstance(text, str):
            return Incoming(message_id, wa_id, "text", text=text)
    return Incoming(message_id, wa_id, "unsupported")


def _status(raw: Any) -> Status | None:
    if not isinstance(raw, dict):
        return None
    message_id, status = raw.get("id"), raw.get("status")
    if not (isinstance(message_id, str) and isinstance(status, str)):
        return None
    code = None
    errors = raw.get("errors")
    if isinstance(errors, list) and errors and isinstance(errors[0], dict):
        found = errors[0].get("code")
        code = found if isinstance(found, int) else None
    return Status(message_id, status, code)


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def read_webhook(data: Any, phone_number_id: str) -> WebhookContent:
    """The messages and statuses for `phone_number_id` in a webhook body."""
    content = WebhookContent()
    if not isinstance(data, dict) or data.get("object") != "whatsapp_business_account":
        content.skipped += 1
        return content
    entries = data.get("entry")
    for entry in entries if isinstance(entries, list) else []:
        changes = entry.get("changes") if isinstance(entry, dict) else None
        for change in changes if isinstance(changes, list) else []:
            value = change.get("value") if isinstance(change, dict) else None
            if not isinstance(value, dict) or change.get("field") != "messages":
                content.skipped += 1
                continue
            metadata = value.get("metadata")
            number = metadata.get("phone_number_id") if isinstance(metadata, dict) else None
            if str(number) != phone_number_id:
                content.other_number += 1
                continue
            for raw in _list(value.get("messages")):
                message = _message(raw)
                if message is None:
                    content.skipped += 1
                else:
                    content.messages.append(message)
            for raw in _list(value.get("statuses")):
                status = _status(raw)
                if status is None:
                    content.skipped += 1
                else:
                    content.statuses.append(status)
    return content
