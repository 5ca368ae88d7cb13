"""Audit events (append-only) and staff users, on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError, IntegrityError

from storage.database import Database
from tests.factories.databases import FakeClock


async def test_audit_events_are_recorded_and_listed_newest_first(
    database: Database, clock: FakeClock
) -> None:
    async with database.unit_of_work() as uow:
        staff = await uow.staff.create("anouk", password_hash="h", role="coordinator")
        await uow.audit.record(
            "login", "staff_user", staff.id, actor="staff", staff_user_id=staff.id
        )
        clock.advance(minutes=1)
        await uow.audit.record(
            "pre_aanmelding_viewed",
            "pre_aanmelding",
            "LH-7K3Q-9P",
            actor="staff",
            staff_user_id=staff.id,
            details={"fields": ["profile"]},
        )
        await uow.audit.record("update_applied", "update", 9)
    async with database.unit_of_work(write=False) as uow:
        every = await uow.audit.events()
        viewed = await uow.audit.events(subject_type="pre_aanmelding", subject_id="LH-7K3Q-9P")
    assert [e.action for e in every] == ["update_applied", "pre_aanmelding_viewed", "login"]
    assert every[0].actor == "bot" and every[0].staff_user_id is None
    assert [(e.at, e.details) for e in viewed] == [(clock.now, {"fields": ["profile"]})]
    with pytest.raises(ValueError, match="staff actor needs"):
        async with database.unit_of_work() as uow:
            await uow.audit.record("login", "staff_user", 1, actor="staff")


@pytest.mark.parametrize(
    "statement", ["UPDATE audit_events SET action = 'nothing'", "DELETE FROM audit_events"]
)
async def test_the_database_refuses_to_change_or_delete_audit_events(
    database: Database, statement: str
) -> None:
    async with database.unit_of_work() as uow:
        await uow.audit.record("update_applied", "update", 1)
    with pytest.raises(DBAPIError, match="append-only"):
        async with database.unit_of_work() as uow:
            await uow.session.execute(text(statement))
    async with database.unit_of_work(write=False) as uow:
        [event] = await uow.audit.events()
    assert event.action == "update_applied"


async def test_staff_users_are_created_found_changed_and_disabled(database: Database) -> None:
    async with database.unit_of_work() as uow:
        created = await uow.staff.create(
            "anouk",
            password_hash="scrypt$1",
            role="medewerker",
            regions=["parkstad", "maastricht"],
            totp_secret="JBSWY3DPEHPK3PXP",
        )
        await uow.staff.create("bram", password_hash="scrypt$2", role="beheerder")
    async with database.unit_of_work() as uow:
        found = await uow.staff.by_username("anouk")
        assert found == created
        assert found.regions == ("parkstad", "maastricht") and not found.disabled
        assert "scrypt" not in repr(found) and "JBSWY" not in repr(found)
        changed = await uow.staff.update(
            created.id, role="coordinator", regions=["heuvelland"], disabled=True
        )
    async with database.unit_of_work(write=False) as uow:
        assert await uow.staff.get(created.id) == changed
        assert (changed.role, changed.regions, changed.disabled) == (
            "coordinator",
            ("heuvelland",),
            True,
        )
        assert [u.username for u in await uow.staff.all()] == ["anouk", "bram"]
        assert await uow.staff.by_username("carla") is None


async def test_usernames_are_unique_and_roles_known(database: Database) -> None:
    async with database.unit_of_work() as uow:
        await uow.staff.create("anouk", password_hash="h", role="medewerker")
    with pytest.raises(IntegrityError):
        async with database.unit_of_work() as uow:
            await uow.staff.create("anouk", password_hash="h", role="medewerker")
    with pytest.raises(ValueError, match="unknown role 'admin'"):
        async with database.unit_of_work() as uow:
            await uow.staff.create("carla", password_hash="h", role="admin")
