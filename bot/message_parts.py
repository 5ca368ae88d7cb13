"""Splitting a long text into messages a chat app accepts (Telegram, WhatsApp): at a
blank line, a line end or a space where possible, else anywhere. Each channel says how
it counts a text's length (Telegram: UTF-16 units; WhatsApp: characters)."""

from __future__ import annotations

from collections.abc import Callable

__all__ = ["split_text"]


def split_text(
    text: str,
    limit: int,
    *,
    length: Callable[[str], int] = len,
    fits: Callable[[str, int], int] | None = None,
) -> list[str]:
    """Parts of at most `limit` by `length`; `fits(text, limit)`: how many characters
    of `text` stay within `limit` (default: `limit` itself, one unit per character)."""
    parts: list[str] = []
    rest = text
    while length(rest) > limit:
        end = fits(rest, limit) if fits is not None else limit
        window = rest[:end]
        cut = -1
        for separator in ("\n\n", "\n", " "):
            cut = window.rfind(separator)
            if cut > 0:
                break
        if cut <= 0:
            cut = end
        part = rest[:cut].rstrip()
        if part:
            parts.append(part)
        rest = rest[cut:].lstrip()
    if rest.strip() or not parts:
        parts.append(rest)
    return parts
