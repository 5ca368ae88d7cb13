"""The web chat over HTTP: what one step costs the server, beside a bare endpoint.

The server is the real web chat (`mount_web_chat`, its conversation service, a real
database: a SQLite file on the disk or a PostgreSQL schema, encryption at rest) under
uvicorn in a process of its own, so its CPU time is its own (read from
/proc/<pid>/stat). Beside it, in the SAME app and server, a bare FastAPI endpoint
`/bench/echo` that reads a form post and answers a small JSON: the floor. The rate
limits are lifted (the people here answer instantly); everything else is as served.

The load client is one `httpx.AsyncClient` with a bounded pool in this process; each
simulated person keeps their own cookie (the client's cookie jar is off). Person n
does golden scenario n mod 23 the way a browser does:

- `js`: the page's script: one GET of the page, then every answer posted with
  `X-Chat-Fetch: 1` and answered with JSON (the new bubbles and the next question);
  a change of language posts the plain way and loads the page again.
- `nojs`: without JavaScript: every answer a post, a 303 and a GET of the page.

A step is one answer: its time is the post (and, without JavaScript or after a
change of language, the page that follows). The page loaded at the start counts in
the CPU and the statements (spread over the steps) but not in the step times.

Printed per run: server CPU per step and its ratio to the echo endpoint's CPU per
request (goal: at most 4x), statements, transactions (BEGIN) and commits per step
(SQLAlchemy engine events on the app's engine, counted in the server), p50/p99 per
step, 503s (a person waits Retry-After and sends again, as the page asks) and
errors (any other answer than 200/303, a transport error, or fewer intakes stored
than the scenarios submit). The crowd mode (`--crowd 1000`): that many people at
once, each through one whole intake with the script: 0 errors is the goal, the p99
per step is printed.

Run: `.venv/bin/python bench/web_chat_steps.py [--passes 2] [--concurrency 1 16]
[--crowd 1000] [--database sqlite postgresql]`; writes bench/results/web_chat_steps.json.
"""

from __future__ import annotations

import argparse
import asyncio
import http.cookiejar
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl, urlencode

import httpx
from common import SECRET, database_url, latencies_ms, postgres_missing, write_result
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from tests.scenario_files import Scenario, load_scenarios
from tests.web.html_page import Form, parse_page

THIS = Path(__file__).resolve()
START = datetime(2025, 6, 2, 10, 30, tzinfo=UTC)  # the golden scenarios' `now`
FORM = {"content-type": "application/x-www-form-urlencoded"}
FETCH = {**FORM, "x-chat-fetch": "1", "accept": "application/json"}
ECHO_POSTS_PER_PERSON = 17  # about an intake's steps
# The forms the page's script sends (`data-chat`); the others post the plain way.
SCRIPTED = {"answer-text", "answer-buttons", "answer-checks", "commands"}


# --- the server, in a process of its own ----------------------------------------------


