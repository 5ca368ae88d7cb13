"""Where an e-mail goes: an SMTP server, or a folder of `.eml` files.

A sender either returns (the mail was accepted: the SMTP server said 250 to the data,
or the file is written whole) or raises one of three failures, each with a short
code for the outbox's `last_error` (never an address, a subject or a text):

- `MailRejected`: permanent for this mail (an SMTP 5xx for its recipient or its
  content): given up;
- `MailDeferred`: temporary for this mail (an SMTP 4xx, e.g. greylisting): tried
  again later;
- `ServerUnavailable`: no mail can go out now (the server is not reachable, times
  out, refuses the TLS, the login or the sender, or the folder is not writable):
  tried again once `check()` passes.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from pathlib import Path
from typing import Literal, Protocol

import aiosmtplib

__all__ = [
    "TLS_MODES",
    "FolderSender",
    "MailDeferred",
    "MailFailure",
    "MailRejected",
    "MailSender",
    "OutgoingMail",
    "ServerUnavailable",
    "SmtpSender",
    "TlsMode",
]

TlsMode = Literal["starttls", "tls", "none"]
TLS_MODES: tuple[TlsMode, ...] = ("starttls", "tls", "none")


@dataclass(frozen=True)
class OutgoingMail:
    """One mail to send. `key` names the outbox message (its id and when it was
    queued): the same message keeps its key on every attempt, and it holds no personal
    data (the folder sender names the file after it)."""

    key: str
    envelope_from: str
    recipient: str = field(repr=False)
    message: EmailMessage = field(repr=False)


class MailFailure(Exception):
    """A mail not accepted; `code` is short and holds no personal data."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


class MailRejected(MailFailure):
    """Permanent for this mail: give it up."""


class MailDeferred(MailFailure):
    """Temporary for this mail: try it again later."""


class ServerUnavailable(MailFailure):
    """No mail can go out now: try again when `check()` passes."""


class MailSender(Protocol):
    @property
    def kind(self) -> str:
        """ "smtp" or "folder", for logs."""
        ...

    async def send(self, mail: OutgoingMail) -> None:
        """Hand over `mail`; returns once it was accepted, or raises a `MailFailure`."""
        ...

    async def check(self) -> None:
        """Can mail go out now? Raises `ServerUnavailable` when not."""
        ...


def _response_failure(code: int, prefix: str = "smtp") -> MailFailure:
    """An SMTP reply about this mail: 5xx permanent, anything else temporary."""
    if 500 <= code < 600:
        return MailRejected(f"{prefix}_{code}")
    return MailDeferred(f"{prefix}_{code}")


class SmtpSender:
    """An SMTP server (RFC 5321), one connection per mail, with aiosmtplib.

    `tls`: "starttls" (port 587: plain connection, then STARTTLS, required), "tls"
    (port 465: TLS from the start) or "none" (a relay on the same machine or network
    only). With a `username` it logs in (after the TLS). `tls_context`: the
    certificates to trust (default: the system's)."""

    kind = "smtp"

    def __init__(
        self,
        host: str,
        port: int = 587,
        *,
        tls: TlsMode = "starttls",
        username: str | None = None,
        password: str | None = None,
        timeout: float = 30.0,
        tls_context: ssl.SSLContext | None = None,
    ) -> None:
        if tls not in TLS_MODES:
            raise ValueError(f"SMTP TLS mode must be one of {', '.join(TLS_MODES)}")
        self.host, self.port, self.tls, self.timeout = host, port, tls, timeout
        self._username, self._password = username, password
        self._tls_context = tls_context

    def _client(self) -> aiosmtplib.SMTP:
        return aiosmtplib.SMTP(
            hostname=self.host,
            port=self.port,
            use_tls=self.tls == "tls",
            start_tls=self.tls == "starttls",
            username=self._username,
            password=self._password,
            timeout=self.timeout,
            tls_context=self._tls_context,
        )

    async def _connect(self) -> aiosmtplib.SMTP:
        """Connected (and TLS and login done), or `ServerUnavailable`."""
        client = self._client()
        try:
            await client.connect()
        except aiosmtplib.SMTPAuthenticationError as error:
            raise ServerUnavailable(f"smtp_login_{error.code}") from None
        except aiosmtplib.SMTPResponseException as error:  # e.g. 421 or 554 at the greeting
            raise ServerUnavailable(f"smtp_{error.code}") from None
        except (aiosmtplib.SMTPTimeoutError, TimeoutError):
            raise ServerUnavailable("smtp_timeout") from None
        except ssl.SSLError:
            raise ServerUnavailable("smtp_tls") from None
        except aiosmtplib.SMTPNotSupported:  # e.g. no STARTTLS or no AUTH offered
            raise ServerUnavailable("smtp_not_supported") from None
        except (aiosmtplib.SMTPException, OSError):
            raise ServerUnavailable("smtp_connect") from None
        return client

    async def send(self, mail: OutgoingMail) -> None:
        client = await self._connect()
        try:
            await client.send_message(
                mail.message, sender=mail.envelope_from, recipients=[mail.recipient]
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            refused = error.recipients[0].code if error.recipients else 550
            raise _response_failure(refused) from None
        except aiosmtplib.SMTPSenderRefused as error:  # MAIL_FROM not allowed: settings
            raise ServerUnavailable(f"smtp_sender_{error.code}") from None
        except aiosmtplib.SMTPResponseException as error:  # e.g. the data refused
            raise _response_failure(error.code) from None
        except (aiosmtplib.SMTPTimeoutError, TimeoutError):
            raise ServerUnavailable("smtp_timeout") from None
        except (aiosmtplib.SMTPException, OSError):
            raise ServerUnavailable("smtp_disconnected") from None
        finally:
            await _close(client)

    async def check(self) -> None:
        client = await self._connect()
        await _close(client)


async def _close(client: aiosmtplib.SMTP) -> None:
    """QUIT, or drop the connection; the mail's fate is decided already."""
    if not client.is_connected:
        return
    try:
        await client.quit()
    except (aiosmtplib.SMTPException, OSError, TimeoutError):
        client.close()


class FolderSender:
    """Each mail as an `.eml` file (RFC 5322, CRLF line ends) in `folder`, which any
    mail program opens: `make run`'s default, so a newcomer reads the mails without
    an SMTP server. The folder (mode 0700) is made with the first mail; each file
    (mode 0600) is named after the outbox message, written whole or not at all, and
    a message sent again replaces its own file: one file per mail."""

    kind = "folder"

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def path_for(self, mail: OutgoingMail) -> Path:
        return self.folder / f"{mail.key}.eml"

    async def send(self, mail: OutgoingMail) -> None:
        data = mail.message.as_bytes(policy=SMTP_POLICY)
        try:
            await asyncio.to_thread(self._write, self.path_for(mail), data)
        except OSError:
            raise ServerUnavailable("folder_unwritable") from None

    def _write(self, path: Path, data: bytes) -> None:
        partial = path.with_name(f".{path.name}.partial")
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
            descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            with os.fdopen(descriptor, "wb") as file:
                file.write(data)
                file.flush()
                os.fsync(file.fileno())
            os.replace(partial, path)
        except OSError:
            with contextlib.suppress(OSError):
                partial.unlink()
            raise

    async def check(self) -> None:
        try:
            self.folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        except OSError:
            raise ServerUnavailable("folder_unwritable") from None
        if not os.access(self.folder, os.W_OK | os.X_OK):
            raise ServerUnavailable("folder_unwritable")
