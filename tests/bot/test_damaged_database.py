"""A damaged SQLite file where the database should be (random bytes, a copy cut off in
the middle, a page overwritten): `intake serve` and every command that opens the
database stop with one line that names the file and says what to do (put back the
backup), exit 1, no traceback, and leave the file byte for byte as it was."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.factories.commands import USES_DATA, Intake, command_name
from tests.factories.damaged_files import DAMAGE, fingerprint, page_overwritten
from tests.serving import INTAKE, files_in, serve_env, stops_with_one_line

WHAT_TO_DO = (
    "and was left as it was: stop every process that uses it, move it aside with its "
    "-wal and -shm files, and put back the latest backup (docs/operations.md, backups)"
)


def damaged_home(folder: Path, template: Path, damage: Callable[[Path], None]) -> Path:
    """`folder/var`, a data directory whose database (a migrated one) is damaged."""
    home = folder / "var"
    home.mkdir(parents=True)
    shutil.copy(template, home / "intake.db")
    damage(home / "intake.db")
    return home / "intake.db"


@pytest.mark.parametrize("damage", DAMAGE.values(), ids=DAMAGE.keys())
def test_serve_and_init_refuse_a_damaged_file_and_leave_it_as_it_was(
    tmp_path: Path, sqlite_template: Path, damage: Callable[[Path], None]
) -> None:
    file = damaged_home(tmp_path, sqlite_template, damage)
    before = fingerprint(file)
    for command in ("serve", "init"):
        line = stops_with_one_line(tmp_path, serve_env(), str(INTAKE), command)
        assert line.startswith(f"intake {command}: the SQLite database {file} is damaged (")
        assert line.endswith(WHAT_TO_DO)
        assert fingerprint(file) == before
    assert files_in(tmp_path) == ["var", "var/intake.db"]  # no -wal, no -shm, no key


@pytest.mark.parametrize("args", USES_DATA, ids=" ".join)
def test_every_command_that_opens_the_database_refuses_it(
    intake: Intake, tmp_path: Path, sqlite_template: Path, args: list[str]
) -> None:
    """The subtle damage: the file's header is fine, one page in the middle is not."""
    file = damaged_home(tmp_path / "work", sqlite_template, page_overwritten)
    before = fingerprint(file)
    result = intake(*args)
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    # Found by the integrity check before the database is opened: a line of its report,
    # or its own error when the page it reads first is the one overwritten (which page
    # that is depends on the schema's size).
    prefix = f"intake {command_name(args)}: the SQLite database {file} is damaged ("
    assert lines[0].startswith(prefix)
    assert lines[0][len(prefix) :].startswith(("quick_check: ", "database disk image is malformed"))
    assert lines[0].endswith(WHAT_TO_DO)
    assert result.stdout == ""
    assert fingerprint(file) == before
    assert files_in(file.parent) == ["intake.db"]


def test_a_good_copy_put_back_starts_again(
    intake: Intake, tmp_path: Path, sqlite_template: Path
) -> None:
    """What the message says to do works: the backup in its place, and it is used."""
    file = damaged_home(tmp_path / "work", sqlite_template, page_overwritten)
    assert intake("db", "check").exit_code == 1
    shutil.copy(sqlite_template, file)
    restored = intake("db", "check")
    assert restored.exit_code == 0, restored.output
    assert "reachable, schema at version" in restored.stdout
