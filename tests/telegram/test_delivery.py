"""The outbox deliverer alone against the fake Bot API: Telegram's limits at their real
rate, 429 beyond the lease, 5xx, a blocked chat, long texts, failed edits, and
messages queued by the dashboard."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from sqlmodel import col, select

from bot.telegram.bot_api import BotApi
from bot.telegram.delivery import CHANNEL, OutboxDeliverer
from bot.telegram.pacing import Pacer, SendLimits
from bot.telegram.rendering import MESSAGE_LIMIT
from storage.database import Database
from storage.tables import OutboxMessageRow
from tests.factories.databases import Backend
from tests.fakes import TEST_TOKEN, FakeBotAPI
from tests.telegram.harness import fresh_copy, running_clock

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

FAST = SendLimits(per_chat_per_second=40, global_per_second=1200)


@dataclass
class Delivery:
    api: FakeBotAPI
    database: Database
    deliverer: OutboxDeliverer

    async def queue(self, chat: int | str, *payloads: dict[str, Any]) -> None:
        async with self.database.unit_of_work() as uow:
            for payload in payloads:
                await uow.outbox.enqueue(CHANNEL, f"hash-{chat}", str(chat), payload)
        self.deliverer.wake()

    async def rows(self) -> list[OutboxMessageRow]:
        async with self.database.unit_of_work(write=False) as uow:
            query = select(OutboxMessageRow).order_by(col(OutboxMessageRow.id))
            return list(await uow.session.scalars(query))


@asynccontextmanager
async def delivery(
    backend: Backend, limits: SendLimits = FAST, **options: Any
) -> AsyncIterator[Delivery]:
    with fresh_copy(backend) as url:
        database = Database(url, clock=running_clock())
        async with FakeBotAPI() as api:
            bot_api = BotApi(TEST_TOKEN, api.base_url)
            options.setdefault("idle_poll", 0.05)
            deliverer = OutboxDeliverer(database, bot_api, pacer=Pacer(limits), **options)
            deliverer.start()
            try:
                yield Delivery(api, database, deliverer)
            finally:
                await deliverer.stop()
                await bot_api.close()
                await database.dispose()


def text(n: int) -> dict[str, str]:
    return {"method": "sendMessage", "text": f"bericht {n}"}


async def test_telegrams_own_limits_are_kept(backend: Backend) -> None:
    """At the real rate: one chat gets a burst of 2, then one a second; 40 chats at once
    stay under 30 a second. The fake flags anything faster (its default limits)."""
    async with delivery(backend, SendLimits()) as d:
        started = time.monotonic()
        await d.queue(1, *(text(n) for n in range(4)))
        await d.queue(2, text(0))
        for chat in range(100, 140):
            await d.queue(chat, text(0))
        await d.deliverer.wait_idle(15)
        elapsed = time.monotonic() - started
        assert d.api.sent_texts(1) == [f"bericht {n}" for n in range(4)]
        assert len(d.api.sent_messages()) == 45
        assert d.api.rate_violations == []
        assert elapsed >= 1.9  # messages 3 and 4 of chat 1 waited a second each


async def test_a_429_longer_than_the_lease_goes_back_to_the_outbox_in_order(
    backend: Backend,
) -> None:
    async with delivery(backend, hold=0.2) as d:
        d.api.fail_next("sendMessage", status=429, retry_after=1)
        await d.queue(7, text(1), text(2), text(3))
        await d.deliverer.wait_idle(10)
        assert d.api.sent_texts(7) == ["bericht 1", "bericht 2", "bericht 3"]
        assert d.deliverer.stats.requeued == 1
        first = (await d.rows())[0]
        assert first.attempts == 2 and first.last_error == "http_429"


async def test_server_errors_are_retried_with_a_growing_pause(backend: Backend) -> None:
    async with delivery(backend, backoff=(0.01, 0.04)) as d:
        d.api.fail_next("sendMessage", status=502, count=3)
        await d.queue(8, text(1), text(2))
        await d.deliverer.wait_idle(10)
        assert d.api.sent_texts(8) == ["bericht 1", "bericht 2"]
        assert d.deliverer.stats.server_errors == 3


async def test_a_blocked_chat_is_given_up_and_its_address_erased(backend: Backend) -> None:
    async with delivery(backend) as d:
        d.api.fail_next("sendMessage", status=403, description="Forbidden: bot was blocked")
        await d.queue(9, text(1), text(2))
        await d.deliverer.wait_idle(10)
        first, second = await d.rows()
        assert first.given_up_at is not None and first.recipient is None
        assert second.delivered_at is not None and second.recipient is None
        assert d.api.sent_texts(9) == ["bericht 2"]


async def test_long_texts_are_split_at_4096_characters(backend: Backend) -> None:
    paragraphs = [f"Alinea {n}: " + "woord " * 300 for n in range(8)]
    long = "\n\n".join(paragraphs)
    markup = {"inline_keyboard": [[{"text": "Ja", "callback_data": "a:yes"}]]}
    async with delivery(backend) as d:
        await d.queue(10, {"text": long, "reply_markup": markup})  # as the dashboard may
        await d.deliverer.wait_idle(10)
        sent = d.api.sent_messages(10)
        assert len(sent) == 4  # two paragraphs (about 3,600 characters) a message
        assert all(len(m.text or "") <= MESSAGE_LIMIT for m in sent)
        assert " ".join(m.text or "" for m in sent).split() == long.split()
        assert [bool(m.reply_markup) for m in sent] == [False, False, False, True]


async def test_a_failed_keyboard_edit_sends_the_question_again(backend: Backend) -> None:
    markup = {"inline_keyboard": [[{"text": "Klaar", "callback_data": "a:_done"}]]}
    edit = {
        "method": "editMessageReplyMarkup",
        "message_id": 999,  # not there (deleted, or too old)
        "reply_markup": markup,
        "fallback": {"method": "sendMessage", "text": "Vraag", "reply_markup": markup},
    }
    async with delivery(backend) as d:
        await d.queue(11, edit)
        await d.deliverer.wait_idle(10)
        [sent] = d.api.sent_messages(11)
        assert sent.text == "Vraag" and sent.keyboard == [["Klaar"]]


async def test_a_message_queued_by_another_process_is_found(backend: Backend) -> None:
    """The dashboard queues a status message in its own process: no wake-up call, the
    deliverer finds it on its next look."""
    async with delivery(backend, idle_poll=0.1) as d:
        async with d.database.unit_of_work() as uow:
            await uow.outbox.enqueue(
                CHANNEL, "hash-12", "12", {"text": "Je aanmelding is in behandeling."}
            )
            await uow.outbox.enqueue("web", "hash-w", "w", {"text": "niet voor Telegram"})
        await d.api.wait_for(lambda: d.api.sent_messages(12), 5)
        assert d.api.sent_texts(12) == ["Je aanmelding is in behandeling."]
        web = [row for row in await d.rows() if row.channel == "web"]
        assert web[0].delivered_at is None and web[0].attempts == 0


async def test_the_lease_must_outlast_the_retries(backend: Backend) -> None:
    with pytest.raises(ValueError, match="hold"):
        async with delivery(backend, hold=70, lease=timedelta(seconds=60)):
            pass


async def test_a_message_erased_on_its_way_does_not_stop_the_outbox(backend: Backend) -> None:
    """Regression (seen in CI): /verwijder erased a message whose send had finished but
    whose outcome was not yet recorded; every later pass failed on that outcome and
    nothing more was delivered. Now the outcome of an erased message is let go."""
    from sqlalchemy import delete

    from bot.telegram.delivery import _Outcome

    async with delivery(backend) as d:
        await d.queue(7, text(1))
        await d.api.wait_for(lambda: d.api.sent_texts(7) == ["bericht 1"])
        await d.deliverer.wait_idle()
        [row] = await d.rows()
        async with d.database.unit_of_work() as uow:  # the person erased everything
            await uow.session.execute(delete(OutboxMessageRow))
        # Its outcome, still to record. (SQLite gives the next message the same id.)
        d.deliverer._outcomes.append(_Outcome(row.id, row.created_at))
        await d.queue(7, text(2))
        await d.api.wait_for(lambda: d.api.sent_texts(7) == ["bericht 1", "bericht 2"])


# --- sent at once: by the update's own task, right after its commit -------------------


async def send_at_once(d: Delivery, chat: int, *payloads: dict[str, Any]) -> int:
    """What the intake does for one update: queue the replies leased in its unit of
    work, then (committed) send them from the same task. How many it left behind."""
    sending = d.deliverer.sending()
    async with d.database.unit_of_work() as uow:
        for payload in payloads:
            await sending.enqueue(uow, CHANNEL, f"hash-{chat}", str(chat), payload)
    sending.take_turn()
    await sending.send()
    if sending.left:
        d.deliverer.wake()
    return sending.left


async def test_a_reply_sent_at_once_is_not_sent_again(backend: Backend) -> None:
    async with delivery(backend, idle_poll=0.05) as d:
        assert await send_at_once(d, 20, text(1), text(2)) == 0
        assert d.api.sent_texts(20) == ["bericht 1", "bericht 2"]  # before any pass
        await d.deliverer.wait_idle(10)
        rows = await d.rows()
        assert [(r.delivered_at is not None, r.recipient, r.attempts) for r in rows] == [
            (True, None, 1),
            (True, None, 1),
        ]
        assert d.api.sent_texts(20) == ["bericht 1", "bericht 2"]  # once each
        assert d.deliverer.stats.sent_at_once == 2 and d.deliverer.stats.delivered == 2


async def test_a_reply_behind_a_pending_message_waits_its_turn(backend: Backend) -> None:
    """A message of the loket still waits (a send that failed, tried again later): the
    reply is not sent before it, but after it, by the deliverer."""
    async with delivery(backend) as d:
        async with d.database.unit_of_work() as uow:
            later = uow.now() + timedelta(seconds=0.5)
            await uow.outbox.enqueue(CHANNEL, "hash-21", "21", text(1), not_before=later)
        assert await send_at_once(d, 21, text(2), text(3)) == 2
        assert d.api.sent_texts(21) == []
        await d.deliverer.wait_idle(10)
        assert d.api.sent_texts(21) == ["bericht 1", "bericht 2", "bericht 3"]
        assert d.deliverer.stats.sent_at_once == 0


async def test_after_a_failed_send_the_rest_goes_to_the_deliverer_in_order(
    backend: Backend,
) -> None:
    async with delivery(backend, hold=0.2) as d:
        d.api.fail_next("sendMessage", status=429, retry_after=1)  # longer than `hold`
        assert await send_at_once(d, 22, text(1), text(2), text(3)) == 0
        assert d.api.sent_texts(22) == []  # the first refused, the rest not sent before it
        # The next update of the chat, while those wait: behind them too.
        assert await send_at_once(d, 22, text(4)) == 1
        await d.deliverer.wait_idle(10)
        assert d.api.sent_texts(22) == [f"bericht {n}" for n in range(1, 5)]
        first = (await d.rows())[0]
        assert first.attempts == 2 and first.last_error == "http_429"


async def test_deliveries_cost_no_transaction_each(backend: Backend) -> None:
    """Twenty updates one after another, each reply sent at once: each delivery is
    recorded in the next update's unit of work (one statement there), the last one in
    a batch of its own: not a transaction per message."""
    from sqlalchemy import event

    async with delivery(backend) as d:
        statements: dict[int, list[str]] = {}
        recording_only: list[list[str]] = []

        def begin(conn: Any) -> None:
            statements[id(conn)] = []

        def execute(conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
            statements.setdefault(id(conn), []).append(statement.split()[0].upper())

        def commit(conn: Any) -> None:
            done = [s for s in statements.pop(id(conn), []) if s != "BEGIN"]
            if done and all(s == "UPDATE" for s in done):
                recording_only.append(done)

        engine = d.database.engine.sync_engine
        event.listen(engine, "begin", begin)
        event.listen(engine, "before_cursor_execute", execute)
        event.listen(engine, "commit", commit)
        for chat in range(30, 50):
            await send_at_once(d, chat, text(1))
        await d.deliverer.wait_idle(10)
        rows = await d.rows()
        assert len(rows) == 20 and all(r.delivered_at is not None for r in rows)
        assert d.deliverer.stats.delivered == 20
        assert len(recording_only) <= 2, recording_only
