"""Fixtures of the command-line tests (helpers: tests/factories/commands.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from bot.cli import main
from bot.settings import get_settings
from storage.column_types import SensitiveValueCodec
from storage.encryption import Keyring
from tests.factories.commands import Intake
from tests.factories.environment import TEST_ENCRYPTION_KEY


@pytest.fixture
def intake(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Intake]:
    """`intake ...` in this process, in the empty folder `tmp_path/work`, with no
    setting of a local install (settings read anew); `env` adds or removes (None)."""
    work = tmp_path / "work"
    work.mkdir()
    monkeypatch.chdir(work)
    unset = {"INTAKE_HOME": None, "DATABASE_URL": None, "SECRET_KEY": None}

    def invoke(*args: str, **env: str | None) -> Result:
        get_settings.cache_clear()
        runner = CliRunner(env={**unset, "ENCRYPTION_KEYS_OLD": None, **env})
        return runner.invoke(main, list(args), input="a-long-enough-password-1\n")

    yield invoke
    get_settings.cache_clear()
    SensitiveValueCodec.configure(Keyring.from_texts(TEST_ENCRYPTION_KEY))
