"""What a Telegram update means, the same for both frameworks.

An adapter (aiogram or python-telegram-bot) turns its framework's update into an
`Incoming` and calls `TelegramIntake.handle`. Here it becomes a service input:

- a text: `TextInput`; a button: `parse_callback` -> `ChoiceInput` (a language
  button -> `LanguageInput`); forged callback data changes nothing;
- `/start [payload]` -> `StartInput(payload)`, `/help` -> HELP, `/hulp` -> CRISIS
  (the crisis numbers), `/terug` -> BACK, `/stop` -> STOP, `/taal [code]` -> the
  language chooser (the engine's) or `LanguageInput`; `/status` and `/privacy` are answered here,
  and `/webchat` (with WEB_CHAT_URL) with a one-time link that moves the intake to the
  web chat (`intake.handoff`; the same link comes before the health and justice questions),
  and `/mijngegevens` (the access copy) and `/verwijder` (erasure after yes/no
  buttons) through `intake.privacy` (docs/privacy.md);
- stickers, photos, voice, locations, edited messages, unknown commands and texts
  longer than any answer: a short explanation and the open question again; the
  conversation does not move (a long text with crisis words still gets crisis help).

The service queues the rendered messages in the outbox in the same unit of work as
the step (with `update_id`, so a repeated update has no second effect); answers made
here (/status, /privacy, an unsupported message, ...) go through the same channel
core (`ConversationService.reply`): one unit of work with the lock, the idempotency
rule, the open question and the outbox. With a deliverer (`deliverer=`), the replies
are queued leased to this process and the update's own task sends them right after
the commit (`bot.telegram.delivery.Sending`; a pressed button's query is answered
first); the outbox row is the fallback for a crash or a failed send. Listeners
(`listen`) hear when each update is done, how many messages it queued and how many it
left for the deliverer (`left`): the deliverer wakes on those. Only private chats: a
group hears once that the bot works in private chats only.

Updates of one chat are handled one at a time, in arrival order (a FIFO lock per
chat); different chats run concurrently. When the database is unavailable, an update
is tried again three times (0.5, 1, 2 s) before it fails: then the webhook answers
503 and Telegram sends it again; a polled update is logged as not applied.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.telegram import wording
from bot.telegram.delivery import CHANNEL, OutboxDeliverer, Sending
from bot.telegram.rendering import (
    Payload,
    RenderOptions,
    offers_web_chat,
    render_turn,
    text_payloads,
)
from bot.telegram.staff import notify_staff
from bot.telegram.status import status_texts
from flows.engine.crisis import detect_crisis
from flows.engine.inputs import (
    Command,
    CommandInput,
    LanguageInput,
    TextInput,
    parse_callback,
)
from flows.engine.prompts import Prompt
from flows.privacy_notices import current_notice
from flows.service_texts import loket_contact
from flows.texts import Text
from intake import privacy_wording
from intake.access_copy_text import copy_texts
from intake.conversation import (
    ConversationService,
    Enqueue,
    Reply,
    ServiceInput,
    StartInput,
    Turn,
    with_help_added,
)
from intake.handoff import offer_handoff
from intake.privacy import ERASE_TOKEN, PrivacyService, erase_prompt, erasure_texts
from intake.short_codes import random_code
from locales import render
from locales.languages import language, match_locale
from storage.engine import DatabaseUnavailable
from storage.erasure import Person
from storage.pre_aanmeldingen import PreAanmeldingFilter
from storage.unit_of_work import UnitOfWork

__all__ = ["GROUP_NOTICE", "MAX_TEXT_CHARS", "Handled", "Incoming", "TelegramIntake", "UpdateDone"]

MAX_TEXT_CHARS = 1000  # the longest answer any question takes
# Language buttons sent before the language chooser was the engine's: still work.
OLD_LANGUAGE_TOKEN = "lang"  # noqa: S105
log = logging.getLogger(__name__)
GROUP_NOTICE = "telegram-group-notice"  # processed-updates namespace: one notice a group

_COMMANDS: dict[str, Command] = {
    "help": Command.HELP,
    "hulp": Command.CRISIS,
    "terug": Command.BACK,
    "stop": Command.STOP,
}


@dataclass(frozen=True)
class Incoming:
    """One update, as an adapter reads it from its framework."""

    update_id: int
    chat_id: int
    chat_type: str = "private"
    language_code: str | None = None
    text: str | None = None  # None: not a text (sticker, photo, voice, location, ...)
    edited: bool = False
    callback_id: str | None = None
    callback_data: str | None = None
    message_id: int | None = None  # the message a pressed button is on

    @classmethod
    def from_message(cls, message: Any, update_id: int, *, edited: bool = False) -> Incoming:
        """From an aiogram or a python-telegram-bot `Message`: both name these fields
        as the Bot API does. A caption (of a photo or file) is not read as text."""
        user = message.from_user
        return cls(
            update_id=update_id,
            chat_id=message.chat.id,
            chat_type=str(message.chat.type),
            language_code=user.language_code if user else None,
            text=message.text,
            edited=edited,
        )

    @classmethod
    def from_callback(cls, query: Any, update_id: int) -> Incoming | None:
        """From an aiogram or a python-telegram-bot `CallbackQuery` (a pressed button);
        None when it is on no message we can answer in (an inline query's button)."""
        message = query.message
        chat = message.chat if message is not None else None
        if chat is None:
            return None
        return cls(
            update_id=update_id,
            chat_id=chat.id,
            chat_type=str(chat.type),
            language_code=query.from_user.language_code,
            callback_id=query.id,
            callback_data=query.data,
            message_id=message.message_id,
        )

    @property
    def is_callback(self) -> bool:
        return self.callback_id is not None


@dataclass(frozen=True)
class UpdateDone:
    """An update is done: applied (or a repeat), or failed; the messages it queued, and
    how many of them it left for the deliverer (not sent at once)."""

    update_id: int
    queued: int
    failed: bool = False
    left: int = 0


@dataclass(frozen=True)
class Handled:
    """What the adapter still does itself: answer a callback query (with this text)."""

    callback_text: str | None = None


# An answer made here: what it reads or changes in the unit of work, and the payloads.
Compose = Callable[[UnitOfWork, Turn | None, Incoming], Awaitable[Reply]]


class TelegramIntake:
    def __init__(
        self,
        service: ConversationService,
        *,
        render_options: RenderOptions | None = None,
        staff_chat: str | None = None,
        retry_pauses: tuple[float, ...] = (0.5, 1.0, 2.0),
        privacy: PrivacyService | None = None,
        deliverer: OutboxDeliverer | None = None,
    ) -> None:
        self.service = service
        self.deliverer = deliverer
        self.retry_pauses = retry_pauses
        self.database = service.database
        self.privacy = privacy or PrivacyService(service.database, library=service.library)
        self.render_options = render_options or RenderOptions()
        self.staff_chat = staff_chat
        self._listeners: list[Callable[[UpdateDone], None]] = []
        self._locks: dict[int, tuple[asyncio.Lock, int]] = {}
        self._queued: dict[int, int] = {}  # updates being handled -> messages queued
        self._left: dict[int, int] = {}  # -> messages queued for the deliverer
        self._sendings: dict[int, Sending] = {}  # -> its replies to send at once
        self._failed: set[int] = set()
        self._active = 0
        self._idle = asyncio.Event()
        self._idle.set()

    def listen(self, listener: Callable[[UpdateDone], None]) -> None:
        """Be told when each update is done (the deliverer wakes on queued messages)."""
        self._listeners.append(listener)

    def take_failure(self, update_id: int) -> bool:
        """True (once) when handling this update raised: the webhook answers 503."""
        if update_id in self._failed:
            self._failed.discard(update_id)
            return True
        return False

    def _count(self, update_id: int, queued: int) -> None:
        self._queued[update_id] = self._queued.get(update_id, 0) + queued

    @contextlib.asynccontextmanager
    async def _chat_turn(self, chat_id: int) -> AsyncIterator[None]:
        lock, users = self._locks.get(chat_id) or (asyncio.Lock(), 0)
        self._locks[chat_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[chat_id]
            if users <= 1:
                del self._locks[chat_id]
            else:
                self._locks[chat_id] = (lock, users - 1)

    # --- one update ------------------------------------------------------------------

    async def handle(self, incoming: Incoming) -> Handled:
        """Apply one update, then send its replies; raises when the database is
        unavailable (nothing kept)."""
        return await self._process(incoming)

    async def _process(
        self, incoming: Incoming, answer: Callable[[Handled], Awaitable[None]] | None = None
    ) -> Handled:
        """Apply (in the chat's turn), `answer` (a pressed button's query), then send
        the replies queued to send at once."""
        update_id = incoming.update_id
        self._active += 1
        self._idle.clear()
        self._queued[update_id] = 0
        self._left[update_id] = 0
        self._failed.discard(update_id)
        sending = self.deliverer.sending() if self.deliverer is not None else None
        if sending is not None:
            self._sendings[update_id] = sending
        failed = False
        try:
            async with self._chat_turn(incoming.chat_id):
                handled = await self._apply(incoming)
                if sending is not None:
                    sending.take_turn()  # before the chat's next update can commit
        except BaseException as error:
            failed = True
            if sending is not None:
                sending.abandon()
            if isinstance(error, Exception):
                log.error("update %s was not applied: %s", update_id, type(error).__name__)
            self._failed.add(update_id)
            raise
        else:
            if answer is not None:
                await answer(handled)
            if sending is not None:
                await sending.send()
            return handled
        finally:
            self._active -= 1
            if self._active == 0:
                self._idle.set()
            queued = self._queued.pop(update_id, 0)
            left = self._left.pop(update_id, 0)
            self._sendings.pop(update_id, None)
            left += sending.left if sending is not None else queued
            done = UpdateDone(update_id, queued, failed, left)
            for listener in self._listeners:
                listener(done)

    async def _apply(self, incoming: Incoming) -> Handled:
        for pause in (*self.retry_pauses, None):
            try:
                return await self._handle(incoming)
            except DatabaseUnavailable as error:
                if pause is None or not error.retryable:  # a full disk waits
                    raise
                log.warning("update %s: database unavailable, again", incoming.update_id)
            await asyncio.sleep(pause)
        raise AssertionError("unreachable")

    async def handle_query(self, query: Any, update_id: int) -> None:
        """A pressed button, the same for both frameworks: handled, and the query always
        answered (its text, if any; before the replies are sent), also a forged one and
        also when handling failed."""
        incoming = Incoming.from_callback(query, update_id)
        answered = False

        async def answer(handled: Handled) -> None:
            nonlocal answered
            answered = True
            try:
                await query.answer(text=handled.callback_text)
            except Exception as error:
                log.info("answerCallbackQuery failed: %s", type(error).__name__)

        try:
            if incoming is not None:
                await self._process(incoming, answer)
        finally:
            if not answered:
                await answer(Handled())

    def _enqueue(self, update_id: int) -> Enqueue | None:
        """How this update's replies are queued: to send at once, or for the deliverer."""
        sending = self._sendings.get(update_id)
        return sending.enqueue if sending is not None else None

    async def drain(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Wait for the updates being handled (at shutdown)."""
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._idle.wait(), timeout)

    async def _handle(self, incoming: Incoming) -> Handled:
        if incoming.chat_type != "private":
            await self._group_notice(incoming)
            return Handled()
        if incoming.is_callback:
            return await self._callback(incoming)
        if incoming.edited:
            await self._reply(incoming, [Text(wording.EDITED)])
            return Handled()
        text = incoming.text
        if text is None:
            await self._reply(incoming, [Text(wording.UNSUPPORTED)])
        elif text.startswith("/"):
            await self._command(incoming, text)
        elif len(text) > MAX_TEXT_CHARS and await asyncio.to_thread(detect_crisis, text) is None:
            # Off the event loop: a long text costs milliseconds (flows.engine.crisis).
            await self._reply(incoming, [Text(wording.TOO_LONG)])
        else:
            await self._service(incoming, TextInput(text))
        return Handled()

    async def _callback(self, incoming: Incoming) -> Handled:
        choice = parse_callback(incoming.callback_data or "")
        if choice is not None and choice.token == ERASE_TOKEN:
            await self._erase(incoming, confirmed=choice.option == "yes")
            return Handled()
        inp: ServiceInput | None = choice
        if choice is not None and choice.token == OLD_LANGUAGE_TOKEN:
            inp = LanguageInput(choice.option) if language(choice.option) else None
        if inp is None:
            locale = self._locale(incoming, None)
            return Handled(render(Text(wording.STALE_BUTTON), locale))
        pressed = None
        if choice is not None and incoming.message_id is not None:
            pressed = (choice.token, incoming.message_id)
        await self._service(incoming, inp, pressed=pressed)
        return Handled()

    async def _command(self, incoming: Incoming, text: str) -> None:
        first, _, rest = text.strip().partition(" ")
        name = first[1:].split("@", 1)[0].lower()
        argument = rest.strip()
        if name == "start":
            await self._service(incoming, StartInput(argument or None))
        elif name in _COMMANDS:
            command = _COMMANDS[name]
            await self._service(incoming, CommandInput(command), help=command == Command.HELP)
        elif name == "taal":
            code = argument.lower()
            chooser = CommandInput(Command.LANGUAGE)
            await self._service(incoming, LanguageInput(code) if language(code) else chooser)
        elif name == "status":
            await self._answer(incoming, self._status)
        elif name == "privacy":
            await self._answer(incoming, self._privacy)
        elif name == "mijngegevens":
            await self._answer(incoming, self._copy)
        elif name == "verwijder":
            await self._reply(incoming, [], prompt=erase_prompt())
        elif name == "webchat" and self.render_options.web_chat_url:
            await self._answer(incoming, self._web_chat)
        else:
            await self._reply(incoming, [Text(wording.UNKNOWN_COMMAND)])

    # --- answers made here, each in one unit of work of the channel core --------------

    async def _answer(
        self, incoming: Incoming, compose: Compose, *, once: tuple[str, str] | None = None
    ) -> None:
        """An answer that is not a step of the dialogue, queued once per update id
        (`once`: per another key) in one unit of work with what it reads or changes."""

        async def answer(uow: UnitOfWork, view: Turn | None) -> Reply:
            return await compose(uow, view, incoming)

        reply = await self.service.reply(
            CHANNEL,
            incoming.chat_id,
            answer,
            update_id=incoming.update_id,
            once=once,
            enqueue=self._enqueue(incoming.update_id),
        )
        if reply is not None:
            self._count(incoming.update_id, len(reply.payloads))

    async def _reply(
        self, incoming: Incoming, texts: Sequence[Text], *, prompt: Prompt | None = None
    ) -> None:
        """Sentences, then the open question again (or `prompt`); the conversation
        itself is not touched."""

        async def compose(uow: UnitOfWork, view: Turn | None, incoming: Incoming) -> Reply:
            shown = prompt or (view.prompt if view is not None else None)
            return Reply(text_payloads(texts, self._locale(incoming, view), shown))

        await self._answer(incoming, compose)

    async def _privacy(self, uow: UnitOfWork, view: Turn | None, incoming: Incoming) -> Reply:
        """The current notice of the flow in progress (else of the flow for oneself)."""
        own = self.service.library.for_submitter("self")
        default = own.id if own is not None else self.service.library.ids[0]
        flow = (view.flow_id if view is not None else None) or default
        notice = current_notice(flow, self.database.clock().date())
        texts = [*notice.texts, Text(wording.PRIVACY_COMMANDS), Text(wording.PRIVACY_TELEGRAM)]
        if self.render_options.web_chat_url:
            texts.append(Text(wording.WEB_CHAT, {"url": self.render_options.web_chat_url}))
        return self._texts(texts, incoming, view)

    async def _copy(self, uow: UnitOfWork, view: Turn | None, incoming: Incoming) -> Reply:
        """/mijngegevens: the access copy, read in the same unit of work."""
        person = Person(CHANNEL, self.service.key(CHANNEL, incoming.chat_id).user_hash)
        return self._texts(copy_texts(await self.privacy.copy_in(uow, person)), incoming, view)

    async def _status(self, uow: UnitOfWork, view: Turn | None, incoming: Incoming) -> Reply:
        key = self.service.key(CHANNEL, incoming.chat_id)
        records = await uow.pre_aanmeldingen.find(
            PreAanmeldingFilter(channel_user_hash=key.user_hash)
        )
        draft = view is not None and view.flow_id is not None
        contact = loket_contact(self.service.directory)
        texts = status_texts(records, draft=draft, loket_contact=contact)
        return self._texts(texts, incoming, view)

    async def _web_chat(self, uow: UnitOfWork, view: Turn | None, incoming: Incoming) -> Reply:
        """/webchat: a one-time link that moves the intake in progress to the web chat
        (or, with none in progress, the web chat's address); the question stays open
        here too, in case the person stays."""
        url = self.render_options.web_chat_url
        assert url is not None
        if view is None:
            texts = [Text(wording.WEB_CHAT_NOTHING, {"url": url})]
            return Reply(text_payloads(texts, self._locale(incoming, None)))
        code = random_code()
        offer = dataclasses.replace(self.render_options, handoff_code=code).web_chat_text()
        assert offer is not None
        await offer_handoff(uow, self.service, CHANNEL, incoming.chat_id, code)
        return Reply(text_payloads([offer], view.locale, view.prompt, no_preview=True))

    async def _erase(self, incoming: Incoming, *, confirmed: bool) -> None:
        """A pressed /verwijder button: erase (yes) or not (no), and say so, in one unit
        of work. The answer to an erased chat is queued under a throwaway hash, so no
        row links it to the chat once it is delivered (the address goes then)."""

        async def compose(uow: UnitOfWork, view: Turn | None, incoming: Incoming) -> Reply:
            locale = self._locale(incoming, view)
            if not confirmed:
                shown = view.prompt if view is not None else None
                return Reply(text_payloads([Text(privacy_wording.ERASE_CANCELLED)], locale, shown))
            key = self.service.key(CHANNEL, incoming.chat_id)
            outcome = await self.privacy.erase_in(uow, Person(CHANNEL, key.user_hash))
            contact = loket_contact(self.service.directory)
            payloads = text_payloads(erasure_texts(outcome, contact), locale)
            return Reply(payloads, secrets.token_hex(32) if outcome.found else None)

        await self._answer(incoming, compose)

    def _texts(self, texts: Sequence[Text], incoming: Incoming, view: Turn | None) -> Reply:
        """Sentences in the person's language, then the open question again."""
        shown = view.prompt if view is not None else None
        return Reply(text_payloads(texts, self._locale(incoming, view), shown))

    # --- through the conversation service ------------------------------------------

    async def _service(
        self,
        incoming: Incoming,
        inp: ServiceInput,
        *,
        pressed: tuple[str, int] | None = None,
        help: bool = False,
    ) -> Turn:
        options = self.render_options
        if options.web_chat_url:  # the link before a sensitive question moves the answers
            options = dataclasses.replace(options, handoff_code=random_code())

        queued: list[Payload] = []

        def payloads(turn: Turn) -> list[Payload]:
            if help:
                turn = with_help_added(turn, Text(wording.HELP_COMMANDS))
            queued[:] = render_turn(turn, options, pressed=pressed)
            return queued

        async def after(uow: UnitOfWork, turn: Turn) -> None:
            if await self._after(uow, turn):
                self._left[incoming.update_id] = 1  # for the staff chat: the deliverer's
            code = options.handoff_code
            if code is not None and offers_web_chat(turn, options, pressed=pressed):
                await offer_handoff(uow, self.service, CHANNEL, incoming.chat_id, code)

        turn = await self.service.handle(
            CHANNEL,
            incoming.chat_id,
            inp,
            update_id=incoming.update_id,
            locale_hint=incoming.language_code,
            outbox=payloads,
            enqueue=self._enqueue(incoming.update_id),
            after=after,
        )
        if not turn.duplicate:
            self._count(incoming.update_id, len(queued))
        return turn

    async def _after(self, uow: UnitOfWork, turn: Turn) -> bool:
        """The staff chat hears of a new pre-aanmelding (True: a message queued)."""
        if turn.reference is not None and self.staff_chat:
            await notify_staff(
                uow,
                turn.reference,
                staff_chat=self.staff_chat,
                staff_key=self.service.key(CHANNEL, self.staff_chat),
                locale=self.service.default_locale,
            )
            return True
        return False

    def _locale(self, incoming: Incoming, view: Turn | None) -> str:
        """The conversation's language, else the one Telegram reports for the person."""
        if view is not None:
            return view.locale
        return match_locale(incoming.language_code, self.service.default_locale)

    async def _group_notice(self, incoming: Incoming) -> None:
        """Once per group: the bot works in private chats only. Nothing else is kept."""
        key = self.service.key(CHANNEL, incoming.chat_id)

        async def compose(uow: UnitOfWork, view: Turn | None, incoming: Incoming) -> Reply:
            text = render(Text(wording.PRIVATE_ONLY), self._locale(incoming, None))
            return Reply([{"method": "sendMessage", "text": text}])

        await self._answer(incoming, compose, once=(GROUP_NOTICE, key.user_hash))
