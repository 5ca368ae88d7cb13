"""Links to a case's messages (`intake.way_back`), for an e-mail or a Telegram message
that says there is news: `…/chat/berichten?t=<token>`.

The token carries the reference, the last day it works and a keyed hash of both, so
nothing is stored. Opening it asks for a press on a button first (mail and chat apps
open links by themselves for a preview). In the web chat itself the person has a code
instead: the chat's resume code, which keeps opening the messages after submission.
"""

from __future__ import annotations

import hashlib
import hmac
from datetime import date, timedelta

from storage.reference_codes import normalise_reference_code

__all__ = ["LINK_DAYS", "link_token", "read_link_token"]

LINK_DAYS = 30  # how long a link works


def _mac(secret_key: str, reference: str, until: str) -> str:
    data = f"inbox-link\x1f{reference}\x1f{until}".encode()
    return hmac.new(secret_key.encode(), data, hashlib.sha256).digest()[:12].hex()


def link_token(secret_key: str, reference: str, today: date, days: int = LINK_DAYS) -> str:
    """A token for a link to the case's messages that works `days` from `today`."""
    until = (today + timedelta(days=days)).strftime("%Y%m%d")
    return f"{reference.replace('-', '')}.{until}.{_mac(secret_key, reference, until)}"


def read_link_token(secret_key: str, token: str, today: date) -> str | None:
    """The reference of a valid, unexpired token; None for anything else."""
    parts = token.strip()[:80].split(".")
    if len(parts) != 3:
        return None
    reference, until, mac = normalise_reference_code(parts[0]), parts[1], parts[2].lower()
    if reference is None or len(until) != 8 or not until.isdigit():
        return None
    if not hmac.compare_digest(_mac(secret_key, reference, until), mac):
        return None
    try:
        last_day = date(int(until[:4]), int(until[4:6]), int(until[6:]))
    except ValueError:
        return None
    return reference if today <= last_day else None
