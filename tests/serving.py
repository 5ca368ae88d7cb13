"""Running the real `intake serve` in a test: a free port, the process, the first
answer it gives (within the 30 seconds a newcomer waits after `make run`), and what
it left in its folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

INTAKE = Path(sys.executable).with_name("intake")
# Settings a developer's shell may hold that would change what a test serves.
LOCAL_SETTINGS = (
    "TELEGRAM_BOT_TOKEN",
    "DATABASE_URL",
    "SECRET_KEY",
    "WEB_COOKIE_SECURE",
    "INTAKE_HOME",
)


def files_in(folder: Path) -> list[str]:
    """Every file and folder under `folder`, relative and sorted: what a command left."""
    return sorted(str(path.relative_to(folder)) for path in folder.rglob("*"))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_env(**settings: str) -> dict[str, str]:
    """This process's environment without local settings, plus `settings` and a PORT."""
    env = {k: v for k, v in os.environ.items() if k not in LOCAL_SETTINGS}
    return {"PORT": str(free_port()), **env, **settings}


@contextmanager
def running_serve(cwd: Path, env: dict[str, str]) -> Iterator[subprocess.Popen[str]]:
    """`intake serve` in `cwd`, stopped (and its output collected) at the end."""
    process = subprocess.Popen(
        [str(INTAKE), "serve"],
        cwd=cwd,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        yield process
    finally:
        process.terminate()
        process.wait(timeout=10)


def first_answer(
    process: subprocess.Popen[str], url: str, seconds: float = 30, **options: object
) -> httpx.Response | None:
    """The first answer of the server at `url`, or None when it gave none in time."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline and process.poll() is None:
        try:
            return httpx.get(url, timeout=2, **options)  # type: ignore[arg-type]
        except httpx.TransportError:
            time.sleep(0.1)
    return None
