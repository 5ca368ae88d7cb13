"""What the benchmarks share: percentiles, results files, the machine, databases.

Databases: SQLite is a fresh migrated file in a temporary folder on the disk (as
`./var/intake.db` is in production: WAL, synchronous=FULL, so every commit waits for
the disk). PostgreSQL is `TEST_POSTGRES_URL` (default: trust auth on 127.0.0.1,
database `test`, as the tests use); each run gets a schema of its own, migrated with
the real migrations and dropped at the end.

Encryption at rest is on, as in production: this module sets a fixed benchmark key
(ENCRYPTION_KEY, inherited by child processes) and configures the process's keyring,
as `intake serve` does at start.
"""

from __future__ import annotations

import json
import os
import platform
import socket
import sqlite3
import statistics
import sys
import tempfile
import uuid
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

BENCH_ENCRYPTION_KEY = "bG9rZXQtYmVuY2htYXJrLWtleS0zMi1ieXRlcyEhISE="  # 32 bytes, base64
os.environ["ENCRYPTION_KEY"] = BENCH_ENCRYPTION_KEY
os.environ.pop("ENCRYPTION_KEYS_OLD", None)

from sqlalchemy import make_url, text  # noqa: E402

from storage.column_types import SensitiveValueCodec  # noqa: E402
from storage.encryption import Keyring  # noqa: E402
from storage.engine import create_engine  # noqa: E402
from storage.migrate import upgrade_async  # noqa: E402

SensitiveValueCodec.configure(Keyring.from_texts(BENCH_ENCRYPTION_KEY))

RESULTS = ROOT / "bench" / "results"
POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
SECRET = "benchmark-secret-key"


def percentile(values: Sequence[float], fraction: float) -> float:
    """Nearest-rank percentile of `values` (any order)."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def latencies_ms(seconds: Sequence[float]) -> dict[str, float]:
    """p50, p95, p99 and max of durations in seconds, in milliseconds."""
    return {
        "p50_ms": round(statistics.median(seconds) * 1000, 2),
        "p95_ms": round(percentile(seconds, 0.95) * 1000, 2),
        "p99_ms": round(percentile(seconds, 0.99) * 1000, 2),
        "max_ms": round(max(seconds) * 1000, 2),
    }


def write_result(name: str, data: dict[str, Any]) -> Path:
    RESULTS.mkdir(parents=True, exist_ok=True)
    path = RESULTS / f"{name}.json"
    path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n")
    return path


def rss_kib(pid: int | str = "self") -> dict[str, int]:
    """Resident size now (VmRSS) and at its highest (VmHWM), in KiB."""
    found = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, value = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            found[name] = int(value.split()[0])
    return {"rss_kib": found.get("VmRSS", 0), "hwm_kib": found.get("VmHWM", 0)}


def postgres_missing() -> str | None:
    """Why PostgreSQL cannot be used, or None when its port answers."""
    url = urlparse(POSTGRES_URL.replace("+asyncpg", ""))
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 5432), 2):
            return None
    except OSError as error:
        return f"PostgreSQL is not reachable at {url.hostname}:{url.port} ({error})"


def schema_url(schema: str) -> str:
    url = make_url(POSTGRES_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    return url.render_as_string(hide_password=False)


async def _admin(statement: str) -> None:
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.begin() as conn:
            await conn.execute(text(statement))
    finally:
        await engine.dispose()


@asynccontextmanager
async def postgres_database(prefix: str = "bench") -> AsyncIterator[str]:
    """A migrated schema of its own (unique per run), dropped at the end."""
    schema = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    await _admin(f'CREATE SCHEMA "{schema}"')
    try:
        url = schema_url(schema)
        await upgrade_async(url)
        yield url
    finally:
        await _admin(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


@asynccontextmanager
async def sqlite_database(prefix: str = "bench") -> AsyncIterator[str]:
    """A migrated SQLite file in a temporary folder on the disk, removed at the end."""
    with tempfile.TemporaryDirectory(prefix=f"loket-{prefix}-") as folder:
        url = f"sqlite+aiosqlite:///{Path(folder) / 'intake.db'}"
        await upgrade_async(url)
        yield url


@asynccontextmanager
async def database_url(backend: str, prefix: str = "bench") -> AsyncIterator[str]:
    if backend == "postgresql":
        async with postgres_database(prefix) as url:
            yield url
    else:
        async with sqlite_database(prefix) as url:
            yield url


async def postgres_version() -> str | None:
    if postgres_missing() is not None:
        return None
    engine = create_engine(POSTGRES_URL)
    try:
        async with engine.connect() as conn:
            return str((await conn.execute(text("SHOW server_version"))).scalar_one())
    finally:
        await engine.dispose()


def machine(postgres: str | None = None) -> dict[str, Any]:
    """The machine the figures were taken on."""
    model = ""
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    memory_kib = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            memory_kib = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "ram_gib": round(memory_kib / 1024 / 1024, 1),
        "cpu_model": model,
        "kernel": platform.release(),
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "postgresql": postgres,
    }
