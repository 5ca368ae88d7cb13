"""Compile every catalog `locales/<lang>/LC_MESSAGES/messages.po` to `.mo`.

Run by `make install` (so `make run` and `make test` always use fresh catalogs) and
by `make i18n-compile`. A catalog with a syntax error stops with its file and line.
"""

from __future__ import annotations

import sys
from pathlib import Path

from babel.messages.mofile import write_mo
from babel.messages.pofile import PoFileError, read_po

from locales import DOMAIN, LOCALE_DIR

__all__ = ["compile_catalogs"]


def compile_catalogs(root: Path = LOCALE_DIR) -> list[Path]:
    """Compile all catalogs under root; return the .mo files written."""
    written = []
    for po_path in sorted(root.glob(f"*/LC_MESSAGES/{DOMAIN}.po")):
        with po_path.open("rb") as handle:
            catalog = read_po(handle, abort_invalid=True)
        mo_path = po_path.with_suffix(".mo")
        with mo_path.open("wb") as handle:
            write_mo(handle, catalog, use_fuzzy=False)
        written.append(mo_path)
    return written


def main() -> None:
    try:
        written = compile_catalogs()
    except PoFileError as error:
        sys.exit(f"locales: {error}")
    print(f"locales: compiled {len(written)} catalog(s)")


if __name__ == "__main__":
    main()