def serve(arguments: argparse.Namespace) -> None:
    """The child process: the web chat and the echo endpoint under uvicorn until
    SIGTERM; `/bench/stats` gives the statement counts."""
    import uvicorn
    from sqlalchemy import event

    from bot.settings import Settings
    from bot.web import WebChatConfig, mount_web_chat
    from storage.database import Database
    from storage.engine import PoolOptions
    from webkit.rate_limits import Bucket

    logging.basicConfig(level=logging.ERROR)
    began = time.monotonic()
    database = Database(
        arguments.database_url,
        clock=lambda: START + timedelta(seconds=time.monotonic() - began),
        pool=PoolOptions(
            size=arguments.pool_size,
            max_overflow=arguments.pool_overflow,
            timeout=arguments.pool_timeout,
        ),
    )
    counts: Counter[str] = Counter()

    def statement(*_: Any) -> None:
        counts["statements"] += 1

    def counter(name: str) -> Any:
        def count(*_: Any) -> None:
            counts[name] += 1

        return count

    engine = database.engine.sync_engine
    event.listen(engine, "before_cursor_execute", statement)
    for name in ("begin", "commit", "rollback"):
        event.listen(engine, name, counter(name))
    unlimited = Bucket(1_000_000, 1_000_000)
    settings = Settings(  # type: ignore[call-arg]
        _env_file=None, database_url=arguments.database_url, secret_key=SECRET
    )
    app = FastAPI()
    mount_web_chat(
        app,
        settings,
        database=database,
        config=WebChatConfig(
            secret_key=SECRET,
            posts_per_session=unlimited,
            posts_per_address=unlimited,
        ),
    )

    @app.post("/bench/echo")
    async def echo(request: Request) -> JSONResponse:
        fields = parse_qsl((await request.body()).decode())
        return JSONResponse({"echo": dict(fields).get("text", "")})

    @app.get("/bench/stats")
    async def stats() -> JSONResponse:
        return JSONResponse(dict(counts))

    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=arguments.port,
        log_level="error",
        access_log=False,
        backlog=4096,
        timeout_keep_alive=120,
    )
    server = uvicorn.Server(config)

    async def run() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started:  # noqa: ASYNC110 - uvicorn sets a flag, no event
            await asyncio.sleep(0.05)
        print("ready", flush=True)
        await task
        await database.dispose()

    asyncio.run(run())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[str]
    base_url: str

    def cpu_seconds(self) -> float:
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        ticks = int(fields[11]) + int(fields[12])  # utime, stime
        return ticks / os.sysconf("SC_CLK_TCK")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()


async def start_server(url: str, arguments: argparse.Namespace) -> Server:
    port = free_port()
    command = [
        sys.executable,
        str(THIS),
        "--serve",
        "--database-url",
        url,
        "--port",
        str(port),
        "--pool-size",
        str(arguments.pool_size),
        "--pool-overflow",
        str(arguments.pool_overflow),
        "--pool-timeout",
        str(arguments.pool_timeout),
    ]
    process = subprocess.Popen(  # noqa: ASYNC220 - started once, read line by line
        command, stdout=subprocess.PIPE, text=True, cwd=THIS.parent, env={**os.environ}
    )
    assert process.stdout is not None
    line = await asyncio.to_thread(process.stdout.readline)
    if line.strip() != "ready":
        process.kill()
        raise RuntimeError(f"the web chat did not start: {line!r}")
    return Server(process, f"http://127.0.0.1:{port}")


# --- the people -------------------------------------------------------------------------


@dataclass
class Tally:
    """What the people met during one run."""

    latencies: list[float] = field(default_factory=list)
    statuses: Counter[int] = field(default_factory=Counter)
    busy: int = 0  # 503s, each waited out and sent again
    errors: int = 0
    error_kinds: Counter[str] = field(default_factory=Counter)
    steps: int = 0
    pages: int = 0

    def error(self, kind: str) -> None:
        self.errors += 1
        self.error_kinds[kind] += 1


class StepFailed(Exception):
    pass


