"""The crisis sign store (`storage.crisis_signs`): one row per conversation, updated in
place; the contact encrypted at rest; region scope; weekly counts of conversations
nobody can reach, which survive the purge and the person's erasure. On SQLite and
PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import text

from storage.conversations import ConversationKey
from storage.crisis_signs import CrisisSigns, crisis_signs, iso_week
from storage.database import Database
from storage.erasure import Person, erase_person
from storage.retention import RetentionPolicy, purge
from tests.factories.databases import FakeClock

ANNA = ConversationKey("telegram", "a" * 64)
BOB = ConversationKey("web", "b" * 64)
CAROL = ConversationKey("web", "c" * 64)
SIGN = {"category": "suicide", "at": "2026-12-01T09:00:00+00:00", "node": "age"}
MONTH = timedelta(days=30)


def signs(**changes: object) -> CrisisSigns:
    values: dict[str, object] = {"flow_id": "zelfmelding", "signs": [SIGN]}
    values.update(changes)
    return CrisisSigns(**values)  # type: ignore[arg-type]


async def record(
    database: Database, key: ConversationKey, started: datetime, what: CrisisSigns
) -> None:
    async with database.unit_of_work() as uow:
        await crisis_signs(uow).record(key, started, what)


async def test_one_row_per_conversation_updated_in_place(
    database: Database, clock: FakeClock
) -> None:
    started = clock()
    await record(database, ANNA, started, signs(contact_kind="chat", region="parkstad"))
    clock.advance(minutes=5)
    later = {**SIGN, "category": "violence", "at": clock().isoformat()}
    await record(
        database,
        ANNA,
        started,
        signs(signs=[SIGN, later], contact_kind="phone", contact="+31612345678", region=None),
    )
    async with database.unit_of_work(write=False) as uow:
        [row] = await crisis_signs(uow).to_follow_up(None)
    assert [s["category"] for s in row.signs] == ["suicide", "violence"]
    assert (row.contact_kind, row.contact) == ("phone", "+31612345678")
    assert row.region == "parkstad"  # kept when a later step does not know it
    assert row.first_seen == started and row.last_seen == started + timedelta(minutes=5)
    # A new conversation of the same chat is a row of its own.
    await record(database, ANNA, started + timedelta(days=1), signs(contact_kind="chat"))
    async with database.unit_of_work(write=False) as uow:
        assert len(await crisis_signs(uow).to_follow_up(None)) == 2


async def test_the_contact_and_signs_are_encrypted_at_rest(
    database: Database, clock: FakeClock
) -> None:
    await record(database, BOB, clock(), signs(contact_kind="phone", contact="+31611112222"))
    async with database.unit_of_work(write=False) as uow:
        raw = (await uow.session.execute(text("SELECT contact, signs FROM crisis_signs"))).one()
    assert b"31611112222" not in bytes(raw[0])
    assert b"suicide" not in bytes(raw[1])


async def test_the_queue_respects_the_region_scope_and_counts_the_unreachable(
    database: Database, clock: FakeClock
) -> None:
    now = clock()
    await record(database, ANNA, now, signs(contact_kind="chat", region="parkstad"))
    await record(database, BOB, now, signs(contact_kind="email", contact="x@example.org"))
    await record(database, CAROL, now, signs(region="maastricht"))  # no contact
    await record(database, ConversationKey("web", "d" * 64), now, signs())  # no region either
    submitted = ConversationKey("web", "e" * 64)
    await record(database, submitted, now, signs(region="maastricht", reference="LH-AAAA-AA"))
    async with database.unit_of_work(write=False) as uow:
        store = crisis_signs(uow)
        everyone = {r.contact_kind for r in await store.to_follow_up(None)}
        parkstad = [r.region for r in await store.to_follow_up(frozenset({"parkstad"}))]
        maastricht = [r.reference for r in await store.to_follow_up(frozenset({"maastricht"}))]
        counts_all = await store.weekly_counts(None)
        counts_maas = await store.weekly_counts(frozenset({"maastricht"}))
    assert everyone == {"chat", "email", "none"}  # "none": the submitted one
    assert parkstad == ["parkstad"]
    assert maastricht == ["LH-AAAA-AA"]  # the unreachable one is counted, not listed
    week = iso_week(now)
    assert {(c.region, c.week, c.conversations) for c in counts_all} == {
        ("maastricht", week, 1),
        (None, week, 1),
    }
    assert [(c.region, c.conversations) for c in counts_maas] == [("maastricht", 1)]


async def test_purge_keeps_the_count_and_erases_the_rows(
    database: Database, clock: FakeClock
) -> None:
    first = clock()
    await record(database, ANNA, first, signs(region="heuvelland"))  # no contact
    await record(database, BOB, first, signs(contact_kind="phone", contact="+31600000001"))
    clock.advance(days=8)
    await record(database, CAROL, clock(), signs(region="heuvelland"))  # a week later
    clock.advance(days=23)  # 31 days after the first two: no conversation is left
    async with database.unit_of_work() as uow:
        counts = await purge(uow, RetentionPolicy())
    assert counts["crisis_signs"] == 2
    async with database.unit_of_work(write=False) as uow:
        store = crisis_signs(uow)
        assert [r.contact_kind for r in await store.to_follow_up(None)] == []
        weekly = {(c.week, c.conversations) for c in await store.weekly_counts(None)}
    assert weekly == {(iso_week(first), 1), (iso_week(first + timedelta(days=8)), 1)}
    clock.advance(days=8)
    async with database.unit_of_work() as uow:
        assert (await purge(uow, RetentionPolicy()))["crisis_signs"] == 1
    async with database.unit_of_work(write=False) as uow:
        again = {(c.week, c.conversations) for c in await crisis_signs(uow).weekly_counts(None)}
        left = (await uow.session.execute(text("SELECT count(*) FROM crisis_signs"))).scalar()
    assert again == weekly and left == 0


async def test_a_row_stays_while_its_conversation_goes_on(
    database: Database, clock: FakeClock
) -> None:
    async with database.unit_of_work() as uow:
        saved = await uow.conversations.save(
            ANNA,
            flow_id="zelfmelding",
            flow_version="2",
            state={"stage": "flow"},
            language="nl",
            expires_at=clock() + MONTH * 2,
            expected_version=None,
        )
        await crisis_signs(uow).record(ANNA, saved.created_at, signs(contact_kind="chat"))
    clock.advance(days=31)
    async with database.unit_of_work() as uow:
        # Still answering (the conversation's own purge runs from its last answer).
        await uow.session.execute(
            text("UPDATE conversation_sessions SET updated_at = :now"), {"now": clock()}
        )
    async with database.unit_of_work() as uow:
        assert (await purge(uow, RetentionPolicy()))["crisis_signs"] == 0


async def test_erasure_takes_the_rows_and_counts_the_unreachable(
    database: Database, clock: FakeClock
) -> None:
    await record(database, BOB, clock(), signs(contact_kind="email", contact="b@example.org"))
    await record(database, BOB, clock() + timedelta(hours=1), signs(region="parkstad"))
    await record(database, CAROL, clock(), signs(contact_kind="phone", contact="+31600000002"))
    async with database.unit_of_work() as uow:
        outcome = await erase_person(uow, Person(BOB.channel, BOB.user_hash))
    assert outcome.erased["crisis_signs"] == 2
    async with database.unit_of_work(write=False) as uow:
        store = crisis_signs(uow)
        assert [r.contact for r in await store.to_follow_up(None)] == ["+31600000002"]
        counts = [(c.region, c.conversations) for c in await store.weekly_counts(None)]
    assert counts == [("parkstad", 1)]


async def test_staff_mark_a_row_handled_once(database: Database, clock: FakeClock) -> None:
    await record(database, ANNA, clock(), signs(contact_kind="chat", region="parkstad"))
    async with database.unit_of_work() as uow:
        staff = await uow.staff.create(
            "zorg", password_hash="x" * 60, role="medewerker", regions=["parkstad"]
        )
        store = crisis_signs(uow)
        [row] = await store.to_follow_up(None)
        assert await store.get(row.id, frozenset({"maastricht"})) is None
        assert await store.mark_handled(row.id, staff.id)
        assert not await store.mark_handled(row.id, staff.id)
        handled = await store.get(row.id, frozenset({"parkstad"}))
    assert handled is not None and handled.handled_by == staff.id
    assert handled.handled_at == clock()


def test_an_iso_week_is_read_in_dutch_time() -> None:
    # Sunday 23:30 UTC is Monday 00:30 in Amsterdam (winter): the next week.
    assert iso_week(datetime(2026, 11, 29, 23, 30, tzinfo=UTC)) == "2026-W49"
    assert iso_week(datetime(2026, 11, 29, 22, 30, tzinfo=UTC)) == "2026-W48"
    assert iso_week(datetime(2027, 1, 1, 12, tzinfo=UTC)) == "2026-W53"
