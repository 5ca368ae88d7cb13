"""The outbox sender for WhatsApp, modelled on Telegram's (`bot.telegram.delivery`):
every due `whatsapp` message, once, in order per person, through the Cloud API.

A pass is one unit of work: it records the outcomes of the sends finished since the
last pass (delivered: with the `wamid` the API answered, so status webhooks find the
row, `storage.outbox_receipts`), then claims what is due (`claim_due`: oldest first,
at most one per person, leased). A person's next message is handed out only after
the previous one is delivered, so nothing is reordered while the API refuses some.

- Throughput limits (HTTP 429, 130429, 131056, ...): the message goes back to the
  outbox with a wait and is sent again; nothing is lost or reordered.
- 5xx, network errors: tried again in the process (0.5 s, 1 s, ... 8 s) while the
  lease allows (`hold`), then back to the outbox.
- Other refusals (a wrong number, 131047: more than 24 hours since the person's last
  message) are given up at once with the error code; the number is erased.
- A long text (written by others as `{"text": "..."}`) is split at 4,096 characters;
  parts already sent are not sent again by a retry in the process.

Delivery is at least once: a crash between sending and recording sends one message
again after the lease.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.whatsapp.graph_api import GraphApi, SendResult
from bot.whatsapp.rendering import split_text, text_message
from storage.database import Database
from storage.outbox import OutboxMessage, UnknownOutboxMessage
from storage.outbox_receipts import outbox_receipts
from storage.unit_of_work import UnitOfWork

__all__ = ["CHANNEL", "WhatsAppDeliverer", "requests_of"]

CHANNEL = "whatsapp"
log = logging.getLogger(__name__)
_TYPES = frozenset({"text", "interactive", "template"})


@dataclass(frozen=True)
class _Outcome:
    message_id: int
    created_at: datetime
    provider_id: str | None = None  # delivered (accepted by the API) when set
    error: str | None = None
    retry_after: float | None = None
    give_up: bool = False


def requests_of(payload: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The Cloud API message objects a payload stands for (a long text: several)."""
    if isinstance(payload.get("text"), str):  # written by others: a plain text
        return [text_message(part) for part in split_text(str(payload["text"]))]
    kind = payload.get("type")
    if kind not in _TYPES:
        raise ValueError(f"unsupported outbox payload type {kind!r}")
    if kind == "text":
        text = payload.get("text")
        body = text.get("body") if isinstance(text, Mapping) else None
        if not isinstance(body, str):
            raise ValueError("a text payload without a body")
        return [text_message(part) for part in split_text(body)]
    return [dict(payload)]


class WhatsAppDeliverer:
    """Run with `start()` (a task); `stop()` finishes the sends in flight."""

    def __init__(
        self,
        database: Database,
        api: GraphApi,
        *,
        lease: timedelta = timedelta(seconds=15),
        hold: float = 10.0,
        idle_poll: float = 1.0,
        max_in_flight: int = 32,
        backoff: tuple[float, float] = (0.5, 8.0),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if hold >= lease.total_seconds():
            raise ValueError("hold must be shorter than the lease")
        self.database = database
        self.api = api
        self._lease, self._hold, self._idle_poll = lease, hold, idle_poll
        self._max_in_flight, self._backoff, self._clock = max_in_flight, backoff, clock
        self._wake = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._outcomes: list[_Outcome] = []
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    def wake(self) -> None:
        """New messages are queued: look now."""
        self._wake.set()

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._stopping = False
            self._task = asyncio.create_task(self._run(), name="whatsapp-outbox")

    async def stop(self) -> None:
        self._stopping = True
        self._wake.set()
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
        if self._in_flight:
            await asyncio.gather(*self._in_flight, return_exceptions=True)
        if self._outcomes:
            try:
                await self._pass(claim=False)
            except Exception:
                log.exception("whatsapp outbox: outcomes not recorded at stop")

    async def _run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                claimed = await self._pass()
            except Exception:  # a lost database: try again on the next pass
                log.exception("whatsapp outbox: a delivery pass failed")
                claimed = []
            for message in claimed:
                task = asyncio.create_task(self._deliver(message))
                self._in_flight.add(task)
                task.add_done_callback(self._finished)
            if claimed and len(self._in_flight) < self._max_in_flight:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._idle_poll)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("whatsapp outbox: delivery failed", exc_info=task.exception())
        self._wake.set()

    async def _pass(self, *, claim: bool = True) -> list[OutboxMessage]:
        outcomes, self._outcomes = self._outcomes, []
        room = self._max_in_flight - len(self._in_flight) if claim else 0
        try:
            async with self.database.unit_of_work() as uow:
                for outcome in outcomes:
                    with contextlib.suppress(UnknownOutboxMessage):  # erased meanwhile
                        await self._record(uow, outcome)
                if room <= 0:
                    return []
                return await uow.outbox.claim_due(limit=room, lease=self._lease, channel=CHANNEL)
        except BaseException:
            self._outcomes[:0] = outcomes  # recorded by a later pass
            raise

    async def _record(self, uow: UnitOfWork, outcome: _Outcome) -> None:
        if outcome.provider_id is not None:
            await uow.outbox.mark_delivered(outcome.message_id, created_at=outcome.created_at)
            await outbox_receipts(uow).sent(
                outcome.message_id, outcome.provider_id, created_at=outcome.created_at
            )
            return
        assert outcome.error is not None
        wait = outcome.retry_after
        await uow.outbox.mark_failed(
            outcome.message_id,
            outcome.error,
            retry_after=timedelta(seconds=wait) if wait is not None else None,
            give_up=outcome.give_up,
            created_at=outcome.created_at,
        )

    async def _deliver(self, message: OutboxMessage) -> None:
        """Send one message; its outcome is recorded by the next pass."""
        try:
            requests = requests_of(message.payload)
        except ValueError as error:
            log.error("whatsapp outbox: message %s unusable: %s", message.id, error)
            self._outcomes.append(
                _Outcome(message.id, message.created_at, error="bad_payload", give_up=True)
            )
            return
        deadline = self._clock() + self._hold
        pause = self._backoff[0]
        done = 0
        last_id: str | None = None
        while True:
            result = SendResult(200)
            for request in requests[done:]:
                result = await self.api.send(message.recipient, request)
                if not result.ok:
                    break
                done += 1
                last_id = result.message_id
            if done == len(requests) and last_id is not None:
                self._outcomes.append(_Outcome(message.id, message.created_at, last_id))
                return
            if result.rate_limited:
                wait = result.retry_after or 6.0  # the pair limit: one message in 6 s
                self._outcomes.append(
                    _Outcome(message.id, message.created_at, error=result.error, retry_after=wait)
                )
                return
            if not result.transient:
                log.warning(
                    "whatsapp outbox: message %s refused (%s), given up", message.id, result.error
                )
                self._outcomes.append(
                    _Outcome(message.id, message.created_at, error=result.error, give_up=True)
                )
                return
            wait, pause = pause, min(pause * 2, self._backoff[1])
            if self._stopping or self._clock() + wait > deadline:
                self._outcomes.append(
                    _Outcome(message.id, message.created_at, error=result.error, retry_after=wait)
                )
                return
            await asyncio.sleep(wait)
