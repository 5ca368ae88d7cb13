"""The outbox sender for Telegram: every due message, once, in order, within the limits.

Messages were queued in the same unit of work as the step that made them (the
conversation service, the dashboard, the staff notification). The deliverer claims
due `telegram` messages (`claim_due`: oldest first, at most one per chat, leased),
sends each through the Bot API and marks it delivered, or failed with a time to try
again. Because a chat's next message is handed out only after the previous one is
delivered, a person receives messages in order even while Telegram refuses some.

- Pace: `Pacer` (about one message per second per chat, at most 30 per second).
- HTTP 429: wait `retry_after` for that chat and send the same message again.
- 5xx or no answer: try again with a growing pause (0.5 s, 1 s, ... 8 s).
- Both are retried in-process while the lease allows (`hold`); then the message goes
  back to the outbox with the wait as `retry_after`, and is claimed again later.
- 403 (the person blocked the bot) and other 400s: given up, the chat id erased.
- A failed edit of a keyboard falls back to sending the question again.

Delivery is at least once: a crash between sending and marking resends one message.
`wake()` starts a pass at once (the adapters call it after a turn); otherwise the
outbox is checked every `idle_poll` seconds (messages queued by other processes).
A pass is one unit of work: it records the outcomes of the sends finished since the
last pass, then claims what is due now (a busy bot writes once per pass, not twice
per message).
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

from bot.telegram.bot_api import ApiResult, BotApi, chat_id_param
from bot.telegram.pacing import Pacer
from bot.telegram.rendering import split_text
from storage.database import Database
from storage.outbox import OutboxMessage, UnknownOutboxMessage
from storage.unit_of_work import UnitOfWork

__all__ = ["CHANNEL", "DeliveryStats", "OutboxDeliverer"]

CHANNEL = "telegram"
log = logging.getLogger(__name__)

_METHODS = frozenset({"sendMessage", "editMessageReplyMarkup", "editMessageText"})


@dataclass(frozen=True)
class _Outcome:
    message_id: int
    created_at: datetime | None  # of the message as claimed: not a new one with its id
    error: str | None = None  # None: delivered
    retry_after: float | None = None
    give_up: bool = False


@dataclass
class DeliveryStats:
    delivered: int = 0
    rate_limited: int = 0  # 429 answers
    server_errors: int = 0  # 5xx answers and network errors
    requeued: int = 0  # handed back to the outbox for a later attempt
    given_up: int = 0


def _requests(message: OutboxMessage) -> list[tuple[str, dict[str, Any]]]:
    """The Bot API calls a payload stands for (a long foreign text: several)."""
    payload = dict(message.payload)
    chat_id = chat_id_param(message.recipient)
    method = str(payload.pop("method", "sendMessage"))
    payload.pop("fallback", None)
    if method not in _METHODS:
        raise ValueError(f"unsupported outbox method {method!r}")
    if method == "sendMessage":
        text = str(payload.get("text") or "")
        parts = split_text(text)
        calls = [(method, {**payload, "chat_id": chat_id, "text": part}) for part in parts]
        for _, params in calls[:-1]:
            params.pop("reply_markup", None)
        return calls
    return [(method, {**payload, "chat_id": chat_id})]


def _fallback(message: OutboxMessage) -> list[tuple[str, dict[str, Any]]] | None:
    fallback = message.payload.get("fallback")
    if not isinstance(fallback, Mapping):
        return None
    return [("sendMessage", {**fallback, "chat_id": chat_id_param(message.recipient)})]


class OutboxDeliverer:
    """Run with `start()` (a task) or `await run()`; `stop()` finishes in-flight sends."""

    def __init__(
        self,
        database: Database,
        api: BotApi,
        *,
        pacer: Pacer | None = None,
        channel: str = CHANNEL,
        lease: timedelta = timedelta(seconds=15),
        hold: float = 10.0,
        idle_poll: float = 1.0,
        max_in_flight: int = 64,
        backoff: tuple[float, float] = (0.5, 8.0),
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if hold >= lease.total_seconds():
            raise ValueError("hold must be shorter than the lease")
        self.database = database
        self.api = api
        self.pacer = pacer or Pacer()
        self.channel = channel
        self.stats = DeliveryStats()
        self._lease = lease
        self._hold = hold
        self._idle_poll = idle_poll
        self._max_in_flight = max_in_flight
        self._backoff = backoff
        self._clock = clock
        self._wake = asyncio.Event()
        self._passed = asyncio.Event()
        self._in_flight: set[asyncio.Task[None]] = set()
        self._outcomes: list[_Outcome] = []
        self._last_claim_empty = False
        self._stopping = False
        self._task: asyncio.Task[None] | None = None

    # --- running -----------------------------------------------------------------

    def wake(self) -> None:
        """New messages are queued: look now."""
        self._wake.set()

    def start(self) -> None:
        if self._task is None or self._task.done():
            self._stopping = False
            self._task = asyncio.create_task(self.run(), name="telegram-outbox")

    async def stop(self) -> None:
        """Finish the sends in flight (a send waiting to retry goes back to the outbox)
        and record their outcomes."""
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
                log.exception("telegram outbox: outcomes not recorded at stop")

    async def run(self) -> None:
        while not self._stopping:
            self._wake.clear()
            try:
                claimed = await self._pass()
            except Exception:  # a lost database: try again on the next pass
                log.exception("telegram outbox: a delivery pass failed")
                claimed = []
            for message in claimed:
                task = asyncio.create_task(self._deliver(message))
                self._in_flight.add(task)
                task.add_done_callback(self._finished)
            self._last_claim_empty = not claimed
            self._notify_pass()
            if claimed and len(self._in_flight) < self._max_in_flight:
                continue  # more chats may have due messages
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self._idle_poll)

    def _finished(self, task: asyncio.Task[None]) -> None:
        self._in_flight.discard(task)
        if not task.cancelled() and task.exception() is not None:
            log.error("telegram outbox: delivery failed", exc_info=task.exception())
        self._wake.set()

    def _notify_pass(self) -> None:
        passed, self._passed = self._passed, asyncio.Event()
        passed.set()

    async def _record(self, uow: UnitOfWork, outcome: _Outcome) -> list[bool]:
        """One send's outcome on its outbox row; [will it be tried again] on a failure."""
        if outcome.error is None:
            await uow.outbox.mark_delivered(outcome.message_id, created_at=outcome.created_at)
            return []
        wait = outcome.retry_after
        retried = await uow.outbox.mark_failed(
            outcome.message_id,
            outcome.error,
            retry_after=timedelta(seconds=wait) if wait is not None else None,
            give_up=outcome.give_up,
            created_at=outcome.created_at,
        )
        return [retried]

    async def _pass(self, *, claim: bool = True) -> list[OutboxMessage]:
        """Record the finished sends, then claim due messages: one unit of work."""
        outcomes, self._outcomes = self._outcomes, []
        room = self._max_in_flight - len(self._in_flight) if claim else 0
        again: list[bool] = []
        claimed: list[OutboxMessage] = []
        try:
            async with self.database.unit_of_work() as uow:
                for outcome in outcomes:
                    try:
                        again += await self._record(uow, outcome)
                    except UnknownOutboxMessage:
                        # Erased while it was on its way (the person asked, /verwijder):
                        # nothing left to record, and the next outcomes still count.
                        continue
                if room > 0:
                    claimed = await uow.outbox.claim_due(
                        limit=room, lease=self._lease, channel=self.channel
                    )
        except BaseException:
            self._outcomes[:0] = outcomes  # recorded by a later pass
            raise
        self.stats.delivered += sum(1 for outcome in outcomes if outcome.error is None)
        self.stats.requeued += sum(again)
        self.stats.given_up += len(again) - sum(again)
        return claimed

    async def wait_idle(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Until nothing is in flight and the outbox holds no pending message (tests and
        the benchmark; raises TimeoutError)."""
        async with asyncio.timeout(timeout):
            while True:
                passed = self._passed
                quiet = not self._in_flight and not self._outcomes
                if quiet and self._last_claim_empty and not self._wake.is_set():
                    async with self.database.unit_of_work(write=False) as uow:
                        if await uow.outbox.pending_count() == 0:
                            return
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(passed.wait(), self._idle_poll * 2)
                    continue
                await passed.wait()

    # --- one message -------------------------------------------------------------

    async def _deliver(self, message: OutboxMessage) -> None:
        """Send one message; its outcome is recorded by the next pass."""
        try:
            requests = _requests(message)
        except ValueError as error:
            log.error("telegram outbox: message %s unusable: %s", message.id, error)
            self._outcomes.append(
                _Outcome(message.id, message.created_at, "bad_payload", give_up=True)
            )
            return
        deadline = self._clock() + self._hold
        pause = self._backoff[0]
        done = 0  # parts of a split text already sent (not sent again on a retry)
        while True:
            result = ApiResult(200)
            for method, params in requests[done:]:
                await self.pacer.acquire(message.recipient)
                result = await self.api.call(method, params)
                if not result.ok:
                    break
                done += 1
            if result.ok or result.not_modified:
                self._outcomes.append(_Outcome(message.id, message.created_at))
                return
            wait: float
            if result.rate_limited:
                self.stats.rate_limited += 1
                wait = result.retry_after or 1.0
                self.pacer.block(message.recipient, wait)
            elif result.transient:
                self.stats.server_errors += 1
                wait, pause = pause, min(pause * 2, self._backoff[1])
            else:
                fallback = _fallback(message)
                if fallback is not None and requests[0][0] != "sendMessage":
                    requests, done = fallback, 0
                    continue
                log.warning(
                    "telegram outbox: message %s refused (%s %s), given up",
                    message.id,
                    result.status,
                    result.description[:80],
                )
                self._outcomes.append(
                    _Outcome(message.id, message.created_at, f"http_{result.status}", give_up=True)
                )
                return
            if self._stopping or self._clock() + wait > deadline:
                self._outcomes.append(
                    _Outcome(message.id, message.created_at, f"http_{result.status}", wait)
                )
                return
            if not result.rate_limited:
                await asyncio.sleep(wait)  # a 429's wait is kept by the pacer
