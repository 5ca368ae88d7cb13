"""Extract the translation templates (`locales/<domain>.pot`) from the sources.

One place for how extraction runs, used by `make i18n-extract` and by the test that
checks the committed templates are current: `python -m locales.templates`.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from locales import LOCALE_DIR

__all__ = ["MAPPINGS", "extract"]

ROOT = LOCALE_DIR.parent
# Domain -> the pybabel mapping file that says which sources hold its messages.
MAPPINGS = {"messages": "babel.cfg", "loket": "babel-loket.cfg"}
KEYWORDS = ("N_", "NP_:1,2")


def extract(domain: str, out: Path | None = None) -> Path:
    """Write the template of a domain (to `out`, or to locales/<domain>.pot)."""
    target = out or LOCALE_DIR / f"{domain}.pot"
    command = [str(Path(sys.executable).with_name("pybabel")), "-q", "extract"]
    command += ["-F", MAPPINGS[domain], "--no-location", "--sort-output"]
    for keyword in KEYWORDS:
        command += ["-k", keyword]
    command += ["--project=loket-housing-intake"]
    command += ["--copyright-holder=Loket Housing intake contributors"]
    command += ["-o", str(target), "."]
    subprocess.run(command, cwd=ROOT, check=True, timeout=300)  # noqa: S603 - our own tool
    return target


if __name__ == "__main__":
    for name in MAPPINGS:
        print(f"locales: wrote {extract(name).relative_to(ROOT)}")
