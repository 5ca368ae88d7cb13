"""Reading the packaged data files of the core (region data, offer, rules, flows).

Each file is parsed once per process. The parsed data is also kept beside the file
(`flows/data/__pycache__/`, as Python keeps compiled modules), keyed by the file's
size and modification time, so a new process (`intake route` on the command line)
skips PyYAML altogether while nothing changed; a folder that cannot be written just
means parsing every time.
"""

from __future__ import annotations

import os
import pickle
from functools import cache
from pathlib import Path
from typing import Any

__all__ = ["DATA", "load_yaml"]

DATA = Path(__file__).resolve().parent / "data"
_CACHE = DATA / "__pycache__"
_FORMAT = 1  # bump when the cached form changes


def _parse(text: str) -> Any:
    import yaml  # only when the cache cannot answer

    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # C when built with libyaml
    return yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader, see above


@cache
def load_yaml(name: str) -> Any:
    """Load `flows/data/<name>` once per process."""
    source = DATA / name
    stat = source.stat()
    key = (_FORMAT, stat.st_size, stat.st_mtime_ns)
    cached = _CACHE / (name.replace("/", "__") + ".pickle")
    try:
        with cached.open("rb") as handle:
            stored_key, data = pickle.load(handle)  # noqa: S301 - our own file, as a .pyc
        if stored_key == key:
            return data
    except (OSError, EOFError, pickle.UnpicklingError, ValueError, TypeError, AttributeError):
        pass
    data = _parse(source.read_text(encoding="utf-8"))
    try:
        _CACHE.mkdir(exist_ok=True)
        partial = cached.with_suffix(f".{os.getpid()}.tmp")
        with partial.open("wb") as handle:
            pickle.dump((key, data), handle, protocol=pickle.HIGHEST_PROTOCOL)
        partial.replace(cached)
    except OSError:
        pass  # a read-only install: parse each time
    return data
