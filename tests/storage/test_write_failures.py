"""A write that fails for want of space (a full disk: tests/factories/full_disk.py) in
the middle of a unit of work: the unit of work is rolled back, so what was stored
before is exactly as it was; the failure surfaces as `DatabaseWriteFailed` (a
`DatabaseUnavailable` that says what to do), never as a driver's error; the database
reports not ready for a while; and the same change goes through once there is room."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import pytest
from sqlalchemy import event

from storage import disk_faults
from storage.database import Database
from storage.disk_faults import DatabaseWriteFailed
from storage.engine import DatabaseUnavailable
from storage.lifecycle import Status
from tests.factories.databases import Backend
from tests.factories.full_disk import postgres_full, sqlite_full
from tests.factories.pre_aanmeldingen import new_submission
from tests.factories.tables import decrypted_dump

BIG = "x" * 1_000_000  # needs new pages whatever room the file has left


def disk_full(backend: Backend, database: Database) -> Any:
    """The disk under `backend` full, while inside."""
    if backend.name == "sqlite":
        return sqlite_full(database)
    return postgres_full(backend.url, "outbox_messages")


@asynccontextmanager
async def counting_writes(database: Database) -> AsyncIterator[list[str]]:
    """The INSERT and UPDATE statements that succeeded on `database`, while inside."""
    done: list[str] = []

    def heard(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith(("INSERT", "UPDATE")):
            done.append(statement.split()[0])

    event.listen(database.engine.sync_engine, "after_cursor_execute", heard)
    try:
        yield done
    finally:
        event.remove(database.engine.sync_engine, "after_cursor_execute", heard)


async def change(database: Database, reference: str) -> None:
    """A status change and a large message to send: several writes in one unit of work."""
    async with database.unit_of_work() as uow:
        await uow.pre_aanmeldingen.transition(reference, Status.IN_BEHANDELING, staff_user_id=None)
        await uow.outbox.enqueue("telegram", "f" * 64, "42", {"text": BIG})


async def test_a_failing_write_leaves_what_was_stored_as_it_was(
    backend: Backend, monkeypatch: pytest.MonkeyPatch
) -> None:
    database = backend.database()
    try:
        async with database.unit_of_work() as uow:
            reference = (await uow.pre_aanmeldingen.create(new_submission())).reference
        before = await decrypted_dump(database)

        async with disk_full(backend, database), counting_writes(database) as writes:
            with pytest.raises(DatabaseWriteFailed) as failed:
                await change(database, reference)
        assert writes, "some writes of the unit of work went through before the failure"
        assert isinstance(failed.value, DatabaseUnavailable)
        message = str(failed.value)
        assert "cannot store changes (" in message
        assert message.endswith("and try again; nothing of the change was kept")
        assert BIG[:20] not in message and reference not in message
        assert await decrypted_dump(database) == before  # nothing half-stored

        with pytest.raises(DatabaseWriteFailed):  # /readyz: not ready for a while
            await database.ping()
        monkeypatch.setattr(disk_faults, "FAULT_HOLD_SECONDS", 0.0)
        await database.ping()

        await change(database, reference)  # room again: the same change goes through
        async with database.unit_of_work(write=False) as uow:
            item = await uow.pre_aanmeldingen.get(reference)
            assert item is not None and item.status == Status.IN_BEHANDELING
            assert await uow.outbox.pending_count() == 1
    finally:
        await database.dispose()
