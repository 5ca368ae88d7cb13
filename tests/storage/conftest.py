"""Fixtures for the storage contract tests: every test that takes `database` runs on
SQLite (a fresh file per test) and on PostgreSQL (one schema per test session, its
tables emptied before each test), both migrated with the real Alembic migrations."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import make_url, text

from flows.routing import recommend
from flows.screening_profile import ScreeningProfile
from storage.database import Database
from storage.engine import create_engine
from storage.migrate import upgrade_async
from storage.pre_aanmeldingen import Consent, NewPreAanmelding, Submitter
from storage.tables import metadata
from tests.conftest import POSTGRES_URL, postgres_missing

T = TypeVar("T")
SECRET = "test-secret-key"
START = datetime(2025, 3, 3, 9, 30, tzinfo=UTC)


@dataclass
class FakeClock:
    """A clock that only moves when told to."""

    now: datetime = START

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@dataclass
class Backend:
    name: str
    url: str
    clock: FakeClock = field(default_factory=FakeClock)

    def database(self, **options: object) -> Database:
        """Another Database on the same data (its own engine and connection pool)."""
        return Database(self.url, clock=self.clock, **options)  # type: ignore[arg-type]


def schema_url(base: str, schema: str) -> str:
    url = make_url(base).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


async def create_schema(schema: str) -> None:
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        await engine.dispose()


async def drop_schema(schema: str) -> None:
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
    finally:
        await engine.dispose()


def run_blocking(coroutine: Coroutine[Any, Any, T]) -> T:
    """Run a coroutine to the end on a fresh event loop in a helper thread (session
    fixtures are set up from inside a test's running loop)."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def unique_schema(prefix: str = "lh_test") -> str:
    return f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each test."""
    path = tmp_path_factory.mktemp("sqlite-template") / "template.db"
    run_blocking(upgrade_async(f"sqlite+aiosqlite:///{path}"))
    return path


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    """A migrated schema of its own for this test session, dropped at the end."""
    reason = postgres_missing()
    if reason is not None:
        pytest.skip(reason)  # the `postgres` marker turns this into a failure under CI
    schema = unique_schema()
    run_blocking(create_schema(schema))
    url = schema_url(POSTGRES_URL, schema)
    run_blocking(upgrade_async(url))
    yield url
    run_blocking(drop_schema(schema))


async def empty_tables(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            names = ", ".join(table.name for table in metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    if request.param == "sqlite":
        path = tmp_path / "intake.db"
        shutil.copy(request.getfixturevalue("sqlite_template"), path)
        return Backend("sqlite", f"sqlite+aiosqlite:///{path}")
    url = request.getfixturevalue("postgres_schema")
    await empty_tables(url)
    return Backend("postgres", url)


@pytest.fixture
async def database(backend: Backend) -> AsyncIterator[Database]:
    db = backend.database()
    yield db
    await db.dispose()


@pytest.fixture
def clock(backend: Backend) -> FakeClock:
    return backend.clock


PROFILE = ScreeningProfile(
    municipality="Hoensbroek",
    age=34,
    sleeping_place="family_friends",
    problems=("addiction", "psychiatric"),
    support_need="intensive",
    accepts_support=True,
    homeless_months=14,
)


def new_submission(
    *,
    profile: ScreeningProfile = PROFILE,
    channel_user_hash: str | None = "a" * 64,
    client_name: str | None = "Jan de Vries",
    client_birth_date: date | None = date(1990, 5, 17),
    submitter: Submitter | None = None,
    at: datetime = START,
    screening_date: date = date(2025, 3, 3),
) -> NewPreAanmelding:
    return NewPreAanmelding(
        channel="telegram",
        language="nl",
        submitter=submitter or Submitter("self"),
        consent=Consent(text_version="2025-01", at=at, given_by="client"),
        profile=profile,
        recommendation=recommend(profile, screening_date),
        contact_preference="phone",
        channel_user_hash=channel_user_hash,
        client_name=client_name,
        client_birth_date=client_birth_date,
        contact_address="06-12345678",
        answers={"story": "Ik slaap bij mijn zus op de bank."},
    )


def codes(*values: str) -> Callable[[], str]:
    """A reference code factory that hands out `values` in order."""
    remaining = list(values)
    return lambda: remaining.pop(0)


@pytest.fixture
async def postgres(request: pytest.FixtureRequest) -> Backend:
    """PostgreSQL only, for what only a server database can show; mark the test
    `@pytest.mark.postgres`."""
    url = request.getfixturevalue("postgres_schema")
    await empty_tables(url)
    return Backend("postgres", url)
