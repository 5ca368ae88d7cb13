"""The test kit's own rules: helpers come from tests/factories (or a helper module),
never from a conftest or another test module; a conftest holds fixtures and hooks."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted([*(ROOT / "tests").rglob("*.py"), *(ROOT / "bench").rglob("*.py")])
CONFTESTS = sorted((ROOT / "tests").rglob("conftest.py"))


def imported_modules(path: Path) -> list[tuple[int, str]]:
    """(line, module) for every import in the file, relative ones made absolute."""
    package = path.relative_to(ROOT).parent.parts
    found: list[tuple[int, str]] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.extend((node.lineno, alias.name) for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package[: len(package) - node.level + 1] if node.level else ()
            module = ".".join([*base, *([node.module] if node.module else [])])
            found.append((node.lineno, module))
            # `from tests.storage import conftest`
            found.extend((node.lineno, f"{module}.{alias.name}") for alias in node.names)
    return found


def where(path: Path, line: int) -> str:
    return f"{path.relative_to(ROOT)}:{line}"


def test_no_module_imports_from_a_conftest() -> None:
    wrong = [
        f"{where(path, line)} imports {module}"
        for path in MODULES
        for line, module in imported_modules(path)
        if module.rsplit(".", 1)[-1] == "conftest"
    ]
    assert not wrong, "import helpers from tests.factories, not from a conftest:\n" + "\n".join(
        wrong
    )


def test_no_module_imports_from_a_test_module() -> None:
    wrong = [
        f"{where(path, line)} imports {module}"
        for path in MODULES
        for line, module in imported_modules(path)
        if module.startswith("tests.") and module.rsplit(".", 1)[-1].startswith("test_")
    ]
    assert not wrong, "move shared helpers to tests.factories:\n" + "\n".join(wrong)


def is_fixture(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    for decorator in node.decorator_list:
        target = decorator.func if isinstance(decorator, ast.Call) else decorator
        if ast.unparse(target) in ("pytest.fixture", "fixture"):
            return True
    return False


@pytest.mark.parametrize("path", CONFTESTS, ids=lambda p: str(p.relative_to(ROOT)))
def test_a_conftest_holds_only_fixtures_and_hooks(path: Path) -> None:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    wrong = []
    for node in tree.body:
        if isinstance(node, ast.ClassDef):
            wrong.append(f"class {node.name}")
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and not (
            is_fixture(node) or node.name.startswith("pytest_")
        ):
            wrong.append(f"def {node.name}")
    assert not wrong, f"{path.relative_to(ROOT)}: move to tests/factories: {', '.join(wrong)}"
