"""Faults a test makes happen to a real database: PostgreSQL backends of one app
terminated while requests run (`Terminator`), the pool's only connection held
(`holding_the_pool`), a SQLite file whose folder went away or that is damaged
(`SqliteBreakage`), and a database that cannot be reached at all
(`unreachable_engine`)."""

from __future__ import annotations

import asyncio
import contextlib
import shutil
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import make_url, text
from sqlalchemy.ext.asyncio import AsyncEngine

from storage.database import Database
from storage.engine import create_engine
from tests.factories.environment import POSTGRES_URL

UNREACHABLE_URL = "postgresql+asyncpg://postgres@127.0.0.1:1/test"  # nobody listens


def application_name() -> str:
    """A PostgreSQL application name of this test alone (other tests share the server)."""
    return f"lh_faults_{uuid.uuid4().hex[:12]}"


def with_application_name(url: str, name: str) -> str:
    """`url` whose connections say `application_name` (next to its other options)."""
    parsed = make_url(url)
    options = parsed.query.get("options", "")
    joined = " ".join(options if isinstance(options, tuple) else (options,))
    extended = f"{joined} -capplication_name={name}".strip()
    return parsed.update_query_dict({"options": extended}).render_as_string(hide_password=False)


@dataclass
class Terminator:
    """Terminates every backend of `name` (`pg_terminate_backend`) every `every`
    seconds while its block runs; `kills` counts the backends it ended."""

    name: str
    every: float = 0.05
    kills: int = 0
    _task: asyncio.Task[None] | None = field(default=None, repr=False)

    async def _run(self, engine: AsyncEngine) -> None:
        while True:
            async with engine.connect() as conn:
                result = await conn.execute(
                    text(
                        "SELECT count(*) FILTER (WHERE pg_terminate_backend(pid)) "
                        "FROM pg_stat_activity WHERE application_name = :name"
                    ),
                    {"name": self.name},
                )
                self.kills += int(result.scalar_one() or 0)
                await conn.commit()
            await asyncio.sleep(self.every)

    @contextlib.asynccontextmanager
    async def running(self) -> AsyncIterator[Terminator]:
        engine = create_engine(POSTGRES_URL)
        self._task = asyncio.create_task(self._run(engine))
        try:
            yield self
        finally:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            await engine.dispose()


@contextlib.asynccontextmanager
async def holding_the_pool(database: Database) -> AsyncIterator[None]:
    """Holds a connection of `database`'s pool (with a pool of one: all of it)."""
    async with database.engine.connect():
        yield


@dataclass
class SqliteBreakage:
    """A SQLite database in a folder of its own, broken and mended in place. The
    pool's open connections would go on with the old file, so breaking it also empties
    the pool: new connections meet the broken database, as a restarted server would."""

    folder: Path
    database: Database

    @property
    def away(self) -> Path:
        return self.folder.with_name(self.folder.name + "-away")

    async def remove_folder(self) -> None:
        await self.database.engine.dispose()
        self.folder.rename(self.away)

    async def damage_file(self, name: str) -> None:
        """The file replaced by one that is not a database (the real one kept aside)."""
        await self.database.engine.dispose()
        shutil.copytree(self.folder, self.away)
        for path in self.folder.iterdir():
            path.unlink()
        (self.folder / name).write_bytes(b"this is not a SQLite database" * 100)

    async def mend(self) -> None:
        await self.database.engine.dispose()
        if self.folder.exists():
            shutil.rmtree(self.folder)
        self.away.rename(self.folder)


def unreachable_engine() -> AsyncEngine:
    """An engine on a port where no database listens: every connection is refused."""
    return create_engine(UNREACHABLE_URL, connect_args={"timeout": 2})
