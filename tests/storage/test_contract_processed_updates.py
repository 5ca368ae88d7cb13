"""An update applied twice has one effect: on SQLite and PostgreSQL, also when two
servers (engines, or OS processes) receive it at the same moment."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text

from storage.database import Database
from storage.engine import create_engine
from tests.factories.databases import Backend, FakeClock

ROOT = Path(__file__).resolve().parents[2]


async def apply_update(database: Database, update_id: int, pause: float = 0.0) -> bool:
    """What the service does with an update: mark it, then apply its effect."""
    async with database.unit_of_work() as uow:
        if not await uow.updates.mark_processed("telegram", update_id):
            return False
        await uow.audit.record("update_applied", "update", update_id)
        await asyncio.sleep(pause)
    return True


async def effects(database: Database, update_id: int) -> int:
    async with database.unit_of_work(write=False) as uow:
        return len(await uow.audit.events(subject_type="update", subject_id=update_id))


async def test_an_update_marked_twice_has_one_effect(database: Database) -> None:
    assert await apply_update(database, 1001) is True
    assert await apply_update(database, 1001) is False
    assert await apply_update(database, 1002) is True
    assert await effects(database, 1001) == 1
    async with database.unit_of_work(write=False) as uow:
        assert await uow.updates.is_processed("telegram", "1001")
        assert not await uow.updates.is_processed("webchat", "1001")


async def test_an_update_that_failed_is_not_marked_and_is_processed_again(
    database: Database,
) -> None:
    async def failing_update() -> None:
        async with database.unit_of_work() as uow:
            assert await uow.updates.mark_processed("telegram", 7)
            await uow.audit.record("update_applied", "update", 7)
            _ = 1 / 0

    with pytest.raises(ZeroDivisionError):
        await failing_update()
    assert await effects(database, 7) == 0
    assert await apply_update(database, 7) is True
    assert await effects(database, 7) == 1


async def test_old_update_ids_are_forgotten(database: Database, clock: FakeClock) -> None:
    await apply_update(database, 1)
    clock.advance(days=2)
    await apply_update(database, 2)
    async with database.unit_of_work() as uow:
        assert await uow.updates.forget_before(clock.now - timedelta(days=1)) == 1
        assert not await uow.updates.is_processed("telegram", 1)
        assert await uow.updates.is_processed("telegram", 2)


async def test_two_servers_receiving_one_update_at_once_apply_it_once(backend: Backend) -> None:
    servers = [backend.database() for _ in range(4)]
    try:
        results = await asyncio.gather(*(apply_update(s, 555, 0.05) for s in servers))
        assert sorted(results) == [False, False, False, True]
        assert await effects(servers[0], 555) == 1
    finally:
        for server in servers:
            await server.dispose()


@pytest.mark.postgres
async def test_two_processes_receiving_one_update_at_once_apply_it_once(
    postgres: Backend,
) -> None:
    gate = 0x5EED_0001
    engine = create_engine(postgres.url)
    try:
        async with engine.connect() as holder:
            await holder.execute(text("SELECT pg_advisory_lock(:k)"), {"k": gate})
            workers = [
                subprocess.Popen(  # noqa: ASYNC220 - started here, awaited below
                    [
                        sys.executable,
                        "-m",
                        "tests.storage.dedup_worker",
                        postgres.url,
                        "77",
                        str(gate),
                    ],
                    cwd=ROOT,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                )
                for _ in range(2)
            ]
            deadline = time.monotonic() + 30
            while await waiting_at_gate(holder, gate) < 2:
                assert time.monotonic() < deadline, "workers did not reach the gate"
                await asyncio.sleep(0.05)
            await holder.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": gate})
            await holder.commit()
        outputs = []
        for worker in workers:
            out, err = await asyncio.to_thread(worker.communicate, timeout=60)
            assert worker.returncode == 0, err
            outputs.append(out.strip())
        assert sorted(outputs) == ["applied", "duplicate"]
    finally:
        await engine.dispose()
    database = postgres.database()
    try:
        assert await effects(database, 77) == 1
    finally:
        await database.dispose()


async def waiting_at_gate(connection: object, gate: int) -> int:
    from sqlalchemy.ext.asyncio import AsyncConnection

    assert isinstance(connection, AsyncConnection)
    result = await connection.execute(
        text(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
            "AND ((classid::bigint << 32) | objid::bigint) = :k"
        ),
        {"k": gate},
    )
    return int(result.scalar_one())
