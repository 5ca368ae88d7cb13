"""Asking the person for more information: a message in the outbox, in the person's
language, on the channel they used.

The dashboard does not know the person's chat address (only its keyed hash is
stored), so the message is queued with the person's `recipient_hash` and an empty
`recipient`; the channel fills in the address from the hash it sees when the person
is next in contact (the outbox delivers per person, in order). When the person left
no chat (e.g. a professional's submission), nothing is queued and staff contact the
person as the contact preference says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.texts import N_, Text
from locales import render
from storage.pre_aanmeldingen import PreAanmelding

__all__ = ["INFO_REQUEST_KIND", "InfoRequestMessage", "info_request_message"]

INFO_REQUEST_KIND = "info_request"
_MESSAGE = N_(
    "Het Loket Housing heeft een vraag over je aanmelding {reference}:\n\n{question}\n\n"
    "Je kunt hier antwoord geven."
)


@dataclass(frozen=True)
class InfoRequestMessage:
    channel: str
    recipient_hash: str
    recipient: str
    payload: dict[str, Any]


def info_request_message(item: PreAanmelding, question: str) -> InfoRequestMessage | None:
    """The outbox message for a question of staff, or None when the person cannot be
    reached through a chat."""
    if item.channel_user_hash is None or item.contact_preference == "none":
        return None
    text = Text(_MESSAGE, {"reference": item.reference, "question": question})
    return InfoRequestMessage(
        channel=item.channel,
        recipient_hash=item.channel_user_hash,
        recipient="",
        payload={
            "kind": INFO_REQUEST_KIND,
            "reference": item.reference,
            "text": render(text, item.language),
        },
    )
