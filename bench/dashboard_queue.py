"""The dashboard's queue page with many pre-aanmeldingen, on SQLite and PostgreSQL.

Seeds N pre-aanmeldingen by bulk insert (SQLite: one executemany in one transaction;
PostgreSQL: COPY), logs in through the real login form (password and TOTP), then
times whole requests of the queue page through the ASGI app (routing, session, query,
counts per status, template; no network): unfiltered (the default: open statuses,
oldest first), filtered (region, status, submitter kind, date range), a medewerker
scoped to one region, a later page (keyset cursor), newest first, and a reference-code
search. Prints p50 and p95 per scenario; writes bench/results/dashboard_queue.json.

Run: `.venv/bin/python bench/dashboard_queue.py` (10k and 100k), or with sizes:
`.venv/bin/python bench/dashboard_queue.py 10000 100000 1000000` (1M takes minutes).
`--sqlite-only` skips PostgreSQL (TEST_POSTGRES_URL, as the tests use).

Encryption at rest is on (bench/common.py sets the benchmark key): the encrypted
columns are seeded with values encrypted under it, one ciphertext per distinct value.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy import make_url, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import common  # noqa: E402, F401  (the benchmark's encryption key, configured)

from loket.app import create_loket_app  # noqa: E402
from loket.config import LoketConfig  # noqa: E402
from loket.passwords import hash_password  # noqa: E402
from loket.totp import code_at, new_secret  # noqa: E402
from storage.column_types import SensitiveJSON, SensitiveValueCodec  # noqa: E402
from storage.database import Database  # noqa: E402
from storage.engine import create_engine  # noqa: E402
from storage.migrate import upgrade_async  # noqa: E402
from storage.reference_codes import ALPHABET  # noqa: E402
from storage.tables import PreAanmeldingRow  # noqa: E402

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
RESULTS = ROOT / "bench" / "results" / "dashboard_queue.json"
PASSWORD = "benchmark password 2026"
REGIONS = ("parkstad", "westelijke_mijnstreek", "maastricht", "heuvelland")
PRODUCTS = ("housing", "housing_plus", "housing_first", "housing_justitieel", None)
FINAL = ("geaccepteerd", "doorverwezen", "afgewezen", "ingetrokken")
OPEN = ("nieuw", "in_behandeling", "info_gevraagd", "intake_gepland")
KINDS = ("professional", "professional", "self", "veldwerker")
NOW = datetime(2026, 11, 1, 12, tzinfo=UTC)
COLUMNS = (
    "reference",
    "created_at",
    "updated_at",
    "channel",
    "language",
    "submitter_kind",
    "submitter_organisation",
    "submitter_convenant_partner",
    "contact_preference",
    "profile",
    "answers",
    "recommended_product",
    "eligible_products",
    "region",
    "municipality",
    "reasons",
    "referrals",
    "rules_version",
    "consent_text_version",
    "consent_at",
    "consent_given_by",
    "status",
    "crisis_follow_up",
)


def _encrypted_columns() -> dict[int, str]:
    """Position in COLUMNS -> the encryption context of that column."""
    table = PreAanmeldingRow.__table__  # type: ignore[attr-defined]
    out = {}
    for index, name in enumerate(COLUMNS):
        kind = table.c[name].type
        if isinstance(kind, SensitiveJSON):
            out[index] = kind.context
    return out


ENCRYPTED = _encrypted_columns()


def encrypted(row: tuple[Any, ...], cache: dict[tuple[int, Any], bytes]) -> tuple[Any, ...]:
    """The row with its encrypted columns encrypted (a JSON text in, bytes out)."""
    values = list(row)
    for index, context in ENCRYPTED.items():
        key = (index, values[index])
        blob = cache.get(key)
        if blob is None:
            blob = cache[key] = SensitiveValueCodec.encode(json.loads(values[index]), context)
        values[index] = blob
    return tuple(values)


def reference(number: int) -> str:
    chars = []
    for _ in range(6):
        number, digit = divmod(number, len(ALPHABET))
        chars.append(ALPHABET[digit])
    code = "".join(reversed(chars))
    return f"LH-{code[:4]}-{code[4:]}"


def rows(count: int, seed: int = 7) -> Iterator[tuple[Any, ...]]:
    """Pre-aanmeldingen over five years, oldest first; most older ones are decided,
    about one in ten is still open (the queue's default view)."""
    rng = random.Random(seed)
    span = timedelta(days=5 * 365).total_seconds()
    for index in range(count):
        created = NOW - timedelta(seconds=span * (1 - index / count))
        status = rng.choice(OPEN) if rng.random() < 0.1 else rng.choice(FINAL)
        kind = rng.choice(KINDS)
        region = rng.choice(REGIONS) if rng.random() > 0.02 else None
        yield (
            reference(index * 7919 + 13),
            created,
            created + timedelta(days=rng.randint(0, 30)),
            "telegram",
            "nl",
            kind,
            None if kind == "self" else "Radar",
            kind == "professional",
            "chat",
            '{"municipality": "Heerlen"}',
            "{}",
            rng.choice(PRODUCTS),
            "[]",
            region,
            "Heerlen" if region else None,
            "[]",
            "[]",
            "bench",
            "2025-01",
            created,
            "client",
            status,
            rng.random() < 0.01,
        )


def seed_sqlite(path: Path, count: int) -> None:
    connection = sqlite3.connect(path)
    try:
        marks = ", ".join("?" for _ in COLUMNS)
        statement = f"INSERT INTO pre_aanmeldingen ({', '.join(COLUMNS)}) VALUES ({marks})"

        def plain(row: tuple[Any, ...]) -> tuple[Any, ...]:
            return tuple(
                v.astimezone(UTC).replace(tzinfo=None).isoformat(sep=" ", timespec="microseconds")
                if isinstance(v, datetime)
                else v
                for v in row
            )

        cache: dict[tuple[int, Any], bytes] = {}
        with connection:
            connection.executemany(statement, (plain(encrypted(row, cache)) for row in rows(count)))
        connection.execute("ANALYZE")
    finally:
        connection.close()


async def seed_postgres(url: str, count: int) -> None:
    engine = create_engine(url)
    try:
        async with engine.connect() as conn:
            raw = await conn.get_raw_connection()
            driver = raw.driver_connection
            assert driver is not None
            batch: list[tuple[Any, ...]] = []
            cache: dict[tuple[int, Any], bytes] = {}
            for row in rows(count):
                batch.append(encrypted(row, cache))
                if len(batch) == 50_000:
                    await driver.copy_records_to_table(
                        "pre_aanmeldingen", records=batch, columns=COLUMNS
                    )
                    batch = []
            if batch:
                await driver.copy_records_to_table(
                    "pre_aanmeldingen", records=batch, columns=COLUMNS
                )
            await conn.commit()
        # What autovacuum does on a live server: statistics and the visibility map.
        async with engine.connect() as conn:
            autocommit = await conn.execution_options(isolation_level="AUTOCOMMIT")
            await autocommit.execute(text("VACUUM ANALYZE pre_aanmeldingen"))
    finally:
        await engine.dispose()


async def add_staff(database: Database) -> dict[str, str]:
    secrets = {}
    password_hash = hash_password(PASSWORD)
    async with database.unit_of_work() as uow:
        for username, role, regions in (
            ("coord", "coordinator", ()),
            ("park", "medewerker", ("parkstad",)),
        ):
            secret = new_secret()
            await uow.staff.create(
                username,
                password_hash=password_hash,
                role=role,
                regions=regions,
                totp_secret=secret,
            )
            secrets[username] = secret
    return secrets


async def client_for(app: FastAPI, username: str, secret: str) -> httpx.AsyncClient:
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://127.0.0.1")
    page = await client.get("/loket/login")
    match = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert match
    answer = await client.post(
        "/loket/login",
        data={
            "csrf_token": match.group(1),
            "username": username,
            "password": PASSWORD,
            "code": code_at(secret, datetime.now(UTC)),
        },
    )
    assert answer.status_code == 303, answer.text[:500]
    return client


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


async def measure(client: httpx.AsyncClient, path: str, runs: int) -> dict[str, float]:
    for _ in range(3):
        answer = await client.get(path)
        assert answer.status_code == 200, (path, answer.status_code)
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        answer = await client.get(path)
        times.append((time.perf_counter() - start) * 1000)
        assert answer.status_code == 200
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(percentile(times, 0.95), 1),
    }


