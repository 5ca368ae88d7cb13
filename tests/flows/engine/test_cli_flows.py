"""`intake flows check`, `intake flows diagram` and `intake chat`."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from bot.cli import main
from tests.factories.flow_files import GOOD


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args), input=input)
    return result.exit_code, result.stdout, result.stderr


def test_check_passes_on_the_packaged_flows() -> None:
    code, out, err = run("flows", "check")
    assert code == 0, err
    assert out.strip() == "4 flow(s) checked: no problems"  # three intake flows and the entry flow


def test_check_reports_every_problem_with_file_and_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text(GOOD.replace("next: sleep", "next: slep").replace("version: 1", "version: 0"))
    orphan = tmp_path / "orphan.yaml"
    orphan.write_text(GOOD + '  orphan:\n    say: "Hier komt niemand."\n    next: done\n')
    code, _, err = run("flows", "check", str(bad), str(orphan))
    assert code == 1
    assert "bad.yaml:2: version: must be 1 or more" in err
    assert "bad.yaml:18: node 'place': 'next' goes to 'slep', which is not a node" in err
    assert "orphan.yaml:47: node 'orphan' is unreachable" in err
    assert "orphan.yaml:1: the flow has no 'registration'" in err
    assert "4 problem(s) in 2 file(s)" in err


def test_check_reports_a_flow_version_defined_twice(tmp_path: Path) -> None:
    for name in ("one.yaml", "two.yaml"):
        (tmp_path / name).write_text(GOOD)
    code, _, err = run("flows", "check", str(tmp_path / "one.yaml"), str(tmp_path / "two.yaml"))
    assert code == 1 and "mini version 1 is also in" in err


def test_check_can_list_untranslated_texts() -> None:
    code, _, _ = run("flows", "check", "--translations")
    assert code == 0  # warnings only


def test_diagram_prints_mermaid_and_dot() -> None:
    code, out, _ = run("flows", "diagram", "veldwerk")
    assert code == 0 and out.startswith("flowchart TD")
    code, out, _ = run("flows", "diagram", "veldwerk", "--format", "dot")
    assert code == 0 and out.startswith("digraph veldwerk {")


def test_diagram_of_an_unknown_flow_names_the_known_ones() -> None:
    code, _, err = run("flows", "diagram", "nope")
    assert code == 2 and "known flows: hulpverlener, veldwerk, zelfmelding" in err


def test_diagram_image_needs_graphviz(tmp_path: Path) -> None:
    image = tmp_path / "veldwerk.svg"
    code, _, err = run("flows", "diagram", "veldwerk", "--image", str(image))
    if shutil.which("dot") is None:
        assert code == 1 and "Graphviz is not installed" in err
    else:
        assert code == 0 and image.read_text().lstrip().startswith("<")


@pytest.mark.parametrize("flow_id", ["zelfmelding", "hulpverlener", "veldwerk"])
def test_chat_runs_a_flow_in_the_terminal(flow_id: str) -> None:
    code, out, _ = run("chat", flow_id, "--on", "2025-06-02", input="stop\nja\n")
    assert code == 0
    assert "computerprogramma" in out
    assert "We hebben je antwoorden gewist." in out


def test_chat_to_the_result() -> None:
    answers = [
        *("ja", "Heerlen", "straat", "30", "1, 2", "veel", "nee", "nee", "geen telefoon"),
        *("Bram Koster", "Moveoo", "06-55512345"),  # the veldwerker's own details
        "1",
    ]
    code, out, _ = run("chat", "veldwerk", "--on", "2025-06-02", input="\n".join(answers) + "\n")
    assert code == 0, out
    assert "Advies voor je cliënt: Housing First." in out
    assert "De aanmeldcode is PROEF-" in out


def test_chat_renders_options_with_numbers_and_examples() -> None:
    _, out, _ = run("chat", "zelfmelding", input="ja\nSam\n1\n")
    assert "  1. Buiten of op straat" in out
    assert "(Bijvoorbeeld: Heerlen, Hoensbroek of Sittard)" in out
