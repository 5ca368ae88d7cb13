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

Sent at once (`Sending`): a reply to an update is queued leased to this process in
the update's own unit of work (`Outbox.enqueue_leased`), and the update's task sends
it right after the commit, with the same pacing, retries and limits; the deliverer
skips it while the lease lasts, so it is never sent twice, and takes it after the
lease when the process died between the commit and the send. A chat's messages go
out in order: one update's sends after the previous one's (a line per chat), and a
reply behind a pending message of another sender (a failed send, the loket's
message) is left to the deliverer. After a failed send the rest of the chat's line
goes back to the deliverer too. Deliveries are recorded many at a time, in one
statement (`Recorder`: every few milliseconds or every `RECORD_BATCH` messages).

Delivery is at least once: a crash between sending and recording resends a message.
`wake()` starts a pass at once (the intake calls it when an update left messages for
the deliverer); otherwise the outbox is checked every `idle_poll` seconds (messages
queued by the dashboard or other processes). A pass is one unit of work: it records
the outcomes of the sends finished since the last pass (the deliveries in one
statement), then claims what is due now.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from bot.telegram.bot_api import ApiResult, BotApi, chat_id_param
from bot.telegram.pacing import Pacer
from bot.telegram.rendering import split_text
from storage.database import Database
from storage.outbox import OutboxMessage, UnknownOutboxMessage
from storage.unit_of_work import UnitOfWork

__all__ = ["CHANNEL", "RECORD_BATCH", "DeliveryStats", "OutboxDeliverer", "Sending"]

CHANNEL = "telegram"
RECORD_BATCH = 200  # deliveries recorded in one statement at most
# Seconds a delivery waits to be recorded with others, or in the next update's unit
# of work (a busy bot records every delivery that way, without a commit of its own).
RECORD_DELAY = 0.05
log = logging.getLogger(__name__)

_METHODS = frozenset({"sendMessage", "editMessageReplyMarkup", "editMessageText"})


@dataclass(frozen=True)
class _Outcome:
    message_id: int
    created_at: datetime  # of the message as claimed: not a new one with its id
    error: str | None = None  # None: delivered
    retry_after: float | None = None
    give_up: bool = False


@dataclass
class _Line:
    """One chat's sends at once in this process: an update's after the previous one's."""

    tail: asyncio.Future[None] | None = None  # done when the last update's sends are
    own: set[int] = field(default_factory=set)  # leased here, not yet recorded delivered
    failures: int = 0  # failed sends: what was queued behind one goes to the deliverer
    users: int = 0


