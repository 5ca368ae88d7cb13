"""`intake route` reads its few settings without pydantic (bot/settings_peek.py): it
must give the same answers as `Settings` for the same environment and `.env` file."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot import settings_peek
from bot.settings import Settings

DOTENV = """
# the operator's file
export DEFAULT_LOCALE=ar
ENVIRONMENT = "production"
service_directory_file='/etc/loket/services.yaml'
SECRET_KEY=abc # not part of the value
"""


@pytest.fixture
def in_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for name in ("DEFAULT_LOCALE", "ENVIRONMENT", "SERVICE_DIRECTORY_FILE", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings_peek._dotenv.cache_clear()
    return tmp_path


def test_the_dotenv_file_reads_as_settings_reads_it(in_folder: Path) -> None:
    (in_folder / ".env").write_text(DOTENV, encoding="utf-8")
    settings = Settings()
    assert settings_peek.peek("DEFAULT_LOCALE") == settings.default_locale == "ar"
    assert settings_peek.peek("ENVIRONMENT") == settings.environment == "production"
    assert settings.service_directory_file is not None
    assert settings_peek.peek("SERVICE_DIRECTORY_FILE") == str(settings.service_directory_file)
    assert settings.secret_key is not None
    assert settings_peek.peek("SECRET_KEY") == settings.secret_key.get_secret_value()


def test_the_environment_wins_and_empty_is_unset(
    in_folder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (in_folder / ".env").write_text("DEFAULT_LOCALE=ar\n", encoding="utf-8")
    monkeypatch.setenv("default_locale", "pl")  # names are case-insensitive
    assert settings_peek.peek("DEFAULT_LOCALE") == Settings().default_locale == "pl"
    monkeypatch.setenv("default_locale", "")
    assert settings_peek.peek("DEFAULT_LOCALE", "nl") == "nl"
    assert settings_peek.peek("NOT_A_SETTING") is None
