"""Short codes a person can write down or read aloud: eight symbols from the reference
codes' alphabet (no 0/O or 1/I: 32 symbols, so 2^40 codes), shown as `ABCD-EFGH`.

The web chat's resume codes (`bot.web.resume_codes`) and the hand-off codes that
Telegram sends (`intake.handoff`) are both such codes, so the web chat's one code form
takes either. The database keeps only a keyed hash of a code (`code_key`), under a
purpose of its own, so a code of one kind never finds a row of the other.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from storage.reference_codes import ALPHABET

__all__ = ["CODE_LENGTH", "code_key", "display_code", "normalise_code", "random_code"]

CODE_LENGTH = 8
_PATTERN = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")


def random_code() -> str:
    return "".join(secrets.choice(ALPHABET) for _ in range(CODE_LENGTH))


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def normalise_code(text: str) -> str | None:
    """The code from what a person typed (case, spaces and dashes do not matter), or
    None when it cannot be a code."""
    compact = re.sub(r"[\s\-.]", "", text).upper()
    return compact if _PATTERN.match(compact) else None


def code_key(secret_key: str, purpose: str, code: str) -> str:
    """The keyed hash under which the database finds what a code stands for."""
    message = f"{purpose}\x1f{code}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()
