"""Reference codes for pre-aanmeldingen that people can read aloud: `LH-7K3Q-9P`.

Six characters from an alphabet without the look-alikes 0/O and 1/I (32 symbols, so
about a billion codes); uniqueness is enforced by the database and a clash is retried.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable

__all__ = ["ALPHABET", "new_reference_code", "normalise_reference_code"]

ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"
_PATTERN = re.compile(rf"^LH([{ALPHABET}]{{4}})([{ALPHABET}]{{2}})$")


def new_reference_code(choice: Callable[[str], str] = secrets.choice) -> str:
    """A fresh random code, `LH-XXXX-XX`."""
    chars = "".join(choice(ALPHABET) for _ in range(6))
    return f"LH-{chars[:4]}-{chars[4:]}"


def normalise_reference_code(text: str) -> str | None:
    """The code as stored, from what a person typed or said (case, spaces and dashes
    do not matter), or None when it cannot be a reference code."""
    compact = re.sub(r"[\s\-]", "", text).upper()
    match = _PATTERN.match(compact)
    return f"LH-{match.group(1)}-{match.group(2)}" if match else None
