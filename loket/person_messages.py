"""Messages from the loket to the person: a status change, or a question from staff.

They go through the outbox on the channel the person used, in the person's language
(the bot's catalog, every shipped language). The person can be reached only when they
chose to be contacted "via this chat" on a channel the loket can write to (Telegram);
the conversation then kept the chat's address (encrypted) with the record. Otherwise
nothing is queued, and staff contact the person as the contact preference says.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flows.notices import QUESTION_FROM_LOKET, STATUS_CHANGED, STATUS_TEXTS, STATUS_UNKNOWN
from flows.texts import Text
from locales import render
from storage.pre_aanmeldingen import PreAanmelding

__all__ = ["PUSH_CHANNELS", "PersonMessage", "question_message", "status_message"]

PUSH_CHANNELS = ("telegram",)


@dataclass(frozen=True)
class PersonMessage:
    channel: str
    recipient_hash: str
    recipient: str
    payload: dict[str, Any]


def _to_person(item: PreAanmelding, *texts: Text) -> PersonMessage | None:
    reachable = (
        item.channel in PUSH_CHANNELS
        and item.contact_preference == "chat"
        and item.contact_address
        and item.channel_user_hash
    )
    if not reachable:
        return None
    assert item.contact_address is not None and item.channel_user_hash is not None
    text = "\n".join(render(t, item.language) for t in texts)
    return PersonMessage(item.channel, item.channel_user_hash, item.contact_address, {"text": text})


def status_message(item: PreAanmelding) -> PersonMessage | None:
    """The news of the record's (new) status, or None when the person has no chat."""
    return _to_person(
        item,
        Text(STATUS_CHANGED, {"reference": item.reference}),
        Text(STATUS_TEXTS.get(str(item.status.value), STATUS_UNKNOWN)),
    )


def question_message(
    item: PreAanmelding, question: str, loket_contact: Text
) -> PersonMessage | None:
    """A question of staff, or None when the person cannot be reached in a chat.
    `loket_contact`: the loket's phone and e-mail (operator data)."""
    return _to_person(
        item,
        Text(
            QUESTION_FROM_LOKET,
            {"reference": item.reference, "question": question, "loket_contact": loket_contact},
        ),
    )
