"""`intake serve` (what `make run` starts) answers /healthz within 30 seconds."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.serving import INTAKE, first_answer, free_port, running_serve, serve_env


def test_serve_answers_healthz(tmp_path: Path) -> None:
    env = serve_env()
    with running_serve(tmp_path, env) as process:
        answer = first_answer(process, f"http://127.0.0.1:{env['PORT']}/healthz")
        assert answer is not None, "no answer within 30 s"
        assert answer.status_code == 200
        assert answer.json()["status"] == "ok"
        # A local install gets a private secret key, readable by its owner only.
        key = tmp_path / "var" / "secret_key"
        assert key.exists() and oct(key.stat().st_mode & 0o777) == "0o600"


def test_serve_stops_with_a_clear_message_when_the_database_is_unreachable(tmp_path: Path) -> None:
    env = serve_env(DATABASE_URL=f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/x")
    done = subprocess.run(
        [str(INTAKE), "serve"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1
    assert "is not reachable" in done.stderr
    assert "Traceback" not in done.stderr
