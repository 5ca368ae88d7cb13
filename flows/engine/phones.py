"""Phone numbers, Dutch and international, normalised to E.164 (`+31612345678`).

Accepted: `06-12345678`, `06 1234 5678`, `043-1234567`, `+31 6 12345678`,
`+31 (0)6 12345678`, `0031612345678`, `+32 470 12 34 56`, `0049 171 1234567`.
A Dutch number has 10 digits starting with 0; an international one starts with + or
00 and has 8 to 15 digits in all.
"""

from __future__ import annotations

import re

__all__ = ["normalise_phone"]

_ALLOWED = re.compile(r"^\+?[\d\s\-().\/]+$")


def normalise_phone(text: str) -> str | None:
    """The number in E.164 form, or None when it is not a phone number we accept."""
    raw = text.strip()
    if not raw or len(raw) > 40 or not _ALLOWED.match(raw):
        return None
    raw = raw.replace("(0)", "")
    international = raw.startswith("+")
    digits = re.sub(r"\D", "", raw)
    if not international and digits.startswith("00"):
        international, digits = True, digits[2:]
    if international:
        if digits.startswith("31"):
            national = digits[2:].removeprefix("0")
            return f"+31{national}" if len(national) == 9 and national[0] != "0" else None
        if 8 <= len(digits) <= 15 and digits[0] != "0":
            return f"+{digits}"
        return None
    if len(digits) == 10 and digits[0] == "0" and digits[1] != "0":
        return f"+31{digits[1:]}"
    return None
