"""The data directory (INTAKE_HOME): only `intake init` and `intake serve` make it, its
keys or a database. Every other command that uses the data, started from a folder
without it (a cron job in the wrong folder), stops with one line that names the folder
and what to do, and leaves no file behind; the commands that need no data work
anywhere."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from bot.settings import Settings
from storage.encryption import EncryptionKey
from tests.factories.commands import USES_DATA, Intake, command_name
from tests.serving import INTAKE, files_in


@pytest.mark.parametrize("args", USES_DATA, ids=" ".join)
@pytest.mark.parametrize("key", ["ENCRYPTION_KEY set", "no ENCRYPTION_KEY"])
def test_a_command_started_elsewhere_stops_and_makes_nothing(
    intake: Intake, tmp_path: Path, args: list[str], key: str
) -> None:
    env = {"ENCRYPTION_KEY": None} if key == "no ENCRYPTION_KEY" else {}
    result = intake(*args, **env)
    command = command_name(args)
    assert result.exit_code == 1, result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    if args == ["keys", "rotate"] and key == "no ENCRYPTION_KEY":
        assert "set ENCRYPTION_KEY to the new key" in lines[0]
    else:
        home = tmp_path / "work" / "var"
        assert lines[0].startswith(f"intake {command}: no data directory at {home}: ")
        assert "INTAKE_HOME" in lines[0] and "`intake init`" in lines[0]
    assert result.stdout == ""
    assert files_in(tmp_path) == ["work"], "nothing made: no folder, no key, no database"


def test_a_database_url_to_a_missing_file_is_named(intake: Intake, tmp_path: Path) -> None:
    file = tmp_path / "elsewhere" / "intake.db"
    result = intake("export", "--format", "json", "--database-url", f"sqlite:///{file}")
    assert result.exit_code == 1
    assert result.stderr == (
        f"intake export: no database at {file}: correct DATABASE_URL (or --database-url), "
        "or run `intake init` to make a new one there\n"
    )
    assert files_in(tmp_path) == ["work"]


def test_a_data_directory_without_its_database_is_named(intake: Intake, tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.mkdir()
    result = intake("db", "check", INTAKE_HOME=str(home))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"intake db check: no database in the data directory {home}")
    assert files_in(home) == []


def test_a_cron_job_in_the_wrong_folder_stops(tmp_path: Path) -> None:
    """The real command, as cron would start it: the message, the code, no file."""
    env = {k: v for k, v in os.environ.items() if k not in ("INTAKE_HOME", "DATABASE_URL")}
    done = subprocess.run(
        [str(INTAKE), "export", "--format", "csv"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 1
    assert done.stderr == (
        f"intake export: no data directory at {tmp_path / 'var'}: set INTAKE_HOME to the "
        "folder that holds the keys and the database (the default is ./var in the working "
        "folder), or run `intake init` to make a new one there\n"
    )
    assert done.stdout == ""
    assert files_in(tmp_path) == []


def test_commands_that_need_no_data_work_anywhere(intake: Intake, tmp_path: Path) -> None:
    facts = tmp_path / "profile.json"
    facts.write_text(json.dumps({"municipality": "Heerlen", "age": 30}))
    for args in (
        ["route", "--facts", str(facts), "--json"],
        ["route", "--facts", str(facts)],
        ["flows", "check"],
        ["flows", "diagram", "veldwerk"],
        ["crisis", "--json", "ik slaap bij mijn zus"],
        ["keys", "new"],
    ):
        result = intake(*args, ENCRYPTION_KEY=None)
        assert result.exit_code == 0, (args, result.output)
    assert files_in(tmp_path) == ["profile.json", "work"]


def test_init_makes_the_data_once_and_says_where(intake: Intake, tmp_path: Path) -> None:
    home = tmp_path / "work" / "var"
    first = intake("init", ENCRYPTION_KEY=None)
    assert first.exit_code == 0, first.output
    assert f"intake init: made the data directory {home}\n" in first.stdout
    assert f"made a new database at {home / 'intake.db'}" in first.stdout
    assert f"made a new encryption key in {home / 'encryption_key'}" in first.stdout
    assert f"made a new secret key in {home / 'secret_key'}" in first.stdout
    assert f"data directory: {home}\n" in first.stdout
    assert "intake staff add NAME --role beheerder" in first.stdout
    assert files_in(tmp_path / "work") == [
        "var",
        "var/encryption_key",
        "var/intake.db",
        "var/secret_key",
    ]
    for private in ("", "encryption_key", "secret_key"):
        mode = (home / private).stat().st_mode & 0o777
        assert mode == (0o700 if private == "" else 0o600), private
    key, secret = (home / "encryption_key").read_text(), (home / "secret_key").read_text()
    assert key.strip() not in first.output and secret.strip() not in first.output

    again = intake("init", ENCRYPTION_KEY=None)
    assert again.exit_code == 0, again.output
    assert "nothing was made or replaced" in again.stdout
    assert "made" not in again.stdout.replace("nothing was made", "")
    assert (home / "encryption_key").read_text() == key
    assert (home / "secret_key").read_text() == secret

    # The commands now find the data, from this folder or from anywhere with INTAKE_HOME.
    assert intake("db", "check", ENCRYPTION_KEY=None).exit_code == 0
    before = files_in(tmp_path)
    os.chdir(tmp_path)
    elsewhere = intake("export", "--format", "json", ENCRYPTION_KEY=None, INTAKE_HOME=str(home))
    assert elsewhere.exit_code == 0, elsewhere.output
    assert json.loads(elsewhere.stdout) == []
    assert files_in(tmp_path) == before


def test_init_makes_only_what_the_settings_leave_to_it(intake: Intake, tmp_path: Path) -> None:
    """Production: keys in the settings, the database elsewhere: no data directory."""
    file = tmp_path / "db" / "intake.db"
    made = intake("init", DATABASE_URL=f"sqlite:///{file}", SECRET_KEY="s3cret-for-tests")
    assert made.exit_code == 0, made.output
    assert made.stdout.startswith(f"intake init: made a new database at {file}\n")
    assert "encryption key: ENCRYPTION_KEY\n" in made.stdout
    assert not (tmp_path / "work" / "var").exists()


def test_init_never_replaces_a_key_it_cannot_use(intake: Intake, tmp_path: Path) -> None:
    """A database made with one key, and the data directory's key replaced by hand."""
    home = tmp_path / "work" / "var"
    assert intake("init", ENCRYPTION_KEY=None).exit_code == 0
    other = EncryptionKey.generate()
    (home / "encryption_key").write_text(other + "\n")
    refused = intake("init", ENCRYPTION_KEY=None)
    assert refused.exit_code == 1
    assert "does not open the data in the database" in refused.stderr
    assert (home / "encryption_key").read_text() == other + "\n"


def test_the_default_data_directory_is_var_in_the_working_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("INTAKE_HOME", raising=False)
    monkeypatch.delenv("DATABASE_URL", raising=False)
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.intake_home == tmp_path / "var"
    assert settings.database_url == f"sqlite+aiosqlite:///{tmp_path}/var/intake.db"
    assert settings.encryption_key_file == tmp_path / "var" / "encryption_key"
    relative = Settings(_env_file=None, intake_home="data")  # type: ignore[call-arg]
    assert relative.intake_home == tmp_path / "data"
    assert relative.database_url == f"sqlite+aiosqlite:///{tmp_path}/data/intake.db"
