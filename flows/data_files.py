"""Reading the packaged data files of the core (region data, offer, rules, flows)."""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

__all__ = ["load_yaml"]

try:  # the C loader when PyYAML was built with libyaml; the same result, faster
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader


@cache
def load_yaml(name: str) -> Any:
    """Load `flows/data/<name>` once per process."""
    text = resources.files("flows").joinpath("data", name).read_text(encoding="utf-8")
    return yaml.load(text, Loader=_Loader)  # noqa: S506 - a safe loader, see above
