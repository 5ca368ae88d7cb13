"""E-mails in the outbox, as the lead's services queue them, and what became of them."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from bot.email.delivery import CHANNEL, EmailDeliverer
from bot.email.message import MailFrom
from bot.email.senders import MailSender
from intake.email_address import email_recipient_hash, normalise_email
from storage.audit import AuditEvent
from storage.database import Database
from storage.tables import OutboxMessageRow
from tests.factories.databases import SECRET

__all__ = ["SENDER", "audit_events", "deliverer", "eventually", "outbox_row", "queue_mail"]

SENDER = MailFrom.parse("Loket Housing <loket@loket.example.org>")


async def queue_mail(
    database: Database,
    address: str,
    subject: str = "Nieuws over uw aanmelding",
    text: str = "Er is nieuws over uw aanmelding.\nKijk in de chat.",
    **extra: Any,
) -> int:
    """One e-mail queued as the contract says: channel "email", the address and its
    keyed hash, `{"subject", "text"}` (and `extra`, e.g. a reference)."""
    async with database.unit_of_work() as uow:
        return await uow.outbox.enqueue(
            CHANNEL,
            email_recipient_hash(SECRET, address),
            normalise_email(address),
            {"subject": subject, "text": text, **extra},
        )


async def outbox_row(database: Database, message_id: int) -> OutboxMessageRow:
    async with database.unit_of_work(write=False) as uow:
        row = await uow.session.get(OutboxMessageRow, message_id)
        assert row is not None
        uow.session.expunge(row)
        return row


async def audit_events(database: Database, action: str) -> list[AuditEvent]:
    async with database.unit_of_work(write=False) as uow:
        events = await uow.audit.events(subject_type="pre_aanmelding", limit=100)
    return [event for event in events if event.action == action]


def deliverer(database: Database, sender: MailSender, **options: Any) -> EmailDeliverer:
    """A deliverer with short waits for tests."""
    options.setdefault("idle_poll", 0.05)
    options.setdefault("probe", (0.05, 0.2))
    options.setdefault("send_limit", 10.0)
    return EmailDeliverer(database, sender, SENDER, **options)


async def eventually(done: Callable[[], bool], seconds: float = 10.0) -> None:
    """Until `done()`, checked every 20 ms (the SMTP server runs in a thread of its own,
    the folder is a folder: nothing to await); TimeoutError after `seconds`."""
    async with asyncio.timeout(seconds):
        while not done():  # noqa: ASYNC110
            await asyncio.sleep(0.02)
