"""Memory: a process that opened 10,000 conversations through the service.

A fresh process per database imports the bot, builds the `ConversationService` (as
`intake serve` does) and opens N conversations, each the way a person in Telegram
starts one: `/start`, then the flow's button, which opens the flow's first question
(8 people at once, with update ids, as the Telegram intake calls it). The service keeps nothing per
conversation in memory (the session is loaded and saved in each update's unit of
work), so resident size should not grow with N; this measures that it does not.

Reported per database: resident size (VmRSS) after the imports, after 100
conversations (warm: pools, caches) and after N; the growth per conversation; the
stored size per conversation (SQLite: `dbstat` pages of the table and its indexes;
PostgreSQL: `pg_total_relation_size`, table, TOAST and indexes), and the session
state's size as stored, just started and at the summary (every answer given).

Run: `.venv/bin/python bench/memory_conversations.py [--conversations 10000]
[--sqlite-only]`; writes bench/results/memory_conversations.json.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from common import (
    ROOT,
    SECRET,
    database_url,
    postgres_missing,
    rss_kib,
    write_result,
)
from sqlalchemy import text

# Below the connection pool's 15 (5 + 10 overflow): a worker never waits for a connection.
CONCURRENCY = int(os.environ.get("BENCH_MEMORY_CONCURRENCY", "8"))
THIS = Path(__file__).resolve()
FLOWS = ("zelfmelding", "hulpverlener", "veldwerk")


def mib(kib: int) -> float:
    return round(kib / 1024, 1)


async def child(backend: str, url: str, count: int) -> dict[str, Any]:
    """In the measured process: open `count` conversations, report sizes."""
    imported = rss_kib()
    from flows.engine.inputs import ChoiceInput
    from intake.conversation import ConversationService, StartInput
    from storage.database import Database
    from tests.scenario_files import load_scenarios, step_input

    figures: dict[str, Any] = {"rss_python_kib": imported["rss_kib"]}
    database = Database(url)
    service = ConversationService(database, secret_key=SECRET)
    figures["rss_imported_kib"] = rss_kib()["rss_kib"]
    update_ids = iter(range(1, 10 * count + 1_000))

    async def open_one(user: int) -> None:
        first = await service.handle("telegram", user, StartInput(), update_id=next(update_ids))
        assert first.prompt is not None
        flow = FLOWS[user % len(FLOWS)]
        choice = ChoiceInput(first.prompt.token, flow)
        started = await service.handle("telegram", user, choice, update_id=next(update_ids))
        assert started.flow_id == flow and started.prompt is not None

    async def open_many(first: int, last: int) -> None:
        pending = iter(range(first, last))

        async def worker() -> None:
            for user in pending:
                await open_one(user)

        await asyncio.gather(*(worker() for _ in range(CONCURRENCY)))

    await open_many(0, 100)
    gc.collect()
    figures["rss_warm_kib"] = rss_kib()["rss_kib"]
    began = time.perf_counter()
    await open_many(100, count)
    figures["seconds_to_open"] = round(time.perf_counter() - began, 1)
    gc.collect()
    after = rss_kib()
    figures["rss_after_kib"] = after["rss_kib"]
    figures["hwm_kib"] = after["hwm_kib"]
    figures["rss_growth_bytes_per_conversation"] = round(
        (after["rss_kib"] - figures["rss_warm_kib"]) * 1024 / (count - 100)
    )

    # One conversation per scenario, to its summary: the largest a draft gets.
    at_summary: list[int] = []
    for number, scenario in enumerate(load_scenarios()):
        user = 10_000_000 + number
        turn = await service.handle("telegram", user, StartInput())
        assert turn.prompt is not None
        turn = await service.handle("telegram", user, ChoiceInput(turn.prompt.token, scenario.flow))
        prompt = turn.prompt
        for step in scenario.steps[:-1]:  # the last step submits
            turn = await service.handle("telegram", user, step_input(step, prompt))
            prompt = turn.prompt or prompt
        at_summary.append(user)
    figures.update(await stored_sizes(database, backend, count, service, at_summary))
    await database.dispose()
    return figures


async def stored_sizes(
    database: Any, backend: str, count: int, service: Any, at_summary: list[int]
) -> dict[str, Any]:
    summary_hashes = [service.key("telegram", user).user_hash for user in at_summary]
    async with database.engine.connect() as conn:
        rows = int(
            (await conn.execute(text("SELECT count(*) FROM conversation_sessions"))).scalar_one()
        )
        if backend == "sqlite":
            table = await conn.execute(
                text(
                    "SELECT sum(pgsize) FROM dbstat WHERE name IN (SELECT name FROM "
                    "sqlite_master WHERE tbl_name = 'conversation_sessions')"
                ).bindparams()
            )
            total = int(table.scalar_one() or 0)
            size_of = "length(CAST(state AS BLOB))"
        else:
            total = int(
                (
                    await conn.execute(
                        text("SELECT pg_total_relation_size('conversation_sessions')")
                    )
                ).scalar_one()
            )
            size_of = "pg_column_size(state)"
        sizes = await conn.execute(text(f"SELECT user_hash, {size_of} FROM conversation_sessions"))
        by_hash = {row[0]: int(row[1]) for row in sizes}
    wanted = set(summary_hashes)
    started = [size for key, size in by_hash.items() if key not in wanted]
    summary = [by_hash[key] for key in summary_hashes if key in by_hash]
    return {
        "stored_conversations": rows,
        "stored_total_bytes": total,
        "stored_bytes_per_conversation": round(total / rows),
        "state_bytes_started_avg": round(sum(started) / len(started)),
        "state_bytes_at_summary_avg": round(sum(summary) / len(summary)) if summary else None,
        "state_bytes_at_summary_max": max(summary) if summary else None,
    }


async def measure(backend: str, count: int) -> dict[str, Any]:
    async with database_url(backend, "bench_memory") as url:
        command = [sys.executable, str(THIS), "--child", backend, url]
        command += ["--conversations", str(count)]
        done = await asyncio.to_thread(
            subprocess.run, command, capture_output=True, text=True, cwd=ROOT, check=False
        )
    if done.returncode != 0:
        raise RuntimeError(f"the {backend} child failed:\n{done.stderr[-3000:]}")
    figures: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return figures


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=10_000)
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--child", nargs=2, metavar=("BACKEND", "URL"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        backend, url = args.child
        print(json.dumps(await child(backend, url, args.conversations)))
        return
    backends = ["sqlite"]
    if not args.sqlite_only and postgres_missing() is None:
        backends.append("postgresql")
    results: dict[str, Any] = {"conversations": args.conversations}
    for backend in backends:
        started = time.perf_counter()
        results[backend] = await measure(backend, args.conversations)
        print(f"  {backend}: {time.perf_counter() - started:.1f} s", flush=True)
    print(f"{args.conversations:,} open conversations in one process, through the service")
    print(
        f"{'database':<11}{'RSS start':>10}{'warm':>8}{'after':>8}{'B/conv':>8}"
        f"{'stored B/conv':>14}{'state B':>9}{'at summary':>11}"
    )
    for backend in backends:
        row = results[backend]
        print(
            f"{backend:<11}{mib(row['rss_imported_kib']):>8} M{mib(row['rss_warm_kib']):>6} M"
            f"{mib(row['rss_after_kib']):>6} M{row['rss_growth_bytes_per_conversation']:>8}"
            f"{row['stored_bytes_per_conversation']:>14}{row['state_bytes_started_avg']:>9}"
            f"{row['state_bytes_at_summary_avg'] or 0:>11}"
        )
    write_result("memory_conversations", results)


if __name__ == "__main__":
    asyncio.run(main())
