"""The conversation engine: pure `start` and `resume`.

`start(flow, env)` and `resume(flow, session, input, env)` return a `Sprint`: the new
session and the events of the turn. The engine reads no clock and makes no ids of its
own (both come from `env`), sends nothing and saves nothing.

How it moves: after every change it walks the flow from the start, following the
answers, to the first node that needs input. So "back" only removes the last answer;
a changed answer at the summary takes the walk along a new path, which asks the
questions that the new path needs and drops the answers that are no longer on it;
`depends_on` asks a question again when a fact it depends on changes.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from flows.conditions import evaluate
from flows.engine import prompts as p
from flows.engine import wording as w
from flows.engine.answers import (
    Accepted,
    ConfirmPlace,
    Rejected,
    answer_facts,
    example_for,
    match_option,
    ordered_choice,
    parse_text,
    split_choices,
    typed_yes_no,
)
from flows.engine.commands import DONE_WORDS, parse_command, parse_skip
from flows.engine.crisis import detect_crisis
from flows.engine.crisis_answer import (
    FALLBACK_LANGUAGES,
    cold_weather_lines,
    crisis_texts,
    fallback_language,
    fallback_texts,
)
from flows.engine.events import (
    AnswerRecorded,
    AnswerRejected,
    AnswersCleared,
    ChoiceRejected,
    CrisisDetected,
    Event,
    FlowChosen,
    IntakeSubmitted,
    LanguageChanged,
    MessageCreated,
    QuestionAsked,
    SessionEnded,
    SessionRestarted,
    SessionStarted,
    SessionStopped,
    SummaryShown,
)
from flows.engine.flow_format import Action, Flow, Node, Option, Question, QuestionType
from flows.engine.inputs import (
    ChoiceInput,
    Command,
    CommandInput,
    Input,
    LanguageInput,
    SelectionInput,
    TextInput,
)
from flows.engine.normalise import fold
from flows.engine.profile_facts import DATE_FACTS, PROFILE_FACTS
from flows.engine.prompt_builder import ALL_TRAITS, build_prompt, facts_of, fill
from flows.engine.prompts import Prompt
from flows.engine.result import result_messages
from flows.engine.session import (
    Answer,
    AnswerStatus,
    CrisisMark,
    Pending,
    PendingKind,
    Session,
    SessionStatus,
    Submission,
)
from flows.engine.summary import answer_text, summary_items
from flows.regions import region_data
from flows.routing import Recommendation, recommend
from flows.screening_profile import ScreeningProfile, parse_profile
from flows.service_directory import ServiceDirectory, sample_directory
from flows.service_texts import loket_contact
from flows.texts import Text

__all__ = ["Env", "FlowMismatch", "Sprint", "resume", "start"]

JSON = Any
_RESULT_SHOWN = ":result"  # marks a result node's result as shown in `Session.shown`
MAX_CRISIS_MARKS = 20  # the latest signs kept on a session for staff follow-up


@dataclass(frozen=True)
class Env:
    """What the host passes in: the time, new ids, the operator's service data and
    what the channel can do.

    `ids(kind)` returns a new id of a kind: "session" for a new conversation,
    "reference" for the reference code of a submitted pre-aanmelding. `directory`
    holds the loket's contact and the shelters (never invented: operator data).
    `traits` are the channel's traits (`CHANNEL_TRAITS`): without "typed_commands"
    the help speaks of the page's buttons; without "chat_messages" an option that
    needs the loket to write back in the chat is not offered. `languages` are the
    (code, own name) of the languages the host speaks: the language chooser's
    buttons (without them, choosing another language is refused).
    """

    clock: Callable[[], datetime]
    ids: Callable[[str], str]
    directory: ServiceDirectory = field(default_factory=sample_directory)
    traits: frozenset[str] = ALL_TRAITS
    languages: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Sprint:
    session: Session
    events: tuple[Event, ...]

    @property
    def prompt(self) -> Prompt | None:
        """The open question after this turn (the last one asked), if any."""
        if self.session.pending is None:
            return None
        asked = [e.prompt for e in self.events if isinstance(e, QuestionAsked)]
        return asked[-1] if asked else None


class FlowMismatch(ValueError):
    """The session was started on another flow or flow version."""


def _token(seq: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    while True:
        seq, rest = divmod(seq, 36)
        out = digits[rest] + out
        if seq == 0:
            return out


class _Turn:
    """One turn: a working copy of the session plus the events so far."""

    def __init__(self, flow: Flow, session: Session, env: Env) -> None:
        self.flow, self.env, self.original = flow, env, session
        self.now = env.clock()
        self.today: date = self.now.date()
        self.locale = session.locale
        self.status = session.status
        self.answers: dict[str, Answer] = dict(session.answers)
        self.history: list[str] = list(session.history)
        self.shown: list[str] = list(session.shown)
        self.pending = session.pending
        self.seq = session.seq
        self.crisis = session.crisis
        self.crisis_marks = list(session.crisis_marks)
        self.summary_confirmed = session.summary_confirmed
        self.changing = session.changing
        self.submission = session.submission
        self.remembered: dict[str, JSON] = dict(session.remembered)
        self.events: list[Event] = []
        self.unchanged = False  # a rejected button: the session stays exactly as it was
        self.typed_text: str | None = None  # the text this turn, if the person typed one
        self.announce_change = False
        self.recommendation: Recommendation | None = None
        self.audience = "about" if flow.about_someone else "person"
        self.date_facts = DATE_FACTS | {
            n.question.fact
            for n in flow.questions
            if n.question and n.question.type == QuestionType.DATE
        }

    # --- results -------------------------------------------------------------------

    def session(self) -> Session:
        return Session(
            id=self.original.id,
            flow_id=self.original.flow_id,
            flow_version=self.original.flow_version,
            locale=self.locale,
            started_at=self.original.started_at,
            updated_at=self.now,
            status=self.status,
            answers=dict(self.answers),
            history=tuple(self.history),
            shown=tuple(self.shown),
            pending=self.pending,
            seq=self.seq,
            crisis=self.crisis,
            crisis_marks=tuple(self.crisis_marks),
            summary_confirmed=self.summary_confirmed,
            changing=self.changing,
            submission=self.submission,
            remembered=dict(self.remembered),
        )

    def sprint(self) -> Sprint:
        session = self.original if self.unchanged else self.session()
        return Sprint(session, tuple(self.events))

    def emit(self, event: Event) -> None:
        self.events.append(event)

    def say(self, kind: str, *texts: Text, node: str | None = None) -> None:
        self.emit(MessageCreated(tuple(texts), kind, node))

    # --- prompts -------------------------------------------------------------------

    def open(self, kind: PendingKind, node: str, **extra: Any) -> None:
        """Open a new prompt (a new token) and ask it."""
        self.seq += 1
        self.pending = Pending(kind, node, _token(self.seq), **extra)
        self.reprompt()

    def reprompt(self) -> None:
        if self.pending is None:
            if self.status != SessionStatus.ACTIVE:
                self.say("notice", Text(w.FINISHED))
            return
        self.emit(
            QuestionAsked(build_prompt(self.flow, self.session(), self.pending, self.env.traits))
        )

    def prompt(self) -> Prompt | None:
        if self.pending is None:
            return None
        return build_prompt(self.flow, self.session(), self.pending, self.env.traits)

    def operator_facts(self, facts: Mapping[str, JSON]) -> dict[str, JSON]:
        """Facts plus what flow texts may name from the operator's data."""
        return {**facts, "loket_contact": loket_contact(self.env.directory)}

    # --- walking the flow ----------------------------------------------------------

    def typed(self, facts: Mapping[str, JSON]) -> dict[str, JSON]:
        out = dict(facts)
        for name in self.date_facts:
            value = out.get(name)
            if isinstance(value, str):
                try:
                    out[name] = date.fromisoformat(value)
                except ValueError:
                    out[name] = value
        return out

    def next_node(self, node: Node, facts: Mapping[str, JSON]) -> str:
        typed = self.typed(facts)
        for exit_ in node.exits:
            if exit_.when is None or evaluate(exit_.when, typed, self.today):
                return exit_.to
        raise RuntimeError(f"node {node.id!r} has no exit that holds")  # the loader forbids it

    def walk(self) -> None:
        """From the start, along the answers, to the first node that needs input."""
        facts: dict[str, JSON] = {}
        path: list[str] = []
        node_id = self.flow.start
        for _ in range(len(self.flow.nodes) + 1):
            node = self.flow.nodes[node_id]
            path.append(node_id)
            if node.say and node_id not in self.shown:
                known = self.operator_facts(facts)
                lines = [fill(text, known) for text in (node.say, *node.say_more)]
                if node_id == self.flow.start and not self.flow.entry:
                    typed = "typed_commands" in self.env.traits
                    lines.append(Text(w.HOW_TO_TYPED if typed else w.HOW_TO_BUTTONS))
                self.say("say", *lines, node=node_id)
                self.shown.append(node_id)
            if node.question is not None:
                answer = self.answers.get(node_id)
                if answer is None and self.fill_remembered(node_id):
                    answer = self.answers[node_id]
                if answer is None:
                    if self.announce_change:
                        self.say("notice", Text(w.ANSWER_CHANGED), node=node_id)
                        self.announce_change = False
                    self.open(PendingKind.QUESTION, node_id)
                    return
                facts.update(answer.facts)
            elif node.action == Action.SUMMARY and not self.summary_confirmed:
                self.prune(path)
                self.show_summary(node_id, path, facts)
                return
            elif node.action == Action.SUBMIT and self.submission is None:
                self.prune(path)
                self.submit(node_id, facts)
            elif node.action == Action.RESULT and f"{node_id}{_RESULT_SHOWN}" not in self.shown:
                self.show_result(node, facts)
                self.shown.append(f"{node_id}{_RESULT_SHOWN}")
            elif node.action == Action.END:
                self.end(node_id)
                return
            elif node.action == Action.BEGIN:
                self.begin(node_id, facts)
                return
            node_id = self.next_node(node, facts)
        raise RuntimeError("the flow goes round in a circle")  # the loader forbids it

    def fill_remembered(self, node_id: str) -> bool:
        """The typist's own detail from last time, recorded as if typed again."""
        question = self.flow.nodes[node_id].question
        assert question is not None
        if not question.remember or question.fact not in self.remembered:
            return False
        value = self.remembered[question.fact]
        first = not any(
            (q := self.flow.nodes[n].question) is not None and q.remember for n in self.answers
        )
        if first:
            self.say("notice", Text(w.REMEMBERED), node=node_id)
        facts = answer_facts(question, value, self.today)
        self.answers[node_id] = Answer(value, AnswerStatus.GIVEN, facts)
        self.history.append(node_id)
        self.emit(AnswerRecorded(node_id, question.fact, value, AnswerStatus.GIVEN.value, False))
        return True

    def prune(self, path: list[str]) -> None:
        """Drop answers that are no longer on the path (after a change)."""
        off = [n for n in self.history if n not in path and n in self.answers]
        if off:
            for node_id in off:
                del self.answers[node_id]
            self.history = [n for n in self.history if n not in off]
            self.emit(AnswersCleared(tuple(off), "off_path"))

    def show_summary(self, node_id: str, path: list[str], facts: dict[str, JSON]) -> None:
        items = summary_items(self.flow, path, self.answers)
        profile, _, _ = self.split_facts(facts, path)
        preview = recommend(profile, self.today, crisis=self.crisis, audience=self.audience)
        self.emit(SummaryShown(node_id, tuple(items), preview))
        lines = [Text(w.SUMMARY_LINE, {"label": i.label, "answer": i.answer}) for i in items]
        self.say("summary", Text(w.SUMMARY_INTRO), *lines, node=node_id)
        self.open(PendingKind.SUMMARY, node_id)

    def split_facts(
        self, facts: Mapping[str, JSON], path: list[str]
    ) -> tuple[ScreeningProfile, dict[str, JSON], dict[str, str]]:
        profile = parse_profile({k: v for k, v in facts.items() if k in PROFILE_FACTS})
        local = {k: v for k, v in facts.items() if k not in PROFILE_FACTS}
        skipped: dict[str, str] = {}
        for node_id in path:
            answer = self.answers.get(node_id)
            question = self.flow.nodes[node_id].question
            if answer is not None and question is not None and answer.status != AnswerStatus.GIVEN:
                skipped[question.fact] = answer.status.value
        return profile, local, skipped

    def submit(self, node_id: str, facts: dict[str, JSON]) -> None:
        path = [n for n in self.history if n in self.answers]
        profile, local, skipped = self.split_facts(facts, path)
        self.recommendation = recommend(
            profile, self.today, crisis=self.crisis, audience=self.audience
        )
        reference = self.env.ids("reference")
        self.submission = Submission(reference, self.today, self.now)
        self.emit(
            IntakeSubmitted(
                node=node_id,
                reference=reference,
                flow_id=self.flow.id,
                flow_version=self.flow.version,
                profile=profile,
                local_facts=local,
                skipped=skipped,
                recommendation=self.recommendation,
                crisis=self.crisis,
                submitted_at=self.now,
                crisis_marks=tuple(self.crisis_marks),
            )
        )

    def show_result(self, node: Node, facts: dict[str, JSON]) -> None:
        if self.submission is None:
            return  # a result node before any submission shows nothing
        if self.recommendation is None:
            profile, _, _ = self.split_facts(facts, list(self.history))
            self.recommendation = recommend(
                profile, self.submission.on, crisis=self.crisis, audience=self.audience
            )
        messages = result_messages(
            self.recommendation,
            self.submission.reference,
            node.audience,
            self.env.directory,
            self.submission.on,
        )
        for lines in messages:
            self.say("result", *lines, node=node.id)

    def end(self, node_id: str) -> None:
        self.status = SessionStatus.FINISHED
        self.pending = None
        self.changing = None
        if self.submission is None and self.answers:
            # Nothing was submitted (e.g. no consent): keep no answers.
            self.emit(AnswersCleared(tuple(self.history), "ended_without_submission"))
            self.answers.clear()
            self.history.clear()
        self.emit(SessionEnded(node_id, submitted=self.submission is not None))

    def begin(self, node_id: str, facts: Mapping[str, JSON]) -> None:
        """The entry flow is done: the host starts the flow chosen at its question."""
        chooser = next(n for n in self.flow.questions if n.question and n.question.options_from)
        assert chooser.question is not None
        self.status = SessionStatus.FINISHED
        self.pending = None
        self.emit(FlowChosen(node_id, str(facts[chooser.question.fact])))

    # --- the language chooser ------------------------------------------------------

    def open_languages(self) -> None:
        """Open the language chooser; its answer comes back to the open prompt."""
        pending = self.pending
        assert pending is not None
        if not self.env.languages:
            self.reject(pending.node, "not_a_choice", Text(w.REJECT_NOT_A_CHOICE), None)
            return
        resume = pending.resume if pending.kind == PendingKind.LANGUAGE else pending
        self.open(PendingKind.LANGUAGE, pending.node, resume=resume, choices=self.env.languages)

    def choose_language(self, code: str) -> None:
        pending = self.pending
        assert pending is not None
        self.pending = pending.resume
        self.locale = code
        self.emit(LanguageChanged(code))
        self.reprompt()

    def language(self, locale: str) -> None:
        """'/taal en': that language, when the host speaks it (or any, when the host
        names none); a language without a catalog gets at least the crisis text in it."""
        code = locale.replace("-", "_").split("_")[0].lower()
        spoken = {c for c, _ in self.env.languages}
        if spoken and locale not in spoken:
            if code in spoken:
                locale = code
            else:
                if code in FALLBACK_LANGUAGES:
                    self.say("notice", *fallback_texts(code))
                self.reprompt()
                return
        self.locale = locale
        self.emit(LanguageChanged(locale))
        self.reprompt()

    def language_text(self, text: str) -> None:
        """A typed answer to the language chooser: a language's code or own name."""
        pending = self.pending
        assert pending is not None
        typed = fold(text)
        for code, name in pending.choices:
            if typed in (code, fold(name)):
                self.choose_language(code)
                return
        self.reject(pending.node, "not_a_choice", Text(w.REJECT_NOT_A_CHOICE), None)

    # --- answers -------------------------------------------------------------------

    def record(self, node_id: str, value: JSON, status: AnswerStatus) -> None:
        question = self.flow.nodes[node_id].question
        assert question is not None
        facts = answer_facts(question, value, self.today) if status == AnswerStatus.GIVEN else {}
        old = self.answers.get(node_id)
        self.answers[node_id] = Answer(value, status, facts)
        self.history = [n for n in self.history if n != node_id] + [node_id]
        self.emit(AnswerRecorded(node_id, question.fact, value, status.value, old is not None))
        if old is not None and (old.value, old.status) != (value, status):
            changed = set(old.facts) | set(facts) | {question.fact}
            dependents = tuple(
                n
                for n in self.history
                if n != node_id and set(self.flow.nodes[n].depends_on) & changed
            )
            for dependent in dependents:
                del self.answers[dependent]
            self.history = [n for n in self.history if n not in dependents]
            if dependents:
                self.emit(AnswersCleared(dependents, "depends_on"))
        if self.changing is not None:
            self.changing = None
            self.announce_change = True
        self.pending = None
        self.walk()
        self.announce_change = False

    def reject(self, node: str, code: str, reason: Text, example: Text | None) -> None:
        self.emit(AnswerRejected(node, code))
        if (
            self.typed_text is not None
            and (other := fallback_language(self.typed_text)) is not None
        ):
            # Written in a language the bot cannot speak yet: at least the numbers in it.
            self.say("notice", *fallback_texts(other), node=node)
        lines = [reason] + ([Text(w.EXAMPLE, {"example": example})] if example else [])
        self.say("correction", *lines, node=node)
        self.reprompt()

    def skip(self, node_id: str, status: AnswerStatus) -> None:
        question = self.flow.nodes[node_id].question
        assert question is not None
        if question.required:
            self.reject(node_id, "required", Text(w.REJECT_REQUIRED), example_for(question))
        else:
            self.record(node_id, None, status)

    # --- input: buttons ------------------------------------------------------------

    def choose(self, option: str) -> None:
        """A valid option of the open prompt (typed as its number, or a button)."""
        pending = self.pending
        assert pending is not None
        if pending.kind in (PendingKind.CONFIRM_STOP, PendingKind.CONFIRM_RESTART):
            if option == p.YES:
                self.stop() if pending.kind == PendingKind.CONFIRM_STOP else self.restart()
            else:
                self.pending = pending.resume
                self.say("notice", Text(w.STOP_CANCELLED))
                self.reprompt()
            return
        if pending.kind == PendingKind.LANGUAGE:
            self.choose_language(option)
            return
        if option == p.LANGUAGE:
            self.open_languages()
            return
        if pending.kind == PendingKind.CONFIRM_PLACE:
            if option == p.YES:
                self.record(pending.node, pending.place, AnswerStatus.GIVEN)
            else:
                self.say("notice", Text(w.PLACE_AGAIN), node=pending.node)
                self.open(PendingKind.QUESTION, pending.node)
            return
        if pending.kind == PendingKind.SUMMARY:
            node = p.changed_node(option)
            if node is None:  # submit
                self.summary_confirmed = True
                self.pending = None
                self.walk()
            else:
                self.start_change(node)
            return
        question = self.flow.nodes[pending.node].question
        assert question is not None
        if option in (p.DONT_KNOW, p.RATHER_NOT_SAY):
            status = (
                AnswerStatus.DONT_KNOW if option == p.DONT_KNOW else AnswerStatus.RATHER_NOT_SAY
            )
            self.skip(pending.node, status)
        elif question.type == QuestionType.YES_NO:
            self.record(pending.node, option == p.YES, AnswerStatus.GIVEN)
        elif question.type == QuestionType.MULTIPLE_CHOICE:
            self.tick(option)
        else:
            self.record(pending.node, option, AnswerStatus.GIVEN)

    def tick(self, option: str) -> None:
        pending = self.pending
        assert pending is not None
        question = self.flow.nodes[pending.node].question
        assert question is not None
        if option == p.NONE:
            self.record(pending.node, [], AnswerStatus.GIVEN)
        elif option == p.DONE:
            if not pending.selection:
                self.reject(pending.node, "none_chosen", Text(w.REJECT_NONE_CHOSEN), None)
            else:
                self.record(
                    pending.node, ordered_choice(question, pending.selection), AnswerStatus.GIVEN
                )
        else:
            selection = sorted(set(pending.selection) ^ {option})
            self.pending = Pending(
                pending.kind,
                pending.node,
                pending.token,
                tuple(ordered_choice(question, selection)),
            )
            self.reprompt()

    def start_change(self, node_id: str) -> None:
        answer = self.answers[node_id]
        self.changing = node_id
        self.say(
            "notice",
            Text(w.CHANGE_ANSWER, {"answer": answer_text(self.flow, node_id, answer)}),
            node=node_id,
        )
        self.open(PendingKind.QUESTION, node_id)

    def button(self, token: str, option: str) -> bool:
        """Check a button against the open prompt; False (and an event) when it does not fit."""
        prompt = self.prompt()
        if prompt is None:
            reason = "no_prompt"
        elif token != prompt.token:
            reason = "stale_token"
        elif prompt.option(option) is None:
            reason = "unknown_option"
        else:
            return True
        self.refuse(token, option, reason)
        return False

    def refuse(self, token: str, option: str, reason: str) -> None:
        """A button that does not belong here: say so, ask again, change nothing."""
        self.emit(ChoiceRejected(token, option, reason))
        if self.pending is None:
            self.say("correction", Text(w.FINISHED))
        else:
            self.say("correction", Text(w.REJECT_STALE_CHOICE))
            self.reprompt()
        self.unchanged = True

    def selection(self, inp: SelectionInput) -> None:
        prompt = self.prompt()
        pending = self.pending
        if prompt is None or pending is None or not prompt.multiple:
            self.refuse(inp.token, ",".join(inp.options), "not_multiple_choice")
            return
        for option in inp.options or (p.NONE,):
            if not self.button(inp.token, option):
                return
        question = self.flow.nodes[pending.node].question
        assert question is not None
        if p.DONT_KNOW in inp.options:
            self.skip(pending.node, AnswerStatus.DONT_KNOW)
        elif p.RATHER_NOT_SAY in inp.options:
            self.skip(pending.node, AnswerStatus.RATHER_NOT_SAY)
        else:
            self.record(pending.node, ordered_choice(question, inp.options), AnswerStatus.GIVEN)

    # --- input: text ---------------------------------------------------------------

    def pick_number(self, text: str) -> str | None:
        """The option a typed number points at (1 = the first option), or None."""
        stripped = text.strip().rstrip(".)")
        prompt = self.prompt()
        if not stripped.isdigit() or prompt is None or len(stripped) > 3:
            return None
        index = int(stripped) - 1
        return prompt.options[index].id if 0 <= index < len(prompt.options) else None

    def text(self, text: str) -> None:
        pending = self.pending
        if pending is None:
            self.say("notice", Text(w.FINISHED))
            return
        if pending.kind == PendingKind.QUESTION:
            self.answer_text(pending.node, text)
            return
        picked = self.pick_number(text)
        if picked is not None:
            self.choose(picked)
            return
        if pending.kind == PendingKind.SUMMARY:
            self.summary_text(text)
            return
        if pending.kind == PendingKind.LANGUAGE:
            self.language_text(text)
            return
        yes = typed_yes_no(text, self.locale)
        if yes is not None:
            self.choose(p.YES if yes else p.NO)
        elif pending.kind == PendingKind.CONFIRM_PLACE:
            self.pending = Pending(PendingKind.QUESTION, pending.node, pending.token)
            self.answer_text(pending.node, text)  # another name typed straight away
        else:
            self.reject(
                pending.node, "not_yes_no", Text(w.REJECT_NOT_YES_NO), Text(w.EXAMPLE_YES_NO)
            )

    def summary_text(self, text: str) -> None:
        pending = self.pending
        assert pending is not None
        prompt = self.prompt()
        assert prompt is not None
        if typed_yes_no(text, self.locale) is True or fold(text) in {
            "versturen",
            "verstuur",
            "send",
            "submit",
        }:
            self.choose(p.SUBMIT)
            return
        labels = []
        for option in prompt.options:
            node_id = p.changed_node(option.id)
            question = self.flow.nodes[node_id].question if node_id else None
            if node_id and question is not None:
                labels.append(Option(node_id, question.label))
        found = match_option(labels, text)
        if found is not None:
            self.choose(p.change_option(found.id))
            return
        self.reject(
            pending.node, "not_a_choice", Text(w.REJECT_NOT_A_CHOICE), Text(w.EXAMPLE_CHOICE)
        )

    def answer_text(self, node_id: str, text: str) -> None:
        question = self.flow.nodes[node_id].question
        assert question is not None
        skip = parse_skip(text)
        if skip is not None:
            self.skip(node_id, skip)
            return
        if question.type != QuestionType.NUMBER:
            picked = self.pick_number(text)
            if picked is not None:
                self.choose(picked)
                return
        if question.type == QuestionType.MULTIPLE_CHOICE and self.multiple_text(node_id, text):
            return
        found = parse_text(question, text, self.today, self.locale)
        if isinstance(found, Accepted) and not self.offered(question, found.value):
            found = Rejected("not_a_choice", Text(w.REJECT_NOT_A_CHOICE))
        if isinstance(found, Accepted):
            self.record(node_id, found.value, AnswerStatus.GIVEN)
        elif isinstance(found, ConfirmPlace):
            self.open(
                PendingKind.CONFIRM_PLACE, node_id, place=found.place, known_place=found.known
            )
        else:
            assert isinstance(found, Rejected)
            self.reject(node_id, found.code, found.reason, example_for(question))

    def offered(self, question: Question, value: JSON) -> bool:
        """A typed answer names an option this channel offers (see `Option.requires`)."""
        option = question.option(value) if isinstance(value, str) else None
        return option is None or set(option.requires) <= self.env.traits

    def multiple_text(self, node_id: str, text: str) -> bool:
        """Numbers ("1, 3") or "klaar" for a multiple choice; False to read it as words."""
        pending = self.pending
        prompt = self.prompt()
        assert pending is not None and prompt is not None
        if fold(text) in DONE_WORDS and pending.selection:
            self.choose(p.DONE)
            return True
        parts = split_choices(text)
        if not parts or not all(part.rstrip(".)").isdigit() for part in parts):
            return False
        picked = [self.pick_number(part) for part in parts]
        if any(pick is None for pick in picked):
            question = self.flow.nodes[node_id].question
            assert question is not None
            self.reject(node_id, "not_a_choice", Text(w.REJECT_NOT_A_CHOICE), example_for(question))
            return True
        chosen = [pick for pick in picked if pick is not None]
        for special in (p.DONT_KNOW, p.RATHER_NOT_SAY, p.NONE):
            if special in chosen:
                self.choose(special)
                return True
        question = self.flow.nodes[node_id].question
        assert question is not None
        real = [c for c in chosen if c != p.DONE] or list(pending.selection)
        if not real:
            self.choose(p.DONE)
            return True
        self.record(node_id, ordered_choice(question, real), AnswerStatus.GIVEN)
        return True

    # --- input: commands -----------------------------------------------------------

    def command(self, command: Command) -> None:
        if command == Command.RESTART:
            self.confirm_restart()
        elif command == Command.HELP:
            self.help()
        elif command == Command.CRISIS:
            self.crisis_help("command", ())
        elif self.status != SessionStatus.ACTIVE or self.pending is None:
            self.say("notice", Text(w.FINISHED))
        elif command == Command.LANGUAGE:
            self.open_languages()
        elif command == Command.STOP:
            if self.pending.kind == PendingKind.CONFIRM_STOP:
                self.reprompt()
            else:
                self.open(PendingKind.CONFIRM_STOP, self.pending.node, resume=self.pending)
        else:
            self.back()

    def help(self) -> None:
        lines = []
        node = self.flow.nodes.get(self.pending.node) if self.pending else None
        if node is not None and node.question is not None and node.question.help:
            facts = facts_of(self.flow, self.answers, tuple(self.history))
            help_text = fill(node.question.help, self.operator_facts(facts))
            lines.append(Text(w.HELP_QUESTION, {"help": help_text}))
        lines.append(Text(w.HELP if "typed_commands" in self.env.traits else w.HELP_BUTTONS))
        self.say("help", *lines, node=self.pending.node if self.pending else None)
        self.reprompt()

    def back(self) -> None:
        pending = self.pending
        assert pending is not None
        if pending.kind in (PendingKind.CONFIRM_STOP, PendingKind.CONFIRM_RESTART):
            self.choose(p.NO)
            return
        if pending.kind == PendingKind.CONFIRM_PLACE:
            self.choose(p.NO)
            return
        if pending.kind == PendingKind.LANGUAGE:
            self.pending = pending.resume
            self.reprompt()
            return
        if self.changing is not None:
            self.changing = None
            self.pending = None
            self.walk()
            return
        if not self.history:
            self.say("notice", Text(w.BACK_FIRST))
            self.reprompt()
            return
        last = self.history.pop()
        del self.answers[last]
        question = self.flow.nodes[last].question
        if question is not None and question.remember:
            self.remembered.pop(question.fact, None)  # going back to it: ask it again
        self.emit(AnswersCleared((last,), "back"))
        self.say("notice", Text(w.BACK_DONE))
        self.pending = None
        self.walk()

    def stop(self) -> None:
        discarded = tuple(self.history)
        self.answers.clear()
        self.history.clear()
        self.pending = None
        self.changing = None
        self.summary_confirmed = False
        self.status = SessionStatus.STOPPED
        self.emit(SessionStopped(discarded))
        self.say("notice", Text(w.STOPPED))

    def confirm_restart(self) -> None:
        """'opnieuw' wipes every answer: asked first, as 'stop' is (nothing to lose
        before the first answer, or after the end: then at once)."""
        pending = self.pending
        if pending is None or not self.answers or self.status != SessionStatus.ACTIVE:
            self.restart()
        elif pending.kind in (PendingKind.CONFIRM_STOP, PendingKind.CONFIRM_RESTART):
            self.reprompt()
        else:
            self.open(PendingKind.CONFIRM_RESTART, pending.node, resume=pending)

    def restart(self) -> None:
        self.answers.clear()
        self.history.clear()
        self.shown.clear()
        self.pending = None
        self.changing = None
        self.summary_confirmed = False
        self.submission = None
        self.status = SessionStatus.ACTIVE
        self.emit(SessionRestarted())
        self.say("notice", Text(w.RESTARTED))
        self.walk()

    def crisis_help(
        self, source: str, categories: tuple[str, ...], languages: tuple[str, ...] = ()
    ) -> None:
        """The crisis answer for what was found, a mark for staff follow-up (which
        signs and when, not the words), and then the open question again."""
        self.crisis = True
        node = self.pending.node if self.pending else None
        self.crisis_marks.extend(
            CrisisMark(c, self.now, node, self.flow.id) for c in categories or (source,)
        )
        del self.crisis_marks[:-MAX_CRISIS_MARKS]
        self.emit(CrisisDetected(node, source, categories))
        cold = (
            cold_weather_lines(self.env.directory, self.region(), self.today)
            if "cold" in categories
            else ()
        )
        texts = crisis_texts(categories, languages, cold)
        self.say("crisis", *texts, node=node)
        if self.pending is not None:
            self.say("crisis", Text(w.CRISIS_CONTINUE), node=node)
            self.reprompt()

    def region(self) -> str | None:
        """The region of the place named so far, if any (for the places to sleep)."""
        place = facts_of(self.flow, self.answers, tuple(self.history)).get("municipality")
        found = region_data().resolve(place) if isinstance(place, str) else None
        return found.region if found else None

    # --- dispatch ------------------------------------------------------------------

    def handle(self, inp: Input) -> None:
        if isinstance(inp, TextInput):
            self.typed_text = inp.text
            hit = detect_crisis(inp.text)
            if hit is not None:
                self.crisis_help("text", hit.categories, hit.languages)
                return
            command = parse_command(inp.text)
            if command is not None:
                self.handle(command)
            elif self.status != SessionStatus.ACTIVE:
                self.say("notice", Text(w.FINISHED))
            else:
                self.text(inp.text)
        elif isinstance(inp, CommandInput):
            self.command(inp.command)
        elif isinstance(inp, LanguageInput):
            self.language(inp.locale)
        elif isinstance(inp, ChoiceInput):
            if self.button(inp.token, inp.option):
                self.choose(inp.option)
        else:
            self.selection(inp)


