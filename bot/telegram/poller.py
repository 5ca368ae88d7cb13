"""Long polling that confirms an update only after it was applied.

Telegram confirms every update below the `offset` of a `getUpdates` call. The
frameworks' own pollers ask for the next updates (and so confirm the last ones) as
soon as they have fetched them, about 30 ms later, before the updates' units of work
commit: a crash in that window lost an answer. This poller feeds each update to the
adapter (the framework's dispatcher, exactly as the webhook does) as a task of its
own, so updates of different chats still run at the same time, and asks Telegram for
updates from the oldest one not yet done. An update still being handled comes back
with that answer and is not handled twice; one that failed is tried again after a
pause, and after the last try the person is told it did not work (in their language)
and the update is let go, so one broken update never blocks everyone.

What remains after a crash: an update handled (committed) but not yet confirmed is
fetched again by the next process and dropped there by its update id
(`processed_updates`, in the same unit of work as its effect): handled once.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from bot.telegram import wording
from bot.telegram.bot_api import BotApi
from flows.texts import Text
from locales import render
from locales.languages import match_locale

__all__ = ["ALLOWED_UPDATES", "PollerStats", "UpdatePoller"]

ALLOWED_UPDATES = ["message", "edited_message", "callback_query"]
log = logging.getLogger(__name__)

Feed = Callable[[dict[str, Any]], Awaitable[None]]


@dataclass
class PollerStats:
    """Counts for logs and metrics; nothing personal."""

    handled: int = 0
    refetched: int = 0  # fetched again while in flight (not handled twice)
    retried: int = 0
    given_up: int = 0


@dataclass
class _Failed:
    attempts: int
    not_before: float


@dataclass
class UpdatePoller:
    api: BotApi
    feed: Feed
    default_locale: str = "nl"
    poll_timeout: int = 25
    concurrency: int = 12
    retry_pauses: tuple[float, ...] = (1.0, 2.0, 5.0, 15.0)
    limit: int = 100
    stats: PollerStats = field(default_factory=PollerStats)

    def __post_init__(self) -> None:
        self._next = 0  # the offset when nothing is open: one past the newest update seen
        self._running: dict[int, asyncio.Task[None]] = {}
        self._failed: dict[int, _Failed] = {}
        # Done but not yet confirmed (an older update is still open): they come back
        # with the next answer and must not be handled again.
        self._done: set[int] = set()
        self._progress = asyncio.Event()
        self._slots = asyncio.Semaphore(self.concurrency)
        self._task: asyncio.Task[None] | None = None
        self._stopping = False

    # --- the loop ---------------------------------------------------------------------

    def start(self) -> None:
        self._stopping = False
        self._task = asyncio.create_task(self._run(), name="telegram-poller")

    async def stop(self, timeout: float = 10.0) -> None:  # noqa: ASYNC109
        """Stop asking; let the updates in flight finish (they are not confirmed here:
        whatever did not finish comes again to the next process)."""
        self._stopping = True
        task, self._task = self._task, None
        # Python 3.11's `wait_for` can swallow a cancellation that meets its inner
        # wait finishing (the poller then asked again and waited a whole long poll):
        # cancel until the task is done; `_stopping` ends its loop anyway.
        while task is not None and not task.done():
            task.cancel()
            await asyncio.wait({task}, timeout=1.0)
        if task is not None and not task.cancelled() and task.exception() is not None:
            log.error("telegram poller ended with %s", type(task.exception()).__name__)
        if self._running:
            await asyncio.wait(list(self._running.values()), timeout=timeout)

    def offset(self) -> int:
        """The oldest update not yet done (in flight or to be tried again), else one
        past the newest seen: every update below it is applied."""
        open_ids = [*self._running, *self._failed]
        return min(open_ids) if open_ids else self._next

    async def _run(self) -> None:
        pause = 1.0
        while not self._stopping:
            waiting = bool(self._running or self._failed)
            offset = self.offset()
            self._done = {update_id for update_id in self._done if update_id >= offset}
            params = {
                "offset": offset,
                "timeout": 0 if waiting else self.poll_timeout,
                "limit": self.limit,
                "allowed_updates": ALLOWED_UPDATES,
            }
            self._progress.clear()
            result = await self.api.call("getUpdates", params, wait=self.poll_timeout + 10)
            if not result.ok or not isinstance(result.result, list):
                log.warning("getUpdates failed: %s %s", result.status, result.description)
                await asyncio.sleep(result.retry_after or pause)
                pause = min(pause * 2, 30.0)
                continue
            pause = 1.0
            started = self._dispatch(result.result)
            if waiting and not started:
                # Only updates still in flight came back: wait until one is done (or a
                # failed one may be tried again) before asking again.
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._progress.wait(), self._retry_wait())

    def _retry_wait(self) -> float:
        if not self._failed:
            return 1.0
        soonest = min(f.not_before for f in self._failed.values())
        return max(0.05, min(1.0, soonest - time.monotonic()))

    def _dispatch(self, updates: list[Any]) -> int:
        started = 0
        now = time.monotonic()
        for data in updates:
            update_id = data.get("update_id") if isinstance(data, dict) else None
            if not isinstance(update_id, int):
                continue
            self._next = max(self._next, update_id + 1)
            if update_id in self._running or update_id in self._done:
                self.stats.refetched += 1
                continue
            failed = self._failed.get(update_id)
            if failed is not None and failed.not_before > now:
                continue
            if failed is not None:
                self.stats.retried += 1
            self._running[update_id] = asyncio.create_task(
                self._handle(update_id, data), name=f"telegram-update-{update_id}"
            )
            started += 1
        return started

    async def _handle(self, update_id: int, data: dict[str, Any]) -> None:
        try:
            async with self._slots:
                await self.feed(data)
        except Exception as error:
            await self._failure(update_id, data, error)
        else:
            self._failed.pop(update_id, None)
            self._done.add(update_id)
            self.stats.handled += 1
        finally:
            del self._running[update_id]
            self._progress.set()

    async def _failure(self, update_id: int, data: dict[str, Any], error: Exception) -> None:
        failed = self._failed.get(update_id) or _Failed(0, 0.0)
        failed.attempts += 1
        if failed.attempts <= len(self.retry_pauses):
            failed.not_before = time.monotonic() + self.retry_pauses[failed.attempts - 1]
            self._failed[update_id] = failed
            log.warning(
                "update %s not applied (%s), tried again in %.0f s",
                update_id,
                type(error).__name__,
                self.retry_pauses[failed.attempts - 1],
            )
            return
        self._failed.pop(update_id, None)
        self._done.add(update_id)
        self.stats.given_up += 1
        log.error("update %s not applied after %s tries: let go", update_id, failed.attempts)
        await self._apologise(data)

    async def _apologise(self, data: dict[str, Any]) -> None:
        """Tell the person it did not work and to try again (directly: the database
        may be what failed). Nothing is kept of the update."""
        chat, language = _chat_of(data)
        if chat is None:
            return
        locale = match_locale(language, self.default_locale)
        text = render(Text(wording.NOT_APPLIED), locale)
        await self.api.call("sendMessage", {"chat_id": chat, "text": text})


def _chat_of(data: dict[str, Any]) -> tuple[int | None, str | None]:
    """The private chat an update came from, and the person's language, if any."""
    query = data.get("callback_query")
    message = (
        (query.get("message") if isinstance(query, dict) else None)
        or data.get("message")
        or data.get("edited_message")
    )
    sender = (query or message or {}).get("from") if isinstance(query or message, dict) else None
    chat = message.get("chat") if isinstance(message, dict) else None
    if not isinstance(chat, dict) or chat.get("type") != "private":
        return None, None
    chat_id = chat.get("id")
    language = sender.get("language_code") if isinstance(sender, dict) else None
    return (chat_id if isinstance(chat_id, int) else None), language
