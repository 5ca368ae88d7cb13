"""E-mail addresses as the outbox keeps them: one written form per address, and the
keyed hash that stands for it (`recipient_hash` of an outbox message on channel
"email"), so a person's e-mails go out in order and no raw address is needed to
group them.

The address itself travels only in the outbox row's `recipient`, which is erased once
the mail is delivered or given up (storage/outbox.py).
"""

from __future__ import annotations

import re

from storage.user_hash import hash_channel_user

__all__ = ["EMAIL_CHANNEL", "InvalidEmailAddress", "email_recipient_hash", "normalise_email"]

EMAIL_CHANNEL = "email"

# The flows accept `name@domain.tld` (flows/engine/answers.py); here only what a mail
# header and an SMTP envelope can carry: one @, no spaces or control characters, no
# brackets, quotes, commas or semicolons that would make it a list or a display name.
_ADDRESS = re.compile(r"^[^@\s<>()\[\],;:\"\\]{1,64}@[^@\s<>()\[\],;:\"\\]{1,253}$")


class InvalidEmailAddress(ValueError):
    """Not one plain e-mail address (the message never repeats the address)."""


def normalise_email(address: str) -> str:
    """The one written form of `address`: without surrounding spaces and angle
    brackets, in lower case. `InvalidEmailAddress` when it is not one plain address."""
    cleaned = address.strip().strip("<>").strip().lower()
    if not _ADDRESS.match(cleaned) or "." not in cleaned.rpartition("@")[2]:
        raise InvalidEmailAddress("not one plain e-mail address")
    if len(cleaned) > 254 or any(ord(char) < 32 or ord(char) == 127 for char in cleaned):
        raise InvalidEmailAddress("not one plain e-mail address")
    return cleaned


def email_recipient_hash(secret_key: str, address: str) -> str:
    """The keyed hash (64 hex characters) of `address` under `secret_key`: the same
    address in any spelling of case or brackets gives the same hash."""
    return hash_channel_user(secret_key, EMAIL_CHANNEL, normalise_email(address))
