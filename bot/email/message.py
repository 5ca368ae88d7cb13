"""The e-mail for one outbox message: plain text in UTF-8, from MAIL_FROM to one
address, marked as sent by a machine (`Auto-Submitted: auto-generated`, RFC 3834), so
auto-replies and out-of-office answers are not sent back.

The payload is `{"subject": str, "text": str}`, already in the recipient's language;
an optional `"reference"` is for the audit log only and never goes into the mail.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid, parseaddr
from typing import Any

__all__ = ["MailFrom", "UnusablePayload", "compose"]

_FROM_FORMAT = "MAIL_FROM must be one address, e.g. 'Loket <loket@example.org>'"
SUBJECT_LIMIT = 200  # characters; a longer subject is cut (mail clients show ~80)


class UnusablePayload(ValueError):
    """The outbox payload is not `{"subject": str, "text": str}` (no content in the
    message)."""


@dataclass(frozen=True)
class MailFrom:
    """The sender (MAIL_FROM): a display name and an address."""

    display_name: str
    address: str

    @classmethod
    def parse(cls, text: str) -> MailFrom:
        """`Name <address@domain>` or a bare address; ValueError when it is neither."""
        name, address = parseaddr(text)
        try:
            parsed = Address(display_name=name, addr_spec=address)
        except (ValueError, IndexError, HeaderParseError):
            raise ValueError(_FROM_FORMAT) from None
        if not parsed.username or "." not in parsed.domain or "," in text:
            raise ValueError(_FROM_FORMAT)
        return cls(parsed.display_name, parsed.addr_spec)

    @property
    def domain(self) -> str:
        return self.address.rpartition("@")[2]

    def header(self) -> Address:
        username, _, domain = self.address.rpartition("@")
        return Address(display_name=self.display_name, username=username, domain=domain)


def _text(payload: Mapping[str, Any], key: str) -> str:
    value = payload.get(key)
    if not isinstance(value, str) or not value.strip():
        raise UnusablePayload(f"payload {key!r} is not a text")
    return value


def compose(
    mail_from: MailFrom, recipient: str, payload: Mapping[str, Any], *, now: datetime
) -> EmailMessage:
    """The message for `payload` to `recipient` (an address already normalised);
    `UnusablePayload` when the payload has no subject or text."""
    subject = " ".join(_text(payload, "subject").split())[:SUBJECT_LIMIT]  # one line
    text = _text(payload, "text").replace("\r\n", "\n").replace("\r", "\n")
    message = EmailMessage()
    message["From"] = mail_from.header()
    message["To"] = recipient
    message["Subject"] = subject
    message["Date"] = format_datetime(now)
    message["Message-ID"] = make_msgid(domain=mail_from.domain)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(text, subtype="plain", charset="utf-8")
    return message
