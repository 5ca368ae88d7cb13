"""A full disk when `intake serve` starts, made with a file size limit on the real
process (tests/factories/full_disk.py): one line that names the file and says what to
do, exit 1, and nothing half-written: no empty key file, no empty or half-migrated
database, no new folder; an existing install is left as it was. A command whose write
fails later says so in one line too."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from bot import maintenance
from storage.disk_faults import DatabaseWriteFailed
from tests.factories.commands import Intake
from tests.factories.damaged_files import fingerprint
from tests.factories.databases import (
    create_schema,
    drop_schema,
    run_blocking,
    schema_url,
    unique_schema,
)
from tests.factories.environment import POSTGRES_URL
from tests.factories.full_disk import file_size_limit
from tests.serving import INTAKE, files_in, serve_env, stops_with_one_line

FULL = (
    "cannot store changes (disk I/O error): is its disk full, or the file or its folder "
    "not writable? Free space there (or fix the permissions) and try again; nothing of "
    "the change was kept"
)


def local_env(**settings: str) -> dict[str, str]:
    """A local install's settings: no ENCRYPTION_KEY, so the key is a file too."""
    return {k: v for k, v in serve_env(**settings).items() if k != "ENCRYPTION_KEY"}


@pytest.mark.parametrize(
    "limit", [0, 40_000], ids=["nothing fits", "the key fits, the database does not"]
)
def test_a_new_install_on_a_full_disk_makes_nothing(tmp_path: Path, limit: int) -> None:
    line = stops_with_one_line(tmp_path, local_env(), preexec_fn=file_size_limit(limit))
    assert line == f"intake serve: the SQLite database {tmp_path / 'var' / 'intake.db'} {FULL}"
    assert files_in(tmp_path) == []  # no folder, no key, no database


def test_an_existing_install_on_a_full_disk_is_left_as_it_was(tmp_path: Path) -> None:
    env = local_env()
    made = subprocess.run(
        [str(INTAKE), "init"], cwd=tmp_path, env=env, capture_output=True, timeout=60
    )
    assert made.returncode == 0, made.stderr
    home = tmp_path / "var"
    before = {name: fingerprint(home / name) for name in files_in(home)}
    assert sorted(before) == ["encryption_key", "intake.db", "secret_key"]
    done = subprocess.run(
        [str(INTAKE), "serve"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=file_size_limit(0),
    )
    assert done.returncode == 1
    assert done.stderr == f"intake serve: the SQLite database {home / 'intake.db'} {FULL}\n"
    assert {name: fingerprint(home / name) for name in before} == before
    # Only SQLite's own empty lock files may be new; the next start uses them.
    assert {name for name in files_in(home) if name not in before} <= {
        "intake.db-shm",
        "intake.db-wal",
    }


@pytest.mark.postgres
def test_a_key_that_cannot_be_written_leaves_no_empty_key_file(tmp_path: Path) -> None:
    """The database on a server, the data directory on a full disk: the new key for
    the new database cannot be written, and no empty key file is left to trip the
    next start."""
    schema = unique_schema("lh_full_disk")
    run_blocking(create_schema(schema))
    try:
        env = local_env(DATABASE_URL=schema_url(POSTGRES_URL, schema))
        line = stops_with_one_line(tmp_path, env, preexec_fn=file_size_limit(0))
    finally:
        run_blocking(drop_schema(schema))
    assert line == (
        f"intake serve: cannot write {tmp_path / 'var' / 'encryption_key'}: File too large; "
        "is its disk full, or the folder not writable? Free space there (or correct "
        "INTAKE_HOME) and start again; nothing was made"
    )
    assert files_in(tmp_path) == []


def test_a_command_whose_write_fails_says_so_in_one_line(
    intake: Intake, tmp_path: Path, sqlite_template: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "work" / "var"
    home.mkdir()
    shutil.copy(sqlite_template, home / "intake.db")
    full = DatabaseWriteFailed(f"the SQLite database {home / 'intake.db'} {FULL}")

    async def purge_on_a_full_disk(*_args: object, **_options: object) -> dict[str, int]:
        raise full

    monkeypatch.setattr(maintenance, "purge_once", purge_on_a_full_disk)
    result = intake("purge")
    assert result.exit_code == 1
    assert result.stderr == f"intake purge: {full}\n"
    assert result.stdout == ""
