"""Shared test set-up: fixtures and hooks only; what they build comes from
tests/factories (tests import from there, never from a conftest).

A test marked `postgres` or `chromium` is skipped when that part is missing on a
developer's machine, and fails instead under CI (INTAKE_REQUIRE_SERVICES=1, set by
`.ci/run`), so a green CI run always includes them.

Every test process encrypts with `TEST_ENCRYPTION_KEY`: configured in this process
(an autouse fixture) and put in the environment, so `intake` subprocesses and CLI
commands use it too (a test of a missing key removes it from the subprocess's env).

Databases: every test that takes `database` runs on SQLite (a fresh file per test,
copied from a migrated template) and on PostgreSQL (one schema per test session, its
tables emptied before each test), both migrated with the real Alembic migrations.
The web chat (`web`, `browser`) and the dashboard (`world`, `dashboard`) are shared by
their own folders' tests and the data protection tests.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import pytest

from storage.column_types import SensitiveValueCodec
from storage.database import Database
from storage.encryption import Keyring
from tests.factories.dashboard import Dashboard, World, fresh_dashboard, populate
from tests.factories.databases import (
    START,
    Backend,
    FakeClock,
    copy_of,
    drop_schema,
    fresh_url,
    migrated_schema,
    migrated_sqlite,
    run_blocking,
    unique_schema,
)
from tests.factories.environment import (
    TEST_ENCRYPTION_KEY,
    chromium_missing,
    postgres_missing,
    services_required,
)
from tests.factories.web_chat import SCENARIO_NOW, UNLIMITED, ChatApp, PlainBrowser, chat_app

os.environ["ENCRYPTION_KEY"] = TEST_ENCRYPTION_KEY
os.environ.pop("ENCRYPTION_KEYS_OLD", None)


@pytest.fixture(autouse=True, scope="session")
def _test_encryption_key() -> None:
    """The process's keyring, as `intake serve` configures it at start."""
    SensitiveValueCodec.configure(Keyring.from_texts(TEST_ENCRYPTION_KEY))


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker, missing in (("postgres", postgres_missing), ("chromium", chromium_missing)):
        if item.get_closest_marker(marker) is None:
            continue
        reason = missing()
        if reason is None:
            continue
        if services_required():
            pytest.fail(f"{reason}; required under CI (INTAKE_REQUIRE_SERVICES=1)")
        pytest.skip(reason)


# --- databases -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A migrated SQLite database, copied for each test."""
    return migrated_sqlite(tmp_path_factory.mktemp("sqlite-template") / "template.db")


@pytest.fixture(scope="session")
def postgres_schema() -> Iterator[str]:
    """A migrated schema of its own for this test session, dropped at the end."""
    reason = postgres_missing()
    if reason is not None:
        pytest.skip(reason)  # the `postgres` marker turns this into a failure under CI
    schema = unique_schema()
    yield migrated_schema(schema)
    run_blocking(drop_schema(schema))


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def backend(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    return Backend(request.param, await fresh_url(request, tmp_path, request.param))


@pytest.fixture
async def database(backend: Backend) -> AsyncIterator[Database]:
    db = backend.database()
    yield db
    await db.dispose()


@pytest.fixture
def clock(backend: Backend) -> FakeClock:
    return backend.clock


@pytest.fixture
async def postgres(request: pytest.FixtureRequest, tmp_path: Path) -> Backend:
    """PostgreSQL only, for what only a server database can show; mark the test
    `@pytest.mark.postgres`."""
    return Backend("postgres", await fresh_url(request, tmp_path, "postgres"))


# --- the web chat ----------------------------------------------------------------------


@pytest.fixture
def db_url(tmp_path: Path, sqlite_template: Path) -> str:
    return copy_of(sqlite_template, tmp_path / "web.db")


@pytest.fixture
async def web(db_url: str) -> AsyncIterator[ChatApp]:
    made = chat_app(db_url, FakeClock(SCENARIO_NOW), posts_per_session=UNLIMITED)
    yield made
    await made.database.dispose()


@pytest.fixture
async def browser(web: ChatApp) -> AsyncIterator[PlainBrowser]:
    made = PlainBrowser(web.app)
    yield made
    await made.close()


# --- the dashboard ---------------------------------------------------------------------


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def world(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[World]:
    """Staff accounts of every role and two pre-aanmeldingen in two regions."""
    clock = FakeClock(START)
    database = Database(await fresh_url(request, tmp_path, request.param), clock=clock)
    yield await populate(database, clock)
    await database.dispose()


@pytest.fixture
async def dashboard(world: World) -> AsyncIterator[Dashboard]:
    """An HTTP client on the dashboard mounted at /loket, as `intake serve` does."""
    made = await fresh_dashboard(world)
    async with made.client:
        yield made
