"""Databases for tests: a clock that only moves when told to, a backend (SQLite or
PostgreSQL) to open `Database`s on, and the PostgreSQL schemas and migrated SQLite
files the fixtures make."""

from __future__ import annotations

import asyncio
import os
import shutil
import uuid
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import pytest
from sqlalchemy import make_url, text

from storage.database import Database
from storage.engine import create_engine
from storage.migrate import upgrade_async
from storage.tables import metadata
from tests.factories.environment import POSTGRES_URL

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


def sqlite_url(path: Path) -> str:
    return f"sqlite+aiosqlite:///{path}"


def copy_of(template: Path, path: Path) -> str:
    """A fresh SQLite database at `path`, copied from a migrated template: its URL."""
    shutil.copy(template, path)
    return sqlite_url(path)


def migrated_sqlite(path: Path) -> Path:
    """A SQLite database at `path` with every migration applied."""
    run_blocking(upgrade_async(sqlite_url(path)))
    return path


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


def migrated_schema(schema: str) -> str:
    """A new PostgreSQL schema with every migration applied: its URL."""
    run_blocking(create_schema(schema))
    url = schema_url(POSTGRES_URL, schema)
    run_blocking(upgrade_async(url))
    return url


async def empty_tables(url: str) -> None:
    engine = create_engine(url)
    try:
        async with engine.begin() as conn:
            names = ", ".join(table.name for table in metadata.sorted_tables)
            await conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    finally:
        await engine.dispose()


async def fresh_url(request: pytest.FixtureRequest, tmp_path: Path, name: str) -> str:
    """A fresh database for one test (`name` "sqlite" or "postgres"): a copy of the
    `sqlite_template` fixture's file, or the `postgres_schema` fixture's schema with
    its tables emptied."""
    if name == "sqlite":
        return copy_of(request.getfixturevalue("sqlite_template"), tmp_path / "intake.db")
    url: str = request.getfixturevalue("postgres_schema")
    await empty_tables(url)
    return url
