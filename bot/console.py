"""The console channel: a flow in the terminal (`intake chat FLOW`).

Thin, like every channel: typed lines become engine inputs; `message_created` and
`question_asked` are rendered with `locales.render`. Nothing is stored.
"""

from __future__ import annotations

import json
import secrets
import sys
import uuid
from collections.abc import Callable, Iterable
from datetime import date, datetime

import click

from flows.engine import (
    Env,
    Event,
    Flow,
    LanguageChanged,
    MessageCreated,
    Prompt,
    QuestionAsked,
    Sprint,
    TextInput,
    event_to_json,
    resume,
    start,
)
from flows.engine.wording import EXAMPLE
from flows.service_directory import ServiceDirectory, sample_directory
from flows.texts import Text
from locales import render
from locales.languages import CHOICES

__all__ = ["ConsoleChannel", "render_prompt"]


def render_prompt(prompt: Prompt, locale: str) -> list[str]:
    """A prompt as terminal lines: the question, numbered options, an example."""
    lines = [render(prompt.text, locale)]
    for number, option in enumerate(prompt.options, start=1):
        tickable = prompt.multiple and not option.id.startswith("_")
        tick = ("[x] " if option.selected else "[ ] ") if tickable else ""
        lines.append(f"  {number}. {tick}{render(option.text, locale)}")
    if prompt.accepts_text and prompt.example is not None:
        lines.append("  (" + render(Text(EXAMPLE, {"example": prompt.example}), locale) + ")")
    return lines


class ConsoleChannel:
    def __init__(
        self,
        flow: Flow,
        *,
        locale: str = "nl",
        show_events: bool = False,
        today: date | None = None,
        read: Callable[[], str | None] | None = None,
        write: Callable[[str], None] = click.echo,
        directory: ServiceDirectory | None = None,
    ) -> None:
        self.flow = flow
        self.locale = locale
        self.show_events = show_events
        self.read = read or self._read_line
        self.write = write
        clock: Callable[[], datetime] = datetime.now
        if today is not None:
            clock = lambda: datetime.combine(today, datetime.now().time())  # noqa: E731
        # A terminal takes typed commands; nobody can write to it later.
        self.env = Env(
            clock=clock,
            ids=self._new_id,
            directory=directory or sample_directory(),
            traits=frozenset({"typed_commands"}),
            languages=CHOICES,
        )

    @staticmethod
    def _new_id(kind: str) -> str:
        if kind == "reference":
            return "PROEF-" + secrets.token_hex(3).upper()  # a try-out, never a real code
        return str(uuid.uuid4())

    @staticmethod
    def _read_line() -> str | None:
        try:
            return input("> ")
        except EOFError:
            return None

    def show(self, events: Iterable[Event]) -> None:
        for event in events:
            if self.show_events:
                click.echo(json.dumps(event_to_json(event), ensure_ascii=False), err=True)
            if isinstance(event, LanguageChanged):
                self.locale = event.locale
            elif isinstance(event, MessageCreated):
                for text in event.texts:
                    self.write(render(text, self.locale))
                self.write("")
            elif isinstance(event, QuestionAsked):
                for line in render_prompt(event.prompt, self.locale):
                    self.write(line)

    def run(self) -> Sprint:
        sprint = start(self.flow, self.env, locale=self.locale)
        self.show(sprint.events)
        while sprint.session.active:
            line = self.read()
            if line is None:
                sys.stdout.flush()
                break
            sprint = resume(self.flow, sprint.session, TextInput(line), self.env)
            self.show(sprint.events)
        return sprint
