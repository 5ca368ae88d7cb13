"""`make bench`: every benchmark in turn, then one table of the figures.

Each benchmark runs as a process of its own (its own results file in bench/results/);
this prints what each prints, then a summary table, and writes
bench/results/summary.json (the machine, each step's time, the total).

Options (`make bench BENCH_ARGS="..."`):
  --without-1m       leave out the dashboard queue at 1,000,000 pre-aanmeldingen (it
                     takes about 2 of the 10 minutes: seeding 1M rows in SQLite and
                     PostgreSQL)
  --both-adapters    the 1,000-person HTTP run with python-telegram-bot too (about 4
                     minutes more); default: aiogram (the default TELEGRAM_FRAMEWORK)
  --crowd-db NAME    sqlite (default) or postgresql for the HTTP run
  --quick            small sizes, to check that everything runs (figures meaningless)
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable
from typing import Any

from common import RESULTS, ROOT, machine, postgres_missing, postgres_version, write_result

BENCH = ROOT / "bench"


def steps(args: argparse.Namespace) -> list[tuple[str, list[str]]]:
    quick = args.quick
    sizes = ["2000"] if quick else ["10000", "100000"]
    if not args.without_1m and not quick:
        sizes.append("1000000")
    frameworks = ["aiogram", "ptb"] if args.both_adapters else ["aiogram"]
    users = "30" if quick else "1000"
    crowd = ["telegram_crowd.py", "--users", users, "--database", args.crowd_db]
    return [
        ("route_cold_start", ["route_cold_start.py", "5" if quick else "20"]),
        ("engine_steps", ["engine_steps.py", "--seconds", "1" if quick else "4"]),
        ("crisis_detection", ["crisis_detection.py"]),
        (
            "service_inprocess",
            ["service_inprocess.py", "--passes", "1" if quick else "2", "--concurrency", "1", "16"],
        ),
        ("telegram_crowd", [*crowd, "--frameworks", *frameworks]),
        (
            "web_chat_steps",
            [
                "web_chat_steps.py",
                *("--passes", "1" if quick else "2"),
                *("--concurrency", "1", "16"),
                *("--crowd", "30" if quick else "1000"),
            ],
        ),
        ("dashboard_queue", ["dashboard_queue.py", *sizes, *(["--runs", "5"] if quick else [])]),
        (
            "memory_conversations",
            ["memory_conversations.py", "--conversations", "300" if quick else "10000"],
        ),
        ("profile_service", ["profile_update.py", "--passes", "1" if quick else "2"]),
        (
            "soak",
            ["soak.py", "--web", "20" if quick else "200", "--telegram", "10" if quick else "100"],
        ),
    ]


def run_step(name: str, command: list[str]) -> tuple[float, bool]:
    """Run one benchmark; its time and whether it succeeded (a failure is reported at
    the end, the other benchmarks still run)."""
    print(f"\n=== {name}: {' '.join(command)}", flush=True)
    began = time.perf_counter()
    done = subprocess.run([sys.executable, *command], cwd=BENCH, check=False)
    return time.perf_counter() - began, done.returncode == 0


def load(name: str) -> dict[str, Any]:
    path = RESULTS / f"{name}.json"
    return json.loads(path.read_text()) if path.exists() else {}


# --- the summary table ----------------------------------------------------------------

Row = tuple[str, str, str]


def engine_rows() -> list[Row]:
    data = load("engine_steps")
    out: list[Row] = []
    for variant in ("pure", "with_json"):
        figures = data[variant]
        out.append(
            (
                "engine alone",
                f"steps, {variant.replace('_', ' ')}",
                f"{figures['steps_per_second']:,}/s; p50 {figures['p50_ms']:.2f} ms, "
                f"p99 {figures['p99_ms']:.2f} ms",
            )
        )
    crisis = data.get("detect_crisis_ms_by_length", {})
    if crisis:
        text = ", ".join(f"{n} ch {ms:.0f} ms" for n, ms in crisis.items())
        out.append(("engine alone", "detect_crisis by text length", text))
    return out


def crisis_rows() -> list[Row]:
    data = load("crisis_detection")
    text = "; ".join(f"{name} {ms:.2f} ms" for name, ms in data.items())
    return [("engine alone", "crisis layer per message", text)] if data else []


def service_rows() -> list[Row]:
    out: list[Row] = []
    for row in load("service_inprocess").get("rows", []):
        what = f"{row['framework']} {row['handler']} x{row['concurrency']}"
        ratio = f", {row['ratio_p50']}x echo" if "ratio_p50" in row else ""
        cpu = f"; CPU {row['cpu_ms_per_update']:.2f} ms" if "cpu_ms_per_update" in row else ""
        cpu += f", {row['ratio_cpu']}x echo's (goal 3x)" if "ratio_cpu" in row else ""
        sql = ""
        if row.get("statements_per_update"):
            sql = (
                f"; {row['statements_per_update']} statements, "
                f"{row['commits_per_update']} commits per update"
            )
        out.append(
            (
                "service in process",
                what,
                f"{row['updates_per_second']:,.0f} upd/s; p50 {row['p50_ms']:.2f} ms, "
                f"p99 {row['p99_ms']:.2f} ms{ratio}{cpu}{sql}; errors {row['errors']}",
            )
        )
    return out


def crowd_rows() -> list[Row]:
    out: list[Row] = []
    for row in load("telegram_crowd").get("rows", []):
        what = f"{row['users']} people, {row['framework']}, {row['database']}"
        handle = row["bot_process"].get("handle", {})
        out.append(
            (
                "HTTP, fake Bot API",
                what,
                f"finished in {row['seconds_to_finish']:.0f} s ({row['updates']} updates, "
                f"{row['updates_per_second']:.0f}/s); handle p50 {handle.get('p50_ms', 0):.0f}"
                f" ms p99 {handle.get('p99_ms', 0):.0f} ms; reply p99 "
                f"{row['last_reply'].get('p99_ms', 0) / 1000:.1f} s; errors {row['error_total']}",
            )
        )
        out.append(
            (
                "HTTP, fake Bot API",
                f"{row['framework']}: Telegram's 30 msg/s",
                f"{row['messages']} messages need >= {row['telegram_30_per_second_bound_s']:.0f}"
                " s at Telegram's overall limit",
            )
        )
    return out


def web_chat_rows() -> list[Row]:
    out: list[Row] = []
    for row in load("web_chat_steps").get("rows", []):
        if row.get("mode") in ("echo", "stored"):
            continue
        what = f"{row['database']} {row['mode']} x{row['concurrency']}"
        ratio = f" ({row['ratio_to_echo']}x echo)" if "ratio_to_echo" in row else ""
        out.append(
            (
                "web chat over HTTP",
                what,
                f"CPU {row['server_cpu_ms_per_step']:.1f} ms/step{ratio}; "
                f"{row['statements_per_step']} statements, {row['transactions_per_step']} "
                f"transactions; p50 {row.get('p50_ms', 0):.0f} ms p99 {row.get('p99_ms', 0):.0f}"
                f" ms; 503s {row['busy_503']}; errors {row['errors']}",
            )
        )
    return out


def dashboard_rows() -> list[Row]:
    out: list[Row] = []
    results = load("dashboard_queue").get("results", {})
    for backend, sizes in results.items():
        for size, named in sizes.items():
            unfiltered = named["unfiltered (open, oldest first)"]
            slowest = max(named.items(), key=lambda item: item[1]["p95_ms"])
            out.append(
                (
                    "dashboard queue",
                    f"{backend} {int(size):,}",
                    f"default p50 {unfiltered['p50_ms']:.0f} ms p95 {unfiltered['p95_ms']:.0f}"
                    f" ms; slowest p95 {slowest[1]['p95_ms']:.0f} ms ({slowest[0]})",
                )
            )
    return out


def memory_rows() -> list[Row]:
    data = load("memory_conversations")
    out: list[Row] = []
    for backend in ("sqlite", "postgresql"):
        row = data.get(backend)
        if not row:
            continue
        out.append(
            (
                "memory",
                f"{data['conversations']:,} open conversations, {backend}",
                f"RSS {row['rss_imported_kib'] / 1024:.0f} -> {row['rss_after_kib'] / 1024:.0f}"
                f" MiB ({row['rss_growth_bytes_per_conversation']} B/conv); stored "
                f"{row['stored_bytes_per_conversation']} B/conv (state "
                f"{row['state_bytes_started_avg']} B, {row['state_bytes_at_summary_avg']} B at"
                " the summary)",
            )
        )
    return out


def cold_start_rows() -> list[Row]:
    data = load("route_cold_start")
    if not data:
        return []
    route, floor = data["route"], data["python_floor"]
    return [
        (
            "intake route",
            "cold start",
            f"median {route['median_ms']:.0f} ms, p95 {route['p95_ms']:.0f} ms (bare python "
            f"{floor['median_ms']:.0f} ms)",
        )
    ]


def profile_rows() -> list[Row]:
    data = load("profile_service")
    shares = data.get("own_share", {})
    if not shares:
        return [("profile", data.get("tool", "?"), "see bench/results/profile_service.txt")]
    top = sorted(shares.items(), key=lambda item: -item[1])[:4]
    text = "; ".join(f"{name} {share * 100:.0f}%" for name, share in top)
    return [("profile", f"{data['ms_per_update']} ms/update (aiogram, SQLite)", text)]


def safely(table: Callable[[], list[Row]]) -> list[Row]:
    try:
        return table()
    except (KeyError, TypeError, ValueError) as error:  # a results file from a failed run
        return [(table.__name__.removesuffix("_rows"), "unreadable", repr(error))]


TABLES: tuple[Callable[[], list[Row]], ...] = (
    engine_rows,
    crisis_rows,
    service_rows,
    crowd_rows,
    web_chat_rows,
    dashboard_rows,
    memory_rows,
    cold_start_rows,
    profile_rows,
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--without-1m", action="store_true")
    parser.add_argument("--both-adapters", action="store_true")
    parser.add_argument("--crowd-db", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    began = time.perf_counter()
    load_before = os.getloadavg()[0]
    if load_before > 0.5:
        print(
            f"note: load average {load_before:.1f} before the start; other work on this "
            "machine slows the figures down (they are comparable only on a quiet machine)"
        )
    missing = postgres_missing()
    if missing:
        print(f"PostgreSQL: {missing}; its figures are left out")
    timings = {}
    failed = []
    for name, command in steps(args):
        seconds, succeeded = run_step(name, command)
        timings[name] = round(seconds, 1)
        if not succeeded:
            failed.append(name)
    total = time.perf_counter() - began
    rows = [row for table in TABLES for row in safely(table)]
    width = max(len(what) for _, what, _ in rows)
    print("\n=== summary")
    for part, what, figure in rows:
        print(f"{part:<19}{what:<{width + 2}}{figure}")
    print(
        f"\nmake bench: {total / 60:.1f} min ("
        + ", ".join(f"{k} {v:.0f} s" for k, v in timings.items())
        + ")"
    )
    if failed:
        print(f"FAILED: {', '.join(failed)} (their figures above are from an earlier run)")
    postgres = None if missing else asyncio.run(postgres_version())
    write_result(
        "summary",
        {
            "machine": machine(postgres),
            "options": vars(args),
            "load_average_before_after": [round(load_before, 2), round(os.getloadavg()[0], 2)],
            "step_seconds": timings,
            "total_seconds": round(total, 1),
            "failed": failed,
            "table": [{"part": p, "what": w, "figure": f} for p, w, f in rows],
        },
    )
    if failed:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
