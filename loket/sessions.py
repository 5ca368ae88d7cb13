"""Session cookies: signed (itsdangerous, HMAC with SECRET_KEY), HttpOnly,
SameSite=Strict, Secure unless configured off for a local dev server.

The cookie holds no personal data: a random session id, the CSRF token, the staff
user id, when the session started and was last used, the id of the audit event of
its login, and a fingerprint of the account's credentials (a password reset or a new
TOTP secret ends every session of that account). Every request renews `seen`; a
session unused for the idle timeout, or older than the maximum, is over. Logging out
is an audit event too: it ends every session of that account that logged in before it
(checked on every request, so it holds across processes and restarts).

A visitor who is not logged in also gets a session (without a user), so the login
form carries a CSRF token too; logging in starts a new session id (no fixation).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

__all__ = [
    "COOKIE_NAME",
    "SessionCodec",
    "SessionData",
    "SessionState",
    "credentials_fingerprint",
]

COOKIE_NAME = "loket_session"
_SALT = "loket-session-v1"


def credentials_fingerprint(password_hash: str, totp_secret: str | None) -> str:
    digest = hashlib.sha256(f"{password_hash}\x1f{totp_secret or ''}".encode())
    return digest.hexdigest()[:24]


@dataclass(frozen=True)
class SessionData:
    sid: str
    csrf: str
    seen: float  # POSIX seconds of the last request
    uid: int | None = None
    started: float | None = None  # when the user logged in
    credentials: str | None = None
    login_event: int | None = None  # the audit event id of the login

    @classmethod
    def anonymous(cls, now: datetime) -> SessionData:
        return cls(
            sid=secrets.token_urlsafe(18), csrf=secrets.token_urlsafe(24), seen=now.timestamp()
        )

    def logged_in(self, uid: int, credentials: str, login_event: int, now: datetime) -> SessionData:
        """A new session (new id and CSRF token) for a user who just logged in."""
        return SessionData(
            sid=secrets.token_urlsafe(18),
            csrf=secrets.token_urlsafe(24),
            seen=now.timestamp(),
            uid=uid,
            started=now.timestamp(),
            credentials=credentials,
            login_event=login_event,
        )

    def touched(self, now: datetime) -> SessionData:
        return replace(self, seen=now.timestamp())


class SessionState:
    """What a cookie turned out to be."""

    NONE = "none"  # no cookie, or one we did not sign
    ANONYMOUS = "anonymous"
    ACTIVE = "active"
    EXPIRED = "expired"  # idle too long, too old, or logged out


class SessionCodec:
    def __init__(self, secret_key: str, *, idle: timedelta, maximum: timedelta) -> None:
        self._serializer = URLSafeSerializer(secret_key, salt=_SALT)
        self._idle, self._maximum = idle, maximum

    def dump(self, data: SessionData) -> str:
        return self._serializer.dumps(
            [
                data.sid,
                data.csrf,
                data.seen,
                data.uid,
                data.started,
                data.credentials,
                data.login_event,
            ]
        )

    def load(self, cookie: str | None) -> SessionData | None:
        if not cookie:
            return None
        try:
            value = self._serializer.loads(cookie)
            sid, csrf, seen, uid, started, credentials, login_event = value
            return SessionData(
                sid=str(sid),
                csrf=str(csrf),
                seen=float(seen),
                uid=None if uid is None else int(uid),
                started=None if started is None else float(started),
                credentials=None if credentials is None else str(credentials),
                login_event=None if login_event is None else int(login_event),
            )
        except (BadSignature, ValueError, TypeError):
            return None

    def state(self, data: SessionData | None, now: datetime) -> str:
        if data is None:
            return SessionState.NONE
        stamp = now.timestamp()
        if stamp - data.seen > self._idle.total_seconds():
            return SessionState.EXPIRED if data.uid is not None else SessionState.NONE
        if data.uid is None:
            return SessionState.ANONYMOUS
        if data.started is None or stamp - data.started > self._maximum.total_seconds():
            return SessionState.EXPIRED
        return SessionState.ACTIVE
