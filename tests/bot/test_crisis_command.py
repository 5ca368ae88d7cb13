"""`intake crisis [--json] TEXT...`: staff test wording before they add a phrase."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from bot.cli import main


def run(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["crisis", *args])
    return result.exit_code, result.stdout


def test_json_names_the_categories() -> None:
    code, out = run("--json", "ik", "wil", "er", "niet", "meer", "zijn,", "hij", "slaat", "me")
    assert code == 0
    assert json.loads(out) == {"crisis": True, "categories": ["suicide", "violence"]}


def test_an_ordinary_answer_is_no_crisis() -> None:
    assert json.loads(run("--json", "ik slaap bij mijn zus")[1]) == {
        "crisis": False,
        "categories": [],
    }
    assert run("Heerlen") == (0, "no crisis sign\n")


def test_plain_output_names_categories_phrases_and_languages() -> None:
    code, out = run("het vriest en ik slaap buiten")
    assert code == 0 and out.startswith("crisis: cold\n") and "languages: nl" in out


@pytest.mark.parametrize(
    "text",
    ["", "\x00\x01\x1b[31m", "a" * 100_000, "Heerlen Хеерлен هيرلين 海尔伦 " * 2000],
)
def test_bad_input_gets_a_clear_answer(text: str) -> None:
    code, out = run("--json", text)
    assert code == 0 and json.loads(out)["crisis"] is False


def test_no_text_is_a_usage_error() -> None:
    assert run("--json")[0] == 2