async def scenarios(database: Database, count: int, runs: int) -> dict[str, dict[str, float]]:
    secrets = await add_staff(database)
    config = LoketConfig(secret_key="benchmark-secret", secure_cookies=False)
    app = FastAPI()
    app.mount("/loket", create_loket_app(config, database))
    coord = await client_for(app, "coord", secrets["coord"])
    park = await client_for(app, "park", secrets["park"])
    first = await coord.get("/loket/queue")
    cursor = re.search(r'after=([^"&]+)" rel="next"', first.text)
    assert cursor, "no second page"
    target = reference((count // 2) * 7919 + 13)
    plan = {
        "unfiltered (open, oldest first)": (coord, "/loket/queue"),
        "all statuses": (coord, "/loket/queue?status=all"),
        "filtered (region, status, kind, dates)": (
            coord,
            "/loket/queue?region=maastricht&status=nieuw&kind=professional"
            "&from=2024-01-01&to=2025-12-31",
        ),
        "medewerker (one region)": (park, "/loket/queue"),
        "page 2 (keyset)": (coord, f"/loket/queue?after={cursor.group(1)}"),
        "newest first": (coord, "/loket/queue?sort=newest&status=all"),
        "reference search": (coord, f"/loket/queue?q={target}"),
    }
    out = {}
    for name, (client, path) in plan.items():
        out[name] = await measure(client, path, runs)
    await coord.aclose()
    await park.aclose()
    return out


async def run_sqlite(count: int, runs: int, folder: Path) -> dict[str, dict[str, float]]:
    path = folder / f"bench-{count}.db"
    url = f"sqlite+aiosqlite:///{path}"
    await upgrade_async(url)
    started = time.perf_counter()
    seed_sqlite(path, count)
    print(f"  sqlite: seeded {count:,} in {time.perf_counter() - started:.1f} s", flush=True)
    database = Database(url)
    try:
        return await scenarios(database, count, runs)
    finally:
        await database.dispose()
        path.unlink(missing_ok=True)


async def run_postgres(count: int, runs: int) -> dict[str, dict[str, float]]:
    schema = f"bench_queue_{os.getpid()}_{count}"
    admin = create_engine(POSTGRES_URL)
    try:
        async with admin.begin() as conn:
            await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
            await conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    finally:
        await admin.dispose()
    url = (
        make_url(POSTGRES_URL)
        .update_query_dict({"options": f"-csearch_path={schema}"})
        .render_as_string(hide_password=False)
    )
    try:
        await upgrade_async(url)
        started = time.perf_counter()
        await seed_postgres(url, count)
        print(f"  postgres: seeded {count:,} in {time.perf_counter() - started:.1f} s", flush=True)
        database = Database(url)
        try:
            return await scenarios(database, count, runs)
        finally:
            await database.dispose()
    finally:
        admin = create_engine(POSTGRES_URL)
        try:
            async with admin.begin() as conn:
                await conn.execute(text(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE'))
        finally:
            await admin.dispose()


def print_table(results: dict[str, dict[str, dict[str, dict[str, float]]]]) -> None:
    print()
    print(f"{'database':<9} {'rows':>10}  {'scenario':<40} {'p50 ms':>8} {'p95 ms':>8}")
    for backend, sizes in results.items():
        for size, named in sizes.items():
            for name, figures in named.items():
                print(
                    f"{backend:<9} {int(size):>10,}  {name:<40} "
                    f"{figures['p50_ms']:>8.1f} {figures['p95_ms']:>8.1f}"
                )


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("sizes", nargs="*", type=int, default=[10_000, 100_000])
    parser.add_argument("--runs", type=int, default=40, help="timed requests per scenario")
    parser.add_argument("--sqlite-only", action="store_true")
    args = parser.parse_args()
    results: dict[str, dict[str, dict[str, dict[str, float]]]] = {"sqlite": {}, "postgres": {}}
    with tempfile.TemporaryDirectory(prefix="loket-bench-") as folder:
        for size in args.sizes:
            print(f"{size:,} pre-aanmeldingen", flush=True)
            results["sqlite"][str(size)] = await run_sqlite(size, args.runs, Path(folder))
            if not args.sqlite_only:
                results["postgres"][str(size)] = await run_postgres(size, args.runs)
    print_table(results)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps({"runs": args.runs, "results": results}, indent=2) + "\n")


if __name__ == "__main__":
    asyncio.run(main())
