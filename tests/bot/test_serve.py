"""`intake serve` (what `make run` starts) answers /healthz and /readyz, GET and HEAD,
within 30 seconds and says where the chat and the dashboard are; a start that cannot
work stops with one line that says what to do, no traceback, and makes nothing."""

from __future__ import annotations

import sys
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import make_url

from tests.factories.environment import POSTGRES_URL
from tests.factories.flow_files import GOOD
from tests.serving import (
    INTAKE,
    first_answer,
    free_port,
    running_serve,
    serve_env,
    stops_with_one_line,
)


def test_serve_answers_healthz(tmp_path: Path) -> None:
    env = serve_env()
    base = f"http://127.0.0.1:{env['PORT']}"
    with running_serve(tmp_path, env) as process:
        answer = first_answer(process, f"{base}/healthz")
        assert answer is not None, "no answer within 30 s"
        assert answer.status_code == 200
        assert answer.json()["status"] == "ok"
        assert httpx.get(f"{base}/readyz").json()["status"] == "ready"
        for path, status in (("/", 303), ("/healthz", 200), ("/readyz", 200)):
            head = httpx.head(f"{base}{path}")
            assert (head.status_code, head.content) == (status, b""), path
        # A local install gets a private secret key, readable by its owner only.
        key = tmp_path / "var" / "secret_key"
        assert key.exists() and oct(key.stat().st_mode & 0o777) == "0o600"
    assert process.stdout is not None
    output = process.stdout.read()
    # One line for the person who started it: the chat, the dashboard, the first account.
    assert (
        f"Loket Housing intake: web chat at {base}/chat, staff dashboard at {base}/loket, "
        f"data in {tmp_path / 'var' / 'intake.db'}; a first dashboard account: "
        f"{INTAKE} staff add NAME --role beheerder\n"
    ) in output
    assert key.read_text().strip() not in output


def _serve_stops(tmp_path: Path, *args: str, **settings: str) -> str:
    """`intake serve` (or `args`) in `tmp_path`: exit 1, one line on stderr, no
    traceback, nothing made; the line."""
    return stops_with_one_line(tmp_path, serve_env(**settings), *args)


def test_serve_stops_with_a_clear_message_when_the_database_is_unreachable(tmp_path: Path) -> None:
    url = f"postgresql+asyncpg://nobody@127.0.0.1:{free_port()}/x"
    line = _serve_stops(tmp_path, DATABASE_URL=url)
    assert line.startswith(f"intake serve: the database at {url} is not reachable: ")
    assert line.endswith("; start PostgreSQL there, or correct DATABASE_URL")


@pytest.mark.postgres
def test_serve_names_a_postgres_database_that_does_not_exist(tmp_path: Path) -> None:
    missing = make_url(POSTGRES_URL).set(database=f"no_such_db_{uuid.uuid4().hex[:8]}")
    url = missing.render_as_string(hide_password=False)
    line = _serve_stops(tmp_path, DATABASE_URL=url)
    command = f"createdb -h {missing.host} -p {missing.port or 5432} -U {missing.username}"
    assert line == (
        f"intake serve: the database at {missing.render_as_string(hide_password=True)} "
        f"does not exist: make it with `{command} {missing.database}`, or correct DATABASE_URL"
    )


# The packaged flows and one broken file: what a loket editor's typo does.
_WITH_A_BROKEN_FLOW = """
import sys
from pathlib import Path

import flows.engine.library as library

packaged = library.definition_files()
library.definition_files = lambda: [*packaged, Path(sys.argv[1])]

from bot.cli import main

main(["serve"], prog_name="intake")
"""


def test_serve_stops_on_a_broken_flow_file(tmp_path: Path) -> None:
    broken = tmp_path / "broken.yaml"
    broken.write_text(GOOD.replace("next: place", "next: plaice"))
    line = _serve_stops(tmp_path, sys.executable, "-c", _WITH_A_BROKEN_FLOW, str(broken))
    assert line == (
        "intake serve: broken.yaml:12: node 'hello': 'next' goes to 'plaice', which is not "
        "a node; did you mean 'place'?; run `intake flows check` to see every problem"
    )
