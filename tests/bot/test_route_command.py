"""`intake route` as the spec describes it, including every kind of bad input."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main

SPEC_KEYS = {"product", "eligible", "region", "municipality", "reasons", "referrals"}


def run(tmp_path: Path, content: str | bytes, *args: str) -> tuple[int, str, str]:
    facts = tmp_path / "profile.json"
    facts.write_bytes(content.encode() if isinstance(content, str) else content)
    result = CliRunner().invoke(main, ["route", "--facts", str(facts), *args])
    return result.exit_code, result.stdout, result.stderr


def test_json_output_follows_the_spec(tmp_path: Path) -> None:
    profile = {
        "municipality": "hoensbroek",
        "age": 30,
        "sleeping_place": "public_space",
        "problems": ["addiction", "psychiatric"],
        "support_need": "intensive",
    }
    code, out, _ = run(tmp_path, json.dumps(profile), "--on", "2025-03-01", "--json")
    assert code == 0
    answer = json.loads(out)
    assert set(answer) == SPEC_KEYS
    assert answer["product"] == "housing_first"
    assert answer["eligible"] == ["housing_first", "housing"]
    assert (answer["region"], answer["municipality"]) == ("parkstad", "Heerlen")
    assert answer["reasons"][0] == "Ons advies is Housing First."
    assert answer["referrals"] == ["shelter"]


def test_on_decides_the_offer(tmp_path: Path) -> None:
    profile = json.dumps(
        {"municipality": "Maastricht", "institution": "detention", "support_need": "intensive"}
    )
    before = json.loads(run(tmp_path, profile, "--on", "2024-12-31", "--json")[1])
    after = json.loads(run(tmp_path, profile, "--on", "2025-01-01", "--json")[1])
    assert before["product"] is None and before["eligible"] == []
    assert after["product"] == "housing_justitieel"


def test_text_output_for_a_person(tmp_path: Path) -> None:
    code, out, _ = run(
        tmp_path, json.dumps({"municipality": "Venlo", "age": 40}), "--on", "2025-01-01"
    )
    assert code == 0
    assert out.startswith("Advies: geen woonprogramma\n")
    assert "Venlo hoort niet bij Zuid-Limburg." in out
    assert "Je eigen gemeente:" in out
    assert "Ga naar de gemeente Venlo." in out
    assert "Het loket beslist" in out
    # The loket's contact comes from the service data: here the marked sample.
    assert "Loket Housing: " in out and "045 000 0001" in out
    assert "voorbeeldgegevens" in out


def test_profile_1_1_answers_with_its_referrals(tmp_path: Path) -> None:
    profile = {
        "municipality": "Heerlen",
        "age": 30,
        "sleeping_place": "public_space",
        "household": "with_children",
        "children": 2,
        "registered_address": False,
        "health_insured": False,
        "care_organisation": False,
    }
    code, out, _ = run(tmp_path, json.dumps(profile), "--on", "2026-01-10", "--json")
    assert code == 0
    answer = json.loads(out)
    assert set(answer) == SPEC_KEYS
    for referral in ("shelter", "briefadres", "health_insurance", "care_organisation"):
        assert referral in answer["referrals"]


def test_text_output_names_the_regions_night_shelter(tmp_path: Path) -> None:
    # Sleeping outside in Heerlen (Parkstad), in winter: the Parkstad night shelter and
    # the cold-weather shelter of the service data, not the day drop-in in Sittard.
    profile = json.dumps({"municipality": "Heerlen", "sleeping_place": "public_space"})
    code, out, _ = run(tmp_path, profile, "--on", "2026-12-10")
    assert code == 0
    assert "Nachtopvang Heerlen (VOORBEELD)" in out and "045 000 0002" in out
    assert "Extra opvang bij vorst Heerlen" in out
    assert "Sittard" not in out and "Zefke" not in out


@pytest.mark.parametrize(
    ("content", "says"),
    [
        ("{not json", "profile: not valid JSON"),
        ("", "profile: the file is empty"),
        ("   \n", "profile: the file is empty"),
        (b"\xff\xfe\x00", "profile: not valid JSON"),
        ("[1, 2]", "profile: expected a JSON object, got list"),
        (
            '{"favourite_colour": "blue"}',
            "favourite_colour: unknown field; known fields are municipality",
        ),
        ('{"age": "forty"}', "age: expected a whole number from 0 to 130, got str"),
        (
            '{"sleeping_place": "tent"}',
            "sleeping_place: unknown value 'tent'; expected one of public_space",
        ),
        (
            '{"detention_release_date": "2025-02-29"}',
            "detention_release_date: '2025-02-29' is not a date that exists",
        ),
        ('{"municipality": "Hoensbrok"}', "Did you mean: Hoensbroek?"),
        # Profile 1.1 fields
        (
            '{"household": "big"}',
            "household: unknown value 'big'; expected one of alone, with_partner, "
            "with_children, with_partner_and_children",
        ),
        ('{"children": "two"}', "children: expected a whole number from 0 to 30, got str"),
        ('{"registered_address": "nee"}', "registered_address: expected true or false, got str"),
        ('{"health_insured": 1}', "health_insured: expected true or false, got int"),
        ('{"care_organisation": []}', "care_organisation: expected true or false, got list"),
    ],
)
def test_bad_input_exits_2_without_advice(tmp_path: Path, content: str | bytes, says: str) -> None:
    code, out, err = run(tmp_path, content, "--json")
    assert code == 2
    assert out == ""
    assert says in err


def test_bad_screening_date(tmp_path: Path) -> None:
    code, out, err = run(tmp_path, "{}", "--on", "2025-13-01", "--json")
    assert (code, out) == (2, "")
    assert "--on: '2025-13-01' is not a date" in err


def test_the_installed_command_reads_stdin(tmp_path: Path) -> None:
    """The real console script, as a newcomer runs it."""
    intake = Path(sys.executable).with_name("intake")
    done = subprocess.run(
        [str(intake), "route", "--facts", "-", "--json", "--on", "2026-01-01"],
        input=json.dumps(
            {"municipality": "Elsloo", "sleeping_place": "family_friends", "support_need": "light"}
        ).encode(),
        capture_output=True,
        check=False,
        timeout=30,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["product"] == "housing"
    missing = subprocess.run(
        [str(intake), "route", "--facts", str(tmp_path / "nope.json")],
        capture_output=True,
        check=False,
    )
    assert missing.returncode == 2 and b"nope.json" in missing.stderr
