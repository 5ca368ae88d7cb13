"""Hand-offs: continue a Telegram intake in the web chat, answers and all.

Some people will not tell Telegram about their health or their past with justice.
Before those questions (and on `/webchat`) the Telegram bot sends a link to the web
chat with a one-time code: `https://.../chat?code=ABCD-EFGH`. Opening the link shows
the code in the web chat's "continue" form; pressing the button (a POST, so a link
preview or a prefetch never uses the code) moves the conversation: the web chat
takes over the engine session and asks the next question, Telegram's copy is
deleted, and the Telegram chat is told where the intake went.

The code is a short code like a resume code (`intake.short_codes`: 2^40 codes, the same
form and rate limits on guessing). Only its keyed hash is stored
(`conversation_handoffs`), with the chat address for that one notice. A code works
once: taking it erases every code of the conversation. It runs out after
`HANDOFF_TTL`, and `/verwijder` erases it too.
"""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from flows.texts import N_, Text
from intake.conversation import ConversationService
from intake.short_codes import code_key, display_code
from locales import render
from storage.conversations import Conversation, ConversationKey
from storage.handoffs import handoffs
from storage.unit_of_work import UnitOfWork

__all__ = [
    "HANDOFF_TTL",
    "MOVED_TO_WEB",
    "QUERY_PARAMETER",
    "handoff_key",
    "handoff_link",
    "offer_handoff",
    "take_handoff",
]

HANDOFF_TTL = timedelta(hours=24)
QUERY_PARAMETER = "code"

# To the Telegram chat, once the web chat took the intake over.
MOVED_TO_WEB = N_(
    "Je gaat verder in de webchat. Je antwoorden staan nu daar, niet meer hier. "
    "Wil je hier toch opnieuw beginnen? Stuur dan /start."
)


def handoff_key(secret_key: str, code: str) -> str:
    """The keyed hash under which the database finds a hand-off (`code` normalised:
    eight symbols, no dash)."""
    return code_key(secret_key, "handoff-key", code)


def handoff_link(web_chat_url: str, code: str) -> str:
    """The web chat's address with the code (`ABCD-EFGH`) as a query parameter."""
    parts = urlsplit(web_chat_url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != QUERY_PARAMETER]
    query.append((QUERY_PARAMETER, display_code(code)))
    return urlunsplit(parts._replace(query=urlencode(query)))


async def offer_handoff(
    uow: UnitOfWork,
    service: ConversationService,
    channel: str,
    user_id: str | int,
    code: str,
) -> None:
    """Store a code that moves this conversation; the link goes out in the same unit
    of work (the outbox), so a link is never sent without its code or the other way."""
    await handoffs(uow).create(
        handoff_key(service.secret_key, code),
        channel=channel,
        user_hash=service.key(channel, user_id).user_hash,
        address=str(user_id),
        expires_at=uow.now() + HANDOFF_TTL,
    )


async def take_handoff(
    uow: UnitOfWork, service: ConversationService, code: str, channel: str, user_id: str
) -> Conversation | None:
    """Use a code: the conversation it names moves to `channel`/`user_id`, and its
    former chat is told so (through the outbox). None, and nothing moved, when the code
    is unknown, used or expired, or the conversation ended or ran out meanwhile (the
    code is used up either way)."""
    found = await handoffs(uow).take(handoff_key(service.secret_key, code))
    if found is None:
        return None
    source = ConversationKey(found.channel, found.user_hash)
    moved = await service.take_over(uow, source, channel, user_id)
    if moved is not None and found.address is not None:
        notice = render(Text(MOVED_TO_WEB), moved.language)
        await uow.outbox.enqueue(
            found.channel,
            found.user_hash,
            found.address,
            {"method": "sendMessage", "text": notice},
        )
    return moved
