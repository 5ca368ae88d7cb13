"""Running the real `intake serve` in a test: a free port, the process, the first
answer it gives (within the 30 seconds a newcomer waits after `make run`), a start
it refuses (one line, exit 1, nothing made), and what it left in its folder."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

Popen = subprocess.Popen[str]

INTAKE = Path(sys.executable).with_name("intake")
# Settings a developer's shell may hold that would change what a test serves.
LOCAL_SETTINGS = (
    "TELEGRAM_BOT_TOKEN",
    "DATABASE_URL",
    "SECRET_KEY",
    "WEB_COOKIE_SECURE",
    "INTAKE_HOME",
    "SMTP_HOST",
    "MAIL_FOLDER",
    "MAIL_FROM",
    "WHATSAPP_TOKEN",
    "WHATSAPP_PHONE_NUMBER_ID",
    "WHATSAPP_APP_SECRET",
    "WHATSAPP_VERIFY_TOKEN",
    "WHATSAPP_API_BASE_URL",
)


def stops_with_one_line(
    cwd: Path,
    env: dict[str, str],
    *args: str,
    preexec_fn: Callable[[], None] | None = None,
) -> str:
    """`intake serve` (or the command `args`) in `cwd`: exit 1, one line on stderr, no
    traceback, and nothing made or removed in `cwd`; the line."""
    before = files_in(cwd)
    done = subprocess.run(
        list(args) or [str(INTAKE), "serve"],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        preexec_fn=preexec_fn,  # e.g. a file size limit, set before exec
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1, done.stderr
    assert files_in(cwd) == before, "a refused start makes nothing"
    return lines[0]


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


def start_serve(cwd: Path, env: dict[str, str], output: Any = subprocess.PIPE) -> Popen:
    """`intake serve` in `cwd`; `output`: where its output goes (a pipe, a file, or
    subprocess.DEVNULL)."""
    return subprocess.Popen(
        [str(INTAKE), "serve"],
        cwd=cwd,
        env=env,
        stdout=output,
        stderr=subprocess.STDOUT,
        text=True,
    )


@contextmanager
def running_serve(cwd: Path, env: dict[str, str], output: Any = subprocess.PIPE) -> Iterator[Popen]:
    """`intake serve` in `cwd`, stopped (and its output collected) at the end."""
    process = start_serve(cwd, env, output)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


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
