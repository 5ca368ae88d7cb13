"""Translatable texts as plain data.

The core never translates: it returns `Text` values (a gettext message id in plain
Dutch, optional plural, and named parameters). The host renders them in the person's
language with `locales`. `N_` marks a literal for extraction without translating it.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Union

__all__ = ["NP_", "N_", "Param", "Text", "placeholders"]

Param = Union["Text", str, int, date]


def N_(message: str) -> str:
    """Mark a message id for extraction; returns it unchanged."""
    return message


def NP_(singular: str, plural: str) -> tuple[str, str]:
    """Mark a message with a plural form for extraction (`Text(s, ..., plural=p)`)."""
    return singular, plural


@dataclass(frozen=True)
class Text:
    """A sentence to show a person: message id, optional plural form, parameters.

    `count` names the parameter that chooses the plural form.
    """

    msgid: str
    params: Mapping[str, Param] = field(default_factory=dict)
    plural: str | None = None
    count: str | None = None

    def __post_init__(self) -> None:
        missing = placeholders(self.msgid) - set(self.params)
        if missing:
            raise ValueError(f"text {self.msgid!r} lacks parameters {sorted(missing)}")
        if self.plural is not None and (self.count is None or self.count not in self.params):
            raise ValueError(f"plural text {self.msgid!r} needs a count parameter")


def placeholders(message: str) -> set[str]:
    """The names of the `{name}` placeholders in a message."""
    return {name for _, name, _, _ in string.Formatter().parse(message) if name}