@dataclass
class DeliveryStats:
    delivered: int = 0
    sent_at_once: int = 0  # by the update's own task, right after its commit
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
        self._lines: dict[str, _Line] = {}
        self._sending = 0  # updates whose sends at once are under way
        self.recorder = Recorder(self)

    @property
    def lease(self) -> timedelta:
        return self._lease

    def sending(self) -> Sending:
        """For one update: queue its replies to send at once after the commit."""
        return Sending(self)

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
        await self.recorder.flush()
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
        """A failed send's outcome on its outbox row: [will it be tried again]."""
        wait = outcome.retry_after
        retried = await uow.outbox.mark_failed(
            outcome.message_id,
            outcome.error or "unknown",
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
                await uow.outbox.mark_delivered_many(
                    [(o.message_id, o.created_at) for o in outcomes if o.error is None]
                )
                for outcome in outcomes:
                    if outcome.error is None:
                        continue
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
                quiet = quiet and not self._sending and self.recorder.idle
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
        outcome = await self._attempt(message, self._clock() + self._hold)
        self._outcomes.append(outcome)  # the list of now: a pass may have taken the last

    async def _attempt(self, message: OutboxMessage, deadline: float) -> _Outcome:
        """Send one message, trying again until `deadline` (before its lease ends)."""
        try:
            requests = _requests(message)
        except ValueError as error:
            log.error("telegram outbox: message %s unusable: %s", message.id, error)
            return _Outcome(message.id, message.created_at, "bad_payload", give_up=True)
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
                return _Outcome(message.id, message.created_at)
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
                return _Outcome(
                    message.id, message.created_at, f"http_{result.status}", give_up=True
                )
            if self._stopping or self._clock() + wait > deadline:
                return _Outcome(message.id, message.created_at, f"http_{result.status}", wait)
            if not result.rate_limited:
                await asyncio.sleep(wait)  # a 429's wait is kept by the pacer

    # --- sent at once, by the update's own task ---------------------------------------

    def _line(self, recipient: str) -> _Line:
        line = self._lines.get(recipient)
        if line is None:
            line = self._lines[recipient] = _Line()
        return line

    def _leave_line(self, recipient: str, line: _Line) -> None:
        line.users -= 1
        self._drop_unused(recipient, line)

    def _drop_unused(self, recipient: str, line: _Line) -> None:
        if line.users <= 0 and not line.own and self._lines.get(recipient) is line:
            del self._lines[recipient]

    def _hand_back(self, message: OutboxMessage, outcome: _Outcome, line: _Line) -> None:
        """A message not sent at once: the deliverer records why and takes it again."""
        line.own.discard(message.id)
        self._outcomes.append(outcome)
        self._wake.set()

    async def _send_line(
        self, messages: list[OutboxMessage], line: _Line, failures: int, deadline: float
    ) -> None:
        for index, message in enumerate(messages):
            if line.failures != failures or self._stopping or self._clock() >= deadline:
                # Behind a failed send (order first), or out of time: the deliverer's.
                outcome = _Outcome(message.id, message.created_at, "deferred", 0.0)
                self._hand_back(message, outcome, line)
                continue
            try:
                outcome = await self._attempt(message, deadline)
            except Exception as error:  # a send that broke: the deliverer tries again
                log.error("telegram: a send failed: %s", type(error).__name__)
                outcome = _Outcome(message.id, message.created_at, type(error).__name__, 1.0)
            except BaseException:  # cancelled: this one may have gone out (its lease
                # runs out, then the deliverer sends it), the rest go back now
                line.failures += 1
                line.own.discard(message.id)
                for rest in messages[index + 1 :]:
                    outcome = _Outcome(rest.id, rest.created_at, "deferred", 0.0)
                    self._hand_back(rest, outcome, line)
                raise
            if outcome.error is None:
                self.stats.sent_at_once += 1
                self.recorder.add(message, line)
            else:
                line.failures += 1
                self._hand_back(message, outcome, line)


class Sending:
    """One update's replies, queued leased in its unit of work (`enqueue`, the channel
    core's outbox writer) and sent by the update's task right after the commit
    (`take_turn` while the chat's lock is held, then `send`)."""

    def __init__(self, deliverer: OutboxDeliverer) -> None:
        self._deliverer = deliverer
        self._uow: UnitOfWork | None = None
        self._messages: list[OutboxMessage] = []
        self._failures: dict[str, int] = {}  # of each chat's line when the unit began
        self._began = 0.0
        self.left = 0  # queued for the deliverer (behind another pending message)
        self._turns: list[tuple[str, _Line, asyncio.Future[None] | None, asyncio.Future[None]]]
        self._turns = []
        self._recording: list[tuple[OutboxMessage, _Line]] = []  # in this unit of work

    async def enqueue(
        self,
        uow: UnitOfWork,
        channel: str,
        recipient_hash: str,
        recipient: str,
        payload: Mapping[str, Any],
    ) -> None:
        deliverer = self._deliverer
        if channel != deliverer.channel:
            await uow.outbox.enqueue(channel, recipient_hash, recipient, payload)
            return
        if uow is not self._uow:  # a unit of work run again: only the last one counts
            self.abandon()
            self._uow, self._messages, self.left = uow, [], 0
            self._failures = {}
            self._began = deliverer._clock()
            # Deliveries of earlier updates waiting to be recorded: recorded in this
            # unit of work (one statement, no transaction of their own).
            self._recording = deliverer.recorder.take()
            if self._recording:
                sent = [(m.id, m.created_at) for m, _ in self._recording]
                await uow.outbox.mark_delivered_many(sent)
        line = deliverer._lines.get(recipient)
        self._failures.setdefault(recipient, line.failures if line is not None else 0)
        own = set(line.own) if line is not None else set()
        own.update(m.id for m in self._messages if m.recipient == recipient)
        message = await uow.outbox.enqueue_leased(
            channel, recipient_hash, recipient, payload, lease=deliverer.lease, own=own
        )
        if message is None:
            self.left += 1
        else:
            self._messages.append(message)

    @property
    def queued(self) -> int:
        return len(self._messages) + self.left

    def abandon(self) -> None:
        """The unit of work did not commit: its deliveries are recorded another time."""
        recording, self._recording = self._recording, []
        if recording:
            self._deliverer.recorder.put_back(recording)

    def take_turn(self) -> None:
        """After the commit, before the next update of the chat can run: this update's
        place in each chat's line (no await in between)."""
        deliverer = self._deliverer
        recorded, self._recording = self._recording, []
        if recorded:
            deliverer.recorder.recorded(recorded)
        deliverer._sending += 1
        for recipient in dict.fromkeys(m.recipient for m in self._messages):
            line = deliverer._line(recipient)
            line.users += 1
            line.own.update(m.id for m in self._messages if m.recipient == recipient)
            done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
            before, line.tail = line.tail, done
            self._turns.append((recipient, line, before, done))

    async def send(self) -> None:
        """Send what `take_turn` lined up, each chat's after its previous update's."""
        deliverer = self._deliverer
        deadline = self._began + deliverer._hold
        try:
            for recipient, line, before, done in self._turns:
                messages = [m for m in self._messages if m.recipient == recipient]
                try:
                    try:
                        if before is not None:
                            await asyncio.shield(before)
                    except BaseException:  # cancelled: none sent, all the deliverer's
                        line.failures += 1
                        for message in messages:
                            outcome = _Outcome(message.id, message.created_at, "deferred", 0.0)
                            deliverer._hand_back(message, outcome, line)
                        raise
                    failures = self._failures.get(recipient, 0)
                    await deliverer._send_line(messages, line, failures, deadline)
                finally:
                    if not done.done():
                        done.set_result(None)
                    deliverer._leave_line(recipient, line)
        finally:
            self._turns = []
            deliverer._sending -= 1
            deliverer._notify_pass()


class Recorder:
    """Deliveries recorded in batches: one statement for every delivery of the last
    `RECORD_DELAY` seconds (at most `RECORD_BATCH`), in the next update's unit of work
    (`take`), else in a unit of work of its own."""

    def __init__(self, deliverer: OutboxDeliverer, delay: float = RECORD_DELAY) -> None:
        self._deliverer = deliverer
        self._delay = delay
        self._sent: list[tuple[OutboxMessage, _Line]] = []
        self._full = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._taken = 0  # batches being recorded in an update's unit of work
        self._oldest = 0.0  # when the oldest delivery waiting was added (monotonic)

    @property
    def idle(self) -> bool:
        running = self._task is not None and not self._task.done()
        return not self._sent and not running and not self._taken

    def add(self, message: OutboxMessage, line: _Line) -> None:
        if not self._sent:
            self._oldest = time.monotonic()
        self._sent.append((message, line))
        if len(self._sent) >= RECORD_BATCH:
            self._full.set()
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="telegram-record")

    async def _run(self) -> None:
        pause = 0.5
        while self._sent:
            wait = self._oldest + self._delay - time.monotonic()
            if len(self._sent) < RECORD_BATCH and wait > 0:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._full.wait(), wait)
                self._full.clear()
                continue  # an update's unit of work may have taken them meanwhile
            self._full.clear()
            try:
                await self._record()
            except Exception:  # the database is away: the sent messages stay leased
                log.exception("telegram outbox: deliveries not recorded, again")
                await asyncio.sleep(pause)
                pause = min(pause * 2, 8.0)
            else:
                pause = 0.5

    def take(self) -> list[tuple[OutboxMessage, _Line]]:
        """Deliveries to record in a unit of work that writes anyway (an update's):
        `recorded` after its commit, else `put_back`."""
        batch, self._sent = self._sent[:RECORD_BATCH], self._sent[RECORD_BATCH:]
        if batch:
            self._taken += 1
            self._oldest = time.monotonic()  # of what is left, near enough
        return batch

    def put_back(self, batch: list[tuple[OutboxMessage, _Line]]) -> None:
        self._taken -= 1
        self._sent[:0] = batch
        self._oldest = time.monotonic() - self._delay  # overdue: record soon
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._run(), name="telegram-record")

    def recorded(self, batch: list[tuple[OutboxMessage, _Line]], *, taken: bool = True) -> None:
        deliverer = self._deliverer
        if taken:
            self._taken -= 1
        deliverer.stats.delivered += len(batch)
        for message, line in batch:
            line.own.discard(message.id)
            deliverer._drop_unused(message.recipient, line)
        deliverer._notify_pass()

    async def _record(self) -> None:
        batch, self._sent = self._sent[:RECORD_BATCH], self._sent[RECORD_BATCH:]
        if not batch:
            return
        try:
            async with self._deliverer.database.unit_of_work() as uow:
                await uow.outbox.mark_delivered_many([(m.id, m.created_at) for m, _ in batch])
        except BaseException:
            self._sent[:0] = batch
            raise
        self.recorded(batch, taken=False)

    async def flush(self) -> None:
        """Record what was sent (at stop)."""
        if self._task is not None and not self._task.done():
            self._full.set()
            with contextlib.suppress(Exception):
                await self._task
        if self._sent:
            try:
                await self._record()
            except Exception:
                log.exception("telegram outbox: deliveries not recorded at stop")