class Person:
    """One browser: its own cookie, the page's forms, with or without the script."""

    def __init__(
        self, client: httpx.AsyncClient, tally: Tally, script: bool, gate: asyncio.Semaphore
    ) -> None:
        self.client, self.tally, self.script, self.gate = client, tally, script, gate
        self.cookies: dict[str, str] = {}
        self.forms: list[Form] = []
        self.ticked: list[str] = []

    def _headers(self, extra: dict[str, str]) -> dict[str, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {**extra, "cookie": cookie} if cookie else dict(extra)

    async def _send(
        self, method: str, path: str, body: str | None, headers: dict[str, str]
    ) -> httpx.Response:
        """One request; a 503 is waited out (Retry-After) and sent again."""
        for _ in range(20):
            try:
                async with self.gate:  # no longer queue in httpx's pool (it scans it)
                    response = await self.client.request(
                        method, path, content=body, headers=self._headers(headers)
                    )
            except httpx.HTTPError as error:
                self.tally.error(type(error).__name__)
                raise StepFailed from error
            self.tally.statuses[response.status_code] += 1
            for name, value in response.cookies.items():
                self.cookies[name] = value
            if response.status_code != 503:
                return response
            self.tally.busy += 1
            await asyncio.sleep(float(response.headers.get("retry-after", "1")))
        self.tally.error("503 twenty times")
        raise StepFailed

    async def open(self, path: str = "/chat") -> None:
        response = await self._send("GET", path, None, {})
        if response.status_code != 200:
            self.tally.error(f"GET {response.status_code}")
            raise StepFailed
        self.tally.pages += 1
        self.forms = parse_page(response.text).forms

    def _form(self, cls: str, option: str | None = None) -> Form:
        for form in self.forms:
            if cls in form.classes.split() and (option is None or form.button(option)):
                return form
        self.tally.error(f"no form {cls} {option or ''}".strip())
        raise StepFailed

    async def post(self, form: Form, extra: list[tuple[str, str]]) -> None:
        """One answer: the post, and what follows it (the page, or the JSON's forms)."""
        body = urlencode([*form.hidden.items(), *extra])
        fetch = self.script and bool(SCRIPTED & set(form.classes.split()))
        began = time.perf_counter()
        response = await self._send("POST", form.action, body, FETCH if fetch else FORM)
        if response.status_code == 303:
            await self.open(response.headers["location"])
        elif response.status_code != 200:
            self.tally.error(f"POST {response.status_code}")
            raise StepFailed
        elif fetch:
            answer = response.json()
            if answer.get("reload"):
                await self.open(answer["location"])
            else:
                self.forms = [*parse_page(answer["composer"]).forms, *self._header_forms()]
        else:
            self.forms = parse_page(response.text).forms
        self.tally.latencies.append(time.perf_counter() - began)
        self.tally.steps += 1

    def _header_forms(self) -> list[Form]:
        """The page's language form, which the script leaves in place (its form id
        is the page's; the next page view renews it)."""
        return [f for f in self.forms if "languages" in f.classes.split()]

    async def press(self, option: str) -> None:
        """A button; a tick box of a multiple choice is ticked (no request), and its
        "Klaar" (`_done`) sends the ticked ones."""
        buttons = [f for f in self.forms if "answer-buttons" in f.classes.split()]
        form = next((f for f in buttons if f.button(option)), None)
        if form is not None:
            self.ticked = []
            await self.post(form, [("option", option)])
        elif option == "_done":
            ticked, self.ticked = self.ticked, []
            await self.post(self._form("answer-checks"), [("options", o) for o in ticked])
        else:
            self._form("answer-checks")
            self.ticked = [o for o in self.ticked if o != option] + (
                [] if option in self.ticked else [option]
            )

    async def step(self, step: Any) -> None:
        if isinstance(step, str):
            texts = [f for f in self.forms if "answer-text" in f.classes.split()]
            if texts:
                await self.post(texts[0], [("text", step)])
                return
            base = next(
                f
                for f in self.forms
                if {"answer-buttons", "answer-checks"} & set(f.classes.split())
            )
            form = Form("/chat", "answer-text", {**base.hidden, "action": "text"})
            await self.post(form, [("text", step)])
            return
        ((kind, value),) = step.items()
        if kind == "choice":
            await self.press(str(value))
        elif kind == "select":
            checks = self._form("answer-checks")
            await self.post(checks, [("options", str(v)) for v in value])
        elif kind == "command":
            await self.post(self._form("commands"), [("command", str(value))])
        elif kind == "language":
            if self.script:  # the script's composer left the header's form behind
                await self.open()
            await self.post(self._form("languages"), [("language", str(value))])
        else:
            raise AssertionError(f"unknown step {step!r}")

    async def intake(self, scenario: Scenario) -> None:
        try:
            await self.open()
            await self.step({"choice": scenario.flow})
            for step in scenario.steps:
                await self.step(step)
        except StepFailed:
            return


# --- the runs -----------------------------------------------------------------------------


def client_for(base_url: str, connections: int) -> httpx.AsyncClient:
    no_cookies = http.cookiejar.CookieJar(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))
    return httpx.AsyncClient(
        base_url=base_url,
        limits=httpx.Limits(max_connections=connections, max_keepalive_connections=connections),
        timeout=httpx.Timeout(300.0),
        cookies=no_cookies,
        follow_redirects=False,
    )


async def stats(client: httpx.AsyncClient) -> Counter[str]:
    return Counter((await client.get("/bench/stats")).json())


