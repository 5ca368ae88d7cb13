"""The conversation service in process: updates fed through aiogram and PTB.

Every golden scenario is done by a simulated person in Telegram (bench/
telegram_script.py): raw updates go into the framework the way the webhook feeds them
(aiogram: `Update.model_validate` + `Dispatcher.feed_update`; PTB: `Update.de_json` +
`Application.process_update`), through the real adapter, `TelegramIntake`, the
`ConversationService` and a real database (SQLite file on disk, PostgreSQL schema).
The framework's Bot API calls go to a fake transport (bench/fake_transport.py): the
request is built and a canned answer parsed, without HTTP. The outbox deliverer runs
as in production, its `BotApi` answered by an in-process mock, with the send limits
raised (this measures cost, not Telegram's pacing).

Beside it, in the same run, a bare echo handler of the same framework takes the same
kind of updates and answers each at once (a callback: answerCallbackQuery and a
message; a text: a reply): the framework's floor. Ratio = our p50 over echo's p50.

Per update: the time `feed` takes (the update parsed, handled, committed, the reply
sent; the callback answered), and the CPU time of the whole process (every thread:
the event loop, aiosqlite's, the deliverer) over the run divided by the updates, from
the first update until every queued message was delivered and recorded: `cpu x` is
that over echo's, the acceptance figure of issue 18 (goal at most 3x). SQL
statements and commits per update are counted with SQLAlchemy events. Throughput:
updates over the wall time until every update was handled and (for the intake)
every queued message delivered. `--concurrency 1`: one person at a time (the cost of
one update); higher: that many people at once. `--repeat N` measures each row N
times, alternating with echo, and keeps the median (the machine is shared and noisy).

Run: `.venv/bin/python bench/service_inprocess.py [--passes 2] [--concurrency 1 16]
[--sqlite-only]`; writes bench/results/service_inprocess.json. The profile of this
path: bench/profile_update.py.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import time
from collections import Counter
from collections.abc import Awaitable, Callable, Coroutine
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiogram import Bot, Dispatcher
from aiogram import types as ag
from common import (
    SECRET,
    database_url,
    latencies_ms,
    postgres_missing,
    write_result,
)
from fake_transport import TOKEN, FakeAiogramSession, FakePtbRequest, fake_bot_api
from sqlalchemy import event, text
from telegram import Update
from telegram.ext import Application, ContextTypes, TypeHandler
from telegram_script import Move, UpdateMaker, moves

from bot.telegram.aiogram_adapter import AiogramAdapter
from bot.telegram.delivery import OutboxDeliverer
from bot.telegram.intake import TelegramIntake
from bot.telegram.pacing import Pacer, SendLimits
from bot.telegram.ptb_adapter import PtbAdapter
from bot.telegram.rendering import RenderOptions
from bot.telegram.runner import sensitive_nodes
from intake.conversation import ConversationService, ServiceInput, Turn
from storage.database import Database
from tests.scenario_files import Scenario, load_scenarios

START = datetime(2025, 6, 2, 10, 30, tzinfo=UTC)  # the golden scenarios' `now`
UNPACED = SendLimits(
    per_chat_per_second=1e6, per_chat_burst=1000, global_per_second=1e6, global_burst=1000
)
Feed = Callable[[dict[str, Any]], Awaitable[None]]
PtbApp = Application[Any, Any, Any, Any, Any, Any]


def running_clock(start: datetime = START) -> Callable[[], datetime]:
    began = time.monotonic()
    return lambda: start + timedelta(seconds=time.monotonic() - began)


class RecordingService(ConversationService):
    """The service, noting each person's open question (to press its buttons)."""

    tokens: dict[str, str]

    async def handle(
        self, channel: str, user_id: str | int, inp: ServiceInput, **options: Any
    ) -> Turn:
        turn = await super().handle(channel, user_id, inp, **options)
        if turn.prompt is not None:
            self.tokens[str(user_id)] = turn.prompt.token
        return turn


