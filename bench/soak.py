"""The soak at the issue's size: 200 people in the web chat and 100 in Telegram at once,
two `intake serve` on one PostgreSQL database, backends terminated every 3 s
(tests/soak_run.py). Prints the counts; `python bench/soak.py [--web N] [--telegram N]`.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.soak_run import soak


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--web", type=int, default=200)
    parser.add_argument("--telegram", type=int, default=100)
    parser.add_argument("--kill-every", type=float, default=3.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        result = asyncio.run(
            soak(
                Path(folder),
                web_people=args.web,
                telegram_people=args.telegram,
                kill_every=args.kill_every,
            )
        )
    print("\n".join(result.lines()))
    for failure in result.failures[:20]:
        print("  failure:", failure)
    ok = not result.failures and result.statuses[500] == 0
    return 0 if ok and result.stored == args.web + args.telegram else 1


if __name__ == "__main__":
    sys.exit(main())
