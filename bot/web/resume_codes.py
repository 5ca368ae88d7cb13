"""Resume codes: a short code (`intake.short_codes`, `ABCD-EFGH`) to go on with a chat in
another browser.

A chat's code is derived from its server-side id with SECRET_KEY, so it is never
stored; the database keeps only `resume_key`, a keyed hash of the code, to find the
chat. Without SECRET_KEY neither can be turned back into the other.
"""

from __future__ import annotations

import hashlib
import hmac

from intake.short_codes import CODE_LENGTH, code_key
from storage.reference_codes import ALPHABET

__all__ = ["resume_code", "resume_key"]


def resume_code(secret_key: str, chat_id: str, attempt: int = 0) -> str:
    """The code of a chat (`attempt` picks another one after a rare clash)."""
    message = f"web-resume-code\x1f{chat_id}\x1f{attempt}".encode()
    digest = hmac.new(secret_key.encode(), message, hashlib.sha256).digest()
    number = int.from_bytes(digest[:5], "big")  # 40 bits: 8 symbols of 5 bits
    return "".join(ALPHABET[(number >> (5 * i)) & 31] for i in range(CODE_LENGTH))


def resume_key(secret_key: str, code: str) -> str:
    """The keyed hash under which the database finds a chat by its code."""
    return code_key(secret_key, "web-resume-key", code)
