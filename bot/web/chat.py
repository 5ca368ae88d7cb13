"""The web chat over the conversation service: a browser session holds a chat; a post
is one input; the transcript and the resume code live with the chat.

A chat row is made at a visitor's first post (a page view stores nothing: the page
shows `ConversationService.opening`). Every post goes through
`ConversationService.handle` with the page's one-time form id as update id, and the
transcript is updated in the same unit of work (its `after` hook), so an answer and
its place in the transcript are kept together or not at all, and a repeated post has
one effect.
"""

from __future__ import annotations

import asyncio
import secrets
import weakref
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

from sqlalchemy.exc import IntegrityError

from bot.web import wording
from bot.web.admission import Admission
from bot.web.config import WebChatConfig
from bot.web.resume_codes import resume_code, resume_key
from bot.web.transcript import Entry, answer_entry, bot_entries, keep_last
from flows import notices
from flows.engine.events import SessionEnded, SessionRestarted, SessionStopped
from flows.engine.inputs import Input, LanguageInput
from flows.engine.prompts import Prompt
from flows.texts import Text
from intake.conversation import ConversationService, Outgoing, Turn
from intake.handoff import take_handoff
from intake.short_codes import display_code, normalise_code
from intake.way_back import INBOX_PATH, WayBack
from locales.languages import match_locale
from storage.unit_of_work import UnitOfWork
from storage.web_chats import WebChat, web_chats

__all__ = ["CHANNEL", "ChatPage", "Resumed", "Sent", "WebChats"]

CHANNEL = "web"
# What a code did: a web chat, a hand-off, or the loket's messages of a submitted chat.
Resumed = Literal["resumed", "moved", "inbox"]
_CREATE_TRIES = 5


@dataclass(frozen=True)
class ChatPage:
    """What a chat page shows."""

    locale: str
    entries: tuple[Entry, ...]
    prompt: Prompt | None  # the open question, None when the chat ended
    ended: bool
    code: str | None  # the resume code, `ABCD-EFGH`, while there is something to resume
    code_until: datetime | None


@dataclass(frozen=True)
class Sent:
    """What a post did: `applied` False for a repeated form (no effect); `added` are
    the transcript entries it added (a script appends them to the page)."""

    applied: bool
    added: tuple[Entry, ...] = ()
    ended: bool = False
    stale: bool = False  # typed for a question that was answered already
    # What the page shows now, as the post left it (so its answer needs no second
    # read); None when the post cannot tell (then the page is read).
    page: ChatPage | None = None


