"""Every module of the pure core can be imported first, on its own: no import circle
hides behind the order the tests happen to import things in."""

from __future__ import annotations

import pkgutil
import subprocess
import sys

import pytest

import flows

MODULES = sorted(m.name for m in pkgutil.walk_packages(flows.__path__, "flows."))


@pytest.mark.parametrize("module", MODULES)
def test_the_module_imports_first(module: str) -> None:
    done = subprocess.run(
        [sys.executable, "-c", f"import {module}"], capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.strip().splitlines()[-1:]
