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
