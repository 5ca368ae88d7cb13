"""The outbox sender for e-mail: every due `email` message, once, in order per address.

Messages were queued in the same unit of work as the step that made them (a status
change, a question in the dashboard), with the address as `recipient`, its keyed hash
as `recipient_hash` (`intake.email_address`) and `{"subject", "text"}` as payload.
The deliverer claims due ones (`claim_due(channel="email")`: oldest first, at most one
per address, leased), sends them one by one and records each outcome in its own unit
of work right after the server answered:

- accepted (SMTP 250 after the data, or the file written): delivered, the address
  erased (`mark_delivered`);
- `MailDeferred` (an SMTP 4xx for this mail, e.g. greylisting): tried again after
  1, 2, 4, ... 60 minutes (`EMAIL_RETRY_DELAY`), given up after `MAX_ATTEMPTS`;
- `MailRejected` (an SMTP 5xx for this address or content), an unusable payload or
  address: given up now, the address erased, the SMTP code as `last_error`;
- `ServerUnavailable` (nothing listens, a timeout, the TLS, the login or the sender
  refused, the folder not writable): this mail is handed back, as are the rest of
  the batch, and nothing more is claimed until `sender.check()` passes again (tried
  after 1 s, 2 s, ... up to 5 minutes). An outage costs each mail at most one
  attempt, so a long one loses nothing (pending mails are kept for
  RETENTION_OUTBOX_PENDING_DAYS).

Never twice, with one exception: a mail is sent only while its lease holds (a send
that could outlast it waits for the next claim), and marked delivered right after
the server accepted it. A crash (or a lost database) between the server's 250 and
that commit sends the mail again after the lease: at least once, never lost.

`wake()` starts a pass at once (call it after queueing); otherwise the outbox is read
every `idle_poll` seconds (mails queued by other processes).

Logs name the outbox id and a code only; never an address, a subject or a text. A
payload's optional `"reference"` (a pre-aanmelding's reference code) puts the outcome
in the audit log (`email_sent`, `email_given_up`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.email.message import MailFrom, UnusablePayload, compose
from bot.email.senders import (
    MailDeferred,
    MailFailure,
    MailRejected,
    MailSender,
    OutgoingMail,
    ServerUnavailable,
)
from intake.email_address import EMAIL_CHANNEL, InvalidEmailAddress, normalise_email
from storage.database import Database
from storage.outbox import OutboxMessage, UnknownOutboxMessage
from storage.unit_of_work import UnitOfWork

__all__ = ["CHANNEL", "EmailDeliverer", "EmailStats", "email_retry_delay"]

CHANNEL = EMAIL_CHANNEL
AUDIT_SUBJECT = "pre_aanmelding"
log = logging.getLogger(__name__)


def email_retry_delay(attempts: int) -> timedelta:
    """After `attempts` deferred attempts: 1, 2, 4, ... minutes, at most an hour (with
    the outbox's MAX_ATTEMPTS of 10: about four hours before a mail is given up)."""
    return timedelta(minutes=min(2 ** max(attempts - 1, 0), 60))


@dataclass
class EmailStats:
    delivered: int = 0
    deferred: int = 0  # 4xx for one mail: tried again later
    given_up: int = 0
    server_unavailable: int = 0  # passes that found the server (or folder) unusable


@dataclass(frozen=True)
class _Outcome:
    message: OutboxMessage
    error: str | None = None  # None: delivered
    retry_after: timedelta | None = None
    give_up: bool = False


class EmailDeliverer:
    """Run with `start()` (a task) or `await run()`; `stop()` lets the send in flight
    finish and records it. `deliver_due()` is one pass (tests, commands)."""

    def __init__(
        self,
        database: Database,
        sender: MailSender,
        mail_from: MailFrom,
        *,
        batch: int = 5,
        lease: timedelta = timedelta(minutes=10),
        send_limit: float = 90.0,
        idle_poll: float = 2.0,
        probe: tuple[float, float] = (1.0, 300.0),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if send_limit * 2 >= lease.total_seconds():
            raise ValueError("a send must fit in the lease twice over")
        self.database = database
        self.sender = sender
        self.mail_from = mail_from
        self.stats = EmailStats()
        self._batch = batch
        self._lease = lease
        self._send_limit = send_limit
        self._idle_poll = idle_poll
        self._probe = probe
        self._clock = clock
        self._unrecorded: list[_Outcome] = []
        self._down: str | None = None  # the code of the outage, while there is one
        self._wake = asyncio.Event()
        self._stopped = asyncio.Event()
        self._task: asyncio.Task[None] | None = None

    @property
    def server_down(self) -> bool:
        return self._down is not None

    # --- running -----------------------------------------------------------------

    def wake(self) -> None:
        """New mails are queued: look now."""
        self._wake.set()

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._stopped.clear()
            self._task = asyncio.create_task(self.run(), name="email-outbox")

    async def stop(self) -> None:
        """Finish the mail in flight, record it, and stop."""
        self._stopped.set()
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._unrecorded:
            try:
                await self._record_unrecorded()
            except Exception:
                log.exception("email outbox: outcomes not recorded at stop")

    async def run(self) -> None:
        while not self._stopped.is_set():
            self._wake.clear()
            if self._down is not None:
                await self._wait_for_server()
                continue
            try:
                claimed = await self.deliver_due()
            except Exception:  # a lost database: try again on the next pass
                log.exception("email outbox: a delivery pass failed")
                claimed = 0
            if claimed >= self._batch and self._down is None:
                continue  # more may be due
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._idle_poll)

    async def _wait_for_server(self) -> None:
        """Try the server after 1 s, 2 s, ... until it takes mail again (or stop)."""
        pause = self._probe[0]
        while self._down is not None and not self._stopped.is_set():
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._stopped.wait(), pause)
            if self._stopped.is_set():
                return
            try:
                await self.sender.check()
            except MailFailure as failure:
                self._down = failure.code
                pause = min(pause * 2, self._probe[1])
                continue
            log.warning("email: the %s takes mail again; delivery goes on", self.sender.kind)
            self._down = None

    # --- one pass ----------------------------------------------------------------

    async def deliver_due(self) -> int:
        """Record what a lost database kept from being recorded, claim due mails and
        send them, each recorded right after; how many were claimed."""
        if self._unrecorded:
            await self._record_unrecorded()
        async with self.database.unit_of_work() as uow:
            claimed = await uow.outbox.claim_due(
                limit=self._batch, lease=self._lease, channel=CHANNEL
            )
        started = self._clock()
        for index, message in enumerate(claimed):
            late = self._clock() - started + self._send_limit >= self._lease.total_seconds()
            if self._stopped.is_set() or self._down is not None or late:
                # Not tried: back to the outbox, due at once (sent after an outage).
                await self._hand_back(claimed[index:])
                break
            outcome = await self._attempt(message)
            self._unrecorded.append(outcome)
            await self._record_unrecorded()  # raises on a lost database: the rest leased
        return len(claimed)

    async def _hand_back(self, messages: list[OutboxMessage]) -> None:
        code = self._down or "not_sent"
        for message in messages:
            self._unrecorded.append(_Outcome(message, code, timedelta(seconds=1)))
        await self._record_unrecorded()

    async def _attempt(self, message: OutboxMessage) -> _Outcome:
        """Send one mail; its outcome (not yet recorded)."""
        try:
            mail = self.outgoing(message)
        except InvalidEmailAddress:
            return self._given_up(message, "bad_address")
        except (UnusablePayload, ValueError):
            return self._given_up(message, "bad_payload")
        try:
            async with asyncio.timeout(self._send_limit):
                await self.sender.send(mail)
        except MailRejected as failure:
            return self._given_up(message, failure.code)
        except MailDeferred as failure:
            self.stats.deferred += 1
            log.info("email: message %s deferred (%s)", message.id, failure.code)
            return _Outcome(message, failure.code, email_retry_delay(message.attempts))
        except (ServerUnavailable, TimeoutError) as failure:
            code = failure.code if isinstance(failure, ServerUnavailable) else "smtp_timeout"
            self._server_down(code)
            return _Outcome(message, code, timedelta(seconds=1))
        self.stats.delivered += 1
        return _Outcome(message)

    def outgoing(self, message: OutboxMessage) -> OutgoingMail:
        """The mail for `message`, named after it (the same on every attempt);
        `InvalidEmailAddress` or `UnusablePayload` when it cannot be sent."""
        recipient = normalise_email(message.recipient)
        return OutgoingMail(
            key=f"{message.created_at:%Y%m%dT%H%M%S%f}-{message.id}",
            envelope_from=self.mail_from.address,
            recipient=recipient,
            message=compose(self.mail_from, recipient, message.payload, now=self.database.clock()),
        )

    def _given_up(self, message: OutboxMessage, code: str) -> _Outcome:
        log.warning("email: message %s given up (%s)", message.id, code)
        return _Outcome(message, code, give_up=True)

    def _server_down(self, code: str) -> None:
        self.stats.server_unavailable += 1
        if self._down is None:
            log.warning(
                "email: the %s does not take mail (%s); mails wait in the outbox",
                self.sender.kind,
                code,
            )
        self._down = code

    async def _record_unrecorded(self) -> None:
        """Every outcome not yet in the database, in one unit of work; kept for the
        next pass when that fails."""
        outcomes, self._unrecorded = self._unrecorded, []
        try:
            async with self.database.unit_of_work() as uow:
                for outcome in outcomes:
                    try:
                        await self._record(uow, outcome)
                    except UnknownOutboxMessage:
                        continue  # erased meanwhile (the person asked): nothing to record
        except BaseException:
            self._unrecorded[:0] = outcomes
            raise

    async def _record(self, uow: UnitOfWork, outcome: _Outcome) -> None:
        message = outcome.message
        reference = message.payload.get("reference")
        if outcome.error is None:
            await uow.outbox.mark_delivered(message.id, created_at=message.created_at)
            action = "email_sent"
            details: dict[str, object] = {"outbox_id": message.id}
        else:
            again = await uow.outbox.mark_failed(
                message.id,
                outcome.error,
                retry_after=outcome.retry_after,
                give_up=outcome.give_up,
                created_at=message.created_at,
            )
            if again:
                return
            if not outcome.give_up:
                log.warning(
                    "email: message %s given up after %s attempts (%s)",
                    message.id,
                    message.attempts,
                    outcome.error,
                )
            self.stats.given_up += 1
            action = "email_given_up"
            details = {"outbox_id": message.id, "error": outcome.error}
        if isinstance(reference, str) and reference:
            await uow.audit.record(
                action, AUDIT_SUBJECT, reference, actor="system", details=details
            )
