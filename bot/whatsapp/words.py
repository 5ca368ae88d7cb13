"""The words a person types in WhatsApp instead of a slash command.

The engine reads the dialogue's own words (help, terug, stop, crisis, taal, opnieuw:
`flows.engine.commands`); these are the channel's: the privacy notice, the copy of
one's data and erasure. Matched on the whole message, folded (case, accents and a
leading "/" do not matter), in Dutch and English, like the engine's words.
"""

from __future__ import annotations

from enum import StrEnum

from flows.engine.normalise import fold

__all__ = ["Word", "channel_word"]


class Word(StrEnum):
    PRIVACY = "privacy"
    COPY = "copy"  # the access copy (Telegram: /mijngegevens)
    ERASE = "erase"  # erase everything, after yes/no buttons (Telegram: /verwijder)


_WORDS: dict[str, Word] = {}
for _word, _texts in (
    (Word.PRIVACY, "privacy|privacyverklaring|privacy statement|privacy notice"),
    (
        Word.COPY,
        "mijn gegevens|mijngegevens|mijn data|gegevens inzien|my data|mydata|my details",
    ),
    (
        Word.ERASE,
        "verwijder|verwijderen|verwijder alles|wis alles|alles wissen|erase|delete|"
        "delete my data|erase my data",
    ),
):
    for _text in _texts.split("|"):
        _WORDS[fold(_text)] = _word


def channel_word(text: str) -> Word | None:
    """The channel word a whole message is, or None."""
    return _WORDS.get(fold(text))
