"""A SQLite file damaged under a running service (a disk error, a stray copy over it):
a unit of work and the readiness probe raise `DatabaseDamaged`, a `DatabaseUnavailable`
that names the file and says to put back a backup, never a driver's error."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from storage.database import Database
from storage.disk_faults import DatabaseDamaged
from tests.factories.damaged_files import cut_in_the_middle, fingerprint
from tests.factories.databases import sqlite_url
from tests.factories.pre_aanmeldingen import new_submission


async def test_a_file_damaged_under_a_running_service(
    tmp_path: Path, sqlite_template: Path
) -> None:
    file = tmp_path / "intake.db"
    shutil.copy(sqlite_template, file)
    database = Database(sqlite_url(file))
    try:
        async with database.unit_of_work() as uow:
            reference = (await uow.pre_aanmeldingen.create(new_submission())).reference
        await database.engine.dispose()  # the next request opens the file anew
        cut_in_the_middle(file)
        damaged = fingerprint(file)
        with pytest.raises(DatabaseDamaged) as read:
            async with database.unit_of_work(write=False) as uow:
                await uow.pre_aanmeldingen.get(reference)
        assert str(read.value).startswith(f"the SQLite database {file} is damaged (")
        assert "put back the latest backup" in str(read.value)
        with pytest.raises(DatabaseDamaged):  # /readyz: not ready
            await database.ping()
        assert fingerprint(file) == damaged  # nothing written to it
    finally:
        await database.dispose()
