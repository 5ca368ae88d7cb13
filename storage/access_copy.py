"""Access (GDPR art. 15): everything stored about a person, collected in one unit of
work, for the chat's `/mijngegevens`, the web chat and the dashboard. Rendering it in
the person's language is `intake.privacy`'s job.

A person is a chat (`storage.erasure.Person`): their conversation (draft answers),
their web chat and its transcript, the messages queued or sent to them, their own
pre-aanmeldingen with status history, notes and duplicate links, and the
pre-aanmeldingen they submitted for someone else (as submitter: only what is about
them is shown to a chat; see `intake.privacy`), and the crisis signs of their
conversations (`storage.crisis_signs`). Staff can also collect by reference code.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlmodel import col

from storage.conversations import Conversation, ConversationKey
from storage.crisis_signs import CrisisFollowUp, crisis_signs
from storage.duplicates import names_similar
from storage.erasure import Person
from storage.pre_aanmeldingen import (
    DuplicateLink,
    PreAanmelding,
    PreAanmeldingFilter,
    StaffNote,
    StatusChange,
)
from storage.tables import OutboxMessageRow, PreAanmeldingRow
from storage.unit_of_work import UnitOfWork
from storage.web_chats import WebChat, web_chats

__all__ = [
    "OutboxEntry",
    "PersonData",
    "Record",
    "collect_person",
    "collect_reference",
    "find_by_identity",
]


@dataclass(frozen=True)
class Record:
    """One pre-aanmelding with everything attached to it."""

    item: PreAanmelding
    history: tuple[StatusChange, ...]
    notes: tuple[StaffNote, ...]
    duplicates: tuple[DuplicateLink, ...]


@dataclass(frozen=True)
class OutboxEntry:
    created_at: datetime
    delivered_at: datetime | None
    given_up_at: datetime | None
    payload: Mapping[str, Any] = field(repr=False)


@dataclass(frozen=True)
class PersonData:
    person: Person | None
    conversation: Conversation | None = None
    web_chat: WebChat | None = None
    own: tuple[Record, ...] = ()
    for_others: tuple[PreAanmelding, ...] = ()
    outbox: tuple[OutboxEntry, ...] = ()
    crisis: tuple[CrisisFollowUp, ...] = ()

    @property
    def empty(self) -> bool:
        return not (
            self.conversation
            or self.web_chat
            or self.own
            or self.for_others
            or self.outbox
            or self.crisis
        )


async def _record(uow: UnitOfWork, item: PreAanmelding) -> Record:
    store = uow.pre_aanmeldingen
    return Record(
        item=item,
        history=tuple(await store.history(item.reference)),
        notes=tuple(await store.notes(item.reference)),
        duplicates=tuple(await store.duplicates(item.reference)),
    )


async def _outbox(uow: UnitOfWork, user_hash: str) -> tuple[OutboxEntry, ...]:
    rows = await uow.session.scalars(
        select(OutboxMessageRow)
        .where(col(OutboxMessageRow.recipient_hash) == user_hash)
        .order_by(col(OutboxMessageRow.id))
    )
    return tuple(
        OutboxEntry(row.created_at, row.delivered_at, row.given_up_at, row.payload) for row in rows
    )


async def collect_person(uow: UnitOfWork, person: Person) -> PersonData:
    """Everything stored about the person of this chat."""
    key = ConversationKey(person.channel, person.user_hash)
    conversation = await uow.conversations.load(key)
    chat = None
    if person.web_chat_id is not None:
        chat = await web_chats(uow).get(person.web_chat_id)
    items = await uow.pre_aanmeldingen.find(PreAanmeldingFilter(channel_user_hash=person.user_hash))
    own = [await _record(uow, item) for item in items if item.submitter.kind == "self"]
    others = tuple(item for item in items if item.submitter.kind != "self")
    return PersonData(
        person=person,
        conversation=conversation,
        web_chat=chat,
        own=tuple(own),
        for_others=others,
        outbox=await _outbox(uow, person.user_hash),
        crisis=tuple(await crisis_signs(uow).for_chat(person.channel, person.user_hash)),
    )


async def collect_reference(
    uow: UnitOfWork, reference: str, person: Person | None = None
) -> PersonData | None:
    """For staff: the person of a pre-aanmelding. When they submitted it themselves
    from a chat (`person`), everything of that chat; otherwise (a professional's
    submission for a client) this record. None: no such reference."""
    item = await uow.pre_aanmeldingen.get(reference)
    if item is None:
        return None
    if person is not None:
        return await collect_person(uow, person)
    return PersonData(person=None, own=(await _record(uow, item),))


async def find_by_identity(uow: UnitOfWork, name: str, birth_date: date) -> list[str]:
    """For an access or erasure request that arrives by letter or at the desk: the
    reference codes of pre-aanmeldingen with this birth date and a similar name (the
    duplicate check's rule: equal, initials and surname, or a typo apart)."""
    rows = await uow.session.scalars(
        select(PreAanmeldingRow)
        .where(col(PreAanmeldingRow.client_birth_date) == birth_date)
        .order_by(col(PreAanmeldingRow.created_at))
    )
    return [
        row.reference for row in rows if row.client_name and names_similar(name, row.client_name)
    ]
