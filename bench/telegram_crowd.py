"""1,000 people doing a full intake at once, over HTTP, against the fake Bot API.

The bot runs as in production in a process of its own (`TelegramRunner`: the real
aiogram or python-telegram-bot adapter, long polling, the conversation service, the
outbox deliverer with its pacing) against a fake Telegram Bot API server (tests/
fakes) in this process, on 127.0.0.1. Each simulated person does one golden scenario
(person n: scenario n modulo 23) as in tests/telegram/scripts.py: types a text or
presses a button of the newest keyboard, waits until every message that step
brings (counted beforehand by replaying the scenario in process) has arrived, and
goes on at once. All start together.

Pacing. The bot keeps Telegram's per-chat limit as in production (about 1 message a
second per chat, burst 2); the fake counts a violation above 1/s per chat (burst 3).
Telegram's overall limit (about 30 messages a second per bot) is raised in both by
default: at 30/s, N messages take at least N / 30 seconds whatever the bot does, and
the run would measure Telegram, not the bot. That bound is printed beside the
measured time; `--telegram-global-limit` keeps 30/s in both (and takes that long).

Reported: time until the last person has their last message, updates per second,
per update the time from the update being queued at the fake to its first and to
its last reply arriving there (p50/p99; the last includes the per-chat pacing),
errors (must be none: non-2xx answers, rate violations, unanswered callback
queries, people not finished, pre-aanmeldingen missing), and the bot process's CPU
time and resident size.

Run: `.venv/bin/python bench/telegram_crowd.py [--users 1000] [--frameworks aiogram
ptb] [--database sqlite|postgresql] [--telegram-global-limit]`; writes
bench/results/telegram_crowd.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import resource
import signal
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from common import (
    ROOT,
    SECRET,
    database_url,
    latencies_ms,
    postgres_missing,
    rss_kib,
    write_result,
)
from sqlalchemy import text
from telegram_script import Move, moves

from tests.fakes import TEST_TOKEN, FakeBotAPI, RateLimits
from tests.scenario_files import Scenario, load_scenarios
from tests.telegram.handled import HandledUpdates

MESSAGE_METHODS = frozenset({"sendmessage", "editmessagetext", "editmessagereplymarkup"})
POLL_SECONDS = 10
FINISH_TIMEOUT = 600.0
THIS = Path(__file__).resolve()


# --- the fake Telegram, with per-chat bookkeeping ----------------------------------


class CrowdFake(FakeBotAPI):
    """The fake Bot API that counts each chat's messages and wakes who waits for them."""

    def __init__(self, **options: Any) -> None:
        super().__init__(**options)
        self.received: Counter[int] = Counter()
        self.keyboards: dict[int, int] = {}  # chat -> newest message sent with buttons
        self.failed: Counter[str] = Counter()
        self.message_calls = 0
        self._waiters: dict[int, asyncio.Event] = {}

    async def execute(
        self,
        token: str,
        method: str,
        params: dict[str, Any],
        via: str = "http",
        content_type: str = "",
    ) -> tuple[int, dict[str, Any]]:
        status, body = await super().execute(token, method, params, via, content_type)
        name = method.lower()
        if status != 200 and name != "getupdates":
            self.failed[f"{method} {status}"] += 1
        if status == 200 and name in MESSAGE_METHODS:
            self.message_calls += 1
            chat = int(params["chat_id"])
            if name == "sendmessage" and params.get("reply_markup"):
                self.keyboards[chat] = int(body["result"]["message_id"])
            self.received[chat] += 1
            waiter = self._waiters.pop(chat, None)
            if waiter is not None:
                waiter.set()
        return status, body

    async def until(self, chat: int, count: int) -> None:
        while self.received[chat] < count:
            waiter = self._waiters.setdefault(chat, asyncio.Event())
            await waiter.wait()

    def button(self, chat: int, option: str) -> tuple[int, str]:
        """The newest keyboard's message id and the callback data of `option`."""
        message_id = self.keyboards[chat]
        message = self.message(chat, message_id) or {}
        rows = message.get("reply_markup", {}).get("inline_keyboard", [])
        found = [
            str(b["callback_data"])
            for row in rows
            for b in row
            if str(b.get("callback_data", "")).split(":", 1)[-1] == option
        ]
        if not found:
            raise LookupError(f"no button {option!r} in chat {chat}")
        return message_id, found[0]


