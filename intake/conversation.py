"""The conversation service: one update in, one unit of work, messages out.

Every channel (Telegram with aiogram or python-telegram-bot, the web chat, the
console) calls `ConversationService.handle` with the channel's user id and an input.
In ONE transaction it: takes the per-conversation lock, drops a duplicate update,
loads the session, runs the pure engine, stores the new session, stores a submitted
pre-aanmelding, and (for push channels) queues the outgoing messages in the outbox.
Nothing is sent before the transaction commits, so a crash never loses an answer or
sends a message twice; the outbox delivers afterwards and retries.

Every conversation starts on the entry flow (`flows/definitions/start.yaml`): the
welcome, who the intake is for and the language. When it chooses a flow
(`FlowChosen`), the service starts that flow in the same turn. The engine owns the
whole dialogue; the service only loads, stores and chains the two.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any, TypedDict, Unpack

from flows.engine.crisis import detect_crisis
from flows.engine.engine import Env, Sprint, resume, start
from flows.engine.events import (
    CrisisDetected,
    FlowChosen,
    IntakeSubmitted,
    MessageCreated,
    QuestionAsked,
    SessionEnded,
    SessionStopped,
)
from flows.engine.flow_format import Flow
from flows.engine.inputs import (
    Input,
    TextInput,
)
from flows.engine.library import FlowLibrary, FlowNotFound, flow_library
from flows.engine.prompt_builder import ALL_TRAITS, current_prompt
from flows.engine.prompts import Prompt
from flows.engine.session import CrisisMark, Session
from flows.service_directory import ServiceDirectory, sample_directory
from flows.texts import N_, Text
from intake.crisis_follow_up import crisis_signs_of, fingerprint
from intake.submission import to_new_pre_aanmelding
from locales.languages import CHOICES, match_locale
from storage.conversations import Conversation, ConversationKey
from storage.crisis_signs import crisis_signs
from storage.database import Database
from storage.drop_off import drop_off
from storage.reference_codes import new_reference_code
from storage.remembered import remembered
from storage.unit_of_work import UnitOfWork

__all__ = [
    "ConversationService",
    "Enqueue",
    "OutboxWriter",
    "Outgoing",
    "Reply",
    "StartInput",
    "Turn",
    "with_help_added",
]

_IN_PROGRESS = ("choose", "flow")  # a conversation's stages before it ends
CRISIS_INLINE_CHARS = 300  # a shorter text is read for danger on the loop (< 0.5 ms)
SESSION_TTL = timedelta(days=30)  # unfinished conversations: see docs/privacy.md
REMEMBER_FOR = timedelta(days=180)  # a typist's own details, after their last use
# The conversation state's digest of its crisis queue row (`intake.crisis_follow_up`).
CRISIS_SEEN = "crisis_seen"
# Channels with a page of buttons instead of a text box for commands.
_BUTTON_CHANNELS = frozenset({"web"})

RESUMED = N_("Je was al bezig. We gaan verder waar je was.")
LOST_SESSION = N_("Deze vragenlijst is veranderd sinds je begon. Sorry: we beginnen opnieuw.")


@dataclass(frozen=True)
class StartInput:
    """`/start`, or opening the web chat. `payload` is kept opaque (deep links)."""

    payload: str | None = None


ServiceInput = Input | StartInput


@dataclass(frozen=True)
class Outgoing:
    """One message for the person: sentences (one per line), and maybe a question."""

    texts: tuple[Text, ...]
    prompt: Prompt | None = None
    kind: str = "say"


@dataclass(frozen=True)
class Turn:
    """What one input did: the messages to show, in order, in `locale`."""

    messages: tuple[Outgoing, ...]
    locale: str
    flow_id: str | None = None
    duplicate: bool = False
    reference: str | None = None  # the pre-aanmelding submitted in this turn
    crisis: bool = False
    events: tuple[Any, ...] = field(default=(), repr=False)
    # The channel core's bookkeeping: the question open before this input (what the
    # person answered), whether the conversation started with it, and a typed answer
    # refused because it was typed for another question (an older page).
    asked: Prompt | None = field(default=None, repr=False)
    started: bool = False
    stale: bool = False

    @property
    def prompt(self) -> Prompt | None:
        """The open question after this turn, if any."""
        for message in reversed(self.messages):
            if message.prompt is not None:
                return message.prompt
        return None


@dataclass(frozen=True)
class Reply:
    """What a channel answers itself, outside the dialogue (/status, /privacy, a
    sticker): outbox payloads, and to whom (None: the person's own hash; an erased
    chat's answer goes under a throwaway hash)."""

    payloads: Sequence[Mapping[str, Any]]
    recipient_hash: str | None = None


# A channel's own answer, made in the unit of work from the open question (if any).
ReplyMaker = Callable[[UnitOfWork, Turn | None], Awaitable[Reply]]

# A push channel turns a turn into outbox payloads, queued in the same transaction.
OutboxWriter = Callable[[Turn], Sequence[Mapping[str, Any]]]

# How a payload is queued in the unit of work: (uow, channel, recipient hash,
# recipient, payload). By default in the outbox; a channel that sends right after the
# commit queues it leased to itself (bot/telegram/delivery.py `Sending`).
Enqueue = Callable[[UnitOfWork, str, str, str, Mapping[str, Any]], Awaitable[None]]


async def _enqueue(
    uow: UnitOfWork, channel: str, recipient_hash: str, recipient: str, payload: Mapping[str, Any]
) -> None:
    await uow.outbox.enqueue(channel, recipient_hash, recipient, payload)


class HandleOptions(TypedDict, total=False):
    """How a channel hands in one input (`handle`, `handle_in`): its update id (the
    idempotency rule), the person's language hint, the outbox writer of a push
    channel (and how its payloads are queued: `enqueue`), what the channel records in
    the same unit of work (`after`), and the token of the question a typed answer was
    typed for (`expected_token`)."""

    update_id: str | int | None
    locale_hint: str | None
    outbox: OutboxWriter | None
    enqueue: Enqueue | None
    after: Callable[[UnitOfWork, Turn], Awaitable[None]] | None
    expected_token: str | None


def _outgoing(sprint: Sprint) -> list[Outgoing]:
    out: list[Outgoing] = []
    for event in sprint.events:
        if isinstance(event, MessageCreated):
            out.append(Outgoing(event.texts, None, event.kind))
        elif isinstance(event, QuestionAsked):
            out.append(Outgoing((), event.prompt, "question"))
    return out


class ConversationService:
    """`handle` one input of one person on one channel; see the module docstring."""

    def __init__(
        self,
        database: Database,
        *,
        secret_key: str,
        default_locale: str = "nl",
        library: FlowLibrary | None = None,
        clock: Callable[[], datetime] | None = None,
        new_reference: Callable[[], str] = new_reference_code,
        session_ttl: timedelta = SESSION_TTL,
        push_channels: tuple[str, ...] = ("telegram",),
        inbox_channels: tuple[str, ...] = ("web",),
        directory: ServiceDirectory | None = None,
    ) -> None:
        self.database = database
        self._secret_key = secret_key
        self.default_locale = default_locale
        self.library = library or flow_library()
        self._clock = clock or database.clock
        self._new_reference = new_reference
        self._ttl = session_ttl
        # Channels the loket can write to later (the outbox delivers there).
        self.push_channels = push_channels
        # Channels whose person reads the loket's messages in an inbox (the web chat).
        self.inbox_channels = inbox_channels
        # The operator's service data: the loket's contact, shelters (never invented).
        self.directory = directory or sample_directory()

    async def _keep_chat_address(self, uow: UnitOfWork, reference: str, address: str) -> None:
        """On a push channel, a person who chose "via this chat" can be reached there
        by staff (status changes, questions): keep the chat's address with the record."""
        record = await uow.pre_aanmeldingen.get(reference)
        if record is not None and record.contact_preference == "chat":
            await uow.pre_aanmeldingen.set_chat_address(reference, address)

    @property
    def secret_key(self) -> str:
        """The key of the keyed hashes of user ids (and of hand-off codes)."""
        return self._secret_key

    def key(self, channel: str, user_id: str | int) -> ConversationKey:
        return ConversationKey.for_user(self._secret_key, channel, user_id)

    def traits(self, channel: str) -> frozenset[str]:
        """What a channel can do (`flows.engine.flow_format.CHANNEL_TRAITS`)."""
        traits = set(ALL_TRAITS)
        if channel in _BUTTON_CHANNELS:
            traits.discard("typed_commands")
        if channel not in self.push_channels + self.inbox_channels:
            traits.discard("chat_messages")
        return frozenset(traits)

    def _env(self, channel: str) -> Env:
        def ids(kind: str) -> str:
            return self._new_reference() if kind == "reference" else secrets.token_hex(8)

        return Env(
            clock=self._clock,
            ids=ids,
            directory=self.directory,
            traits=self.traits(channel),
            languages=CHOICES,
        )

    async def handle(
        self,
        channel: str,
        user_id: str | int,
        inp: ServiceInput,
        **how: Unpack[HandleOptions],
    ) -> Turn:
        """Apply one input in one unit of work of its own (`handle_in`), run again
        from the start after a lost connection before the commit (`Database.run`)."""
        await self.read_for_danger(inp)
        return await self.database.run(
            lambda uow: self.handle_in(uow, channel, user_id, inp, **how)
        )

    async def read_for_danger(self, inp: ServiceInput) -> None:
        """Read a long text for signs of danger off the event loop, before the
        transaction: `detect_crisis` remembers the answer, so the engine's own check
        of the same text is then free (bench/crisis_detection.py)."""
        if isinstance(inp, TextInput) and len(inp.text) > CRISIS_INLINE_CHARS:
            await asyncio.to_thread(detect_crisis, inp.text)

    async def handle_in(
        self,
        uow: UnitOfWork,
        channel: str,
        user_id: str | int,
        inp: ServiceInput,
        **how: Unpack[HandleOptions],
    ) -> Turn:
        """The channel core: one input of one person in the caller's unit of work, in
        which every check happens. Take the per-person lock, drop a repeated
        `update_id`, load the conversation, refuse a typed answer whose
        `expected_token` is not the open question's (typed on an older page), run
        the engine, store, queue the outgoing messages (`outbox`) and let the channel
        record what it shows (`after`), all in that one transaction."""
        update_id, locale_hint = how.get("update_id"), how.get("locale_hint")
        outbox, after = how.get("outbox"), how.get("after")
        expected_token = how.get("expected_token")
        key = self.key(channel, user_id)
        if not await _admit(uow, key, channel, update_id):
            return Turn((), self.default_locale, duplicate=True)
        stored = await uow.conversations.load(key)
        if stored is not None and stored.expired(self._clock()):
            await drop_off(uow).add_abandoned([stored])  # where people stop: left here
            await uow.conversations.delete(key)
            stored = None
        # The open question before this input: only a channel that checks the token or
        # records what was answered (the web chat) needs it, so others skip the work.
        asked = None
        if expected_token is not None or after is not None:
            # An unreadable conversation (a flow version gone) has none: `_run` starts again.
            shown = (
                self._readable(stored) if stored is not None else self.opening(locale_hint)
            ) or Turn((), self.default_locale)
            asked = shown.prompt
            if (
                expected_token is not None
                and isinstance(inp, TextInput)
                and asked is not None
                and asked.token != expected_token
            ):
                return Turn((), shown.locale, stale=True, asked=asked)
        turn = await self._step(uow, key, stored, inp, locale_hint)
        turn = replace(turn, asked=asked, started=stored is None)
        if turn.reference is not None and channel in self.push_channels:
            await self._keep_chat_address(uow, turn.reference, str(user_id))
        if outbox is not None:
            enqueue = how.get("enqueue") or _enqueue
            for payload in outbox(turn):
                await enqueue(uow, channel, key.user_hash, str(user_id), payload)
        if after is not None:
            await after(uow, turn)
        return turn

    async def reply(
        self,
        channel: str,
        user_id: str | int,
        make: ReplyMaker,
        *,
        update_id: str | int | None = None,
        once: tuple[str, str] | None = None,
        enqueue: Enqueue | None = None,
    ) -> Reply | None:
        """The channel core for an answer outside the dialogue: in one unit of work,
        the per-person lock, the idempotency rule (the update id, or `once`: another
        namespace and key), the open question (None when there is none or it cannot
        be read), the channel's answer (which may read or change data in the same
        unit of work) and the outbox (`enqueue`: as in `handle`). None: a repeat,
        nothing done."""
        key = self.key(channel, user_id)
        namespace, seen = once or (channel, update_id)
        queue = enqueue or _enqueue

        async def work(uow: UnitOfWork) -> Reply | None:
            if not await _admit(uow, key, namespace, seen):
                return None
            stored = await uow.conversations.load(key)
            answer = await make(uow, self._readable(stored))
            recipient = answer.recipient_hash or key.user_hash
            for payload in answer.payloads:
                await queue(uow, channel, recipient, str(user_id), payload)
            return answer

        return await self.database.run(work)

    def _readable(self, stored: Conversation | None) -> Turn | None:
        """The open question of a conversation, or None when there is none or its flow
        version is gone (the next input then starts again, and says so)."""
        if stored is None or stored.expired(self._clock()):
            return None
        try:
            return self.open_turn(stored)
        except (FlowNotFound, KeyError, TypeError, ValueError):
            return None

    def opening(self, locale_hint: str | None = None, channel: str = "web") -> Turn:
        """What `StartInput` shows a newcomer, without storing anything: a web page
        shows it before the first answer, which then starts the conversation (the
        entry flow's first prompt always has the same token)."""
        locale = match_locale(locale_hint, self.default_locale)
        return Turn(tuple(_outgoing(self._first(channel, StartInput(), locale))), locale)

    async def view(self, channel: str, user_id: str | int) -> Turn | None:
        """The open question of a conversation, without changing it (web pages, /start)."""
        async with self.database.unit_of_work(write=False) as uow:
            return await self.view_in(uow, channel, user_id)

    async def view_in(self, uow: UnitOfWork, channel: str, user_id: str | int) -> Turn | None:
        """`view` in the caller's unit of work (a page read in one transaction)."""
        stored = await uow.conversations.load(self.key(channel, user_id))
        if stored is None or stored.expired(self._clock()):
            return None
        return self.open_turn(stored)

    def open_turn(self, stored: Conversation) -> Turn:
        """The open question of a stored conversation (`view` without the loading)."""
        state = stored.state
        if state.get("stage") != "flow":  # kept from before the entry flow existed
            return self.opening(stored.language, stored.key.channel)
        session = Session.from_json(state["session"])
        flow = self.library.get(session.flow_id, session.flow_version)
        open_prompt = current_prompt(flow, session, self.traits(stored.key.channel))
        messages = (Outgoing((), open_prompt, "question"),) if open_prompt else ()
        return Turn(messages, session.locale, flow_id=_intake_flow(flow))

    async def take_over(
        self, uow: UnitOfWork, source: ConversationKey, channel: str, user_id: str | int
    ) -> Conversation | None:
        """Move a conversation in progress to another channel's user (the web chat
        takes over a Telegram intake, `intake.handoff`): every answer and mark goes along,
        and the source is deleted. None when the source has no conversation in
        progress (it ended, or ran out)."""
        await uow.lock_conversation(source)
        stored = await uow.conversations.load(source)
        if stored is None or stored.expired(self._clock()):
            return None
        if stored.state.get("stage") not in _IN_PROGRESS:
            return None
        target = self.key(channel, user_id)
        await uow.lock_conversation(target)
        # The crisis row goes along; the next step writes it again for the new channel
        # (whether the loket can write there).
        state = {k: v for k, v in stored.state.items() if k != CRISIS_SEEN}
        moved = await uow.conversations.save(
            target,
            flow_id=stored.flow_id,
            flow_version=stored.flow_version,
            state=state,
            language=stored.language,
            expires_at=self._clock() + self._ttl,
            expected_version=None,
        )
        await uow.conversations.delete(source)
        if CRISIS_SEEN in stored.state:
            await crisis_signs(uow).move(source, stored.created_at, target, moved.created_at)
        return moved

    # --- one step ----------------------------------------------------------------

    async def _step(
        self,
        uow: UnitOfWork,
        key: ConversationKey,
        stored: Conversation | None,
        inp: ServiceInput,
        locale_hint: str | None,
    ) -> Turn:
        if stored is not None and stored.state.get("stage") == "flow":
            return await self._run(uow, key, stored, inp)
        # A newcomer, or a conversation kept from before the entry flow ("choose").
        hint = stored.language if stored is not None else locale_hint
        locale = match_locale(hint, self.default_locale)
        marks = stored.state.get("crisis_marks", ()) if stored is not None else ()
        sprint = self._first(key.channel, inp, locale, marks)
        return await self._finish(uow, key, stored, await self._begin(uow, key, sprint))

    def _first(
        self, channel: str, inp: ServiceInput, locale: str, marks: Sequence[Mapping[str, str]] = ()
    ) -> Sprint:
        """A newcomer's first input on the entry flow. An input that moves the entry
        flow on (a choice, the language chooser) applies straight away; anything else
        (crisis words, help, a greeting) gets its own answer, then the welcome and the
        first question."""
        env = self._env(channel)
        opened = start(self.library.entry, env, locale=locale)
        if marks:  # signs of danger seen before the entry flow existed stay marked
            kept = tuple(CrisisMark.from_json(m) for m in marks)
            opened = Sprint(replace(opened.session, crisis=True, crisis_marks=kept), opened.events)
        if isinstance(inp, StartInput):
            return opened
        sprint = resume(self.library.entry, opened.session, inp, env)
        moved = sprint.session.pending != opened.session.pending
        if moved or sprint.session.status != opened.session.status:
            return sprint
        said = tuple(
            e
            for e in sprint.events
            if not isinstance(e, QuestionAsked)
            and not (isinstance(e, MessageCreated) and e.kind == "correction")
        )
        return Sprint(sprint.session, (*said, *opened.events))

    async def _begin(self, uow: UnitOfWork, key: ConversationKey, sprint: Sprint) -> Sprint:
        """After the entry flow chose a flow: start it in the language chosen, with the
        signs of danger seen so far, and the typist's remembered details."""
        chosen = next((e for e in sprint.events if isinstance(e, FlowChosen)), None)
        if chosen is None:
            return sprint
        flow = self.library.current(chosen.flow_id)
        kept = await remembered(uow).load(key, flow.id) if _remembers(flow) else {}
        entry = sprint.session
        begun = start(flow, self._env(key.channel), locale=entry.locale, remembered=kept)
        if entry.crisis:
            session = replace(begun.session, crisis=True, crisis_marks=entry.crisis_marks)
            begun = Sprint(session, begun.events)
        return Sprint(begun.session, (*sprint.events, *begun.events))

    async def _save(
        self,
        uow: UnitOfWork,
        key: ConversationKey,
        stored: Conversation | None,
        session: Session,
        crisis_seen: str | None = None,
    ) -> Conversation:
        state: dict[str, Any] = {"stage": "flow", "session": session.to_json()}
        if crisis_seen is not None:
            state[CRISIS_SEEN] = crisis_seen
        return await uow.conversations.save(
            key,
            flow_id=session.flow_id,
            flow_version=str(session.flow_version),
            state=state,
            language=session.locale,
            expires_at=self._clock() + self._ttl,
            expected_version=None if stored is None else stored.version,
        )

    async def _run(
        self, uow: UnitOfWork, key: ConversationKey, stored: Conversation, inp: ServiceInput
    ) -> Turn:
        try:
            session = Session.from_json(stored.state["session"])
            flow = self.library.get(session.flow_id, session.flow_version)
        except (FlowNotFound, KeyError, TypeError, ValueError):
            # The flow version is gone or the state is unreadable: start again, honestly.
            await uow.conversations.delete(key)
            turn = await self._finish(
                uow, key, None, self._first(key.channel, StartInput(), stored.language)
            )
            notice = Outgoing((Text(LOST_SESSION),), None, "notice")
            return replace(turn, messages=(notice, *turn.messages))
        if isinstance(inp, StartInput):
            prompt = current_prompt(flow, session, self.traits(key.channel))
            if flow.entry:  # back at the start screen: the welcome again
                greeting = [m for m in self.opening(session.locale).messages if m.prompt is None]
            else:
                greeting = [Outgoing((Text(RESUMED),), None, "notice")]
            messages = [*greeting, *([Outgoing((), prompt, "question")] if prompt else [])]
            return Turn(tuple(messages), session.locale, flow_id=_intake_flow(flow))
        sprint = resume(flow, session, inp, self._env(key.channel))
        return await self._finish(uow, key, stored, await self._begin(uow, key, sprint))

    async def _remember(
        self, uow: UnitOfWork, key: ConversationKey, event: IntakeSubmitted, flow: Flow
    ) -> None:
        """Keep the typist's own details (`remember` questions) for this chat."""
        if not _remembers(flow):
            return
        facts = {n.question.fact for n in flow.questions if n.question and n.question.remember}
        details = {k: v for k, v in event.local_facts.items() if k in facts and v is not None}
        await remembered(uow).save(key, flow.id, details, self._clock() + REMEMBER_FOR)

    async def _finish(
        self,
        uow: UnitOfWork,
        key: ConversationKey,
        stored: Conversation | None,
        sprint: Sprint,
    ) -> Turn:
        session = sprint.session
        flow = self.library.get(session.flow_id, session.flow_version)
        reference = None
        crisis = False
        # Events before a `FlowChosen` happened on the entry flow (no intake flow yet).
        on_entry = flow.entry or any(isinstance(e, FlowChosen) for e in sprint.events)
        for event in sprint.events:
            if isinstance(event, FlowChosen):
                on_entry = False
            elif isinstance(event, IntakeSubmitted):
                new = to_new_pre_aanmelding(
                    event,
                    flow,
                    channel=key.channel,
                    language=session.locale,
                    user_hash=key.user_hash,
                )
                created = await uow.pre_aanmeldingen.create(new)
                reference = created.reference
                await self._remember(uow, key, event, flow)
            elif isinstance(event, CrisisDetected):
                crisis = True
                where = None if on_entry else session.flow_id
                await _record_crisis(uow, key, event.categories, where)
        ended = any(isinstance(e, SessionStopped | SessionEnded) for e in sprint.events)
        # The crisis queue's row: written only on a step that changed what it holds.
        seen = stored.state.get(CRISIS_SEEN) if stored is not None else None
        signs = None
        if session.crisis:
            chat = key.channel in self.push_channels
            found = crisis_signs_of(flow, session, chat=chat, reference=reference)
            digest = fingerprint(found)
            if digest != seen:
                signs, seen = found, digest
        if ended:
            if stored is not None:
                await uow.conversations.delete(key)
            started = stored.created_at if stored is not None else self._clock()
        else:
            started = (await self._save(uow, key, stored, session, seen)).created_at
        if signs is not None:
            await crisis_signs(uow).record(key, started, signs)
        # Where people stop: a path that ended in this turn is counted (storage.drop_off).
        await drop_off(uow).add_turn(
            key.channel,
            stored,
            sprint.events,
            entry_flow=self.library.entry.id,
            locale=session.locale,
        )
        return Turn(
            tuple(_outgoing(sprint)),
            session.locale,  # the engine keeps every language change on the session
            flow_id=_intake_flow(flow),
            reference=reference,
            crisis=crisis,
            events=sprint.events,
        )


def with_help_added(turn: Turn, text: Text) -> Turn:
    """The turn with `text` after the engine's help message: a channel's own words
    (Telegram's commands, WhatsApp's words) beside the engine's help."""
    messages: list[Outgoing] = []
    added = False
    for message in turn.messages:
        messages.append(message)
        if message.kind == "help" and not added:
            messages.append(Outgoing((text,), None, "help"))
            added = True
    return replace(turn, messages=tuple(messages))


async def _admit(
    uow: UnitOfWork, key: ConversationKey, namespace: str, update_id: str | int | None
) -> bool:
    """Take the person's lock; False when this update was handled before (the one
    idempotency rule of every channel: an update id counts once per namespace)."""
    await uow.lock_conversation(key)
    return update_id is None or await uow.updates.mark_processed(namespace, update_id)


def _remembers(flow: Flow) -> bool:
    return any(n.question is not None and n.question.remember for n in flow.questions)


async def _record_crisis(
    uow: UnitOfWork, key: ConversationKey, categories: tuple[str, ...], flow_id: str | None
) -> None:
    """Staff follow-up: a record of the signs' kind, without any words of the person."""
    await uow.audit.record(
        "crisis_detected",
        "conversation",
        key.user_hash[:16],
        details={"categories": list(categories), "flow": flow_id, "channel": key.channel},
    )


def _intake_flow(flow: Flow) -> str | None:
    """The flow a turn is on, for a channel: None before a flow was chosen."""
    return None if flow.entry else flow.id
