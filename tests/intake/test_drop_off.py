"""Where people stop: the drop-off counters after a seeded set of conversations
(tests/factories/drop_off.py: submitted, stopped, no consent, expired and purged,
expired and back, restarted and erased), on SQLite and PostgreSQL, against a count
made by hand."""

from __future__ import annotations

from datetime import date

from sqlalchemy import inspect, select

from flows.engine.inputs import ChoiceInput, TextInput
from intake.conversation import ConversationService, StartInput
from storage.database import Database
from storage.drop_off import DropOffFigure, DropOffFilter, drop_off, week_of
from storage.tables import DropOffCountRow
from tests.factories.databases import Backend
from tests.factories.drop_off import SEED_MOMENT, WEEK_1, WEEK_2, seed_conversations
from tests.factories.tables import raw_dump

VELDWERK = (
    "consent",
    "place",
    "living",
    "age",
    "problems",
    "support",
    "justice",
    "nuisance",
    "phone",
    "veldwerker_name",
    "veldwerker_organisation",
    "veldwerker_phone",
    "summary",
)

# (week, flow, node, language, channel) -> (reached, left), counted by hand from the
# table in tests/factories/drop_off.py.
HAND_COUNT: dict[tuple[date, str, str, str, str], tuple[int, int]] = {
    (WEEK_1, "start", "who", "nl", "web"): (1, 0),  # ann
    (WEEK_1, "start", "who", "en", "web"): (1, 0),  # cem
    (WEEK_1, "start", "who", "nl", "telegram"): (2, 0),  # bob, fien
    (WEEK_1, "start", "who", "pl", "telegram"): (1, 0),  # dan
    **{(WEEK_1, "veldwerk", node, "nl", "web"): (1, 0) for node in VELDWERK},  # ann
    # bob; fien before her restart; fien after it (erased at name)
    (WEEK_1, "zelfmelding", "consent", "nl", "telegram"): (3, 0),
    (WEEK_1, "zelfmelding", "name", "nl", "telegram"): (3, 1),
    (WEEK_1, "zelfmelding", "living", "nl", "telegram"): (2, 2),  # bob stops, fien restarts
    (WEEK_1, "zelfmelding", "consent", "en", "web"): (1, 1),  # cem: no consent
    (WEEK_2, "start", "who", "nl", "web"): (1, 1),  # eva ran out on the start screen
    (WEEK_2, "zelfmelding", "consent", "pl", "telegram"): (1, 0),  # dan, purged
    (WEEK_2, "zelfmelding", "name", "pl", "telegram"): (1, 1),
}


async def counters(database: Database) -> dict[tuple[date, str, str, str, str], tuple[int, int]]:
    async with database.unit_of_work(write=False) as uow:
        rows = await uow.session.scalars(select(DropOffCountRow))
        return {
            (r.period, r.flow_id, node, r.language, r.channel): (reached, left)
            for r in rows
            for node, (reached, left) in r.counts.items()
        }


async def figures(
    database: Database, where: DropOffFilter
) -> dict[tuple[str, str], tuple[int, int]]:
    async with database.unit_of_work(write=False) as uow:
        found = await drop_off(uow).figures(where)
    assert all(isinstance(f, DropOffFigure) for f in found)
    return {(f.flow_id, f.node_id): (f.reached, f.left) for f in found}


async def test_the_counters_match_a_hand_count(backend: Backend, database: Database) -> None:
    await seed_conversations(database, backend.clock)
    assert await counters(database) == HAND_COUNT


async def test_the_sums_per_filter_match_a_hand_count(backend: Backend, database: Database) -> None:
    await seed_conversations(database, backend.clock)
    everything = await figures(database, DropOffFilter(WEEK_1, WEEK_2))
    assert everything == {
        ("start", "who"): (6, 1),
        **{("veldwerk", node): (1, 0) for node in VELDWERK},
        ("zelfmelding", "consent"): (5, 1),
        ("zelfmelding", "name"): (4, 2),
        ("zelfmelding", "living"): (2, 2),
    }
    first_week = await figures(database, DropOffFilter(WEEK_1, date(2025, 6, 8)))
    assert first_week[("start", "who")] == (5, 0)
    assert first_week[("zelfmelding", "consent")] == (4, 1)
    assert first_week[("zelfmelding", "name")] == (3, 1)
    english = await figures(database, DropOffFilter(WEEK_1, WEEK_2, language="en"))
    assert english == {("start", "who"): (1, 0), ("zelfmelding", "consent"): (1, 1)}
    telegram = await figures(
        database, DropOffFilter(WEEK_1, WEEK_2, flow_id="zelfmelding", channel="telegram")
    )
    assert telegram == {
        ("zelfmelding", "consent"): (4, 0),
        ("zelfmelding", "name"): (4, 2),
        ("zelfmelding", "living"): (2, 2),
    }
    assert await figures(database, DropOffFilter(date(2025, 7, 7), date(2025, 12, 31))) == {}
    async with database.unit_of_work(write=False) as uow:
        choices = await drop_off(uow).choices()
    assert choices.flows == ("start", "veldwerk", "zelfmelding")
    assert choices.languages == ("en", "nl", "pl")
    assert choices.channels == ("telegram", "web")


async def test_a_step_on_the_way_writes_no_counter(backend: Backend, database: Database) -> None:
    """Only an ending is counted: answering questions adds nothing (issue 18: few
    statements per step)."""
    backend.clock.now = SEED_MOMENT
    svc = ConversationService(database, secret_key="s")
    first = await svc.handle("web", "u", StartInput())
    assert first.prompt is not None
    assert await counters(database) == {}
    turn = await svc.handle("web", "u", ChoiceInput(first.prompt.token, "zelfmelding"))
    assert await counters(database) == {(WEEK_1, "start", "who", "nl", "web"): (1, 0)}
    assert turn.prompt is not None
    turn = await svc.handle("web", "u", ChoiceInput(turn.prompt.token, "yes"))
    await svc.handle("web", "u", TextInput("Ann"))
    assert await counters(database) == {(WEEK_1, "start", "who", "nl", "web"): (1, 0)}


async def test_the_counters_hold_nothing_about_a_person(
    backend: Backend, database: Database
) -> None:
    """No person, no answer; and the questions reached (which follow from answers)
    are not in clear either."""
    await seed_conversations(database, backend.clock)
    async with database.unit_of_work(write=False) as uow:
        columns = await uow.session.run_sync(
            lambda session: {
                c["name"] for c in inspect(session.connection()).get_columns("drop_off_counts")
            }
        )
    assert columns == {"id", "period", "flow_id", "language", "channel", "counts"}
    raw = "\n".join(line for line in (await raw_dump(database)).splitlines() if "drop_off" in line)
    assert (
        raw.count("drop_off_counts: ") == 9
    )  # 7 (week, flow, language, channel) in week 1, 2 in week 2
    for node in ("consent", "name", "living", "who", "summary", "justice"):
        assert node not in raw


def test_a_week_starts_on_monday_in_dutch_time() -> None:
    assert week_of(SEED_MOMENT) == WEEK_1
    # Sunday 8 June 2025, 22:30 UTC is already Monday 9 June in Amsterdam.
    assert week_of(SEED_MOMENT.replace(day=8, hour=22)) == date(2025, 6, 9)
    assert week_of(SEED_MOMENT.replace(day=8, hour=21)) == WEEK_1