# --- what each step brings: counted once, in process --------------------------------


async def replies_per_step(scenarios: list[Scenario]) -> list[list[int]]:
    """For each scenario, how many messages (sends and edits) each move brings: every
    scenario replayed once in process (bench/service_inprocess.py), all at once."""
    from service_inprocess import intake_bench

    async with database_url("sqlite", "bench_count") as url:
        bench = await intake_bench("aiogram", url)
        assert bench.intake is not None
        handled = HandledUpdates(bench.intake)

        async def count(chat: int, scenario: Scenario) -> list[int]:
            counts = []
            for kind, value in moves(scenario):
                if kind == "text":
                    data = bench.maker.message(chat, value)
                else:  # the open question's token (the language chooser's after /taal)
                    data = bench.maker.callback(chat, 1, f"{bench.token(chat)}:{value}")
                before = bench.per_chat[chat]
                await bench.feed(data)
                queued = await handled.wait(data["update_id"])
                while bench.per_chat[chat] < before + queued:  # noqa: ASYNC110
                    await asyncio.sleep(0.002)  # the deliverer sends them meanwhile
                counts.append(bench.per_chat[chat] - before)
            return counts

        try:
            return list(
                await asyncio.gather(*(count(7_000_000 + n, s) for n, s in enumerate(scenarios)))
            )
        finally:
            await bench.close()


# --- one person ----------------------------------------------------------------------


@dataclass
class Tally:
    first: list[float] = field(default_factory=list)
    last: list[float] = field(default_factory=list)
    finished: int = 0
    problems: list[str] = field(default_factory=list)
    updates: int = 0
    done_at: list[float] = field(default_factory=list)


async def person(
    api: CrowdFake, chat: int, script: list[Move], replies: list[int], tally: Tally, began: float
) -> None:
    try:
        for (kind, value), expected in zip(script, replies, strict=True):
            before = api.received[chat]
            started = time.perf_counter()
            if kind == "text":
                api.inject_message(chat, value)
            else:
                message_id, data = api.button(chat, value)
                api.inject_callback(chat, message_id, data)
            tally.updates += 1
            if expected == 0:
                continue
            await api.until(chat, before + 1)
            tally.first.append(time.perf_counter() - started)
            await api.until(chat, before + expected)
            tally.last.append(time.perf_counter() - started)
        tally.finished += 1
        tally.done_at.append(time.perf_counter() - began)
    except Exception as error:  # reported as an error of the run
        tally.problems.append(f"chat {chat}: {type(error).__name__}: {error}")


# --- the bot, in a process of its own ----------------------------------------------


def serve_bot(arguments: argparse.Namespace) -> None:
    """The child process: a TelegramRunner until SIGTERM; then its figures as JSON."""
    from bot.settings import Settings
    from bot.telegram.intake import Handled, Incoming
    from bot.telegram.runner import TelegramRunner
    from storage.database import Database

    async def run() -> dict[str, Any]:
        logging.basicConfig(level=logging.WARNING)
        settings = Settings(
            _env_file=None,
            database_url=arguments.database_url,
            telegram_bot_token=TEST_TOKEN,
            telegram_api_base_url=arguments.base_url,
            telegram_framework=arguments.framework,
            telegram_mode="polling",
            secret_key=SECRET,
            telegram_chat_messages_per_second=1.0,
            telegram_messages_per_second=arguments.global_limit,
        )
        database = Database(arguments.database_url)
        runner = TelegramRunner(settings, database, poll_timeout=POLL_SECONDS)
        durations: list[float] = []
        handle = runner.intake.handle

        async def timed(incoming: Incoming) -> Handled:
            began = time.perf_counter()
            try:
                return await handle(incoming)
            finally:
                durations.append(time.perf_counter() - began)

        runner.intake.handle = timed  # type: ignore[method-assign]
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        loop.add_signal_handler(signal.SIGTERM, stop.set)
        await runner.start()
        ready = rss_kib()["rss_kib"]
        print("ready", flush=True)
        await stop.wait()
        await runner.stop()
        await database.dispose()
        usage = resource.getrusage(resource.RUSAGE_SELF)
        stats = runner.deliverer.stats
        return {
            "handled": len(durations),
            "handle": latencies_ms(durations) if durations else {},
            "cpu_seconds": round(usage.ru_utime + usage.ru_stime, 1),
            "rss_ready_kib": ready,
            **rss_kib(),
            "delivered": stats.delivered,
            "rate_limited": stats.rate_limited,
            "server_errors": stats.server_errors,
            "requeued": stats.requeued,
            "given_up": stats.given_up,
        }

    figures = asyncio.run(run())
    print(json.dumps(figures), flush=True)


