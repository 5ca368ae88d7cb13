"""Retention with a fixed clock, at the boundary of every period: one second before it
a row is kept, at it and after it the row goes. Retired pre-aanmeldingen live on as
anonymous report facts (the yearly figures stay complete); the audit log gets counts,
never contents; a dry run changes nothing."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.app import create_app
from bot.cli import main
from bot.maintenance import purge_daily
from bot.settings import Settings
from storage.audit import AuditFilter
from storage.conversations import ConversationKey
from storage.database import Database
from storage.lifecycle import Status
from storage.migrate import upgrade
from storage.retention import RetentionPolicy, purge
from storage.web_chats import web_chats
from tests.factories.databases import START, Backend, FakeClock
from tests.factories.pre_aanmeldingen import new_submission
from tests.factories.tables import decrypted_dump, row_counts

POLICY = RetentionPolicy()
SECOND = timedelta(seconds=1)


async def run_purge(database: Database, *, dry_run: bool = False) -> dict[str, int]:
    async with database.unit_of_work() as uow:
        return await purge(uow, POLICY, dry_run=dry_run)


async def staff_id(database: Database) -> int:
    async with database.unit_of_work() as uow:
        user = await uow.staff.by_username("anouk") or await uow.staff.create(
            "anouk", password_hash="x", role="coordinator", regions=[]
        )
    return user.id


async def submitted(database: Database, clock: FakeClock, *statuses: Status, **kw: object) -> str:
    """A pre-aanmelding taken through `statuses`, one hour apart."""
    async with database.unit_of_work() as uow:
        created = await uow.pre_aanmeldingen.create(new_submission(at=clock.now, **kw))  # type: ignore[arg-type]
    staff = await staff_id(database) if statuses else None
    for status in statuses:
        clock.advance(hours=1)
        details: dict[str, str] = {}
        if status is Status.GEACCEPTEERD:
            details["product"] = "housing_first"
        if status is Status.DOORVERWEZEN:
            details["referral"] = "Wijkteam"
        async with database.unit_of_work() as uow:
            await uow.pre_aanmeldingen.transition(
                created.reference, status, staff_user_id=staff, reason="Besproken", **details
            )
    return created.reference


async def exists(database: Database, reference: str) -> bool:
    async with database.unit_of_work(write=False) as uow:
        return await uow.pre_aanmeldingen.get(reference) is not None


@pytest.mark.parametrize(
    "path",
    [
        (Status.IN_BEHANDELING, Status.AFGEWEZEN),
        (Status.INGETROKKEN,),
        (Status.IN_BEHANDELING, Status.DOORVERWEZEN),
    ],
    ids=["afgewezen", "ingetrokken", "doorverwezen"],
)
async def test_closed_pre_aanmeldingen_go_90_days_after_the_final_status(
    path: tuple[Status, ...], backend: Backend, database: Database, clock: FakeClock
) -> None:
    reference = await submitted(database, clock, *path)
    closed_at = clock.now
    clock.now = closed_at + POLICY.closed - SECOND
    assert (await run_purge(database))["pre_aanmeldingen"] == 0
    assert await exists(database, reference)
    clock.now = closed_at + POLICY.closed
    counts = await run_purge(database)
    assert counts["pre_aanmeldingen"] == 1 and counts["report_facts_added"] == 1
    assert not await exists(database, reference)
    rows = await row_counts(database)
    assert rows["status_changes"] == rows["pre_aanmeldingen"] == 0
    # The figures of that year still count it, from the anonymous facts.
    async with database.unit_of_work(write=False) as uow:
        facts = await uow.reports.facts(START.year)
        years = await uow.reports.years()
    assert [f.status for f in facts] == [path[-1]]
    assert facts[0].region == "parkstad" and years == [START.year]
    assert "Jan de Vries" not in await decrypted_dump(database)


async def test_an_accepted_one_goes_30_days_after_the_handover(
    backend: Backend, database: Database, clock: FakeClock
) -> None:
    reference = await submitted(
        database,
        clock,
        Status.IN_BEHANDELING,
        Status.INTAKE_GEPLAND,
        Status.GEACCEPTEERD,
    )
    clock.advance(days=100)  # long after the acceptance, but not handed over yet
    assert (await run_purge(database))["pre_aanmeldingen"] == 0
    async with database.unit_of_work() as uow:
        await uow.pre_aanmeldingen.hand_over(reference)
    handed_over = clock.now
    clock.now = handed_over + POLICY.after_handover - SECOND
    assert (await run_purge(database))["pre_aanmeldingen"] == 0
    clock.now = handed_over + POLICY.after_handover
    assert (await run_purge(database))["pre_aanmeldingen"] == 1
    async with database.unit_of_work(write=False) as uow:
        [fact] = await uow.reports.facts(START.year)
    assert fact.status is Status.GEACCEPTEERD and fact.decided_product == "housing_first"
    assert fact.intake_at is not None and fact.decided_at is not None
    assert fact.created_at.astimezone(fact.created_at.tzinfo).second == 0  # days only


async def test_an_accepted_one_never_handed_over_goes_after_a_year(
    backend: Backend, database: Database, clock: FakeClock
) -> None:
    reference = await submitted(
        database, clock, Status.IN_BEHANDELING, Status.INTAKE_GEPLAND, Status.GEACCEPTEERD
    )
    accepted = clock.now
    clock.now = accepted + POLICY.accepted - SECOND
    await run_purge(database)
    assert await exists(database, reference)
    clock.now = accepted + POLICY.accepted
    await run_purge(database)
    assert not await exists(database, reference)


async def test_open_pre_aanmeldingen_are_kept(
    backend: Backend, database: Database, clock: FakeClock
) -> None:
    new = await submitted(database, clock)
    planned = await submitted(
        database, clock, Status.IN_BEHANDELING, Status.INTAKE_GEPLAND, channel_user_hash="b" * 64
    )
    clock.advance(days=3 * 365)
    await run_purge(database)
    assert await exists(database, new) and await exists(database, planned)


async def test_conversations_go_30_days_after_the_last_answer(
    backend: Backend, database: Database, clock: FakeClock
) -> None:
    key = ConversationKey("telegram", "c" * 64)
    async with database.unit_of_work() as uow:
        await uow.conversations.save(
            key,
            flow_id="zelfmelding",
            flow_version="1",
            state={"stage": "flow", "answers": "ik slaap in de auto"},
            language="nl",
            expires_at=clock.now + timedelta(days=365),  # the policy decides, not this
            expected_version=None,
        )
        await web_chats(uow).create(
            "chat-1",
            session_hash="s" * 64,
            resume_key="r" * 64,
            locale="nl",
            expires_at=clock.now + timedelta(days=365),
        )
    last = clock.now
    clock.now = last + POLICY.conversation - SECOND
    counts = await run_purge(database)
    assert counts["conversation_sessions"] == counts["web_chats"] == 0
    clock.now = last + POLICY.conversation
    counts = await run_purge(database)
    assert counts["conversation_sessions"] == counts["web_chats"] == 1


async def test_outbox_and_update_ids_go_after_their_short_periods(
    backend: Backend, database: Database, clock: FakeClock
) -> None:
    async with database.unit_of_work() as uow:
        delivered = await uow.outbox.enqueue("telegram", "d" * 64, "42", {"text": "Je code"})
        pending = await uow.outbox.enqueue("telegram", "e" * 64, "43", {"text": "Vraag"})
        await uow.updates.mark_processed("telegram", 1001)
    async with database.unit_of_work() as uow:
        await uow.outbox.claim_due()
        await uow.outbox.mark_delivered(delivered)
    start = clock.now
    clock.now = start + POLICY.processed_updates - SECOND
    assert (await run_purge(database))["processed_updates"] == 0
    clock.now = start + POLICY.processed_updates
    assert (await run_purge(database))["processed_updates"] == 1
    clock.now = start + POLICY.outbox_done - SECOND
    assert (await run_purge(database))["outbox_messages"] == 0
    clock.now = start + POLICY.outbox_done
    assert (await run_purge(database))["outbox_messages"] == 1  # the delivered one
    clock.now = start + POLICY.outbox_pending - SECOND
    assert (await run_purge(database))["outbox_messages"] == 0
    clock.now = start + POLICY.outbox_pending
    assert (await run_purge(database))["outbox_messages"] == 1  # never delivered
    async with database.unit_of_work(write=False) as uow:
        assert await uow.outbox.pending_count() == 0
    del pending


async def test_a_purge_is_audited_with_counts_only_and_a_dry_run_changes_nothing(
    backend: Backend, database: Database, clock: FakeClock
) -> None:
    reference = await submitted(database, clock, Status.INGETROKKEN)
    clock.advance(days=91)
    before = await row_counts(database)
    dry = await run_purge(database, dry_run=True)
    assert dry["pre_aanmeldingen"] == 1
    assert await row_counts(database) == before
    counts = await run_purge(database)
    assert counts == {**dry}
    async with database.unit_of_work(write=False) as uow:
        [event] = await uow.audit.find(AuditFilter(action="retention_purge"))
    assert event.actor == "system" and event.subject_id is None
    assert event.details["pre_aanmeldingen"] == 1
    assert all(isinstance(v, int) for v in event.details.values())
    assert reference not in str(event.details)


def test_intake_purge_on_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/intake.db"
    upgrade(url)

    async def withdrawn_long_ago() -> None:  # by the real clock, 2025 is long ago
        database = Database(url, clock=FakeClock())
        try:
            await submitted(database, database.clock, Status.INGETROKKEN)  # type: ignore[arg-type]
        finally:
            await database.dispose()

    asyncio.run(withdrawn_long_ago())
    runner = CliRunner()
    dry = runner.invoke(main, ["purge", "--dry-run", "--database-url", url])
    assert dry.exit_code == 0, dry.output
    assert "would remove pre_aanmeldingen: 1" in dry.output
    done = runner.invoke(main, ["purge", "--database-url", url])
    assert done.exit_code == 0, done.output
    assert "removed pre_aanmeldingen: 1" in done.output
    assert "report_facts_added: 1" in done.output
    again = runner.invoke(main, ["purge", "--database-url", url])
    assert "removed pre_aanmeldingen: 0" in again.output


async def test_intake_serve_purges_in_the_background(
    backend: Backend, database: Database, clock: FakeClock
) -> None:
    reference = await submitted(database, clock, Status.INGETROKKEN)
    clock.advance(days=91)
    task = asyncio.create_task(purge_daily(database, POLICY, first_after=0, every=3600))
    try:
        for _ in range(200):
            if not await exists(database, reference):
                break
            await asyncio.sleep(0.02)
    finally:
        task.cancel()
    assert not await exists(database, reference)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=backend.url, secret_key="retention-test-secret"
    )
    app = create_app(settings, database=database, purge_daily=True)
    async with app.router.lifespan_context(app):  # starts and stops the task cleanly
        await asyncio.sleep(0)
