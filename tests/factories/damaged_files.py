"""SQLite files damaged the ways files get damaged: overwritten with other bytes, a
copy cut off in the middle, one page overwritten (a bad sector, a stray write); and a
fingerprint of a file, to show that nothing changed it."""

from __future__ import annotations

import hashlib
import random
from collections.abc import Callable
from pathlib import Path

PAGE = 4096  # SQLite's default page size, as the service makes its files


def fingerprint(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def random_bytes(path: Path) -> None:
    """The file's bytes replaced by as many random ones."""
    path.write_bytes(random.Random(7).randbytes(path.stat().st_size))


def cut_in_the_middle(path: Path) -> None:
    """Only the first half of the file, not at a page boundary (a copy cut short)."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2 + 123])


def page_overwritten(path: Path) -> None:
    """The header intact, the page in the middle of the file overwritten with zeros."""
    data = bytearray(path.read_bytes())
    middle = (len(data) // PAGE // 2) * PAGE
    data[middle : middle + PAGE] = bytes(PAGE)
    path.write_bytes(bytes(data))


DAMAGE: dict[str, Callable[[Path], None]] = {
    "random bytes": random_bytes,
    "cut in the middle": cut_in_the_middle,
    "a page overwritten": page_overwritten,
}
