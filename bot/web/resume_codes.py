"""Resume codes: eight characters a person can write down or read aloud, to go on
with a chat in another browser (`ABCD-EFGH`).

The alphabet is the reference codes' one: no 0/O or 1/I (32 symbols, so 2^40 codes).
A chat's code is derived from its server-side id with SECRET_KEY, so it is never
stored; the database keeps only `resume_key`, a keyed hash of the code, to find the
chat. Without SECRET_KEY neither can be turned back into the other.
"""

from __future__ import annotations

import hashlib
import hmac
import re

from storage.reference_codes import ALPHABET

__all__ = ["CODE_LENGTH", "display_code", "normalise_code", "resume_code", "resume_key"]

CODE_LENGTH = 8
_PATTERN = re.compile(rf"^[{ALPHABET}]{{{CODE_LENGTH}}}$")


def resume_code(secret_key: str, chat_id: str, attempt: int = 0) -> str:
    """The code of a chat (`attempt` picks another one after a rare clash)."""
    message = f"web-resume-code\x1f{chat_id}\x1f{attempt}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    number = int.from_bytes(digest[:5], "big")  # 40 bits: 8 symbols of 5 bits
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in range(CODE_LENGTH))


def display_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def normalise_code(text: str) -> str | None:
    """The code from what a person typed (case, spaces and dashes do not matter), or
    None when it cannot be a code."""
    compact = re.sub(r"[\s\-.]", "", text).upper()
    return compact if _PATTERN.match(compact) else None


def resume_key(secret_key: str, code: str) -> str:
    """The keyed hash under which the database finds a chat by its code."""
    message = f"web-resume-key\x1f{code}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()
