"""No text offers to call, mail or contact the loket without the loket's configured
phone and e-mail (operator data), and the contact shown is the configured one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from flows.service_directory import parse_directory
from flows.service_texts import loket_contact
from locales import render
from tests.factories.service_data import REAL, SHELTERS

TEMPLATES = [Path("locales/messages.pot"), Path("locales/loket.pot")]
# A person is told to call, mail or contact the loket (not: the loket contacts them).
ASKS_TO_CONTACT = [
    re.compile(r"\bneem\w*\b[^.?!]*\bcontact\b[^.?!]*\bmet het loket\b", re.I),
    re.compile(r"\b(bel|mail)\b[^.?!]*\bhet loket\b", re.I),
    re.compile(r"\bhet loket (bellen|mailen)\b", re.I),
    re.compile(r"\bje het loket (belt|mailt)\b", re.I),
    re.compile(r"\bcontact hebt met het loket\b", re.I),
]


def _messages() -> list[str]:
    out: list[str] = []
    for path in TEMPLATES:
        with path.open("rb") as handle:
            for message in read_po(handle):
                ids = message.id if isinstance(message.id, tuple) else (message.id,)
                out += [i for i in ids if i]
    return out


def test_the_patterns_find_what_they_should() -> None:
    assert any(p.search("Bel of mail het loket voor meer informatie.") for p in ASKS_TO_CONTACT)
    assert any(p.search("Neem dan contact op met het loket.") for p in ASKS_TO_CONTACT)
    assert not any(p.search("Het loket belt je op het nummer.") for p in ASKS_TO_CONTACT)


def test_every_text_that_asks_to_contact_the_loket_shows_the_contact() -> None:
    asking = [m for m in _messages() if any(p.search(m) for p in ASKS_TO_CONTACT)]
    assert asking, "the check must find the texts it is about"
    missing = [m for m in asking if "{loket_contact}" not in m]
    assert missing == []


@pytest.mark.parametrize("locale", ["nl", "en", "ar"])
def test_the_contact_is_the_configured_one(locale: str) -> None:
    directory = parse_directory(REAL % SHELTERS, "services.yaml")
    text = render(loket_contact(directory), locale)
    assert "045 123 4567" in text and "loket@example.org" in text and "09:00" in text
