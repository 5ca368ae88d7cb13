"""Settings from the environment and an optional `.env` file (see README, "Settings")."""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Literal, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["DEFAULT_HOME", "DEFAULT_MAIL_FROM", "MissingLocalData", "Settings", "get_settings"]

# The data directory when INTAKE_HOME is not set: ./var in the folder the service is
# started in (`make run`: the project folder), as before the setting existed.
DEFAULT_HOME = Path("var")
# A placeholder sender (`.invalid` is never a real domain, RFC 2606): fine for the
# mail folder of `make run`, refused with SMTP in production (bot/email/config.py).
DEFAULT_MAIL_FROM = "Loket Housing <loket@example.invalid>"


class MissingLocalData(RuntimeError):
    """A file of the data directory that only `intake init` or `intake serve` makes is
    not there; the message names it and says what to do."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    # The data directory (docs/operations.md): the local install's keys and the SQLite
    # database. Read as an absolute path, so every message names the real folder.
    intake_home: Path = Field(default=DEFAULT_HOME)
    database_url: str = Field(
        default="",
        description="SQLAlchemy URL; SQLite (embedded) or PostgreSQL. Unset: intake.db in "
        "the data directory.",
    )
    # The connection pool of one process, sized for the people it serves at once
    # (docs/operations.md); the defaults are storage.engine.PoolOptions'.
    database_pool_size: int = Field(default=10, ge=1, le=500)
    database_pool_max_overflow: int = Field(default=10, ge=0, le=500)
    database_pool_timeout: float = Field(default=15.0, gt=0, le=300)
    # /metrics: only from this machine, or, when set, with this bearer token.
    metrics_token: SecretStr | None = Field(default=None)
    telegram_bot_token: SecretStr | None = Field(default=None)
    telegram_api_base_url: str = Field(default="https://api.telegram.org")
    telegram_framework: Literal["aiogram", "ptb"] = "aiogram"
    # Telegram (docs/telegram.md): how updates arrive, where staff hear of new
    # pre-aanmeldingen, and how fast the bot may send.
    telegram_mode: Literal["polling", "webhook"] = "polling"
    telegram_webhook_url: str | None = Field(
        default=None, description="Public URL of /telegram/webhook."
    )
    telegram_webhook_secret: SecretStr | None = Field(default=None)
    telegram_staff_chat_id: str | None = Field(default=None)
    telegram_chat_messages_per_second: float = Field(default=1.0, gt=0)
    telegram_messages_per_second: float = Field(default=30.0, gt=0)
    web_chat_url: str | None = Field(
        default=None, description="The web chat, e.g. https://.../chat"
    )
    # WhatsApp (docs/whatsapp.md): the Cloud API, webhook mode. The channel runs when
    # the first four are set; some but not all of them stop `intake serve`.
    whatsapp_token: SecretStr | None = Field(default=None)
    whatsapp_phone_number_id: str | None = Field(default=None)
    whatsapp_app_secret: SecretStr | None = Field(default=None)
    whatsapp_verify_token: SecretStr | None = Field(default=None)
    whatsapp_api_base_url: str = Field(default="https://graph.facebook.com/v21.0")
    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=1, le=65535)
    secret_key: SecretStr | None = Field(default=None)
    default_locale: str = "nl"
    # The web chat's cookie (docs/webchat.md): unset = Secure except over plain http
    # to 127.0.0.1/localhost; true or false to force it.
    web_cookie_secure: bool | None = Field(default=None)
    # Encryption at rest (docs/privacy.md, key management): 32 random bytes as base64
    # (`intake keys new`). Unset on a new local install: one is made in the data
    # directory (`encryption_key_file`) by `intake init` or `intake serve`.
    encryption_key: SecretStr | None = Field(default=None)
    encryption_keys_old: SecretStr | None = Field(
        default=None, description="Comma-separated older keys, while `intake keys rotate` runs."
    )
    # Retention in days (docs/privacy.md, retention table, with the reasoning).
    retention_conversation_days: int = Field(default=30, ge=1)
    retention_closed_days: int = Field(default=90, ge=1)
    retention_after_handover_days: int = Field(default=30, ge=1)
    retention_accepted_days: int = Field(default=365, ge=1)
    retention_outbox_days: int = Field(default=7, ge=1)
    retention_outbox_pending_days: int = Field(default=30, ge=1)
    retention_processed_updates_days: int = Field(default=2, ge=1)
    # Where this runs: "production" refuses to start without the operator's real
    # service data (docs/operator-data.md).
    environment: Literal["development", "production"] = "development"
    # The operator's service data (HSDS-shaped YAML): the loket's phone, e-mail,
    # address and hours, night shelters and cold-weather shelter per region. Unset: the
    # clearly-marked sample in flows/data (refused in production).
    service_directory_file: Path | None = Field(default=None)
    # E-mail (docs/operations.md, "E-mail"): through the SMTP server SMTP_HOST when set,
    # otherwise each mail as an .eml file in MAIL_FOLDER (default: `mail` in the data
    # directory). Production refuses to start unless SMTP_HOST and a real MAIL_FROM, or
    # MAIL_FOLDER, are set.
    smtp_host: str | None = Field(default=None)
    smtp_port: int = Field(default=587, ge=1, le=65535)
    smtp_tls: Literal["starttls", "tls", "none"] = "starttls"
    smtp_username: str | None = Field(default=None)
    smtp_password: SecretStr | None = Field(default=None)
    smtp_timeout: float = Field(default=30.0, gt=0, le=120)
    mail_from: str = Field(default=DEFAULT_MAIL_FROM, description="e.g. Loket <loket@...>")
    mail_folder: Path | None = Field(default=None)
    # Logs (docs/privacy.md, logs): JSON lines or key=value text; never personal data.
    log_format: Literal["json", "text"] = "json"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "INFO"

    @field_validator(
        "telegram_bot_token",
        "secret_key",
        "web_cookie_secure",
        "telegram_webhook_url",
        "telegram_webhook_secret",
        "telegram_staff_chat_id",
        "web_chat_url",
        "whatsapp_token",
        "whatsapp_phone_number_id",
        "whatsapp_app_secret",
        "whatsapp_verify_token",
        "encryption_key",
        "encryption_keys_old",
        "service_directory_file",
        "metrics_token",
        "smtp_host",
        "smtp_username",
        "smtp_password",
        "mail_folder",
        mode="before",
    )
    @classmethod
    def _empty_is_unset(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("mail_from", mode="before")
    @classmethod
    def _placeholder_sender(cls, value: object) -> object:
        return DEFAULT_MAIL_FROM if value in ("", None) else value

    @field_validator("intake_home", mode="before")
    @classmethod
    def _home_or_default(cls, value: object) -> object:
        return DEFAULT_HOME if value in ("", None) else value

    @field_validator("intake_home")
    @classmethod
    def _absolute_home(cls, value: Path) -> Path:
        return value.expanduser().absolute()

    @model_validator(mode="after")
    def _database_in_home(self) -> Self:
        if not self.database_url:
            self.database_url = f"sqlite+aiosqlite:///{self.intake_home / 'intake.db'}"
        return self

    @property
    def public_chat_url(self) -> str:
        """The web chat's address as people reach it: WEB_CHAT_URL, or this server's
        own address (a local `make run`). Links in the loket's messages go below it."""
        return self.web_chat_url or f"http://{self.host}:{self.port}/chat"

    @property
    def secret_key_file(self) -> Path:
        """Where a local install keeps its SECRET_KEY when none is set."""
        return self.intake_home / "secret_key"

    @property
    def encryption_key_file(self) -> Path:
        """Where a local install keeps its ENCRYPTION_KEY when none is set."""
        return self.intake_home / "encryption_key"

    @property
    def mail_folder_path(self) -> Path:
        """Where mails are written when no SMTP server is set: MAIL_FOLDER, or `mail`
        in the data directory (made with the first mail)."""
        folder = self.mail_folder or self.intake_home / "mail"
        return folder.expanduser().absolute()

    def ensure_secret_key(self) -> str:
        """SECRET_KEY, or the local install's key in the data directory (made by
        `intake init` or `intake serve`, `bot.local_data`); `MissingLocalData` when
        neither is there."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        try:
            return self.secret_key_file.read_text().strip()
        except FileNotFoundError:
            raise MissingLocalData(
                f"SECRET_KEY is not set and there is no {self.secret_key_file}: run "
                "`intake init` to make one, or set INTAKE_HOME to the data directory"
            ) from None


@cache
def get_settings() -> Settings:
    return Settings()