def start(
    flow: Flow, env: Env, *, locale: str = "nl", remembered: Mapping[str, JSON] | None = None
) -> Sprint:
    """A new conversation on a flow: the opening messages and the first question.

    `remembered`: the typist's own details from an earlier intake on this flow (fact
    -> value); only facts of `remember` questions are kept.
    """
    now = env.clock()
    keep = {n.question.fact for n in flow.questions if n.question and n.question.remember}
    session = Session(
        id=env.ids("session"),
        flow_id=flow.id,
        flow_version=flow.version,
        locale=locale,
        started_at=now,
        updated_at=now,
        remembered={k: v for k, v in (remembered or {}).items() if k in keep},
    )
    turn = _Turn(flow, session, env)
    turn.emit(SessionStarted(flow.id, flow.version, locale))
    turn.walk()
    return turn.sprint()


def resume(flow: Flow, session: Session, inp: Input, env: Env) -> Sprint:
    """One input to a conversation: the new session and the events of the turn."""
    if (session.flow_id, session.flow_version) != (flow.id, flow.version):
        raise FlowMismatch(
            f"session {session.id} runs on {session.flow_id} version {session.flow_version}, "
            f"not {flow.id} version {flow.version}"
        )
    turn = _Turn(flow, session, env)
    turn.handle(inp)
    return turn.sprint()
