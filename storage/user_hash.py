"""The keyed hash that stands in for a channel's user id: raw chat ids are never stored.

HMAC-SHA256 with the application's SECRET_KEY over the channel and the user id, so
the same person on the same channel always maps to the same conversation, and the
hash cannot be reversed or recomputed without the key.
"""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["hash_channel_user"]


def hash_channel_user(secret_key: str, channel: str, user_id: str | int) -> str:
    """64 hex characters identifying (channel, user_id) under `secret_key`."""
    if not secret_key:
        raise ValueError("a secret key is needed to hash a channel user id")
    message = f"{channel}\x1f{user_id}".encode()
    return hmac.new(secret_key.encode(), message, hashlib.sha256).hexdigest()
