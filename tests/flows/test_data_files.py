"""The parsed data files are kept beside them (flows/data_files.py), so a new process
skips PyYAML; a changed file is read again, and a folder that cannot be written only
costs the parse."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from flows import data_files


@pytest.fixture
def data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(data_files, "DATA", tmp_path)
    monkeypatch.setattr(data_files, "_CACHE", tmp_path / "__pycache__")
    return tmp_path


def load(name: str) -> object:
    return data_files.load_yaml.__wrapped__(name)  # past the per-process cache


def test_a_file_is_parsed_once_and_read_again_when_it_changes(data: Path) -> None:
    (data / "offer.yaml").write_text("since: 2024-01-01\nregions: [parkstad]\n")
    first = load("offer.yaml")
    assert first == {"since": date(2024, 1, 1), "regions": ["parkstad"]}
    cached = data / "__pycache__" / "offer.yaml.pickle"
    assert cached.exists()
    (data / "offer.yaml").write_text("since: 2025-01-01\nregions: [parkstad, maastricht]\n")
    assert load("offer.yaml") == {
        "since": date(2025, 1, 1),
        "regions": ["parkstad", "maastricht"],
    }


def test_a_damaged_cache_is_parsed_anew(data: Path) -> None:
    (data / "rules.yaml").write_text("a: 1\n")
    load("rules.yaml")
    (data / "__pycache__" / "rules.yaml.pickle").write_bytes(b"not a pickle")
    assert load("rules.yaml") == {"a": 1}


def test_a_folder_that_cannot_be_written_still_loads(
    data: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (data / "regions.yaml").write_text("b: 2\n")
    (data / "a-file").write_text("")
    monkeypatch.setattr(data_files, "_CACHE", data / "a-file" / "__pycache__")  # mkdir fails
    assert load("regions.yaml") == {"b": 2}
    assert load("regions.yaml") == {"b": 2}
