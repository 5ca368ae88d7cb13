"""The dashboard's queries on SQLite and PostgreSQL: the queue (filters, scope, keyset
pagination, counts per status), the yearly report figures and the audit search."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from flows.screening_profile import ScreeningProfile
from storage.audit import AuditFilter
from storage.database import Database
from storage.lifecycle import Status
from storage.pre_aanmeldingen import Submitter
from storage.queue import BadCursor, QueueFilter, QueueSort
from storage.reports import build_report
from tests.factories.databases import FakeClock
from tests.factories.pre_aanmeldingen import PROFILE, new_submission

MAASTRICHT = ScreeningProfile(
    municipality="Maastricht", age=40, sleeping_place="public_space", support_need="light"
)


async def seed(database: Database, clock: FakeClock, count: int) -> list[str]:
    """`count` pre-aanmeldingen one hour apart, alternating Parkstad and Maastricht."""
    references = []
    async with database.unit_of_work() as uow:
        for index in range(count):
            profile = PROFILE if index % 2 == 0 else MAASTRICHT
            item = await uow.pre_aanmeldingen.create(
                new_submission(profile=profile, channel_user_hash=None, client_name=None)
            )
            references.append(item.reference)
            clock.advance(hours=1)
    return references


async def test_queue_pages_by_keyset_in_both_orders(database: Database, clock: FakeClock) -> None:
    references = await seed(database, clock, 7)
    async with database.unit_of_work(write=False) as uow:
        for sort, expected in (
            (QueueSort.OLDEST, references),
            (QueueSort.NEWEST, references[::-1]),
        ):
            seen: list[str] = []
            cursor = None
            while True:
                page = await uow.queue.page(QueueFilter(), sort=sort, after=cursor, size=3)
                seen.extend(item.reference for item in page.items)
                cursor = page.next_cursor
                if cursor is None:
                    break
            assert seen == expected
        with pytest.raises(BadCursor):
            await uow.queue.page(QueueFilter(), sort=QueueSort.NEWEST, after="bm90IGEgY3Vyc29y")


async def test_queue_filters_scope_and_counts(database: Database, clock: FakeClock) -> None:
    references = await seed(database, clock, 6)
    async with database.unit_of_work() as uow:
        await uow.pre_aanmeldingen.transition(
            references[0], Status.IN_BEHANDELING, staff_user_id=None
        )
    async with database.unit_of_work(write=False) as uow:
        parkstad = await uow.queue.page(QueueFilter(regions=frozenset({"parkstad"})))
        assert [i.reference for i in parkstad.items] == references[0::2]
        assert {i.region for i in parkstad.items} == {"parkstad"}
        # A region outside the scope gives nothing, also when asked for explicitly.
        guessed = QueueFilter(regions=frozenset({"parkstad"}), region="maastricht")
        assert (await uow.queue.page(guessed)).items == ()
        assert not await uow.queue.visible(references[1], frozenset({"parkstad"}))
        assert await uow.queue.visible(references[1], None)
        by_code = await uow.queue.page(QueueFilter(reference=references[3].lower()))
        assert [i.reference for i in by_code.items] == [references[3]]
        assert (await uow.queue.page(QueueFilter(reference="rubbish"))).items == ()
        counts = await uow.queue.status_counts(
            QueueFilter(regions=frozenset({"parkstad"}), statuses=frozenset({Status.NIEUW}))
        )
        assert counts.counts[Status.NIEUW] == 2 and counts.counts[Status.IN_BEHANDELING] == 1
        assert counts.total() == (3, False)
        capped = await uow.queue.status_counts(QueueFilter(), cap=2)
        assert capped.counts[Status.NIEUW] == 2 and capped.at_least == {Status.NIEUW}
        assert capped.total() == (3, True)
        since = clock.now - timedelta(hours=3)
        recent = await uow.queue.page(QueueFilter(since=since))
        assert [i.reference for i in recent.items] == references[3:]


async def test_report_counts_decisions_and_median(database: Database, clock: FakeClock) -> None:
    clock.now = datetime(2025, 2, 1, 10, tzinfo=UTC)
    async with database.unit_of_work() as uow:
        partner = Submitter("professional", organisation="Radar", convenant_partner=True)
        first = await uow.pre_aanmeldingen.create(
            new_submission(channel_user_hash=None, submitter=partner)
        )
        second = await uow.pre_aanmeldingen.create(new_submission(channel_user_hash=None))
        pa = uow.pre_aanmeldingen
        for to in (Status.IN_BEHANDELING, Status.INTAKE_GEPLAND):
            await pa.transition(first.reference, to, staff_user_id=None)
        clock.advance(days=10)
        await pa.transition(
            first.reference, Status.GEACCEPTEERD, staff_user_id=None, product="housing"
        )
        await pa.transition(second.reference, Status.IN_BEHANDELING, staff_user_id=None)
        clock.advance(days=10)
        await pa.transition(second.reference, Status.AFGEWEZEN, staff_user_id=None, reason="x")
    async with database.unit_of_work(write=False) as uow:
        assert await uow.reports.years() == [2025]
        facts = await uow.reports.facts(2025)
        assert await uow.reports.facts(2024) == []
    report = build_report(2025, facts, ["parkstad", "maastricht"])
    (line,) = report.lines
    assert (line.region, line.product) == ("parkstad", "housing_first")
    assert (line.aanmeldingen, line.intakes, line.accepted, line.rejected) == (2, 1, 1, 1)
    assert (line.convenant_partner, line.by_submitter["self"]) == (1, 1)
    assert line.median_days == 15.0
    assert report.accepted_per_product["parkstad"]["housing"] == 1
    assert report.confusion["housing_first"]["housing"] == 1
    assert report.confusion["housing_first"]["afgewezen"] == 1


async def test_audit_find_and_count(database: Database, clock: FakeClock) -> None:
    async with database.unit_of_work() as uow:
        staff = await uow.staff.create("anna", password_hash="x", role="beheerder")
        for _ in range(3):
            await uow.audit.record("login_failed", "staff_user", staff.id, actor="system")
            clock.advance(minutes=1)
        await uow.audit.record(
            "viewed", "pre_aanmelding", "LH-2345-67", actor="staff", staff_user_id=staff.id
        )
    async with database.unit_of_work(write=False) as uow:
        failed = AuditFilter(
            action="login_failed", subject_type="staff_user", subject_id=str(staff.id)
        )
        assert await uow.audit.count(failed) == 3
        since = AuditFilter(action="login_failed", since=clock.now - timedelta(minutes=2))
        assert await uow.audit.count(since) == 2
        newest = await uow.audit.find(AuditFilter(), limit=2)
        assert [e.action for e in newest] == ["viewed", "login_failed"]
        older = await uow.audit.find(AuditFilter(), before_id=newest[-1].id, limit=None)
        assert len(older) == 2
        assert [
            e.subject_id for e in await uow.audit.find(AuditFilter(staff_user_id=staff.id))
        ] == ["LH-2345-67"]
