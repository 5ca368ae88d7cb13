"""The golden scenario files of tests/flows/scenarios, for every layer that replays
them: the engine, the conversation service and the channels."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml

from flows.engine.inputs import (
    ChoiceInput,
    Command,
    CommandInput,
    Input,
    LanguageInput,
    SelectionInput,
    TextInput,
)
from flows.engine.prompts import Prompt

SCENARIOS = Path(__file__).parent / "flows" / "scenarios"
# A scenario's engine commands as a person gives them in Telegram.
COMMAND_TEXT = {
    "back": "/terug",
    "help": "/help",
    "stop": "/stop",
    "crisis": "/hulp",
    "restart": "opnieuw",
}


@dataclass(frozen=True)
class Scenario:
    name: str
    flow: str
    now: datetime
    steps: tuple[Any, ...]
    product: str | None
    submits: bool


def load_scenarios() -> list[Scenario]:
    found = []
    for path in sorted(SCENARIOS.glob("*/*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        expect = data.get("expect") or {}
        golden = path.with_suffix(".golden.json").read_text(encoding="utf-8")
        found.append(
            Scenario(
                name=f"{path.parent.name}/{path.stem}",
                flow=data["flow"],
                now=datetime.fromisoformat(str(data["now"])),
                steps=tuple(data["inputs"]),
                product=expect.get("product"),
                submits='"intake_submitted"' in golden,
            )
        )
    return found


def step_input(step: Any, prompt: Prompt | None) -> Input:
    """A scenario step as an engine input; buttons use the open prompt's token."""
    if isinstance(step, str):
        return TextInput(step)
    ((kind, value),) = step.items()
    if kind == "command":
        return CommandInput(Command(value))
    if kind == "language":
        return LanguageInput(value)
    assert prompt is not None, f"no open question for {step}"
    if kind == "choice":
        return ChoiceInput(prompt.token, str(value))
    if kind == "select":
        return SelectionInput(prompt.token, tuple(value))
    raise AssertionError(f"unknown step {step!r}")
