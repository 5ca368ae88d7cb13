"""The conversation service: one update in, one unit of work, messages out.

Every channel (Telegram with aiogram or python-telegram-bot, the web chat, the
console) calls `ConversationService.handle` with the channel's user id and an input.
In ONE transaction it: takes the per-conversation lock, drops a duplicate update,
loads the session, runs the pure engine, stores the new session, stores a submitted
pre-aanmelding, and (for push channels) queues the outgoing messages in the outbox.
Nothing is sent before the transaction commits, so a crash never loses an answer or
sends a message twice; the outbox delivers afterwards and retries.

Before a flow runs, the service asks who the intake is for (which flow) and offers
the language chooser; both are service prompts, rendered like engine prompts.
"""

from __future__ import annotations

import asyncio
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from flows.engine import wording as engine_wording
from flows.engine.commands import parse_command
from flows.engine.crisis import detect_crisis
from flows.engine.crisis_answer import (
    FALLBACK_LANGUAGES,
    cold_weather_lines,
    crisis_texts,
    fallback_language,
    fallback_texts,
)
from flows.engine.engine import MAX_CRISIS_MARKS, Env, Sprint, resume, start
from flows.engine.events import (
    CrisisDetected,
    IntakeSubmitted,
    LanguageChanged,
    MessageCreated,
    QuestionAsked,
    SessionEnded,
    SessionStopped,
)
from flows.engine.flow_format import Flow
from flows.engine.inputs import (
    ChoiceInput,
    Command,
    CommandInput,
    Input,
    LanguageInput,
    TextInput,
)
from flows.engine.library import FlowLibrary, FlowNotFound, flow_library
from flows.engine.prompt_builder import ALL_TRAITS, current_prompt
from flows.engine.prompts import Prompt, PromptOption
from flows.engine.session import CrisisMark, Session
from flows.service_directory import ServiceDirectory, sample_directory
from flows.texts import N_, Text
from intake.submission import to_new_pre_aanmelding
from locales.languages import LANGUAGES, match_locale
from storage.conversations import Conversation, ConversationKey
from storage.database import Database
from storage.reference_codes import new_reference_code
from storage.remembered import remembered
from storage.unit_of_work import UnitOfWork

__all__ = [
    "ConversationService",
    "OutboxWriter",
    "Outgoing",
    "StartInput",
    "Turn",
    "language_prompt",
    "offered_flows",
]

START_TOKEN = "start"  # noqa: S105 - the token of the "who is this for" prompt
LANGUAGE_TOKEN = "lang"  # noqa: S105 - the token of the language chooser
LANGUAGE_OPTION = "_language"
_IN_PROGRESS = ("choose", "flow")  # a conversation's stages before it ends
CRISIS_INLINE_CHARS = 300  # a shorter text is read for danger on the loop (< 0.5 ms)
SESSION_TTL = timedelta(days=30)  # unfinished conversations: see docs/privacy.md
REMEMBER_FOR = timedelta(days=180)  # a typist's own details, after their last use
# Channels with a page of buttons instead of a text box for commands.
_BUTTON_CHANNELS = frozenset({"web"})

WELCOME = N_(
    "Welkom bij Loket Housing Zuid-Limburg. Hier meld je je aan als je geen huis hebt "
    "of je huis kwijt dreigt te raken."
)
NOT_EMERGENCY = N_("Dit is geen noodhulp. Ben je in direct gevaar? Bel 112.")
WHO_FOR = N_("Voor wie is deze aanmelding?")
OTHER_LANGUAGE = N_("Andere taal (Language)")
CHOOSE_LANGUAGE = N_("Kies je taal.")
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


# A push channel turns a turn into outbox payloads, queued in the same transaction.
OutboxWriter = Callable[[Turn], Sequence[Mapping[str, Any]]]


def offered_flows(library: FlowLibrary) -> list[tuple[str, str]]:
    """(flow id, button text) of each flow the start screen offers, in its order: the
    flows whose `registration` has an `offer` (data, so a new flow needs no code)."""
    found = []
    for flow_id in library.ids:
        registration = library.current(flow_id).registration
        if registration is not None and registration.offer is not None:
            found.append((registration.offer.order, flow_id, registration.offer.text))
    return [(flow_id, text) for _, flow_id, text in sorted(found)]


