"""Rendering the chat page: its templates (`webkit.templates`, with the messages
catalog: `_()` in the person's language, autoescaping on, nothing a person typed ever
marked safe), and the view of the open question (which buttons, boxes and fields its
forms get).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup, escape

from bot.web.wording import NOT_EMERGENCY
from flows.engine import prompts as p
from flows.engine import wording as w
from flows.engine.prompts import Prompt
from flows.texts import Text
from locales import render
from locales.languages import LANGUAGES, language
from webkit.templates import Templates

__all__ = [
    "TEMPLATES",
    "Choice",
    "Composer",
    "TextField",
    "composer",
    "page_direction",
    "render_template",
]

# Questions whose answer is usually typed: the text field comes before the buttons.
_TYPED_KINDS = {"text", "number", "date", "municipality", "phone", "email"}
_INPUT_MODE = {"number": "numeric", "phone": "tel", "email": "email"}
_AUTOCOMPLETE = {"phone": "tel", "email": "email"}
# Extra options of a multiple choice, shown as buttons next to the tick boxes.
_MULTI_BUTTONS = (p.NONE, p.DONT_KNOW, p.RATHER_NOT_SAY)
_LANGUAGE_WORD = "Language"  # the English word every language's "Andere taal" keeps
_PHONE = re.compile(r"(?<![\d-])(112|113|0800-\d{4})(?![\d-])")


@dataclass(frozen=True)
class Choice:
    id: str
    label: str
    secondary: bool = False  # "weet ik niet", "zeg ik liever niet", "geen van deze"
    selected: bool = False
    lang: str | None = None  # a language's own name: its own language and direction
    rtl: bool = False
    # "Andere taal (Language)": the label around the English word, which is marked
    # lang="en" (WCAG 3.1.2) on a page in any other language.
    english_word: tuple[str, str, str] | None = None


@dataclass(frozen=True)
class TextField:
    max_length: int
    example: str | None
    input_mode: str | None
    autocomplete: str
    multiline: bool


@dataclass(frozen=True)
class Composer:
    """The forms for the open question."""

    token: str
    question: str
    kind: str
    buttons: tuple[Choice, ...]  # each a submit button of one form
    checks: tuple[Choice, ...]  # tick boxes of a multiple choice
    done_label: str | None
    text: TextField | None
    text_first: bool
    commands: bool


def _english_word(label: str, locale: str) -> tuple[str, str, str] | None:
    """The label split around "Language", on a page that is not in English."""
    before, word, after = label.partition(_LANGUAGE_WORD)
    return (before, word, after) if word and locale != "en" else None


def composer(prompt: Prompt, locale: str, text_limit: int) -> Composer:
    question = render(prompt.text, locale)
    buttons: list[Choice] = []
    checks: list[Choice] = []
    done_label = None
    for option in prompt.options:
        label = render(option.text, locale)
        lang = language(option.id) if prompt.node == "_language" else None
        if prompt.multiple and option.id == p.DONE:
            done_label = label
        elif prompt.multiple and option.id not in _MULTI_BUTTONS:
            checks.append(Choice(option.id, label, selected=option.selected))
        else:
            secondary = option.id in _MULTI_BUTTONS or option.id == p.BACK_OPTION
            buttons.append(
                Choice(
                    option.id,
                    label,
                    secondary=secondary,
                    lang=lang.code if lang else None,
                    rtl=bool(lang and lang.rtl),
                    english_word=_english_word(label, locale) if option.id == p.LANGUAGE else None,
                )
            )
    field = None
    if prompt.accepts_text:
        example = None
        if prompt.example is not None:
            example = render(Text(w.EXAMPLE, {"example": prompt.example}), locale)
        max_length = min(prompt.max_length or text_limit, text_limit)
        field = TextField(
            max_length=max_length,
            example=example,
            input_mode=_INPUT_MODE.get(prompt.kind),
            autocomplete=_AUTOCOMPLETE.get(prompt.kind, "off"),
            multiline=prompt.kind == "text" and max_length > 100,
        )
    return Composer(
        token=prompt.token,
        question=question,
        kind=prompt.kind,
        buttons=tuple(buttons),
        checks=tuple(checks),
        done_label=done_label,
        text=field,
        text_first=prompt.kind in _TYPED_KINDS,
        commands=not prompt.entry,  # before any flow: nothing to go back to or stop
    )


def page_direction(locale: str) -> str:
    lang = language(locale)
    return "rtl" if lang is not None and lang.rtl else "ltr"


def phone_links(text: str) -> Markup:
    """The text, escaped, with the crisis numbers as links that dial them."""

    def link(match: re.Match[str]) -> str:
        number = match.group(1)
        return f'<a href="tel:{number.replace("-", "")}">{number}</a>'

    # `escape` made the text safe; the pattern only matches digits and dashes.
    return Markup(_PHONE.sub(link, str(escape(text))))  # noqa: S704


def emergency_lines(locale: str) -> tuple[str, ...]:
    """Always on the page: this is not an emergency service, and whom to call."""
    return tuple(
        render(Text(msgid), locale)
        for msgid in (NOT_EMERGENCY, w.CRISIS_113, w.CRISIS_VEILIG_THUIS)
    )


def _page_globals(env: Environment, locale: str) -> None:
    env.filters["phone_links"] = phone_links
    env.globals.update(
        locale=locale,
        direction=page_direction(locale),
        languages=LANGUAGES,
        emergency=emergency_lines(locale),
    )


TEMPLATES = Templates(Path(__file__).resolve().parent / "templates", setup=_page_globals)


def render_template(name: str, locale: str, **context: Any) -> str:
    return TEMPLATES.render(name, locale, **context)
