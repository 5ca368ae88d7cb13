"""The web chat store on SQLite and PostgreSQL: one chat per browser session, found by
its resume key until it ends or expires, moved between sessions, erased on expiry."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy.exc import IntegrityError

from storage.database import Database
from storage.web_chats import web_chats
from tests.factories.databases import Backend

TRANSCRIPT = [{"by": "me", "kind": "answer", "typed": "<b>Heerlen</b>"}]


async def test_a_chat_from_start_to_end(backend: Backend, database: Database) -> None:
    later = backend.clock.now + timedelta(days=30)
    async with database.unit_of_work() as uow:
        store = web_chats(uow)
        made = await store.create(
            "c1", session_hash="s1", resume_key="k1", locale="nl", expires_at=later
        )
        assert made.transcript == () and not made.ended
        await store.update("c1", transcript=TRANSCRIPT, locale="ar")
    async with database.unit_of_work(write=False) as uow:
        store = web_chats(uow)
        chat = await store.for_session("s1")
        assert chat is not None and chat.chat_id == "c1" and chat.locale == "ar"
        assert list(chat.transcript) == TRANSCRIPT
        assert await store.for_resume_key("k1") == chat == await store.get("c1")
    async with database.unit_of_work() as uow:
        store = web_chats(uow)
        await store.update("c1", ended=True, clear_resume_key=True)
        assert await store.for_resume_key("k1") is None
        assert (await store.for_session("s1")) is not None


async def test_a_chat_moves_to_another_session(database: Database, backend: Backend) -> None:
    later = backend.clock.now + timedelta(days=30)
    async with database.unit_of_work() as uow:
        store = web_chats(uow)
        await store.create("a", session_hash="s1", resume_key="ka", locale="nl", expires_at=later)
        await store.create("b", session_hash="s2", resume_key="kb", locale="nl", expires_at=later)
        await store.attach("a", "s2")
        assert await store.for_session("s1") is None
        moved = await store.for_session("s2")
        assert moved is not None and moved.chat_id == "a"
        left = await store.get("b")
        assert left is not None and left.session_hash is None and left.resume_key == "kb"


async def test_one_chat_per_session_and_per_code(database: Database, backend: Backend) -> None:
    later = backend.clock.now + timedelta(days=30)
    async with database.unit_of_work() as uow:
        await web_chats(uow).create(
            "x", session_hash="s1", resume_key="k1", locale="nl", expires_at=later
        )
    for clash in (
        {"session_hash": "s1", "resume_key": "k2"},
        {"session_hash": "s2", "resume_key": "k1"},
    ):
        async with database.unit_of_work() as uow:
            store = web_chats(uow)
            with pytest.raises(IntegrityError):
                await store.create("y", locale="nl", expires_at=later, **clash)
            uow.rollback_only()


async def test_expired_chats_count_as_gone_and_are_erased(
    database: Database, backend: Backend
) -> None:
    async with database.unit_of_work() as uow:
        store = web_chats(uow)
        soon = backend.clock.now + timedelta(hours=1)
        await store.create("old", session_hash="s", resume_key="k", locale="nl", expires_at=soon)
    backend.clock.advance(hours=2)
    async with database.unit_of_work() as uow:
        store = web_chats(uow)
        assert await store.for_session("s") is None and await store.for_resume_key("k") is None
        await store.release("s")
        assert await store.delete_expired() == 1
        assert await store.delete("old") is False
