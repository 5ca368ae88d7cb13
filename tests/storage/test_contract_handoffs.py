"""Hand-off codes (`storage.handoffs`): one use, erased with every other code of the
conversation, gone at expiry; the chat address is encrypted at rest. On SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from storage.database import Database
from storage.handoffs import handoffs
from storage.retention import RetentionPolicy, purge
from tests.factories.databases import FakeClock

ANNA, BOB = "a" * 64, "b" * 64
DAY = timedelta(hours=24)


async def offer(database: Database, clock: FakeClock, key: str, user_hash: str) -> None:
    async with database.unit_of_work() as uow:
        await handoffs(uow).create(
            key, channel="telegram", user_hash=user_hash, address="31337", expires_at=clock() + DAY
        )


async def take(database: Database, key: str) -> tuple[str, str | None] | None:
    async with database.unit_of_work() as uow:
        found = await handoffs(uow).take(key)
    return None if found is None else (found.user_hash, found.address)


async def test_a_code_is_taken_once_and_takes_its_siblings_along(
    database: Database, clock: FakeClock
) -> None:
    await offer(database, clock, "k1", ANNA)
    await offer(database, clock, "k2", ANNA)
    await offer(database, clock, "k3", BOB)
    assert await take(database, "k2") == (ANNA, "31337")
    assert await take(database, "k2") is None  # replayed
    assert await take(database, "k1") is None  # an older link of the same chat
    assert await take(database, "k3") == (BOB, "31337")  # someone else's is untouched
    assert await take(database, "unknown") is None


async def test_codes_run_out_and_are_purged(database: Database, clock: FakeClock) -> None:
    await offer(database, clock, "k1", ANNA)
    await offer(database, clock, "k2", BOB)
    clock.advance(hours=23, minutes=59)
    assert await take(database, "k1") == (ANNA, "31337")
    clock.advance(minutes=1)  # k2 reaches its expiry
    assert await take(database, "k2") is None
    async with database.unit_of_work() as uow:
        counts = await purge(uow, RetentionPolicy())
    assert counts["conversation_handoffs"] == 1
    async with database.unit_of_work(write=False) as uow:
        left = await uow.session.execute(text("SELECT count(*) FROM conversation_handoffs"))
        assert left.scalar_one() == 0


async def test_a_clash_of_codes_is_refused_and_addresses_are_encrypted(
    database: Database, clock: FakeClock
) -> None:
    await offer(database, clock, "k1", ANNA)
    with pytest.raises(IntegrityError):
        await offer(database, clock, "k1", BOB)
    async with database.unit_of_work(write=False) as uow:
        stored = (
            await uow.session.execute(text("SELECT address FROM conversation_handoffs"))
        ).scalar_one()
    assert b"31337" not in bytes(stored)
    async with database.unit_of_work() as uow:
        assert await handoffs(uow).delete_for("telegram", ANNA) == 1
