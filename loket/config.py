"""The dashboard's settings: from `LOKET_*` environment variables (or `.env`) and the
service's own settings (`SECRET_KEY`, `HOST`, `DEFAULT_LOCALE`).

| variable | default | meaning |
|---|---|---|
| `LOKET_SECURE_COOKIES` | true | HTTPS-only cookies; false only for a dev server on 127.0.0.1 |
| `LOKET_IDLE_TIMEOUT_MINUTES` | 30 | a session ends after this long without a request |
| `LOKET_MAX_SESSION_HOURS` | 12 | and at the latest this long after logging in |
| `LOKET_LOCKOUT_FAILURES` | 5 | failed logins of one account before it is locked |
| `LOKET_LOCKOUT_MINUTES` | 15 | how long the lock (and the failure count) lasts |
| `LOKET_ATTEMPTS_PER_ADDRESS` | 20 | login attempts per client address in that window |
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["LOCAL_HOSTS", "InsecureCookiesRefused", "LoketConfig", "LoketSettings"]

LOCAL_HOSTS = frozenset({"127.0.0.1", "localhost", "::1"})


class LoketSettings(BaseSettings):
    model_config = SettingsConfigDict(
        env_prefix="LOKET_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    secure_cookies: bool = True
    idle_timeout_minutes: int = Field(default=30, ge=1, le=24 * 60)
    max_session_hours: int = Field(default=12, ge=1, le=7 * 24)
    lockout_failures: int = Field(default=5, ge=1, le=100)
    lockout_minutes: int = Field(default=15, ge=1, le=24 * 60)
    attempts_per_address: int = Field(default=20, ge=1, le=10_000)


class InsecureCookiesRefused(ValueError):
    """Cookies without the Secure flag were asked for on a non-local address."""


@dataclass(frozen=True)
class LoketConfig:
    secret_key: str
    secure_cookies: bool = True
    idle_timeout: timedelta = timedelta(minutes=30)
    max_session: timedelta = timedelta(hours=12)
    lockout_failures: int = 5
    lockout_window: timedelta = timedelta(minutes=15)
    attempts_per_address: int = 20
    default_locale: str = "nl"
    page_size: int = 50

    @classmethod
    def build(
        cls,
        *,
        secret_key: str,
        host: str,
        default_locale: str = "nl",
        settings: LoketSettings | None = None,
    ) -> LoketConfig:
        """The configuration for a server on `host`; refuses insecure cookies unless the
        server listens on the local machine only (a developer's http://127.0.0.1)."""
        loket = settings or LoketSettings()
        if not loket.secure_cookies and host not in LOCAL_HOSTS:
            raise InsecureCookiesRefused(
                "LOKET_SECURE_COOKIES=false is only allowed when HOST is 127.0.0.1 or "
                f"localhost (a development server), not {host!r}"
            )
        return cls(
            secret_key=secret_key,
            secure_cookies=loket.secure_cookies,
            idle_timeout=timedelta(minutes=loket.idle_timeout_minutes),
            max_session=timedelta(hours=loket.max_session_hours),
            lockout_failures=loket.lockout_failures,
            lockout_window=timedelta(minutes=loket.lockout_minutes),
            attempts_per_address=loket.attempts_per_address,
            default_locale=default_locale if default_locale in ("nl", "en") else "nl",
        )
