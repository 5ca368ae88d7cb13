"""Where the time of one update goes: a sampling profile of the hottest path.

The path: a Telegram update through aiogram's `feed_update`, the adapter,
`TelegramIntake`, the `ConversationService` (lock, duplicate check, load, engine,
save, outbox) on SQLite, and the outbox deliverer sending the replies (fake Bot API
in process); one person at a time, every golden scenario, `--passes` times (the
workload of bench/service_inprocess.py).

With py-spy (`pip install py-spy`; `make bench` installs it) the workload runs under
`py-spy record --idle --threads` at 250 Hz: wall-clock samples of the event-loop
thread, so waiting for the database thread (and the disk) shows as waiting. Without
py-spy it falls back to cProfile, which is blurred by SQLAlchemy's greenlet switches
(it says so in its output).

Writes bench/results/profile_service.txt (the summary) and profile_service.json.
Run: `.venv/bin/python bench/profile_update.py [--passes 3]`.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path
from typing import Any

from common import RESULTS, ROOT, write_result

RATE = 250
SETUP = (
    "_find_and_load",
    "upgrade_async",
    "load_scenarios (",
    "intake_bench (",
    "intake_bench.<locals>.close (",
    "flow_library (",
)
# Own time (the sampled frame itself) by where its code lives, first match wins.
LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("waiting (epoll: database thread, disk)", ("EpollSelector.select", "select.epoll")),
    ("engine (flows/)", ("flows/",)),
    ("bot/ (intake, service, rendering, delivery)", ("bot/",)),
    ("storage/", ("storage/",)),
    ("locales/ (gettext)", ("locales/", "gettext")),
    ("SQLAlchemy + sqlmodel", ("sqlalchemy/", "sqlmodel/")),
    ("aiosqlite (hand-off to its thread)", ("aiosqlite/",)),
    ("aiogram", ("aiogram/",)),
    ("pydantic", ("pydantic",)),
    ("httpx / httpcore (outbox client)", ("httpx/", "httpcore/")),
    ("json", ("json/",)),
    ("asyncio event loop", ("asyncio/", "selectors.py")),
)
# Time inside these (inclusive), as a share of the event-loop thread's wall time.
INSIDE: tuple[tuple[str, str], ...] = (
    ("aiogram: Dispatcher.feed_update (whole update)", "Dispatcher.feed_update"),
    ("  TelegramIntake.handle", "TelegramIntake.handle"),
    ("    ConversationService.handle", "ConversationService.handle"),
    ("      UnitOfWork enter (connect, BEGIN)", "UnitOfWork.__aenter__"),
    ("      UnitOfWork exit (flush, COMMIT)", "UnitOfWork.__aexit__"),
    ("      processed_updates.mark_processed", "SqlProcessedUpdateStore.mark_processed"),
    ("      conversations.load", "SqlConversationStore.load"),
    ("      conversations.save", "SqlConversationStore.save"),
    ("      engine resume/start", "resume ("),
    ("      crisis detection", "detect_crisis"),
    ("      pre_aanmeldingen.create", "SqlPreAanmeldingStore.create"),
    ("      outbox.enqueue", "SqlOutbox.enqueue"),
    ("      render_turn (Telegram messages)", "render_turn"),
    ("  answerCallbackQuery (aiogram)", "CallbackQuery.answer"),
    ("OutboxDeliverer (passes and sends)", "OutboxDeliverer."),
    ("  claim_due", "SqlOutbox.claim_due"),
    ("  BotApi.call (the fake client)", "BotApi.call"),
    ("SQLAlchemy greenlet work seen without its caller", "<greenlet>"),
)


STATEMENTS: Counter[str] = Counter()


def count_statements() -> None:
    """Count the SQL statements of every engine by kind (on SQLite, BEGIN IMMEDIATE is one
    of them: the engine sends it as a statement)."""
    from sqlalchemy import event
    from sqlalchemy.engine import Engine

    def before(*args: Any) -> None:
        STATEMENTS[str(args[2]).lstrip().split(" ", 1)[0].upper()] += 1

    event.listen(Engine, "before_cursor_execute", before)


async def workload(passes: int) -> int:
    from common import database_url
    from service_inprocess import crowd, intake_bench
    from telegram_script import moves

    from tests.scenario_files import load_scenarios

    scripts = [moves(s) for s in load_scenarios()]
    durations: list[float] = []
    async with database_url("sqlite", "bench_profile") as url:
        bench = await intake_bench("aiogram", url)
        try:
            await crowd(bench, scripts[:3], 9_000_000, 1, [])
            await bench.finish()
            STATEMENTS.clear()
            await crowd(bench, scripts * passes, 1_000_000, 1, durations)
            await bench.finish()
        finally:
            await bench.close()
    return len(durations)


def py_spy() -> str | None:
    found = Path(sys.executable).with_name("py-spy")
    return str(found) if found.exists() else shutil.which("py-spy")


def statements_text(statements: dict[str, int], updates: int) -> tuple[str, dict[str, float]]:
    per_update = {kind: round(n / updates, 2) for kind, n in sorted(statements.items())}
    total = sum(statements.values()) / updates
    parts = ", ".join(f"{kind} {n}" for kind, n in per_update.items())
    return (
        f"SQL per update (the update's unit of work and the delivery): {total:.1f} ({parts})",
        per_update,
    )


def summarise_samples(raw: Path, updates: int) -> tuple[str, dict[str, Any]]:
    own: Counter[str] = Counter()
    inside: Counter[str] = Counter()
    leaves: Counter[str] = Counter()
    total = 0
    for line in raw.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        if not count.isdigit():
            continue  # a frame name with a line break in it: not a sample line
        frames = stack.split(";")
        if "MainThread" not in frames[0]:
            continue
        if any(any(marker in f for marker in SETUP) for f in frames):
            continue  # imports, the migration, loading flows and scenarios: not the path
        samples = int(count)
        total += samples
        leaf = frames[-1] if len(frames) > 1 else "(no Python frame: greenlet switch, C code)"
        leaves[re.sub(r":\d+\)", ")", leaf)] += samples
        layer = next((name for name, needles in LAYERS if any(n in leaf for n in needles)), "other")
        own[layer] += samples
        joined = ";".join(frames[1:])
        orphan = len(frames) > 1 and not frames[1].startswith("<module>")
        for label, needle in INSIDE:
            if needle == "<greenlet>":
                if orphan:
                    inside[label] += samples
            elif needle in joined:
                inside[label] += samples
    seconds = total / RATE
    per_update = seconds / updates * 1000
    lines = [
        f"py-spy, {RATE} Hz, wall clock (--idle), event-loop thread; aiogram + "
        f"TelegramIntake + ConversationService + SQLite + outbox deliverer, one person at "
        f"a time, {updates} updates: {seconds:.1f} s sampled, {per_update:.2f} ms per update",
        "",
        "Own time by layer (share of the event-loop thread; ms per update):",
    ]
    for name, samples in own.most_common():
        share = samples / total
        lines.append(f"  {share * 100:5.1f}%  {share * per_update:6.2f} ms  {name}")
    lines += ["", "Inclusive time (a greenlet's SQL work is seen without its caller):"]
    for label, _ in INSIDE:
        share = inside[label] / total
        lines.append(f"  {share * 100:5.1f}%  {share * per_update:6.2f} ms  {label}")
    lines += ["", "Top 25 sampled frames (own time):"]
    for leaf, samples in leaves.most_common(25):
        lines.append(f"  {samples / total * 100:5.1f}%  {leaf}")
    data = {
        "tool": "py-spy",
        "updates": updates,
        "ms_per_update": round(per_update, 2),
        "own_share": {k: round(v / total, 4) for k, v in own.most_common()},
        "inclusive_share": {label: round(inside[label] / total, 4) for label, _ in INSIDE},
    }
    return "\n".join(lines) + "\n", data


def with_py_spy(tool: str, passes: int) -> tuple[str, dict[str, Any]]:
    with tempfile.TemporaryDirectory(prefix="loket-profile-") as folder:
        raw = Path(folder) / "samples.txt"
        command = [tool, "record", "--format", "raw", "--idle", "--threads"]
        command += ["--rate", str(RATE), "--output", str(raw), "--nonblocking", "--"]
        command += [sys.executable, str(Path(__file__).resolve()), "--workload"]
        command += ["--passes", str(passes)]
        done = subprocess.run(command, capture_output=True, text=True, cwd=ROOT, check=False)
        counted = [line for line in done.stdout.splitlines() if line.startswith("updates=")]
        found = [line for line in done.stdout.splitlines() if line.startswith("statements=")]
        if done.returncode != 0 or not counted or not raw.exists():
            raise RuntimeError(f"py-spy failed: {done.stderr[-2000:]}")
        updates = int(counted[-1].split("=")[1])
        summary, data = summarise_samples(raw, updates)
        if found:
            line, per_update = statements_text(json.loads(found[-1].split("=", 1)[1]), updates)
            summary = summary.replace("\n\nOwn time", f"\n{line}\n\nOwn time", 1)
            data["statements_per_update"] = per_update
        return summary, data


def with_cprofile(passes: int) -> tuple[str, dict[str, Any]]:
    import cProfile
    import io
    import pstats

    profiler = cProfile.Profile()
    count_statements()
    profiler.enable()
    updates = asyncio.run(workload(passes))
    profiler.disable()
    out = io.StringIO()
    out.write(
        "cProfile (py-spy not installed): SQLAlchemy's greenlet switches blur the "
        f"attribution; {updates} updates. Top 40 by own time:\n"
    )
    stats = pstats.Stats(profiler, stream=out)
    stats.sort_stats("tottime").print_stats(40)
    return out.getvalue(), {"tool": "cProfile", "updates": updates}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=3)
    parser.add_argument("--workload", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.workload:
        count_statements()
        print(f"updates={asyncio.run(workload(args.passes))}", flush=True)
        print(f"statements={json.dumps(dict(STATEMENTS))}", flush=True)
        return
    tool = py_spy()
    if tool is not None:
        try:
            summary, data = with_py_spy(tool, args.passes)
        except RuntimeError as error:
            print(f"{error}; falling back to cProfile")
            summary, data = with_cprofile(args.passes)
    else:
        summary, data = with_cprofile(args.passes)
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "profile_service.txt").write_text(summary)
    write_result("profile_service", data)
    print(summary.split("\nTop 25")[0])


if __name__ == "__main__":
    main()
