"""A new key file of a local install (the encryption key, the secret key): written
whole or not at all, readable by its owner only, and never over an existing one.

The key goes to a temporary file in the same folder (mode 0600), is flushed to the
disk, and is then linked to its name, which fails when a key is there already; the
temporary file is removed either way. So a full disk, a crash or two starts at the
same moment never leave an empty or half-written key, and never replace one.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

__all__ = ["write_new_key_file"]


def write_new_key_file(path: Path, text: str) -> bool:
    """Write `text` to `path`, a new file of mode 0600 (its folder, when missing, of mode
    0700); False when `path` is there already, left as it was. Raises `OSError` naming
    `path` when it cannot be written (a full disk, a read-only folder)."""
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temporary = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".new", dir=path.parent)
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(path)) from None
    try:
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.link(temporary, path)
    except FileExistsError:
        return False
    except OSError as error:
        raise OSError(error.errno, error.strerror, str(path)) from None
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    _sync_folder(path.parent)
    return True


def _sync_folder(folder: Path) -> None:
    """The new name on the disk too (a crash right after keeps the key)."""
    with contextlib.suppress(OSError):  # not every system can sync a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
