"""A question as a channel renders it: text, buttons, and what may be typed.

A channel shows `text`, then one button per option (Telegram: callback data from
`inputs.callback_data(prompt.token, option.id)`), and a text field when
`accepts_text`. Typed numbers pick an option by its place in `options` (1 = first).
For a multiple choice, each button ticks or unticks an option (`selected`) and the
`_done` option sends the answer; a web form may send all ticked ids at once
(`SelectionInput`).
"""

from __future__ import annotations

from dataclasses import dataclass

from flows.texts import Text

__all__ = [
    "BACK_OPTION",
    "DONE",
    "DONT_KNOW",
    "LANGUAGE",
    "LANGUAGE_NODE",
    "NO",
    "NONE",
    "RATHER_NOT_SAY",
    "SUBMIT",
    "YES",
    "Prompt",
    "PromptOption",
    "change_option",
    "changed_node",
]

# Option ids the engine adds; flow option ids never start with "_".
DONT_KNOW = "_dont_know"
RATHER_NOT_SAY = "_rather_not_say"
DONE = "_done"
NONE = "_none"
YES = "yes"  # also the option ids of a yes/no question
NO = "no"
SUBMIT = "_submit"
BACK_OPTION = "_back"
LANGUAGE = "_language"  # "Andere taal": opens the language chooser
LANGUAGE_NODE = "_language"  # the node of the language chooser's prompt
_CHANGE = "_change:"


def change_option(node: str) -> str:
    return f"{_CHANGE}{node}"


def changed_node(option: str) -> str | None:
    return option[len(_CHANGE) :] if option.startswith(_CHANGE) else None


@dataclass(frozen=True)
class PromptOption:
    id: str
    text: Text
    selected: bool = False


@dataclass(frozen=True)
class Prompt:
    token: str  # changes with every new prompt; buttons carry it
    node: str
    kind: str  # a question type, or confirm_place, confirm_stop, summary
    text: Text
    options: tuple[PromptOption, ...]
    accepts_text: bool  # show a text field (typing an option's number always works)
    multiple: bool = False
    example: Text | None = None
    max_length: int | None = None
    # A prompt of the entry flow (before any intake): nothing to go back to or stop.
    entry: bool = False

    def option(self, option_id: str) -> PromptOption | None:
        return next((o for o in self.options if o.id == option_id), None)