class WebChats:
    def __init__(self, service: ConversationService, config: WebChatConfig) -> None:
        self.service = service
        self.config = config
        self.database = service.database
        self.way_back = WayBack(
            secret_key=config.secret_key, chat_url=config.chat_url, directory=service.directory
        )
        # One post at a time per chat in this process, so a typed answer is checked
        # against the question that is open when it is applied.
        self._locks: weakref.WeakValueDictionary[str, asyncio.Lock] = weakref.WeakValueDictionary()
        # At most so many pages and posts use the database at once (503 beyond).
        self.admission = Admission(config.concurrent_requests, config.admission_wait)

    def now(self) -> datetime:
        return self.database.clock()

    def code_of(self, chat: WebChat) -> str:
        return display_code(resume_code(self.config.secret_key, chat.chat_id))

    def _resume_key_of(self, chat_id: str) -> str:
        secret = self.config.secret_key
        return resume_key(secret, resume_code(secret, chat_id))

    async def chat_for(self, session_hash: str) -> WebChat | None:
        async def read(uow: UnitOfWork) -> WebChat | None:
            return await web_chats(uow).for_session(session_hash)

        return await self.database.run(read, write=False)

    async def page(self, session_hash: str, locale_hint: str | None) -> ChatPage:
        """What the page shows, read in one transaction (the chat and its question)."""

        async def read(uow: UnitOfWork) -> tuple[WebChat | None, Turn | None]:
            chat = await web_chats(uow).for_session(session_hash)
            if chat is None or chat.ended:
                return chat, None
            return chat, await self.service.view_in(uow, CHANNEL, chat.chat_id)

        async with self.admission.place():
            chat, view = await self.database.run(read, write=False)
        if chat is not None and chat.ended:
            return ChatPage(chat.locale, chat.transcript, None, True, None, None)
        code = until = None
        if chat is not None:
            code, until = self.code_of(chat), chat.expires_at
            if view is not None:
                return ChatPage(view.locale, chat.transcript, view.prompt, False, code, until)
            locale_hint = chat.locale  # the conversation ran out: start again
        opening = self.service.opening(locale_hint)
        entries = tuple(bot_entries(opening.messages))
        return ChatPage(opening.locale, entries, opening.prompt, False, code, until)

    async def _create_in(
        self, uow: UnitOfWork, session_hash: str, locale_hint: str | None
    ) -> WebChat:
        """A new chat for this browser session (an expired one of it is let go)."""
        store = web_chats(uow)
        await store.release(session_hash)
        chat_id = secrets.token_hex(16)
        return await store.create(
            chat_id,
            session_hash=session_hash,
            resume_key=self._resume_key_of(chat_id),
            locale=match_locale(locale_hint, self.config.default_locale),
            expires_at=self.now() + self.config.session_max_age,
        )

    async def send(
        self,
        session_hash: str,
        inp: Input,
        *,
        form_id: str,
        locale_hint: str | None,
        token: str | None = None,
    ) -> Sent:
        """Apply one input of this browser session (`form_id`: the update id; `token`:
        the question a typed answer was typed for), in ONE unit of work: the chat is
        found (or made), the answer checked against the open question, the engine
        run and the page's transcript written together (the channel core,
        `ConversationService.handle_in`)."""
        await self.service.read_for_danger(inp)
        lock = self._locks.get(session_hash)
        if lock is None:
            lock = self._locks[session_hash] = asyncio.Lock()

        async def apply(uow: UnitOfWork) -> Sent:
            return await self._send_in(uow, session_hash, inp, form_id, locale_hint, token)

        async with lock, self.admission.place():  # one after another; not too many
            for _ in range(_CREATE_TRIES):
                try:  # a lost connection before the commit: the whole post again
                    return await self.database.run(apply)
                except IntegrityError:
                    continue  # a resume code clash on a new chat: try again
        raise RuntimeError("could not make a web chat")

    async def _send_in(
        self,
        uow: UnitOfWork,
        session_hash: str,
        inp: Input,
        form_id: str,
        locale_hint: str | None,
        token: str | None,
    ) -> Sent:
        # Locked (on PostgreSQL) until the commit: the transcript read here is the one
        # this post extends, whatever another process does meanwhile.
        chat = await web_chats(uow).for_session(session_hash, lock=True)
        if chat is not None and chat.ended:
            return Sent(applied=False)  # the page offers a new start instead
        if chat is None:
            chat = await self._create_in(uow, session_hash, locale_hint)
        outcome: list[Sent] = []

        async def record(uow: UnitOfWork, turn: Turn) -> None:
            store = web_chats(uow)
            # A fresh start: the page showed the opening (welcome and start question).
            opening = self.service.opening(chat.locale) if turn.started else None
            mine = None if isinstance(inp, LanguageInput) else answer_entry(inp, turn.asked)
            if opening is not None:
                earlier = bot_entries(opening.messages)
            else:
                earlier = list(chat.transcript)
            added: list[Entry] = [mine] if mine is not None else []
            if not isinstance(inp, LanguageInput):  # the page itself changes language
                welcome = opening.messages[0] if opening is not None else None
                added += bot_entries(m for m in turn.messages if m != welcome)
            ended = any(isinstance(e, SessionStopped | SessionEnded) for e in turn.events)
            inbox: list[Entry] = []
            if turn.reference is not None:  # submitted: the way to the loket's messages
                inbox = await self._open_inbox(uow, turn.reference, session_hash, chat)
                added += inbox
            if ended:  # erase the answers; keep the last words (the result) a while
                transcript = bot_entries(turn.messages) + inbox
                expires = self.now() + self.config.ended_kept
            elif any(isinstance(e, SessionRestarted) for e in turn.events):
                transcript = added
                expires = self.now() + self.config.session_max_age
            else:
                transcript = keep_last(earlier + added)
                expires = self.now() + self.config.session_max_age
            await store.update(
                chat.chat_id,
                transcript=transcript,
                locale=turn.locale,
                ended=ended,
                clear_resume_key=ended,
                expires_at=expires,
            )
            outcome.append(
                Sent(
                    applied=True,
                    added=tuple(added),
                    ended=ended,
                    page=self._page_after(chat, turn, tuple(transcript), ended, expires),
                )
            )

        turn = await self.service.handle_in(
            uow,
            CHANNEL,
            chat.chat_id,
            inp,
            update_id=form_id,
            locale_hint=chat.locale,
            after=record,
            expected_token=token or None,
        )
        if turn.stale:
            return Sent(applied=False, stale=True)  # typed in an older page
        if turn.duplicate or not outcome:
            return Sent(applied=False)
        return outcome[0]

    def _page_after(
        self,
        chat: WebChat,
        turn: Turn,
        transcript: tuple[Entry, ...],
        ended: bool,
        expires: datetime,
    ) -> ChatPage | None:
        """What `page` would read right after this post's commit, from what the post
        holds; None when there is no open question to show (`page` then decides)."""
        if ended:
            return ChatPage(turn.locale, transcript, None, True, None, None)
        if turn.prompt is None:
            return None
        return ChatPage(turn.locale, transcript, turn.prompt, False, self.code_of(chat), expires)

    async def _open_inbox(
        self, uow: UnitOfWork, reference: str, session_hash: str, chat: WebChat
    ) -> list[Entry]:
        """After a submission: this browser reads the loket's messages without a code,
        and the chat's resume code opens them in any other browser."""
        store = uow.pre_aanmeldingen
        await store.link_inbox_session(reference, session_hash)
        await store.set_inbox_key(reference, self._resume_key_of(chat.chat_id))
        link = self.way_back.inbox_url or "/chat" + INBOX_PATH
        given = Text(notices.INBOX_CODE_GIVEN, {"link": link, "code": self.code_of(chat)})
        return bot_entries([Outgoing((given,), None, "notice")])

    async def resume(self, session_hash: str, typed: str) -> Resumed | None:
        """Give this browser session the chat of a resume code ("resumed"), or move the
        Telegram intake of a hand-off code here ("moved", `intake.handoff`). None, and
        nothing changed, for a code that is wrong, expired, used or of an ended chat
        alike."""
        code = normalise_code(typed)
        if code is None:
            return None
        key = resume_key(self.config.secret_key, code)

        async def take(uow: UnitOfWork) -> Resumed | None:
            store = web_chats(uow)
            chat = await store.for_resume_key(key)
            if chat is None:
                case = await uow.pre_aanmeldingen.for_inbox_key(key)
                if case is not None:  # submitted: the code opens the loket's messages
                    await uow.pre_aanmeldingen.link_inbox_session(case.reference, session_hash)
                    return "inbox"
                return await self._take_handoff(uow, session_hash, code)
            if chat.session_hash != session_hash:
                await self._let_go(uow, session_hash)
                await store.attach(chat.chat_id, session_hash)
            return "resumed"

        return await self.database.run(take)

    async def _let_go(self, uow: UnitOfWork, session_hash: str) -> None:
        """Before this session takes another chat: an ended chat of it is erased (an
        unfinished one stays reachable by its own code)."""
        store = web_chats(uow)
        current = await store.for_session(session_hash)
        if current is not None and current.ended:
            await store.delete(current.chat_id)
        await store.release(session_hash)

    async def _take_handoff(self, uow: UnitOfWork, session_hash: str, code: str) -> Resumed | None:
        """A new chat for this session with the conversation of a hand-off code."""
        chat_id = secrets.token_hex(16)
        moved = await take_handoff(uow, self.service, code, CHANNEL, chat_id)
        if moved is None:
            return None
        store = web_chats(uow)
        await self._let_go(uow, session_hash)
        await store.create(
            chat_id,
            session_hash=session_hash,
            resume_key=self._resume_key_of(chat_id),
            locale=moved.language,
            expires_at=self.now() + self.config.session_max_age,
        )
        notice = Outgoing((Text(wording.MOVED_HERE),), None, "notice")
        opened = self.service.open_turn(moved)
        await store.update(chat_id, transcript=bot_entries([notice, *opened.messages]))
        return "moved"

    async def start_over(self, session_hash: str) -> None:
        """After the end (result or stop): forget the chat, so a new one can begin."""

        async def forget(uow: UnitOfWork) -> None:
            store = web_chats(uow)
            chat = await store.for_session(session_hash)
            if chat is not None and chat.ended:
                await store.delete(chat.chat_id)

        await self.database.run(forget)

    async def purge(self) -> int:
        """Erase chats past their expiry; how many."""

        async def sweep(uow: UnitOfWork) -> int:
            return await web_chats(uow).delete_expired()

        return await self.database.run(sweep)
