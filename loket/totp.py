"""Time-based one-time codes (RFC 6238: 6 digits, 30-second steps, SHA-1), the second
factor of every staff login.

A code is accepted for the current step and one step either side (clock drift), and
never twice: `verify` returns the step it matched, and the caller remembers the last
used step per account so a code seen over someone's shoulder cannot be replayed.
"""

from __future__ import annotations

import hmac
from datetime import datetime

import pyotp

__all__ = ["ISSUER", "code_at", "new_secret", "provisioning_uri", "verify"]

ISSUER = "Loket Housing"
STEP_SECONDS = 30
DRIFT_STEPS = 1


def new_secret() -> str:
    """A fresh base32 secret (160 bits)."""
    return pyotp.random_base32(length=32)


def provisioning_uri(secret: str, username: str) -> str:
    """The otpauth:// URI for an authenticator app (shown once, as text or QR code)."""
    return pyotp.TOTP(secret).provisioning_uri(name=username, issuer_name=ISSUER)


def code_at(secret: str, moment: datetime) -> str:
    """The code for a moment (tests and the command line use it)."""
    return pyotp.TOTP(secret).at(moment)


def verify(secret: str, code: str, moment: datetime, *, last_step: int | None = None) -> int | None:
    """The time step `code` belongs to, or None when it is wrong, too old, or already
    used (`last_step`: the step of the last accepted code of this account)."""
    code = "".join(code.split())
    if len(code) != 6 or not code.isdigit():
        return None
    totp = pyotp.TOTP(secret)
    now_step = int(moment.timestamp()) // STEP_SECONDS
    for step in range(now_step - DRIFT_STEPS, now_step + DRIFT_STEPS + 1):
        if last_step is not None and step <= last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None
