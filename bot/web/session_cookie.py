"""The web chat's cookie: a random session id and the page's language, signed, and
nothing else. (The language is there so that a page saying "that did not work" can be
in the person's language when the database cannot be asked.)

The cookie is HttpOnly, SameSite=Lax, Path=/ and Secure (named `__Host-lh_chat` then;
see `WebChatConfig.cookie_secure` for plain http on 127.0.0.1). Its signature
(itsdangerous, HMAC with SECRET_KEY) carries the time it was issued; every response
issues it again, so it runs out after `session_max_age` without a visit. A cookie with
a bad signature or past its age is not used: the visitor starts afresh.

The database knows a session only by `session_hash` (HMAC of the id). Forms carry a
CSRF token derived from the session id, and a one-time form id that the conversation
service uses as the update id, so a repeated post has one effect.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from itsdangerous import BadSignature, SignatureExpired, TimestampSigner

__all__ = [
    "COOKIE",
    "SECURE_COOKIE",
    "CookieStatus",
    "SessionCookies",
    "Visitor",
    "new_form_id",
    "valid_form_id",
]

COOKIE = "lh_chat"
SECURE_COOKIE = "__Host-lh_chat"
_SALT = "lh-web-chat-session-v1"
_LOCALE_MARK = "~"  # never in a session id (URL-safe base64)
_FORM_ID = re.compile(r"^[A-Za-z0-9_-]{16,64}$")


class CookieStatus(StrEnum):
    NEW = "new"  # no cookie: a first visit
    VALID = "valid"
    REFUSED = "refused"  # forged, damaged, or too old: a fresh start


@dataclass(frozen=True)
class Visitor:
    session_id: str
    status: CookieStatus
    locale: str | None = None  # the language of the page last shown (not checked here)


class _ClockedSigner(TimestampSigner):
    clock: Callable[[], datetime]

    def get_timestamp(self) -> int:
        return int(self.clock().timestamp())


class SessionCookies:
    def __init__(self, secret_key: str, max_age: timedelta, clock: Callable[[], datetime]) -> None:
        self._secret = secret_key.encode()
        self.max_age = max_age
        signer = _ClockedSigner(secret_key, salt=_SALT)
        signer.clock = clock
        self._signer = signer

    def read(self, value: str | None) -> Visitor:
        """The visitor a cookie value stands for; a new session when there is none or
        it cannot be trusted."""
        if not value:
            return Visitor(secrets.token_urlsafe(24), CookieStatus.NEW)
        try:
            raw = self._signer.unsign(value, max_age=int(self.max_age.total_seconds()))
        except (SignatureExpired, BadSignature):
            return Visitor(secrets.token_urlsafe(24), CookieStatus.REFUSED)
        session_id, _, locale = raw.decode().partition(_LOCALE_MARK)
        return Visitor(session_id, CookieStatus.VALID, locale or None)

    def dump(self, session_id: str, locale: str | None = None) -> str:
        value = f"{session_id}{_LOCALE_MARK}{locale}" if locale else session_id
        return self._signer.sign(value).decode()

    def _mac(self, purpose: str, session_id: str) -> str:
        message = f"{purpose}\x1f{session_id}".encode()
        return hmac.new(self._secret, message, hashlib.sha256).hexdigest()

    def session_hash(self, session_id: str) -> str:
        """How the database knows this session (64 hex characters)."""
        return self._mac("web-session", session_id)

    def csrf_token(self, session_id: str) -> str:
        """The session's CSRF token (a post's is checked with `webkit.csrf`)."""
        return self._mac("web-csrf", session_id)[:32]


def new_form_id() -> str:
    """A one-time id for the forms of one rendered page (the update id of a post)."""
    return secrets.token_urlsafe(16)


def valid_form_id(value: str | None) -> bool:
    return value is not None and _FORM_ID.match(value) is not None
