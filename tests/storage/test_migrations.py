"""Alembic: `upgrade head` on empty SQLite and PostgreSQL databases, and no difference
between the migrated schema and the models (autogenerate finds nothing to do)."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, inspect

from storage.engine import create_engine
from storage.migrate import (
    SchemaNotCurrent,
    check_schema,
    current_revision,
    head_revision,
    upgrade_async,
)
from storage.tables import metadata
from tests.factories.databases import create_schema, drop_schema, schema_url, unique_schema
from tests.factories.environment import POSTGRES_URL

ROOT = Path(__file__).resolve().parents[2]


def differences(connection: Connection) -> list[object]:
    context = MigrationContext.configure(connection, opts={"compare_type": True})
    return list(compare_metadata(context, metadata))


def table_names(connection: Connection) -> set[str]:
    return set(inspect(connection).get_table_names())


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
async def empty_database(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path}/empty.db"
        return
    schema = unique_schema("lh_migrate")
    await create_schema(schema)
    try:
        yield schema_url(POSTGRES_URL, schema)
    finally:
        await drop_schema(schema)


async def test_upgrade_head_on_an_empty_database_matches_the_models(empty_database: str) -> None:
    with pytest.raises(SchemaNotCurrent, match="schema version none"):
        await check_schema(empty_database)
    await upgrade_async(empty_database)
    assert await current_revision(empty_database) == head_revision()
    await check_schema(empty_database)
    await upgrade_async(empty_database)  # a second upgrade does nothing
    engine = create_engine(empty_database)
    try:
        async with engine.connect() as connection:
            assert await connection.run_sync(differences) == []
            tables = await connection.run_sync(table_names)
    finally:
        await engine.dispose()
    assert tables == {t.name for t in metadata.sorted_tables} | {"alembic_version"}


async def test_downgrade_to_base_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/cycle.db"
    await upgrade_async(url)
    from alembic import command

    from storage.migrate import alembic_config

    engine = create_engine(url)
    try:
        async with engine.begin() as connection:

            def down(sync_connection: Connection) -> None:
                config = alembic_config(url)
                config.attributes["connection"] = sync_connection
                command.downgrade(config, "base")

            await connection.run_sync(down)
            assert await connection.run_sync(table_names) == {"alembic_version"}
    finally:
        await engine.dispose()
    await upgrade_async(url)
    assert await current_revision(url) == head_revision()


def test_the_alembic_command_line_upgrades_head(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path}/cli.db"
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-x", f"url={url}", "upgrade", "head"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert result.returncode == 0, result.stderr
    assert "Running upgrade  -> 0001" in result.stderr
    assert asyncio.run(current_revision(url)) == head_revision()
