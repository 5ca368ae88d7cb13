"""Access and erasure, one service for every channel and the dashboard.

- A chat (Telegram `/mijngegevens` and `/verwijder`, the web chat's pages) asks for
  the person of that chat: `copy_for_chat`, `erase_for_chat`. The person is found by
  the keyed hash of their chat (and, on the web, the chat's own id), never by anything
  they type, so an unknown person gets the same plain answer as anyone without data,
  and nobody can ask about someone else.
- Staff (the dashboard) act on a pre-aanmelding: `copy_for_reference`,
  `erase_for_reference`. When the person submitted it themselves from a chat,
  everything of that chat is included; a professional's submission for a client is
  that record alone.

The storage side is `storage.access_copy` and `storage.erasure`; the readable copy is
`intake.access_copy_text`. Every call is one unit of work; erasures are audited with
counts only (no reference, no hash).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from flows.engine.library import FlowLibrary, flow_library
from flows.engine.prompts import Prompt, PromptOption
from flows.texts import Text
from intake import privacy_wording as w
from intake.access_copy_text import CopyBlock, copy_blocks
from storage.access_copy import PersonData, collect_person, collect_reference
from storage.database import Database
from storage.erasure import ErasureOutcome, Person, erase_person, erase_pre_aanmelding
from storage.pre_aanmeldingen import PreAanmelding
from storage.unit_of_work import UnitOfWork
from storage.user_hash import hash_channel_user

__all__ = [
    "ERASE_TOKEN",
    "WEB_CHANNEL",
    "PrivacyService",
    "StaffCopy",
    "erase_prompt",
    "erasure_texts",
]

ERASE_TOKEN = "verwijder"  # noqa: S105 - the token of the erase question's buttons


def erase_prompt() -> Prompt:
    """The chat channels' erase question ("verwijder"), with yes and no buttons; its
    answer comes back with `ERASE_TOKEN`."""
    return Prompt(
        token=ERASE_TOKEN,
        node="_erase",
        kind="yes_no",
        text=Text(w.ERASE_ASK),
        options=(PromptOption("yes", Text(w.ERASE_YES)), PromptOption("no", Text(w.ERASE_NO))),
        accepts_text=False,
    )


WEB_CHANNEL = "web"


@dataclass(frozen=True)
class StaffCopy:
    data: PersonData
    locale: str
    blocks: list[CopyBlock]


class PrivacyService:
    def __init__(
        self,
        database: Database,
        *,
        secret_key: str | None = None,
        library: FlowLibrary | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.database = database
        self._secret_key = secret_key
        self.library = library or flow_library()
        self._clock = clock or database.clock

    def _secret(self) -> str:
        if not self._secret_key:
            raise RuntimeError("this PrivacyService was made without the secret key")
        return self._secret_key

    def person(self, channel: str, user_id: str | int) -> Person:
        """The person of a chat; for the web chat `user_id` is the chat's id."""
        user_hash = hash_channel_user(self._secret(), channel, user_id)
        return Person(channel, user_hash, str(user_id) if channel == WEB_CHANNEL else None)

    def today(self) -> date:
        return self._clock().date()

    # --- a chat asks for its own person ----------------------------------------------

    async def copy_for_chat(
        self, channel: str, user_id: str | int, *, erase_hint: str | None = w.COPY_HOW_TO_ERASE
    ) -> list[CopyBlock]:
        return await self.copy_for(self.person(channel, user_id), erase_hint=erase_hint)

    async def copy_for(
        self, person: Person, *, erase_hint: str | None = w.COPY_HOW_TO_ERASE
    ) -> list[CopyBlock]:
        """The copy for a chat's person (a channel that knows the hash already)."""
        async with self.database.unit_of_work(write=False) as uow:
            return await self.copy_in(uow, person, erase_hint=erase_hint)

    async def copy_in(
        self, uow: UnitOfWork, person: Person, *, erase_hint: str | None = w.COPY_HOW_TO_ERASE
    ) -> list[CopyBlock]:
        """`copy_for` in the caller's unit of work (a channel answers in the same one)."""
        data = await collect_person(uow, person)
        return copy_blocks(data, self.library, today=self.today(), erase_hint=erase_hint)

    async def erase_for_chat(self, channel: str, user_id: str | int) -> ErasureOutcome:
        return await self.erase(self.person(channel, user_id))

    async def erase(self, person: Person) -> ErasureOutcome:
        async with self.database.unit_of_work() as uow:
            return await self.erase_in(uow, person)

    async def erase_in(self, uow: UnitOfWork, person: Person) -> ErasureOutcome:
        """In the caller's unit of work (a channel queues its answer in the same one)."""
        return await erase_person(uow, person)

    # --- staff act on a pre-aanmelding -------------------------------------------------

    async def _person_of(self, uow: UnitOfWork, item: PreAanmelding) -> Person | None:
        """The chat a pre-aanmelding was submitted from (None: no chat)."""
        if item.channel_user_hash is None:
            return None
        chat_id = None
        if item.channel == WEB_CHANNEL:  # its web chat, if still there: by its hash
            chat_id = await self._web_chat_of(uow, item.channel_user_hash)
        return Person(item.channel, item.channel_user_hash, chat_id)

    async def _web_chat_of(self, uow: UnitOfWork, user_hash: str) -> str | None:
        from sqlalchemy import select

        from storage.tables import WebChatRow

        for chat_id in await uow.session.scalars(select(WebChatRow.chat_id)):  # type: ignore[call-overload]
            if hash_channel_user(self._secret(), WEB_CHANNEL, chat_id) == user_hash:
                return str(chat_id)
        return None

    async def copy_for_reference(self, uow: UnitOfWork, reference: str) -> StaffCopy | None:
        """The staff's copy for the person of a pre-aanmelding, in that person's
        language, with notes; None for an unknown reference."""
        item = await uow.pre_aanmeldingen.get(reference)
        if item is None:
            return None
        person = await self._person_of(uow, item) if item.submitter.kind == "self" else None
        data = await collect_reference(uow, reference, person)
        if data is None:
            return None
        blocks = copy_blocks(
            data, self.library, today=self.today(), for_staff=True, erase_hint=None
        )
        return StaffCopy(data, item.language, blocks)

    async def erase_for_reference(
        self, uow: UnitOfWork, reference: str, *, staff_user_id: int
    ) -> ErasureOutcome:
        """Staff erase the person of a pre-aanmelding (also with an intake planned)."""
        item = await uow.pre_aanmeldingen.get(reference)
        if item is None:
            return ErasureOutcome()
        person = await self._person_of(uow, item)
        return await erase_pre_aanmelding(
            uow, reference, staff_user_id=staff_user_id, person=person
        )


def erasure_texts(outcome: ErasureOutcome, loket_contact: Text) -> list[Text]:
    """What a chat says after `/verwijder` was confirmed (`loket_contact`: the loket's
    phone and e-mail, from the operator's data)."""
    if not outcome.found:
        return [Text(w.ERASE_NOTHING)]
    texts = [Text(w.ERASE_REQUESTED, {"reference": reference}) for reference in outcome.requested]
    if outcome.requested:
        texts.append(Text(w.ERASE_REST_DONE))
    else:
        texts.append(Text(w.ERASE_DONE))
    if outcome.unlinked:
        texts.append(Text(w.ERASE_FOR_OTHERS, {"loket_contact": loket_contact}))
    return texts
