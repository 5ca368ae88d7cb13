"""Conversation sessions, on SQLite and PostgreSQL."""

from __future__ import annotations

import asyncio
from datetime import timedelta

import pytest
from sqlalchemy import text

from storage.conversations import ConversationKey, StaleConversation
from storage.database import Database
from tests.factories.databases import SECRET, Backend, FakeClock

KEY = ConversationKey.for_user(SECRET, "telegram", 987654321)
STATE = {
    "node": "sleeping_place",
    "answers": {"age": 34, "municipality": "Kerkrade", "note": "Ik slaap in de auto 🚗"},
    "history": [["start", "age"], ["age", "municipality"]],
}


async def save_new(database: Database, key: ConversationKey = KEY, **changes: object) -> None:
    async with database.unit_of_work() as uow:
        await uow.lock_conversation(key)
        values: dict[str, object] = {
            "flow_id": "intake",
            "flow_version": "3",
            "state": STATE,
            "language": "nl",
            "expires_at": uow.now() + timedelta(days=30),
            "expected_version": None,
        } | changes
        await uow.conversations.save(key, **values)  # type: ignore[arg-type]


async def test_a_saved_conversation_loads_back_unchanged(
    database: Database, clock: FakeClock
) -> None:
    await save_new(database)
    async with database.unit_of_work(write=False) as uow:
        loaded = await uow.conversations.load(KEY)
    assert loaded is not None
    assert loaded.key == KEY
    assert (loaded.flow_id, loaded.flow_version, loaded.language) == ("intake", "3", "nl")
    assert loaded.state == STATE
    assert loaded.version == 1
    assert loaded.created_at == loaded.updated_at == clock.now
    assert loaded.expires_at == clock.now + timedelta(days=30)
    assert loaded.created_at.tzinfo is not None


async def test_no_raw_chat_id_is_stored(database: Database) -> None:
    await save_new(database)
    async with database.unit_of_work(write=False) as uow:
        rows = (await uow.session.execute(text("SELECT * FROM conversation_sessions"))).all()
    assert len(rows) == 1
    assert "987654321" not in repr(rows)
    assert KEY.user_hash in repr(rows)


async def test_each_save_bumps_the_version_and_a_stale_save_changes_nothing(
    database: Database, clock: FakeClock
) -> None:
    await save_new(database)
    clock.advance(minutes=2)
    async with database.unit_of_work() as uow:
        await uow.lock_conversation(KEY)
        current = await uow.conversations.load(KEY)
        assert current is not None
        saved = await uow.conversations.save(
            KEY,
            flow_id="intake",
            flow_version="3",
            state={**current.state, "node": "problems"},
            language="en",
            expires_at=current.expires_at,
            expected_version=current.version,
        )
    assert saved.version == 2
    assert saved.state["node"] == "problems"
    assert saved.language == "en"
    assert saved.updated_at == clock.now != saved.created_at

    with pytest.raises(StaleConversation, match="no longer at version 1"):
        async with database.unit_of_work() as uow:
            await uow.conversations.save(
                KEY,
                flow_id="intake",
                flow_version="3",
                state={"node": "lost"},
                language="nl",
                expires_at=clock.now,
                expected_version=1,
            )
    with pytest.raises(StaleConversation, match="already exists"):
        await save_new(database)
    async with database.unit_of_work(write=False) as uow:
        after = await uow.conversations.load(KEY)
    assert after == saved


async def test_expired_conversations_are_deleted_and_others_kept(
    database: Database, clock: FakeClock
) -> None:
    other = ConversationKey.for_user(SECRET, "webchat", "browser-1")
    await save_new(database, expires_at=clock.now + timedelta(hours=1))
    await save_new(database, other, expires_at=clock.now + timedelta(days=2))
    clock.advance(hours=1)
    async with database.unit_of_work() as uow:
        loaded = await uow.conversations.load(KEY)
        assert loaded is not None and loaded.expired(clock.now)
        assert await uow.conversations.delete_expired() == 1
    async with database.unit_of_work() as uow:
        assert await uow.conversations.load(KEY) is None
        assert await uow.conversations.load(other) is not None
        assert await uow.conversations.delete(other) is True
        assert await uow.conversations.delete(other) is False


async def test_an_error_in_the_unit_of_work_keeps_nothing(database: Database) -> None:
    async def failing_step() -> None:
        async with database.unit_of_work() as uow:
            await uow.lock_conversation(KEY)
            await uow.updates.mark_processed("telegram", 1)
            await save_new_in(uow)
            raise RuntimeError("engine failed")

    with pytest.raises(RuntimeError, match="engine failed"):
        await failing_step()
    async with database.unit_of_work(write=False) as uow:
        assert await uow.conversations.load(KEY) is None
        assert not await uow.updates.is_processed("telegram", 1)


async def save_new_in(uow: object) -> None:
    from storage.unit_of_work import UnitOfWork

    assert isinstance(uow, UnitOfWork)
    await uow.conversations.save(
        KEY,
        flow_id="intake",
        flow_version="3",
        state=STATE,
        language="nl",
        expires_at=uow.now() + timedelta(days=1),
        expected_version=None,
    )


async def step(database: Database, key: ConversationKey, pause: float = 0.0) -> None:
    """One conversation step: lock, load, change, save (read-modify-write)."""
    async with database.unit_of_work() as uow:
        await uow.lock_conversation(key)
        current = await uow.conversations.load(key)
        assert current is not None
        await asyncio.sleep(pause)  # widen the window a race would need
        await uow.conversations.save(
            key,
            flow_id=current.flow_id,
            flow_version=current.flow_version,
            state={"steps": current.state["steps"] + 1},
            language=current.language,
            expires_at=current.expires_at,
            expected_version=current.version,
        )


async def test_updates_for_one_conversation_are_applied_one_at_a_time_across_servers(
    backend: Backend,
) -> None:
    servers = [backend.database(), backend.database()]  # two engines, two pools
    try:
        await save_new(servers[0], state={"steps": 0})
        await asyncio.gather(*(step(servers[i % 2], KEY, 0.01) for i in range(12)))
        async with servers[1].unit_of_work(write=False) as uow:
            final = await uow.conversations.load(KEY)
        assert final is not None
        assert final.state == {"steps": 12}
        assert final.version == 13
    finally:
        for server in servers:
            await server.dispose()


@pytest.mark.postgres
async def test_postgres_other_conversations_proceed_while_one_is_locked(
    postgres: Backend,
) -> None:
    backend = postgres
    other = ConversationKey.for_user(SECRET, "telegram", 42)
    first, second = backend.database(), backend.database()
    try:
        await save_new(first, state={"steps": 0})
        await save_new(first, other, state={"steps": 0})
        holding = asyncio.Event()
        release = asyncio.Event()

        async def hold() -> None:
            async with first.unit_of_work() as uow:
                await uow.lock_conversation(KEY)
                holding.set()
                await release.wait()

        holder = asyncio.create_task(hold())
        await holding.wait()
        await asyncio.wait_for(step(second, other), timeout=5)  # not blocked
        blocked = asyncio.create_task(step(second, KEY))
        await asyncio.sleep(0.3)
        assert not blocked.done()  # waits for the holder
        release.set()
        await asyncio.wait_for(asyncio.gather(holder, blocked), timeout=5)
    finally:
        await first.dispose()
        await second.dispose()
