"""`intake serve` (what `make run` starts) answers /healthz within 30 seconds."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_serve_answers_healthz(tmp_path: Path) -> None:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("TELEGRAM_BOT_TOKEN", "DATABASE_URL")}
    env["PORT"] = str(port)
    intake = Path(sys.executable).with_name("intake")
    process = subprocess.Popen(
        [str(intake), "serve"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        answer = None
        while time.monotonic() < deadline and process.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                break
            except httpx.TransportError:
                time.sleep(0.1)
        assert answer is not None, "no answer within 30 s"
        assert answer.status_code == 200
        assert answer.json()["status"] == "ok"
        # A local install gets a private secret key, readable by its owner only.
        key = tmp_path / "var" / "secret_key"
        assert key.exists() and oct(key.stat().st_mode & 0o777) == "0o600"
    finally:
        process.terminate()
        process.wait(timeout=10)


def test_serve_stops_with_a_clear_message_when_the_database_is_unreachable(tmp_path: Path) -> None:
    env = {**os.environ, "DATABASE_URL": f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/x"}
    intake = Path(sys.executable).with_name("intake")
    done = subprocess.run(
        [str(intake), "serve"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "is not reachable" in done.stderr
    assert "Traceback" not in done.stderr
