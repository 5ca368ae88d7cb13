"""Fixtures for the data protection tests: the storage suite's databases (SQLite and
PostgreSQL), complete intakes through the conversation service, and readers of the
raw tables (as a thief with the database file would see them) and of the decrypted
ones (as the application sees them)."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC
from typing import Any

from sqlalchemy import inspect, select, text

from flows.engine.inputs import ChoiceInput
from intake.conversation import ConversationService, StartInput, Turn
from storage.column_types import SensitiveValueCodec
from storage.database import Database
from storage.encryption import Keyring
from storage.tables import metadata
from tests.loket.conftest import dashboard, world  # noqa: F401 - fixtures
from tests.scenario_files import Scenario, load_scenarios, step_input
from tests.storage.conftest import (  # noqa: F401 - fixtures
    Backend,
    FakeClock,
    backend,
    clock,
    database,
    postgres,
    postgres_schema,
    sqlite_template,
)
from tests.web.conftest import browser, db_url, web  # noqa: F401 - fixtures

SECRET = "privacy-test-secret"
SCENARIOS = {s.name: s for s in load_scenarios()}
# One intake per flow, each with health and justice facts, names and phone numbers.
FULL_INTAKES = (
    SCENARIOS["zelfmelding/justitieel_detention"],
    SCENARIOS["hulpverlener/justitieel"],
    SCENARIOS["veldwerk/justitieel_released"],
)


def service(db: Database) -> ConversationService:
    return ConversationService(db, secret_key=SECRET)


async def replay(
    svc: ConversationService,
    user: str,
    scenario: Scenario,
    *,
    channel: str = "web",
    steps: int | None = None,
    outbox: Any = None,
) -> Turn:
    """The scenario's intake from the start (its first `steps` answers only)."""
    first = await svc.handle(channel, user, StartInput(), outbox=outbox)
    assert first.prompt is not None
    turn = await svc.handle(
        channel, user, ChoiceInput(first.prompt.token, scenario.flow), outbox=outbox
    )
    prompt = turn.prompt
    for step in scenario.steps[:steps]:
        turn = await svc.handle(channel, user, step_input(step, prompt), outbox=outbox)
        prompt = turn.prompt or prompt
    return turn


def at_scenario_time(where: Backend, scenario: Scenario) -> None:
    where.clock.now = scenario.now.replace(tzinfo=UTC)


def _cell(value: Any) -> str:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value).decode("latin-1")  # plaintext in a blob would still show
    return str(value)


async def raw_dump(db: Database) -> str:
    """Every column of every table as stored, without the application's types."""
    parts: list[str] = []
    async with db.engine.connect() as connection:
        present = set(await connection.run_sync(lambda c: inspect(c).get_table_names()))
        for table in metadata.sorted_tables:
            if table.name not in present:
                continue
            rows = await connection.execute(text(f'SELECT * FROM "{table.name}"'))
            for row in rows:
                parts.append(table.name + ": " + " | ".join(_cell(v) for v in row))
    return "\n".join(parts)


async def decrypted_dump(db: Database) -> str:
    """Every column of every table as the application reads it (decrypted)."""
    parts: list[str] = []
    async with db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            for row in await connection.execute(select(table)):
                parts.append(table.name + ": " + " | ".join(_cell(v) for v in row))
    return "\n".join(parts)


async def row_counts(db: Database) -> dict[str, int]:
    counts = {}
    async with db.engine.connect() as connection:
        for table in metadata.sorted_tables:
            result = await connection.execute(text(f'SELECT count(*) FROM "{table.name}"'))
            counts[table.name] = int(result.scalar_one())
    return counts


@contextmanager
def keyring(value: Keyring | None) -> Iterator[None]:
    """Another keyring for a while (the process's test key afterwards)."""
    before = SensitiveValueCodec.keyring() if SensitiveValueCodec.configured() else None
    SensitiveValueCodec.configure(value)
    try:
        yield
    finally:
        SensitiveValueCodec.configure(before)
