"""Cold start of `intake route`: a new process per run, as a person or script uses it.

Prints min, median and p95 wall time over N runs, beside a bare `python -c pass`
(the interpreter's floor) and the ratio; writes bench/results/route_cold_start.json.
Run: `make bench` or `.venv/bin/python bench/route_cold_start.py [N]`.
"""

from __future__ import annotations

import json
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


def timings(command: list[str], runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(command, check=True, capture_output=True)
        out.append(time.perf_counter() - start)
    return sorted(out)


def summary(values: list[float]) -> dict[str, float]:
    p95 = values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]
    return {
        "min_ms": values[0] * 1000,
        "median_ms": statistics.median(values) * 1000,
        "p95_ms": p95 * 1000,
    }


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 20
    intake = str(Path(sys.executable).with_name("intake"))
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(PROFILE, handle)
    route = summary(timings([intake, "route", "--facts", handle.name, "--json"], runs))
    floor = summary(timings([sys.executable, "-c", "pass"], runs))
    ratio = route["median_ms"] / floor["median_ms"]
    print(f"intake route cold start over {runs} runs")
    print(f"{'':24}{'min ms':>10}{'median ms':>12}{'p95 ms':>10}")
    for name, figures in (("intake route --json", route), ("python -c pass", floor)):
        print(
            f"{name:24}{figures['min_ms']:>10.1f}{figures['median_ms']:>12.1f}{figures['p95_ms']:>10.1f}"
        )
    print(f"ratio (median, route / bare interpreter): {ratio:.1f}x; goal: route under 500 ms")
    results = Path(__file__).parent / "results"
    results.mkdir(exist_ok=True)
    (results / "route_cold_start.json").write_text(
        json.dumps({"runs": runs, "route": route, "python_floor": floor, "ratio": ratio}, indent=2)
        + "\n"
    )


if __name__ == "__main__":
    main()