def _start_prompt(library: FlowLibrary, token: str = START_TOKEN) -> Prompt:
    offered = offered_flows(library)
    options = tuple(PromptOption(flow_id, Text(label)) for flow_id, label in offered)
    return Prompt(
        token=token,
        node="_start",
        kind="single_choice",
        text=Text(WHO_FOR),
        options=(*options, PromptOption(LANGUAGE_OPTION, Text(OTHER_LANGUAGE))),
        accepts_text=False,
    )


def language_prompt() -> Prompt:
    """The language chooser; its buttons work before and during a flow (/taal)."""
    # Each language's name in its own script: not translated.
    options = tuple(PromptOption(lang.code, Text(lang.name)) for lang in LANGUAGES)
    return Prompt(
        token=LANGUAGE_TOKEN,
        node="_language",
        kind="single_choice",
        text=Text(CHOOSE_LANGUAGE),
        options=options,
        accepts_text=False,
    )


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
        if channel not in self.push_channels:
            traits.discard("chat_messages")
        return frozenset(traits)

    def _env(self, channel: str) -> Env:
        def ids(kind: str) -> str:
            return self._new_reference() if kind == "reference" else secrets.token_hex(8)

        return Env(
            clock=self._clock, ids=ids, directory=self.directory, traits=self.traits(channel)
        )

    async def handle(
        self,
        channel: str,
        user_id: str | int,
        inp: ServiceInput,
        *,
        update_id: str | int | None = None,
        locale_hint: str | None = None,
        outbox: OutboxWriter | None = None,
        after: Callable[[UnitOfWork, Turn], Awaitable[None]] | None = None,
        expected_token: str | None = None,
    ) -> Turn:
        """Apply one input in one unit of work of its own (`handle_in`)."""
        await self.read_for_danger(inp)
        async with self.database.unit_of_work() as uow:
            return await self.handle_in(
                uow,
                channel,
                user_id,
                inp,
                update_id=update_id,
                locale_hint=locale_hint,
                outbox=outbox,
                after=after,
                expected_token=expected_token,
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
        *,
        update_id: str | int | None = None,
        locale_hint: str | None = None,
        outbox: OutboxWriter | None = None,
        after: Callable[[UnitOfWork, Turn], Awaitable[None]] | None = None,
        expected_token: str | None = None,
    ) -> Turn:
        """The channel core: one input of one person in the caller's unit of work, in
        which every check happens. Take the per-person lock, drop a repeated
        `update_id`, load the conversation, refuse a typed answer whose
        `expected_token` is not the open question's (typed on an older page), run
        the engine, store, queue the outgoing messages (`outbox`) and let the channel
        record what it shows (`after`), all in that one transaction."""
        key = self.key(channel, user_id)
        await uow.lock_conversation(key)
        if update_id is not None and not await uow.updates.mark_processed(channel, update_id):
            return Turn((), self.default_locale, duplicate=True)
        stored = await uow.conversations.load(key)
        if stored is not None and stored.expired(self._clock()):
            await uow.conversations.delete(key)
            stored = None
        # The open question before this input: only a channel that checks the token or
        # records what was answered (the web chat) needs it, so others skip the work.
        asked = None
        if expected_token is not None or after is not None:
            try:
                shown = self.open_turn(stored) if stored is not None else self.opening(locale_hint)
            except (FlowNotFound, KeyError, TypeError, ValueError):  # `_run` starts again
                shown = Turn((), self.default_locale)
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
            for payload in outbox(turn):
                await uow.outbox.enqueue(channel, key.user_hash, str(user_id), payload)
        if after is not None:
            await after(uow, turn)
        return turn

    def opening(self, locale_hint: str | None = None) -> Turn:
        """What `StartInput` shows a newcomer, without storing anything: a web page
        shows it before the first answer, which then starts the conversation."""
        locale = match_locale(locale_hint, self.default_locale)
        welcome = Outgoing((Text(WELCOME), Text(NOT_EMERGENCY)), None, "say")
        return Turn((welcome, Outgoing((), _start_prompt(self.library), "question")), locale)

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
        locale = stored.language
        if state.get("stage") == "choose":
            prompt = (
                language_prompt()
                if state.get("choosing") == "language"
                else _start_prompt(self.library)
            )
            return Turn((Outgoing((), prompt, "question"),), locale)
        session = Session.from_json(state["session"])
        flow = self.library.get(session.flow_id, session.flow_version)
        open_prompt = current_prompt(flow, session, self.traits(stored.key.channel))
        messages = (Outgoing((), open_prompt, "question"),) if open_prompt else ()
        return Turn(messages, session.locale, flow_id=session.flow_id)

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
        moved = await uow.conversations.save(
            target,
            flow_id=stored.flow_id,
            flow_version=stored.flow_version,
            state=stored.state,
            language=stored.language,
            expires_at=self._clock() + self._ttl,
            expected_version=None,
        )
        await uow.conversations.delete(source)
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
        if stored is None or stored.state.get("stage") not in _IN_PROGRESS:
            locale = match_locale(locale_hint, self.default_locale)
            return await self._choose(uow, key, None, inp, locale)
        if stored.state["stage"] == "choose":
            return await self._choose(uow, key, stored, inp, stored.language)
        return await self._run(uow, key, stored, inp)

    async def _save(
        self,
        uow: UnitOfWork,
        key: ConversationKey,
        stored: Conversation | None,
        *,
        flow_id: str,
        flow_version: int,
        state: Mapping[str, Any],
        language: str,
    ) -> None:
        await uow.conversations.save(
            key,
            flow_id=flow_id,
            flow_version=str(flow_version),
            state=state,
            language=language,
            expires_at=self._clock() + self._ttl,
            expected_version=None if stored is None else stored.version,
        )

    async def _choose(
        self,
        uow: UnitOfWork,
        key: ConversationKey,
        stored: Conversation | None,
        inp: ServiceInput,
        locale: str,
    ) -> Turn:
        """Before a flow: who is this intake for, and in which language."""
        messages: list[Outgoing] = []
        crisis = False
        # Signs of danger seen earlier on this screen stay marked for staff follow-up.
        marked = bool(stored is not None and stored.state.get("crisis"))
        choosing = "flow"
        hit = detect_crisis(inp.text) if isinstance(inp, TextInput) else None
        if hit is None and isinstance(inp, TextInput):
            # The crisis or help word, or "/taal fa", typed before a flow is chosen.
            typed = parse_command(inp.text)
            if isinstance(typed, LanguageInput) or (
                typed is not None and typed.command in (Command.CRISIS, Command.HELP)
            ):
                inp = typed
        marks = list(stored.state.get("crisis_marks", ())) if stored is not None else []
        if hit is not None or inp == CommandInput(Command.CRISIS):
            crisis = True
            categories = hit.categories if hit else ()
            languages = hit.languages if hit else ()
            cold = (
                cold_weather_lines(self.directory, None, self._clock().date())
                if "cold" in categories
                else ()
            )
            texts = crisis_texts(categories, languages, cold)
            messages.append(Outgoing(texts, None, "crisis"))
            at = self._clock()
            marks += [CrisisMark(c, at).to_json() for c in categories or ("command",)]
            await _record_crisis(uow, key, categories, None)
        elif (fallback := _fallback_of(inp)) is not None:
            # A language the bot cannot speak yet: at least the numbers, in it.
            messages.append(Outgoing(fallback_texts(fallback), None, "notice"))
        elif inp == CommandInput(Command.HELP):
            buttons = "typed_commands" not in self.traits(key.channel)
            help_text = engine_wording.HELP_BUTTONS if buttons else engine_wording.HELP
            messages.append(Outgoing((Text(help_text),), None, "help"))
        if isinstance(inp, LanguageInput):
            locale = match_locale(inp.locale, locale)
        elif isinstance(inp, ChoiceInput) and inp.token == LANGUAGE_TOKEN:
            if any(lang.code == inp.option for lang in LANGUAGES):
                locale = inp.option
        elif isinstance(inp, ChoiceInput) and inp.token == START_TOKEN:
            if inp.option == LANGUAGE_OPTION:
                choosing = "language"
            elif any(flow_id == inp.option for flow_id, _ in offered_flows(self.library)):
                return await self._begin(uow, key, stored, inp.option, locale, marks, messages)
        elif isinstance(inp, TextInput):
            chosen = _typed_choice(inp.text, offered_flows(self.library))
            if chosen is not None:
                return await self._begin(uow, key, stored, chosen, locale, marks, messages)
        if stored is None or isinstance(inp, StartInput):
            messages.append(Outgoing((Text(WELCOME), Text(NOT_EMERGENCY)), None, "say"))
        prompt = language_prompt() if choosing == "language" else _start_prompt(self.library)
        messages.append(Outgoing((), prompt, "question"))
        await self._save(
            uow,
            key,
            stored,
            flow_id="_start",
            flow_version=0,
            state={
                "stage": "choose",
                "choosing": choosing,
                "crisis": crisis or marked,
                "crisis_marks": marks[-MAX_CRISIS_MARKS:],
            },
            language=locale,
        )
        return Turn(tuple(messages), locale, crisis=crisis)

    async def _begin(
        self,
        uow: UnitOfWork,
        key: ConversationKey,
        stored: Conversation | None,
        flow_id: str,
        locale: str,
        marks: list[dict[str, str]],
        messages: list[Outgoing],
    ) -> Turn:
        """Start the chosen flow; signs of danger seen on the start screen go along."""
        flow = self.library.current(flow_id)
        kept = await remembered(uow).load(key, flow_id) if _remembers(flow) else {}
        sprint = start(flow, self._env(key.channel), locale=locale, remembered=kept)
        if marks or (stored is not None and stored.state.get("crisis")):
            session = replace(
                sprint.session,
                crisis=True,
                crisis_marks=tuple(CrisisMark.from_json(m) for m in marks),
            )
            sprint = Sprint(session, sprint.events)
        return await self._finish(uow, key, stored, sprint, messages)

    async def _run(
        self, uow: UnitOfWork, key: ConversationKey, stored: Conversation, inp: ServiceInput
    ) -> Turn:
        try:
            session = Session.from_json(stored.state["session"])
            flow = self.library.get(session.flow_id, session.flow_version)
        except (FlowNotFound, KeyError, TypeError, ValueError):
            # The flow version is gone or the state is unreadable: start again, honestly.
            await uow.conversations.delete(key)
            turn = await self._choose(uow, key, None, StartInput(), stored.language)
            notice = Outgoing((Text(LOST_SESSION),), None, "notice")
            return Turn((notice, *turn.messages), turn.locale)
        if isinstance(inp, StartInput):
            prompt = current_prompt(flow, session, self.traits(key.channel))
            messages = [Outgoing((Text(RESUMED),), None, "notice")]
            if prompt is not None:
                messages.append(Outgoing((), prompt, "question"))
            return Turn(tuple(messages), session.locale, flow_id=flow.id)
        sprint = resume(flow, session, inp, self._env(key.channel))
        return await self._finish(uow, key, stored, sprint, [])

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
        messages: list[Outgoing],
    ) -> Turn:
        session = sprint.session
        reference = None
        crisis = False
        for event in sprint.events:
            if isinstance(event, IntakeSubmitted):
                flow = self.library.get(event.flow_id, event.flow_version)
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
                await _record_crisis(uow, key, event.categories, session.flow_id)
        ended = any(isinstance(e, SessionStopped | SessionEnded) for e in sprint.events)
        if ended:
            if stored is not None:
                await uow.conversations.delete(key)
        else:
            await self._save(
                uow,
                key,
                stored,
                flow_id=session.flow_id,
                flow_version=session.flow_version,
                state={"stage": "flow", "session": session.to_json()},
                language=session.locale,
            )
        messages.extend(_outgoing(sprint))
        locale = session.locale
        for event in sprint.events:
            if isinstance(event, LanguageChanged):
                locale = event.locale
        return Turn(
            tuple(messages),
            locale,
            flow_id=session.flow_id,
            reference=reference,
            crisis=crisis,
            events=sprint.events,
        )


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


def _fallback_of(inp: ServiceInput) -> str | None:
    """A language without a catalog that the person writes in or asks for."""
    if isinstance(inp, LanguageInput):
        code = inp.locale.replace("_", "-").split("-")[0].lower()
        return code if code in FALLBACK_LANGUAGES else None
    return fallback_language(inp.text) if isinstance(inp, TextInput) else None


def _typed_choice(text: str, offered: list[tuple[str, str]]) -> str | None:
    """A typed answer to the start prompt: its number, or the flow's name."""
    typed = text.strip().lower()
    for index, (flow_id, _) in enumerate(offered, start=1):
        if typed in (str(index), flow_id):
            return flow_id
    return None
