"""The outbox: at-least-once delivery with leases, in order per person, on SQLite and
PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from sqlalchemy import text

from storage.database import Database
from storage.outbox import MAX_ATTEMPTS, retry_delay
from tests.factories.databases import Backend, FakeClock

ANNA, BOB = "a" * 64, "b" * 64


async def enqueue(database: Database, recipient_hash: str, body: str, **options: object) -> int:
    async with database.unit_of_work() as uow:
        return await uow.outbox.enqueue(
            "telegram",
            recipient_hash,
            f"chat-{recipient_hash[0]}",
            {"text": body},
            **options,  # type: ignore[arg-type]
        )


async def claim(database: Database, **options: object) -> list[tuple[int, str]]:
    async with database.unit_of_work() as uow:
        messages = await uow.outbox.claim_due(**options)  # type: ignore[arg-type]
    return [(m.id, m.payload["text"]) for m in messages]


async def test_messages_are_handed_out_in_order_one_per_person(database: Database) -> None:
    a1 = await enqueue(database, ANNA, "Hoi Anna")
    b1 = await enqueue(database, BOB, "Hoi Bob")
    a2 = await enqueue(database, ANNA, "Waar slaap je vannacht?")
    assert await claim(database) == [(a1, "Hoi Anna"), (b1, "Hoi Bob")]
    async with database.unit_of_work() as uow:
        await uow.outbox.mark_delivered(a1)
    assert await claim(database) == [(a2, "Waar slaap je vannacht?")]  # Bob's is leased
    async with database.unit_of_work(write=False) as uow:
        assert await uow.outbox.pending_count() == 2


async def test_a_claimed_message_comes_back_when_its_lease_runs_out(
    database: Database, clock: FakeClock
) -> None:
    message = await enqueue(database, ANNA, "Hoi")
    async with database.unit_of_work() as uow:
        [claimed] = await uow.outbox.claim_due(lease=timedelta(seconds=30))
    assert (claimed.id, claimed.attempts, claimed.recipient) == (message, 1, "chat-a")
    assert await claim(database) == []
    clock.advance(seconds=31)
    async with database.unit_of_work() as uow:
        [again] = await uow.outbox.claim_due()
    assert (again.id, again.attempts) == (message, 2)


async def test_delivery_erases_the_address(database: Database) -> None:
    message = await enqueue(database, ANNA, "Hoi")
    await claim(database)
    async with database.unit_of_work() as uow:
        await uow.outbox.mark_delivered(message)
        row = (
            await uow.session.execute(
                text("SELECT recipient, delivered_at FROM outbox_messages WHERE id = :i"),
                {"i": message},
            )
        ).one()
        assert row.recipient is None and row.delivered_at is not None
        assert await uow.outbox.pending_count() == 0


async def test_failures_back_off_and_are_given_up_after_max_attempts(
    database: Database, clock: FakeClock
) -> None:
    message = await enqueue(database, ANNA, "Hoi")
    for attempt in range(1, MAX_ATTEMPTS + 1):
        assert await claim(database) == [(message, "Hoi")]
        async with database.unit_of_work() as uow:
            again = await uow.outbox.mark_failed(message, "TelegramNetworkError")
        assert again is (attempt < MAX_ATTEMPTS)
        if again:
            clock.advance(seconds=retry_delay(attempt).total_seconds() - 1)
            assert await claim(database) == []
            clock.advance(seconds=1)
    clock.advance(days=1)
    assert await claim(database) == []
    async with database.unit_of_work(write=False) as uow:
        assert await uow.outbox.pending_count() == 0


async def test_retry_after_and_giving_up_at_once(database: Database, clock: FakeClock) -> None:
    throttled = await enqueue(database, ANNA, "Hoi")
    blocked = await enqueue(database, BOB, "Hoi")
    await claim(database)
    async with database.unit_of_work() as uow:
        await uow.outbox.mark_failed(throttled, "429", retry_after=timedelta(seconds=17))
        assert not await uow.outbox.mark_failed(blocked, "403 blocked by user", give_up=True)
    clock.advance(seconds=16)
    assert await claim(database) == []
    clock.advance(seconds=1)
    assert await claim(database) == [(throttled, "Hoi")]


async def test_a_message_for_later_waits(database: Database, clock: FakeClock) -> None:
    message = await enqueue(database, ANNA, "Nog iets?", not_before=clock.now + timedelta(hours=1))
    assert await claim(database) == []
    clock.advance(hours=1)
    assert await claim(database) == [(message, "Nog iets?")]


async def test_two_senders_never_get_the_same_message(backend: Backend) -> None:
    senders = [backend.database(), backend.database()]
    try:
        for person in range(20):
            await enqueue(senders[0], f"{person:064d}", f"bericht {person}")
        batches = await asyncio.gather(*(claim(s, limit=15) for s in senders))
        ids = [message_id for batch in batches for message_id, _ in batch]
        assert len(ids) == len(set(ids)) == 20
    finally:
        for sender in senders:
            await sender.dispose()


async def test_the_oldest_pending_message_is_when_the_backlog_began(
    database: Database, clock: FakeClock
) -> None:
    async with database.unit_of_work(write=False) as uow:
        assert await uow.outbox.oldest_pending() is None
    first_queued = clock.now
    first = await enqueue(database, ANNA, "Hoi")
    clock.advance(minutes=3)
    await enqueue(database, BOB, "Hoi Bob")
    async with database.unit_of_work() as uow:
        assert await uow.outbox.oldest_pending() == first_queued
        await uow.outbox.mark_delivered(first)
    async with database.unit_of_work(write=False) as uow:
        assert await uow.outbox.oldest_pending() == first_queued + timedelta(minutes=3)


async def leased(
    database: Database, recipient_hash: str, body: str, own: tuple[int, ...] = ()
) -> int | None:
    """Queue a message to send right after the commit; its id when it is leased."""
    async with database.unit_of_work() as uow:
        message = await uow.outbox.enqueue_leased(
            "telegram",
            recipient_hash,
            f"chat-{recipient_hash[0]}",
            {"text": body},
            lease=timedelta(seconds=30),
            own=own,
        )
    if message is None:
        return None
    assert (message.payload["text"], message.attempts, message.recipient) == (body, 1, "chat-a")
    return message.id


async def test_a_message_sent_at_once_is_leased_to_its_sender(
    database: Database, clock: FakeClock
) -> None:
    message = await leased(database, ANNA, "Hoi")
    assert message is not None
    assert await claim(database) == []  # the sender's, while the lease lasts
    clock.advance(seconds=31)  # the sender never got to it (a crash): the deliverer's
    async with database.unit_of_work() as uow:
        [again] = await uow.outbox.claim_due()
    assert (again.id, again.attempts, again.payload["text"]) == (message, 2, "Hoi")


async def test_a_message_behind_a_pending_one_is_left_to_the_deliverer(
    database: Database,
) -> None:
    earlier = await enqueue(database, ANNA, "Van het loket")
    assert await leased(database, ANNA, "Hoi") is None  # order first: not sent at once
    [first, then] = await claim_all(database)  # due now, after the earlier one
    assert first == (earlier, "Van het loket")
    assert then[1] == "Hoi" and then[0] > earlier


async def claim_all(database: Database) -> list[tuple[int, str]]:
    """Every due message, one per person at a time (deliver each, then the next)."""
    found: list[tuple[int, str]] = []
    while batch := await claim(database):
        for message_id, body in batch:
            found.append((message_id, body))
            async with database.unit_of_work() as uow:
                await uow.outbox.mark_delivered(message_id)
    return found


async def test_the_senders_own_pending_messages_do_not_hold_its_next_back(
    database: Database,
) -> None:
    carl = "a" + "c" * 63  # "chat-a", as `leased` checks
    first = await leased(database, carl, "Een")
    assert first is not None
    second = await leased(database, carl, "Twee", own=(first,))
    assert second is not None
    assert await leased(database, carl, "Drie", own=(second,)) is None  # the first waits


async def test_many_deliveries_are_recorded_in_one_statement(
    database: Database, clock: FakeClock
) -> None:
    carl = "a" + "c" * 63
    first = await leased(database, ANNA, "Hoi")
    second = await leased(database, carl, "Hoi")
    assert first is not None and second is not None
    async with database.unit_of_work() as uow:
        recorded = await uow.outbox.mark_delivered_many(
            [(first, clock.now), (second, clock.now - timedelta(seconds=1))]  # not its time
        )
        assert recorded == [first]
        rows = (
            await uow.session.execute(
                text("SELECT id, recipient, delivered_at FROM outbox_messages ORDER BY id")
            )
        ).all()
    assert [(r.id, r.recipient is None, r.delivered_at is None) for r in rows] == [
        (first, True, False),
        (second, False, True),
    ]
    async with database.unit_of_work(write=False) as uow:
        assert await uow.outbox.pending_count() == 1