async def submitted(url: str) -> int:
    from storage.engine import create_engine

    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            found = await conn.execute(text("SELECT count(*) FROM pre_aanmeldingen"))
            return int(found.scalar_one())
    finally:
        await engine.dispose()


async def measured(
    server: Server, client: httpx.AsyncClient, work: Any, tally: Tally
) -> dict[str, Any]:
    """Run `work()`; the server's CPU, statements and the time it took."""
    before, cpu_before = await stats(client), server.cpu_seconds()
    client_cpu = time.process_time()
    began = time.perf_counter()
    await work()
    seconds = time.perf_counter() - began
    cpu = server.cpu_seconds() - cpu_before
    client_cpu = time.process_time() - client_cpu
    after = await stats(client)
    after.subtract(before)
    steps = max(tally.steps, 1)
    row: dict[str, Any] = {
        "steps": tally.steps,
        "pages": tally.pages,
        "seconds": round(seconds, 2),
        "steps_per_second": round(tally.steps / seconds, 1),
        "server_cpu_ms_per_step": round(cpu / steps * 1000, 3),
        "client_cpu_ms_per_step": round(client_cpu / steps * 1000, 3),
        "statements_per_step": round(after["statements"] / steps, 2),
        "transactions_per_step": round(after["begin"] / steps, 2),
        "commits_per_step": round(after["commit"] / steps, 2),
        "rollbacks_per_step": round(after["rollback"] / steps, 2),
        "busy_503": tally.busy,
        "errors": tally.errors,
        "error_kinds": dict(tally.error_kinds),
        "statuses": {str(k): v for k, v in sorted(tally.statuses.items())},
    }
    if tally.latencies:
        row.update(latencies_ms(tally.latencies))
    return row


async def echo_run(server: Server, people: int, concurrency: int) -> dict[str, Any]:
    tally = Tally()
    gate = asyncio.Semaphore(concurrency)
    async with client_for(server.base_url, concurrency) as client:

        async def person(n: int) -> None:
            async with gate:
                for step in range(ECHO_POSTS_PER_PERSON):
                    body = urlencode([("csrf", "x" * 43), ("text", f"answer {n} {step}")])
                    began = time.perf_counter()
                    response = await client.post("/bench/echo", content=body, headers=FORM)
                    tally.statuses[response.status_code] += 1
                    if response.status_code != 200:
                        tally.error(f"echo {response.status_code}")
                    tally.latencies.append(time.perf_counter() - began)
                    tally.steps += 1

        async def work() -> None:
            await asyncio.gather(*(person(n) for n in range(people)))

        return await measured(server, client, work, tally)


async def chat_run(
    server: Server,
    scenarios: list[Scenario],
    people: int,
    concurrency: int,
    script: bool,
    connections: int | None = None,
) -> dict[str, Any]:
    tally = Tally()
    gate = asyncio.Semaphore(concurrency)
    connections = connections or concurrency
    in_flight = asyncio.Semaphore(connections)  # requests at once: the client's pool
    async with client_for(server.base_url, connections) as client:

        async def person(n: int) -> None:
            async with gate:
                browser = Person(client, tally, script, in_flight)
                await browser.intake(scenarios[n % len(scenarios)])

        async def work() -> None:
            await asyncio.gather(*(person(n) for n in range(people)))

        return await measured(server, client, work, tally)


def expected_submits(scenarios: list[Scenario], people: int) -> int:
    return sum(scenarios[n % len(scenarios)].submits for n in range(people))


def print_row(row: dict[str, Any]) -> None:
    ratio = f" = {row['ratio_to_echo']}x echo" if "ratio_to_echo" in row else ""
    kinds = f" {row['error_kinds']}" if row["error_kinds"] else ""
    print(
        f"{row['database']:<10} {row['mode']:<5} x{row['concurrency']:<5} "
        f"{row['steps']:>6} steps {row['steps_per_second']:>7.1f}/s  "
        f"CPU {row['server_cpu_ms_per_step']:6.2f} ms/step{ratio}  "
        f"stmts {row['statements_per_step']:5.2f} tx {row['transactions_per_step']:4.2f} "
        f"commits {row['commits_per_step']:4.2f}  p50 {row.get('p50_ms', 0):8.1f} ms "
        f"p99 {row.get('p99_ms', 0):8.1f} ms  client CPU {row['client_cpu_ms_per_step']:5.2f} "
        f"ms/step  503s {row['busy_503']} "
        f"errors {row['errors']}{kinds}",
        flush=True,
    )