@dataclass
class Bench:
    """One bot under test: how to feed it an update, and what to finish with."""

    feed: Feed
    token: Callable[[int], str]
    finish: Callable[[], Awaitable[None]]
    close: Callable[[], Awaitable[None]]
    errors: Callable[[], int]
    calls: Counter[str] = field(default_factory=Counter)
    per_chat: Counter[int] = field(default_factory=Counter)  # messages each chat received
    submitted: Callable[[], Awaitable[int]] | None = None
    intake: TelegramIntake | None = None
    sql: Counter[str] = field(default_factory=Counter)  # statements, commits
    deliverer: OutboxDeliverer | None = None
    # One source of update ids per bot: a repeated id is a duplicate, dropped.
    maker: UpdateMaker = field(default_factory=UpdateMaker)


# --- the intake: adapter, TelegramIntake, service, database, outbox ------------------


async def intake_bench(framework: str, url: str) -> Bench:
    logging.getLogger("bot.telegram").setLevel(logging.CRITICAL)
    database = Database(url, clock=running_clock())
    service = RecordingService(database, secret_key=SECRET)
    service.tokens = {}
    calls: Counter[str] = Counter()
    per_chat: Counter[int] = Counter()
    sql: Counter[str] = Counter()
    sync_engine = database.engine.sync_engine

    def statement(*_: Any) -> None:
        sql["statements"] += 1

    def commit(*_: Any) -> None:
        sql["commits"] += 1

    event.listen(sync_engine, "before_cursor_execute", statement)
    event.listen(sync_engine, "commit", commit)
    deliverer = OutboxDeliverer(database, fake_bot_api(calls, per_chat), pacer=Pacer(UNPACED))
    options = RenderOptions(sensitive_nodes=sensitive_nodes(service.library))
    intake = TelegramIntake(service, render_options=options, deliverer=deliverer)
    intake.listen(lambda done: deliverer.wake() if done.left else None)
    errors: list[BaseException] = []
    feed: Feed
    if framework == "aiogram":
        aiogram_adapter = AiogramAdapter(TOKEN, "http://telegram.invalid", intake)
        await aiogram_adapter.bot.session.close()
        aiogram_adapter.bot = Bot(TOKEN, session=FakeAiogramSession(calls))

        async def aiogram_feed(data: dict[str, Any]) -> None:
            try:
                await aiogram_adapter.feed(data)
            except Exception as error:
                errors.append(error)

        feed = aiogram_feed
        stop_framework = aiogram_adapter.bot.session.close
    else:
        ptb_adapter = PtbAdapter(TOKEN, "http://telegram.invalid", intake)
        application = ptb_app(calls)
        application.add_handler(TypeHandler(Update, ptb_adapter._on_update))
        application.add_error_handler(error_counter(errors))
        ptb_adapter.application = application
        await application.initialize()
        feed = ptb_adapter.feed
        stop_framework = application.shutdown
    deliverer.start()

    async def finish() -> None:
        await deliverer.wait_idle(timeout=120)

    async def close() -> None:
        await stop_framework()
        await deliverer.stop()
        await deliverer.api.close()
        await database.dispose()

    async def submitted() -> int:
        async with database.engine.connect() as conn:
            count = await conn.execute(text("SELECT count(*) FROM pre_aanmeldingen"))
            return int(count.scalar_one())

    first = service.opening().prompt
    assert first is not None

    def token(chat_id: int) -> str:
        return service.tokens.get(str(chat_id), first.token)

    def failures() -> int:
        return len(errors) + intake._failed.__len__() + deliverer.stats.given_up

    bench = Bench(feed, token, finish, close, failures, calls, per_chat, submitted, intake)
    bench.sql, bench.deliverer = sql, deliverer
    return bench


def ptb_app(calls: Counter[str]) -> PtbApp:
    return (
        Application.builder()
        .token(TOKEN)
        .request(FakePtbRequest(calls))
        .get_updates_request(FakePtbRequest(calls))
        .updater(None)
        .build()
    )


