"""The web chat's settings: the cookie, how long things are kept, the rate limits.

`WebChatConfig.from_settings(settings)` is what `intake serve` uses; tests build one
with smaller numbers. The rate limits are token buckets (`webkit.rate_limits`): a
bucket holds `capacity` tokens, each post takes one, and tokens come back at
`per_second`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from bot.settings import Settings
from bot.web.admission import admission_limit
from webkit.rate_limits import Bucket

__all__ = ["WebChatConfig"]


@dataclass(frozen=True)
class WebChatConfig:
    secret_key: str
    default_locale: str = "nl"
    # None: Secure, except when the browser talks to a loopback address over plain
    # http (`make run` at http://127.0.0.1:8080). True or False: always or never.
    cookie_secure: bool | None = None
    # A browser session (and its chat) unused this long is over; ended chats (the
    # result page) are kept for `ended_kept`, then erased.
    session_max_age: timedelta = timedelta(days=30)
    ended_kept: timedelta = timedelta(hours=24)
    # Answers: a person clicks about once a second at most; a shelter's wifi puts
    # many people behind one address.
    posts_per_session: Bucket = field(default_factory=lambda: Bucket(10, 1.0))
    posts_per_address: Bucket = field(default_factory=lambda: Bucket(120, 5.0))
    # Resume codes: a handful of tries, then about one more every 12 (session) or
    # 6 (address) minutes, so guessing one of 2^40 codes is hopeless.
    resume_per_session: Bucket = field(default_factory=lambda: Bucket(5, 1 / 720))
    resume_per_address: Bucket = field(default_factory=lambda: Bucket(10, 1 / 360))
    # Longest typed answer passed on to the conversation (flows set shorter limits).
    text_limit: int = 1000
    # Largest form post read, in bytes.
    body_limit: int = 32 * 1024
    # The chat's public address (links to the inbox in the loket's messages).
    chat_url: str | None = None
    # Back-pressure (`bot.web.admission`): at most this many chat requests use the
    # database at once (below the pool, so the pool never runs dry because of the
    # chat); the next waits `admission_wait` seconds for a place, then gets 503.
    concurrent_requests: int = 15
    admission_wait: float = 3.0

    @classmethod
    def from_settings(cls, settings: Settings) -> WebChatConfig:
        return cls(
            secret_key=settings.ensure_secret_key(),
            default_locale=settings.default_locale,
            cookie_secure=settings.web_cookie_secure,
            chat_url=settings.public_chat_url,
            concurrent_requests=admission_limit(
                settings.database_pool_size, settings.database_pool_max_overflow
            ),
        )
