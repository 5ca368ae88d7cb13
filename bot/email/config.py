"""The e-mail channel the settings ask for (docs/operations.md, "E-mail"), and its
place in the running service.

- SMTP_HOST set: an SMTP server (`SmtpSender`), with SMTP_PORT, SMTP_TLS,
  SMTP_USERNAME / SMTP_PASSWORD and SMTP_TIMEOUT, sending as MAIL_FROM;
- otherwise: each mail as an `.eml` file in MAIL_FOLDER (`FolderSender`; default
  `mail` in the data directory), which is what `make run` does.

`environment: production` refuses to start without one of them chosen on purpose:
SMTP_HOST with a real MAIL_FROM (not the `.invalid` placeholder), or MAIL_FOLDER set
explicitly (e.g. a pickup folder another program sends from). A person's e-mail must
never vanish into a folder nobody reads because a setting was forgotten.
"""

from __future__ import annotations

from bot.email.delivery import EmailDeliverer
from bot.email.message import MailFrom
from bot.email.senders import FolderSender, MailSender, SmtpSender
from bot.settings import Settings
from storage.database import Database

__all__ = ["MailSettingsError", "email_deliverer", "mail_from", "mail_sender"]


class MailSettingsError(RuntimeError):
    """The e-mail settings cannot be used; the message says which and what to do."""


def mail_from(settings: Settings) -> MailFrom:
    try:
        return MailFrom.parse(settings.mail_from)
    except ValueError:
        raise MailSettingsError(
            "MAIL_FROM is not one e-mail address: write it as "
            "'Loket Housing <loket@your-domain>' or 'loket@your-domain'"
        ) from None


def mail_sender(settings: Settings) -> MailSender:
    """The sender for `settings`; `MailSettingsError` naming the setting to correct."""
    production = settings.environment == "production"
    sender = mail_from(settings)
    if settings.smtp_host:
        if production and sender.domain.endswith(".invalid"):
            raise MailSettingsError(
                "MAIL_FROM is the placeholder address: production needs the loket's real "
                "sender, e.g. 'Loket Housing <noreply@your-domain>' (docs/operations.md, "
                "E-mail)"
            )
        password = settings.smtp_password
        if settings.smtp_username and password is None:
            raise MailSettingsError("SMTP_USERNAME is set but SMTP_PASSWORD is not")
        if settings.smtp_username and settings.smtp_tls == "none":
            raise MailSettingsError(
                "SMTP_USERNAME with SMTP_TLS=none would send the password unencrypted: "
                "use SMTP_TLS=starttls (port 587) or tls (port 465)"
            )
        return SmtpSender(
            settings.smtp_host,
            settings.smtp_port,
            tls=settings.smtp_tls,
            username=settings.smtp_username,
            password=password.get_secret_value() if password is not None else None,
            timeout=settings.smtp_timeout,
        )
    if production and settings.mail_folder is None:
        raise MailSettingsError(
            "e-mail is not configured: production needs SMTP_HOST and MAIL_FROM (the "
            "loket's SMTP server and sender), or MAIL_FOLDER set on purpose "
            "(docs/operations.md, E-mail)"
        )
    return FolderSender(settings.mail_folder_path)


def email_deliverer(settings: Settings, database: Database) -> EmailDeliverer:
    """The deliverer of `intake serve` (not started: `start()`, then `stop()`);
    `MailSettingsError` when the settings cannot be used."""
    return EmailDeliverer(database, mail_sender(settings), mail_from(settings))