async def backend_runs(backend: str, arguments: argparse.Namespace) -> list[dict[str, Any]]:
    scenarios = load_scenarios()
    rows: list[dict[str, Any]] = []
    async with database_url(backend, "webchat") as url:
        server = await start_server(url, arguments)
        people_total = 0
        try:
            for concurrency in arguments.concurrency:
                people = len(scenarios) * arguments.passes
                # About 2,000 requests: enough CPU time for a precise floor.
                echo = echo_run(server, max(120, concurrency), concurrency)
                floor = {"database": backend, "mode": "echo", "concurrency": concurrency}
                floor.update(await echo)
                print_row(floor)
                rows.append(floor)
                for script in (True, False):
                    row: dict[str, Any] = {
                        "database": backend,
                        "mode": "js" if script else "nojs",
                        "concurrency": concurrency,
                    }
                    row.update(await chat_run(server, scenarios, people, concurrency, script))
                    people_total += people
                    row["ratio_to_echo"] = round(
                        row["server_cpu_ms_per_step"] / floor["server_cpu_ms_per_step"], 1
                    )
                    print_row(row)
                    rows.append(row)
            if arguments.crowd:
                row = {"database": backend, "mode": "crowd", "concurrency": arguments.crowd}
                row.update(
                    await chat_run(
                        server,
                        scenarios,
                        arguments.crowd,
                        arguments.crowd,
                        True,
                        connections=min(arguments.crowd_connections, arguments.crowd),
                    )
                )
                people_total += arguments.crowd
                print_row(row)
                rows.append(row)
        finally:
            server.stop()
        stored = await submitted(url)
    expected = sum(
        expected_submits(scenarios, len(scenarios) * arguments.passes)
        for _ in arguments.concurrency
        for _ in (True, False)
    ) + (expected_submits(scenarios, arguments.crowd) if arguments.crowd else 0)
    print(f"{backend}: {stored} pre-aanmeldingen stored, {expected} expected", flush=True)
    if stored != expected:
        rows.append({"database": backend, "mode": "stored", "stored": stored, "expected": expected})
    return rows


async def main(arguments: argparse.Namespace) -> None:
    rows: list[dict[str, Any]] = []
    for backend in arguments.database:
        if backend == "postgresql" and (missing := postgres_missing()):
            print(f"PostgreSQL left out: {missing}")
            continue
        rows += await backend_runs(backend, arguments)
    load = os.getloadavg()
    write_result(
        "web_chat_steps",
        {
            "passes": arguments.passes,
            "pool": [arguments.pool_size, arguments.pool_overflow, arguments.pool_timeout],
            "load_average_after": [round(x, 2) for x in load],
            "rows": rows,
        },
    )
    failed = [r for r in rows if r.get("errors") or r.get("mode") == "stored"]
    if failed:
        print(f"FAILED: {len(failed)} runs with errors or missing intakes")
        raise SystemExit(1)


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--passes", type=int, default=2, help="golden scenarios per run, times")
    parser.add_argument("--concurrency", type=int, nargs="*", default=[1, 16])
    parser.add_argument("--crowd", type=int, default=0, help="people at once (0: no crowd)")
    parser.add_argument("--crowd-connections", type=int, default=64, help="client pool size")
    parser.add_argument(
        "--database", nargs="+", choices=["sqlite", "postgresql"], default=["sqlite", "postgresql"]
    )
    parser.add_argument("--pool-size", type=int, default=10)
    parser.add_argument("--pool-overflow", type=int, default=10)
    parser.add_argument("--pool-timeout", type=float, default=15.0)
    # The child process.
    parser.add_argument("--serve", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--database-url", help=argparse.SUPPRESS)
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    return parser.parse_args(argv)


if __name__ == "__main__":
    parsed = parse()
    if parsed.serve:
        serve(parsed)
    else:
        asyncio.run(main(parsed))
