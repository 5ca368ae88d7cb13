"""A new key file is written whole or not at all, for its owner only, and never over
an existing key (bot/key_files.py)."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

from bot import key_files
from bot.key_files import write_new_key_file
from tests.serving import files_in


def test_a_new_key_is_for_its_owner_only(tmp_path: Path) -> None:
    path = tmp_path / "home" / "encryption_key"
    assert write_new_key_file(path, "the key\n") is True
    assert path.read_text() == "the key\n"
    assert oct(path.stat().st_mode & 0o777) == "0o600"
    assert oct(path.parent.stat().st_mode & 0o777) == "0o700"
    assert files_in(tmp_path) == ["home", "home/encryption_key"]


def test_an_existing_key_is_never_replaced(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    path.write_text("the old key")
    assert write_new_key_file(path, "a new key") is False
    assert path.read_text() == "the old key"
    assert files_in(tmp_path) == ["secret_key"]


def test_a_write_that_fails_leaves_no_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    def disk_full(_fd: int) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(key_files.os, "fsync", disk_full)
    path = tmp_path / "encryption_key"
    with pytest.raises(OSError, match="No space left on device") as failed:
        write_new_key_file(path, "the key\n")
    assert failed.value.filename == str(path)
    assert files_in(tmp_path) == []  # neither the key nor its temporary file