async def start_bot(
    framework: str, url: str, base_url: str, global_limit: float
) -> subprocess.Popen[str]:
    command = [
        sys.executable,
        str(THIS),
        "--serve-bot",
        "--framework",
        framework,
        "--database-url",
        url,
        "--base-url",
        base_url,
        "--global-limit",
        str(global_limit),
    ]
    process = subprocess.Popen(  # noqa: ASYNC220 - started once, read line by line
        command, stdout=subprocess.PIPE, text=True, cwd=ROOT, env={**os.environ}
    )
    assert process.stdout is not None
    line = await asyncio.to_thread(process.stdout.readline)
    if line.strip() != "ready":
        process.kill()
        raise RuntimeError(f"the bot did not start: {line!r}")
    return process


async def stop_bot(process: subprocess.Popen[str]) -> dict[str, Any]:
    process.send_signal(signal.SIGTERM)
    assert process.stdout is not None
    output = await asyncio.to_thread(process.stdout.read)
    await asyncio.to_thread(process.wait, 30)
    lines = [line for line in output.splitlines() if line.startswith("{")]
    return json.loads(lines[-1]) if lines else {"exit_code": process.returncode}


async def submitted(url: str) -> int:
    from storage.engine import create_engine

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(text("SELECT count(*) FROM pre_aanmeldingen"))
            return int(found.scalar_one())
    finally:
        await engine.dispose()


