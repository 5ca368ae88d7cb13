"""The engine in tests: a fixed clock and counting ids (`make_env`), one conversation
driven input by input (`Chat`), and a session waiting at every question of every flow
(from the golden scenarios)."""

from __future__ import annotations

import itertools
from datetime import datetime
from functools import cache
from typing import Any

import yaml

from flows.engine import (
    ChoiceInput,
    Command,
    CommandInput,
    Env,
    Event,
    Flow,
    Input,
    LanguageInput,
    MessageCreated,
    Prompt,
    QuestionAsked,
    SelectionInput,
    Session,
    Sprint,
    TextInput,
    flow_library,
    resume,
    start,
)
from flows.engine.session import PendingKind
from locales import render
from tests.scenario_files import SCENARIOS

NOW = datetime(2025, 6, 2, 10, 30)


def make_env(now: datetime = NOW) -> Env:
    counter = itertools.count(1)
    return Env(clock=lambda: now, ids=lambda kind: f"{kind}-{next(counter)}")


class Chat:
    """One conversation; every call sends one input and keeps the new sprint."""

    def __init__(self, flow: Flow | str, now: datetime = NOW, locale: str = "nl") -> None:
        self.flow = flow_library().current(flow) if isinstance(flow, str) else flow
        self.env = make_env(now)
        self.sprint = start(self.flow, self.env, locale=locale)
        self.events: list[Event] = list(self.sprint.events)
        self.prompt: Prompt | None = self.sprint.prompt

    @property
    def session(self) -> Session:
        return self.sprint.session

    def send(self, inp: Input) -> Sprint:
        self.sprint = resume(self.flow, self.session, inp, self.env)
        self.events.extend(self.sprint.events)
        if self.sprint.prompt is not None or self.session.pending is None:
            self.prompt = self.sprint.prompt
        return self.sprint

    def say(self, text: str) -> Sprint:
        return self.send(TextInput(text))

    def press(self, option: str) -> Sprint:
        assert self.prompt is not None, "no open question"
        ids = [o.id for o in self.prompt.options]
        assert option in ids, f"{option!r} is not an option of {self.prompt.node}: {ids}"
        return self.send(ChoiceInput(self.prompt.token, option))

    def select(self, options: list[str]) -> Sprint:
        assert self.prompt is not None
        return self.send(SelectionInput(self.prompt.token, tuple(options)))

    def command(self, name: str) -> Sprint:
        return self.send(CommandInput(Command(name)))

    def step(self, step: Any) -> Sprint:
        """One scenario step: a text, or {choice|select|command|language: ...}."""
        if isinstance(step, str):
            return self.say(step)
        ((kind, value),) = step.items()
        if kind == "choice":
            return self.press(str(value))
        if kind == "select":
            return self.select(list(value))
        if kind == "command":
            return self.command(value)
        if kind == "language":
            return self.send(LanguageInput(value))
        raise ValueError(f"unknown scenario step {step!r}")

    def lines(self, sprint: Sprint | None = None) -> list[str]:
        """The rendered (Dutch) messages and question texts of a sprint."""
        out = []
        for event in (sprint or self.sprint).events:
            if isinstance(event, MessageCreated):
                out.extend(render(t) for t in event.texts)
            elif isinstance(event, QuestionAsked):
                out.append(render(event.prompt.text))
        return out

    def of(self, kind: type[Event], sprint: Sprint | None = None) -> list[Any]:
        return [e for e in (sprint or self.sprint).events if isinstance(e, kind)]


@cache
def sessions_at_every_question() -> list[tuple[str, str, Session]]:
    """(flow, node, session) for each question of each flow, from the scenarios."""
    found: dict[tuple[str, str], Session] = {}
    for path in sorted(SCENARIOS.glob("*/*.yaml")):
        spec = yaml.safe_load(path.read_text(encoding="utf-8"))
        chat = Chat(spec["flow"], now=datetime.fromisoformat(str(spec["now"])))
        for step in [None, *spec["inputs"]]:
            if step is not None:
                chat.step(step)
            pending = chat.session.pending
            if pending is not None and pending.kind == PendingKind.QUESTION:
                found.setdefault((chat.flow.id, pending.node), chat.session)
    return [(flow, node, session) for (flow, node), session in sorted(found.items())]