def error_counter(
    errors: list[BaseException],
) -> Callable[[object, ContextTypes.DEFAULT_TYPE], Coroutine[Any, Any, None]]:
    async def count(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        errors.append(context.error or RuntimeError("unknown"))

    return count


# --- the floor: a bare echo handler of the same framework ---------------------------


async def echo_bench(framework: str) -> Bench:
    calls: Counter[str] = Counter()
    errors: list[BaseException] = []
    feed: Feed
    if framework == "aiogram":
        bot = Bot(TOKEN, session=FakeAiogramSession(calls))
        dispatcher = Dispatcher()

        @dispatcher.message()
        async def echo(message: ag.Message) -> None:
            await message.answer(f"echo: {message.text}")

        @dispatcher.callback_query()
        async def pressed(query: ag.CallbackQuery) -> None:
            await query.answer()
            await bot.send_message(query.from_user.id, f"echo: {query.data}")

        async def aiogram_feed(data: dict[str, Any]) -> None:
            try:
                update = ag.Update.model_validate(data, context={"bot": bot})
                await dispatcher.feed_update(bot, update)
            except Exception as error:
                errors.append(error)

        feed = aiogram_feed
        close = bot.session.close
    else:

        async def handle(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
            if update.callback_query is not None:
                await update.callback_query.answer()
                chat_id = update.callback_query.from_user.id
                await context.bot.send_message(chat_id, f"echo: {update.callback_query.data}")
            elif update.message is not None:
                await update.message.reply_text(f"echo: {update.message.text}")

        application = ptb_app(calls)
        application.add_handler(TypeHandler(Update, handle))
        application.add_error_handler(error_counter(errors))
        await application.initialize()

        async def ptb_feed(data: dict[str, Any]) -> None:
            await application.process_update(Update.de_json(data, application.bot))

        feed = ptb_feed
        close = application.shutdown

    async def nothing() -> None:
        return None

    return Bench(feed, lambda chat_id: "e", nothing, close, lambda: len(errors), calls)


# --- people ---------------------------------------------------------------------------


async def person(
    bench: Bench, maker: UpdateMaker, chat_id: int, script: list[Move], durations: list[float]
) -> None:
    for kind, value in script:
        if kind == "text":
            data = maker.message(chat_id, value)
        else:  # the open question's token (the language chooser's after /taal too)
            data = maker.callback(chat_id, 1, f"{bench.token(chat_id)}:{value}")
        began = time.perf_counter()
        await bench.feed(data)
        durations.append(time.perf_counter() - began)


async def crowd(
    bench: Bench,
    scripts: list[list[Move]],
    first_chat: int,
    concurrency: int,
    durations: list[float],
) -> None:
    maker = bench.maker
    queue = list(enumerate(scripts))
    queue.reverse()

    async def worker() -> None:
        while queue:
            index, script = queue.pop()
            await person(bench, maker, first_chat + index, script, durations)

    await asyncio.gather(*(worker() for _ in range(concurrency)))


async def run(
    bench: Bench, scenarios: list[Scenario], passes: int, concurrency: int
) -> dict[str, Any]:
    scripts = [moves(s) for s in scenarios]
    await crowd(bench, scripts[:3], 9_000_000, 1, [])  # warm up: caches, pools, JIT-less
    await bench.finish()
    durations: list[float] = []
    bench.sql.clear()
    sent_before = bench.deliverer.stats.sent_at_once if bench.deliverer else 0
    began, cpu = time.perf_counter(), time.process_time()
    await crowd(bench, scripts * passes, 1_000_000, concurrency, durations)
    await bench.finish()
    elapsed, cpu = time.perf_counter() - began, time.process_time() - cpu
    updates = len(durations)
    result: dict[str, Any] = {
        "updates": updates,
        "seconds": round(elapsed, 2),
        "updates_per_second": round(updates / elapsed, 1),
        **latencies_ms(durations),
        "cpu_ms_per_update": round(cpu * 1000 / updates, 3),
        "statements_per_update": round(bench.sql["statements"] / updates, 2),
        "commits_per_update": round(bench.sql["commits"] / updates, 2),
        "errors": bench.errors(),
        "bot_api_calls": dict(bench.calls),
    }
    if bench.deliverer is not None:
        result["sent_at_once"] = bench.deliverer.stats.sent_at_once - sent_before
    if bench.submitted is not None:
        expected = sum(s.submits for s in scenarios) * passes + sum(
            s.submits for s in scenarios[:3]
        )
        found = await bench.submitted()
        result["submitted"] = found
        result["submitted_expected"] = expected
        if found != expected:
            result["errors"] += abs(expected - found)
    return result


async def measure(
    framework: str, handler: str, scenarios: list[Scenario], passes: int, concurrency: int
) -> dict[str, Any]:
    if handler == "echo":
        bench = await echo_bench(framework)
        try:
            return await run(bench, scenarios, passes, concurrency)
        finally:
            await bench.close()
    backend = handler.removeprefix("intake-")
    async with database_url(backend, "bench_service") as url:
        bench = await intake_bench(framework, url)
        try:
            return await run(bench, scenarios, passes, concurrency)
        finally:
            await bench.close()


def median_run(runs: list[dict[str, Any]]) -> dict[str, Any]:
    """The run with the median CPU per update (all its figures, from one run)."""
    ordered = sorted(runs, key=lambda r: r["cpu_ms_per_update"])
    return ordered[(len(ordered) - 1) // 2]


def print_table(rows: list[dict[str, Any]]) -> None:
    print(
        f"{'framework':<9}{'handler':<18}{'conc':>5}{'updates':>8}{'upd/s':>8}"
        f"{'p50 ms':>8}{'p99 ms':>8}{'p50 x':>7}{'cpu ms':>8}{'cpu x':>7}{'stmts':>7}"
        f"{'commits':>8}{'errors':>7}"
    )
    for row in rows:
        ratio = f"{row['ratio_p50']:.1f}x" if "ratio_p50" in row else ""
        cpu_ratio = f"{row['ratio_cpu']:.1f}x" if "ratio_cpu" in row else ""
        print(
            f"{row['framework']:<9}{row['handler']:<18}{row['concurrency']:>5}"
            f"{row['updates']:>8}{row['updates_per_second']:>8.1f}{row['p50_ms']:>8.2f}"
            f"{row['p99_ms']:>8.2f}{ratio:>7}{row['cpu_ms_per_update']:>8.3f}{cpu_ratio:>7}"
            f"{row['statements_per_update']:>7.2f}{row['commits_per_update']:>8.2f}"
            f"{row['errors']:>7}"
        )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=2, help="times every scenario runs")
    parser.add_argument("--concurrency", type=int, nargs="+", default=[1, 16])
    parser.add_argument("--frameworks", nargs="+", default=["aiogram", "ptb"])
    parser.add_argument("--sqlite-only", action="store_true")
    parser.add_argument("--repeat", type=int, default=1, help="runs per row (median kept)")
    args = parser.parse_args()
    logging.basicConfig(level=logging.WARNING)
    scenarios = load_scenarios()
    handlers = ["echo", "intake-sqlite"]
    missing = postgres_missing()
    if not args.sqlite_only and missing is None:
        handlers.append("intake-postgresql")
    elif not args.sqlite_only:
        print(f"skipping PostgreSQL: {missing}")
    rows: list[dict[str, Any]] = []
    for concurrency in args.concurrency:
        for framework in args.frameworks:
            runs: dict[str, list[dict[str, Any]]] = {handler: [] for handler in handlers}
            for _ in range(args.repeat):  # echo, then each database, again and again
                for handler in handlers:
                    started = time.perf_counter()
                    figures = await measure(framework, handler, scenarios, args.passes, concurrency)
                    runs[handler].append(figures)
                    print(
                        f"  {framework} {handler} x{concurrency}: {figures['updates']} updates, "
                        f"{time.perf_counter() - started:.1f} s, "
                        f"{figures['cpu_ms_per_update']:.2f} ms CPU per update",
                        flush=True,
                    )
            floor = median_run(runs["echo"])
            for handler in handlers:
                figures = median_run(runs[handler])
                row = {"framework": framework, "handler": handler, "concurrency": concurrency}
                row.update(figures)
                row["runs"] = len(runs[handler])
                if handler != "echo":
                    row["ratio_p50"] = round(figures["p50_ms"] / floor["p50_ms"], 1)
                    cpu_ratio = figures["cpu_ms_per_update"] / floor["cpu_ms_per_update"]
                    row["ratio_cpu"] = round(cpu_ratio, 2)
                    spread = [r["cpu_ms_per_update"] for r in runs[handler]]
                    row["cpu_ms_per_update_range"] = [min(spread), max(spread)]
                rows.append(row)
    print_table(rows)
    result: dict[str, Any] = {
        "scenarios": len(scenarios),
        "passes": args.passes,
        "repeat": args.repeat,
        "load_average_1min": round(os.getloadavg()[0], 1),
        "rows": rows,
    }
    write_result("service_inprocess", result)


if __name__ == "__main__":
    asyncio.run(main())
