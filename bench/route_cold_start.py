"""Cold start of `intake route`: a new process per run, as a person or a script uses
it, beside a bare `python -c pass` (the interpreter's floor), run in turn (A B A B ...)
so a drifting machine moves both alike.

Prints the median CPU time (user + system, the kernel's own accounting of each child)
and wall time per command, and the ratios route / floor, for the JSON answer and the
text answer (which also reads the service data); goal: at most 4x (issue 18). Writes
bench/results/route_cold_start.json.
Run: `make bench` or `.venv/bin/python bench/route_cold_start.py [RUNS]`.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PROFILE = {
    "municipality": "Hoensbroek",
    "age": 41,
    "sleeping_place": "family_friends",
    "problems": ["addiction", "psychiatric"],
    "support_need": "intensive",
}
GOAL = 4.0


def one_run(command: list[str]) -> tuple[float, float]:
    """(cpu seconds, wall seconds) of one process of `command`."""
    before = os.times()
    start = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    wall = time.perf_counter() - start
    after = os.times()
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return cpu, wall


def paired(a: list[str], b: list[str], runs: int) -> dict[str, float]:
    """Medians of A and B, run in turn, and the median of the pairwise ratios."""
    one_run(a), one_run(b)  # warm the file cache: a person's second run, not a cold disk
    cpu_a, wall_a, cpu_b, wall_b, cpu_ratio, wall_ratio = [], [], [], [], [], []
    for _ in range(runs):
        ca, wa = one_run(a)
        cb, wb = one_run(b)
        cpu_a.append(ca), wall_a.append(wa), cpu_b.append(cb), wall_b.append(wb)
        cpu_ratio.append(ca / cb if cb > 0 else float("nan"))
        wall_ratio.append(wa / wb)
    return {
        "cpu_ms": statistics.median(cpu_a) * 1000,
        "wall_ms": statistics.median(wall_a) * 1000,
        "floor_cpu_ms": statistics.median(cpu_b) * 1000,
        "floor_wall_ms": statistics.median(wall_b) * 1000,
        "cpu_ratio": statistics.median(cpu_ratio),
        "wall_ratio": statistics.median(wall_ratio),
    }


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    intake = str(Path(sys.executable).with_name("intake"))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(PROFILE, handle)
    floor = [sys.executable, "-c", "pass"]
    results = {
        "intake route --json": paired(
            [intake, "route", "--facts", handle.name, "--json"], floor, runs
        ),
        "intake route (text)": paired([intake, "route", "--facts", handle.name], floor, runs),
    }
    print(f"intake route cold start, {runs} runs each, in turn with `python -c pass`")
    print(f"{'':22}{'cpu ms':>9}{'wall ms':>9}{'floor cpu':>11}{'cpu x':>7}{'wall x':>8}")
    for name, r in results.items():
        print(
            f"{name:22}{r['cpu_ms']:>9.1f}{r['wall_ms']:>9.1f}{r['floor_cpu_ms']:>11.1f}"
            f"{r['cpu_ratio']:>7.1f}{r['wall_ratio']:>8.1f}"
        )
    worst = max(r["wall_ratio"] for r in results.values())
    print(f"goal: at most {GOAL:.0f}x the bare interpreter; worst wall ratio {worst:.1f}x")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    (out / "route_cold_start.json").write_text(
        json.dumps({"runs": runs, "goal_ratio": GOAL, "results": results}, indent=2) + "\n"
    )


if __name__ == "__main__":
    main()
