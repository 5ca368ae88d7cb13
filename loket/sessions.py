"""Session cookies: signed (itsdangerous, HMAC with SECRET_KEY), HttpOnly,
SameSite=Strict, Secure unless configured off for a local dev server.

The cookie holds no personal data: a random session id, the CSRF token, the staff
user id, when the session started and was last used, and a fingerprint of the
account's credentials (a password reset or a new TOTP secret ends every session of
that account). Every request renews `seen`; a session unused for the idle timeout,
or older than the maximum, is over. Logging out puts the session id on a revoked list
(in memory, kept for the maximum session length).

A visitor who is not logged in also gets a session (without a user), so the login
form carries a CSRF token too; logging in starts a new session id (no fixation).
"""

from __future__ import annotations

import hashlib
import secrets
import threading
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from itsdangerous import BadSignature, URLSafeSerializer

__all__ = [
    "COOKIE_NAME",
    "RevokedSessions",
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

    @classmethod
    def anonymous(cls, now: datetime) -> SessionData:
        return cls(
            sid=secrets.token_urlsafe(18), csrf=secrets.token_urlsafe(24), seen=now.timestamp()
        )

    def logged_in(self, uid: int, credentials: str, now: datetime) -> SessionData:
        """A new session (new id and CSRF token) for a user who just logged in."""
        return SessionData(
            sid=secrets.token_urlsafe(18),
            csrf=secrets.token_urlsafe(24),
            seen=now.timestamp(),
            uid=uid,
            started=now.timestamp(),
            credentials=credentials,
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
            [data.sid, data.csrf, data.seen, data.uid, data.started, data.credentials]
        )

    def load(self, cookie: str | None) -> SessionData | None:
        if not cookie:
            return None
        try:
            value = self._serializer.loads(cookie)
            sid, csrf, seen, uid, started, credentials = value
            return SessionData(
                sid=str(sid),
                csrf=str(csrf),
                seen=float(seen),
                uid=None if uid is None else int(uid),
                started=None if started is None else float(started),
                credentials=None if credentials is None else str(credentials),
            )
        except (BadSignature, ValueError, TypeError):
            return None

    def state(self, data: SessionData | None, now: datetime, revoked: RevokedSessions) -> str:
        if data is None:
            return SessionState.NONE
        stamp = now.timestamp()
        if stamp - data.seen > self._idle.total_seconds():
            return SessionState.EXPIRED if data.uid is not None else SessionState.NONE
        if data.uid is None:
            return SessionState.ANONYMOUS
        if data.started is None or stamp - data.started > self._maximum.total_seconds():
            return SessionState.EXPIRED
        if revoked.contains(data.sid, now):
            return SessionState.EXPIRED
        return SessionState.ACTIVE


class RevokedSessions:
    """Session ids ended by logging out, until they would have expired anyway."""

    def __init__(self, keep: timedelta) -> None:
        self._keep = keep
        self._until: dict[str, datetime] = {}
        self._lock = threading.Lock()

    def add(self, sid: str, now: datetime) -> None:
        with self._lock:
            self._until = {s: t for s, t in self._until.items() if t > now}
            self._until[sid] = now + self._keep

    def contains(self, sid: str, now: datetime) -> bool:
        with self._lock:
            until = self._until.get(sid)
            return until is not None and until > now
