"""What a WhatsApp message means: the channel over the one channel core.

Each message (`bot.whatsapp.updates.Incoming`) is one input to
`ConversationService.handle` (one unit of work: the lock, the idempotency rule with
the message id as the update id, the engine, the store and the outbox), or one
answer outside the dialogue through `ConversationService.reply` (the same rule):

- a text: `TextInput` (the engine reads its own words: help, terug, stop, crisis,
  taal, opnieuw, and typed option numbers); the channel's words (`bot.whatsapp.words`)
  'privacy', 'mijn gegevens' and 'verwijder' are answered here, as Telegram's
  /privacy, /mijngegevens and /verwijder; after the engine's help, the channel's words;
- a pressed button or list row: `ChoiceInput` from its id (an old or forged one
  changes nothing); the erase question's buttons erase or not;
- a photo, voice message, location, sticker, file: a kind message asking to type, in
  the person's language, and the open question again; nothing of it is kept;
- a text longer than any answer: asked to write a short answer (a long text with
  crisis words still gets crisis help).

Messages of one person are handled one at a time, in arrival order; different
people at the same time. When the database is unavailable a message is tried again
three times (0.5, 1, 2 s), then the webhook answers 503 and Meta sends it again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence

from bot.whatsapp import wording
from bot.whatsapp.delivery import CHANNEL
from bot.whatsapp.rendering import Payload, render_turn, text_payloads
from bot.whatsapp.updates import Incoming
from bot.whatsapp.words import Word, channel_word
from flows.engine.commands import parse_command
from flows.engine.crisis import detect_crisis
from flows.engine.inputs import Command, CommandInput, TextInput, parse_callback
from flows.engine.prompts import Prompt
from flows.privacy_notices import current_notice
from flows.service_texts import loket_contact
from flows.texts import Text
from intake import privacy_wording
from intake.access_copy_text import copy_texts
from intake.conversation import (
    ConversationService,
    Reply,
    ServiceInput,
    Turn,
    with_help_added,
)
from intake.privacy import ERASE_TOKEN, PrivacyService, erase_prompt, erasure_texts
from locales.languages import match_locale
from storage.engine import DatabaseUnavailable
from storage.erasure import Person
from storage.unit_of_work import UnitOfWork

__all__ = ["MAX_TEXT_CHARS", "WhatsAppIntake"]

MAX_TEXT_CHARS = 1000  # the longest answer any question takes
log = logging.getLogger(__name__)

Compose = Callable[[UnitOfWork, Turn | None], Awaitable[Reply]]


class WhatsAppIntake:
    def __init__(
        self,
        service: ConversationService,
        *,
        privacy: PrivacyService | None = None,
        retry_pauses: tuple[float, ...] = (0.5, 1.0, 2.0),
    ) -> None:
        self.service = service
        self.database = service.database
        self.privacy = privacy or PrivacyService(service.database, library=service.library)
        self.retry_pauses = retry_pauses
        self._listeners: list[Callable[[int], None]] = []
        self._locks: dict[str, tuple[asyncio.Lock, int]] = {}

    def listen(self, listener: Callable[[int], None]) -> None:
        """Be told after each message how many outbox messages it queued."""
        self._listeners.append(listener)

    @contextlib.asynccontextmanager
    async def _person_turn(self, wa_id: str) -> AsyncIterator[None]:
        lock, users = self._locks.get(wa_id) or (asyncio.Lock(), 0)
        self._locks[wa_id] = (lock, users + 1)
        try:
            async with lock:
                yield
        finally:
            lock, users = self._locks[wa_id]
            if users <= 1:
                del self._locks[wa_id]
            else:
                self._locks[wa_id] = (lock, users - 1)

    async def handle(self, incoming: Incoming) -> int:
        """Apply one message; the number of messages queued (0 for a repeat). Raises
        when the database stayed unavailable (nothing was kept)."""
        async with self._person_turn(incoming.wa_id):
            for pause in (*self.retry_pauses, None):
                try:
                    queued = await self._handle(incoming)
                    break
                except DatabaseUnavailable as error:
                    if pause is None or not error.retryable:
                        raise
                    log.warning("whatsapp: database unavailable, message tried again")
                await asyncio.sleep(pause)
        for listener in self._listeners:
            listener(queued)
        return queued

    async def _handle(self, incoming: Incoming) -> int:
        if incoming.kind == "choice":
            return await self._choice(incoming)
        text = incoming.text
        if incoming.kind != "text" or text is None:
            return await self._say(incoming, [Text(wording.UNSUPPORTED)])
        word = channel_word(text)
        if word == Word.PRIVACY:
            return await self._answer(incoming, self._privacy)
        if word == Word.COPY:
            wa_id = incoming.wa_id
            return await self._answer(incoming, lambda uow, view: self._copy(uow, view, wa_id))
        if word == Word.ERASE:
            return await self._say(incoming, [], prompt=erase_prompt())
        if len(text) > MAX_TEXT_CHARS and await asyncio.to_thread(detect_crisis, text) is None:
            return await self._say(incoming, [Text(wording.TOO_LONG)])
        helps = parse_command(text) == CommandInput(Command.HELP)
        return await self._service(incoming, TextInput(text), help=helps)

    async def _choice(self, incoming: Incoming) -> int:
        choice = parse_callback(incoming.reply_id or "")
        if choice is not None and choice.token == ERASE_TOKEN:
            return await self._erase(incoming, confirmed=choice.option == "yes")
        if choice is None:
            return await self._say(incoming, [Text(wording.STALE_BUTTON)])
        return await self._service(incoming, choice)

    # --- through the channel core ----------------------------------------------------

    async def _service(self, incoming: Incoming, inp: ServiceInput, *, help: bool = False) -> int:
        queued: list[Payload] = []

        def payloads(turn: Turn) -> list[Payload]:
            queued[:] = render_turn(
                with_help_added(turn, Text(wording.HELP_WORDS)) if help else turn
            )
            return queued

        turn = await self.service.handle(
            CHANNEL, incoming.wa_id, inp, update_id=incoming.message_id, outbox=payloads
        )
        return 0 if turn.duplicate else len(queued)

    async def _answer(self, incoming: Incoming, compose: Compose) -> int:
        """An answer outside the dialogue, once per message id, in one unit of work
        with what it reads or changes."""
        reply = await self.service.reply(
            CHANNEL, incoming.wa_id, compose, update_id=incoming.message_id
        )
        return len(reply.payloads) if reply is not None else 0

    async def _say(
        self, incoming: Incoming, texts: Sequence[Text], *, prompt: Prompt | None = None
    ) -> int:
        """Sentences, then the open question again (or `prompt`)."""

        async def compose(uow: UnitOfWork, view: Turn | None) -> Reply:
            shown = prompt or (view.prompt if view is not None else None)
            return Reply(text_payloads(texts, self._locale(view), shown))

        return await self._answer(incoming, compose)

    async def _privacy(self, uow: UnitOfWork, view: Turn | None) -> Reply:
        """The current notice of the flow in progress (else of the flow for oneself)."""
        own = self.service.library.for_submitter("self")
        default = own.id if own is not None else self.service.library.ids[0]
        flow = (view.flow_id if view is not None else None) or default
        notice = current_notice(flow, self.database.clock().date())
        texts = [*notice.texts, Text(wording.PRIVACY_WORDS), Text(wording.PRIVACY_WHATSAPP)]
        return self._texts(texts, view)

    async def _copy(self, uow: UnitOfWork, view: Turn | None, wa_id: str) -> Reply:
        """'mijn gegevens': the access copy, read in the same unit of work."""
        person = Person(CHANNEL, self.service.key(CHANNEL, wa_id).user_hash)
        return self._texts(copy_texts(await self.privacy.copy_in(uow, person)), view)

    async def _erase(self, incoming: Incoming, *, confirmed: bool) -> int:
        """A pressed erase button: erase (yes) or not (no), and say so, in one unit of
        work. The answer to an erased person goes under a throwaway hash, so no row
        links it to them once it is delivered (the number goes then)."""

        async def compose(uow: UnitOfWork, view: Turn | None) -> Reply:
            locale = self._locale(view)
            if not confirmed:
                shown = view.prompt if view is not None else None
                return Reply(text_payloads([Text(privacy_wording.ERASE_CANCELLED)], locale, shown))
            key = self.service.key(CHANNEL, incoming.wa_id)
            outcome = await self.privacy.erase_in(uow, Person(CHANNEL, key.user_hash))
            contact = loket_contact(self.service.directory)
            payloads = text_payloads(erasure_texts(outcome, contact), locale)
            return Reply(payloads, secrets.token_hex(32) if outcome.found else None)

        return await self._answer(incoming, compose)

    def _texts(self, texts: Sequence[Text], view: Turn | None) -> Reply:
        shown = view.prompt if view is not None else None
        return Reply(text_payloads(texts, self._locale(view), shown))

    def _locale(self, view: Turn | None) -> str:
        """The conversation's language, else the default (WhatsApp names none)."""
        if view is not None:
            return view.locale
        return match_locale(None, self.service.default_locale)
