"""`X-Hub-Signature-256`: Meta signs every webhook POST with HMAC-SHA256 of the raw
body, keyed with the app secret, as `sha256=<hex>`. Checked on the bytes, before the
body is parsed, in constant time."""

from __future__ import annotations

import hashlib
import hmac

__all__ = ["SIGNATURE_HEADER", "sign", "signature_valid"]

SIGNATURE_HEADER = "X-Hub-Signature-256"
_PREFIX = "sha256="


def sign(body: bytes, app_secret: str) -> str:
    """The header value Meta sends for `body` (the tests sign with it too)."""
    return _PREFIX + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


def signature_valid(body: bytes, given: str, app_secret: str) -> bool:
    if not given.startswith(_PREFIX):
        return False
    return hmac.compare_digest(given.strip().lower().encode(), sign(body, app_secret).encode())