async def crowd_run(
    framework: str,
    backend: str,
    users: int,
    scenarios: list[Scenario],
    replies: list[list[int]],
    telegram_global: bool,
) -> dict[str, Any]:
    global_limit = 30.0 if telegram_global else 100_000.0
    limits = RateLimits(
        per_chat_per_second=1.0,
        per_chat_burst=3.0,
        global_per_second=30.0 if telegram_global else 1e6,
        global_burst=30.0 if telegram_global else 1e6,
    )
    api = CrowdFake(rate_limits=limits)
    async with database_url(backend, "bench_crowd") as url:
        await api.start()
        try:
            process = await start_bot(framework, url, api.base_url, global_limit)
            try:
                tally = Tally()
                began = time.perf_counter()
                cpu = time.process_time()
                people = [
                    person(
                        api,
                        1_000 + n,
                        moves(scenarios[n % len(scenarios)]),
                        replies[n % len(scenarios)],
                        tally,
                        began,
                    )
                    for n in range(users)
                ]
                try:
                    await asyncio.wait_for(asyncio.gather(*people), FINISH_TIMEOUT)
                except TimeoutError:
                    tally.problems.append(f"not finished within {FINISH_TIMEOUT:.0f} s")
                seconds = time.perf_counter() - began
                fake_cpu = time.process_time() - cpu
            finally:
                bot = await stop_bot(process)
            expected = sum(scenarios[n % len(scenarios)].submits for n in range(users))
            found = await submitted(url)
            unanswered = len(api.unanswered_callbacks())
            violations = Counter(v.scope for v in api.rate_violations)
        finally:
            await api.close()
    errors = {
        "non_2xx_answers": sum(api.failed.values()),
        "rate_violations_per_chat": violations.get("chat", 0),
        "rate_violations_overall": violations.get("global", 0),
        "unanswered_callbacks": unanswered,
        "people_not_finished": users - tally.finished,
        "pre_aanmeldingen_missing": expected - found,
        "bot_gave_up": bot.get("given_up", 0),
    }
    done = sorted(tally.done_at)
    return {
        "framework": framework,
        "database": backend,
        "users": users,
        "updates": tally.updates,
        "messages": api.message_calls,
        "seconds_to_finish": round(seconds, 1),
        "first_person_done_s": round(done[0], 1) if done else None,
        "median_person_done_s": round(done[len(done) // 2], 1) if done else None,
        "updates_per_second": round(tally.updates / seconds, 1),
        "first_reply": latencies_ms(tally.first) if tally.first else {},
        "last_reply": latencies_ms(tally.last) if tally.last else {},
        "telegram_30_per_second_bound_s": round(api.message_calls / 30, 1),
        "errors": errors,
        "error_total": sum(errors.values()),
        "problems": tally.problems[:5],
        "failed_calls": dict(api.failed),
        "bot_process": bot,
        "fake_and_people_cpu_seconds": round(fake_cpu, 1),
        "send_limits": "Telegram's 1/s per chat and 30/s overall"
        if telegram_global
        else "1/s per chat (Telegram's); overall raised",
    }


def print_row(row: dict[str, Any]) -> None:
    first, last = row["first_reply"], row["last_reply"]
    handle = row["bot_process"].get("handle", {})
    print(
        f"{row['framework']:<8}{row['database']:<11}{row['users']:>6}{row['updates']:>8}"
        f"{row['seconds_to_finish']:>9.1f}{row['updates_per_second']:>7.1f}"
        f"{handle.get('p50_ms', 0):>8.0f}{handle.get('p99_ms', 0):>8.0f}"
        f"{first.get('p50_ms', 0):>8.0f}{first.get('p99_ms', 0):>8.0f}"
        f"{last.get('p50_ms', 0):>8.0f}{last.get('p99_ms', 0):>8.0f}{row['error_total']:>7}"
    )


async def main(arguments: argparse.Namespace) -> None:
    scenarios = load_scenarios()
    backend = arguments.database
    if backend == "postgresql" and (missing := postgres_missing()):
        raise SystemExit(missing)
    started = time.perf_counter()
    replies = await replies_per_step(scenarios)
    print(f"  counted the replies of every step in {time.perf_counter() - started:.1f} s")
    rows = []
    for framework in arguments.frameworks:
        started = time.perf_counter()
        row = await crowd_run(
            framework, backend, arguments.users, scenarios, replies, arguments.telegram_global_limit
        )
        rows.append(row)
        print(f"  {framework}: {time.perf_counter() - started:.1f} s", flush=True)
        if row["problems"]:
            print("  problems:", *row["problems"], sep="\n    ")
    print(
        f"{arguments.users} people at once, full intakes, long polling, {backend}; "
        f"{rows[0]['send_limits']}"
    )
    print("per update, ms: handle = in the bot (TelegramIntake.handle); 1st/last = from")
    print("the update queued at the fake to its first/last reply there (pacing included)")
    print(
        f"{'':8}{'':11}{'people':>6}{'updates':>8}{'finish s':>9}{'upd/s':>7}"
        f"{'hdl p50':>8}{'hdl p99':>8}{'1st p50':>8}{'1st p99':>8}"
        f"{'lst p50':>8}{'lst p99':>8}{'errors':>7}"
    )
    for row in rows:
        print_row(row)
    for row in rows:
        print(
            f"{row['framework']}: {row['messages']} messages; at Telegram's 30 per second "
            f"overall that alone takes {row['telegram_30_per_second_bound_s']:.0f} s; "
            f"bot process {row['bot_process'].get('cpu_seconds')} s CPU (fake Telegram and "
            f"people: {row['fake_and_people_cpu_seconds']} s), "
            f"{row['bot_process'].get('hwm_kib', 0) // 1024} MiB peak RSS"
        )
    write_result(
        "telegram_crowd",
        {"users": arguments.users, "scenarios": len(scenarios), "rows": rows},
    )


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=1000)
    parser.add_argument("--frameworks", nargs="+", default=["aiogram"])
    parser.add_argument("--database", choices=["sqlite", "postgresql"], default="sqlite")
    parser.add_argument("--telegram-global-limit", action="store_true")
    parser.add_argument("--serve-bot", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--framework", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    parser.add_argument("--global-limit", type=float, default=30.0, help=argparse.SUPPRESS)
    parsed = parser.parse_args()
    if parsed.serve_bot:
        serve_bot(parsed)
    else:
        asyncio.run(main(parsed))
