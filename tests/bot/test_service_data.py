"""`intake serve` and the operator's service data: production refuses to start
without the real data (naming what is missing), and a bad file is named with its
line; development runs on the marked sample."""

from __future__ import annotations

import subprocess
from pathlib import Path

from tests.factories.service_data import REAL, SHELTERS
from tests.serving import INTAKE, first_answer, running_serve, serve_env


def _serve_fails(tmp_path: Path, **settings: str) -> str:
    env = serve_env(**settings)
    done = subprocess.run(
        [str(INTAKE), "serve"], cwd=tmp_path, env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "var").exists(), "a refused start creates nothing"
    return done.stderr


def test_production_without_service_data_refuses_to_start(tmp_path: Path) -> None:
    err = _serve_fails(tmp_path, ENVIRONMENT="production")
    assert "intake serve: SERVICE_DIRECTORY_FILE is not set" in err
    assert "phone" in err and "night shelter" in err


def test_production_refuses_the_sample_data(tmp_path: Path) -> None:
    sample = Path("flows/data/service_directory.sample.yaml").resolve()
    err = _serve_fails(tmp_path, ENVIRONMENT="production", SERVICE_DIRECTORY_FILE=str(sample))
    assert "holds sample data ('sample: true')" in err


def test_production_names_what_is_missing(tmp_path: Path) -> None:
    services = tmp_path / "services.yaml"
    services.write_text(REAL.replace("    services:\n%s", "    services: []\n"))
    err = _serve_fails(tmp_path, ENVIRONMENT="production", SERVICE_DIRECTORY_FILE=str(services))
    assert f"{services}: a night shelter with address or phone for region maastricht" in err


def test_a_bad_phone_number_is_named_with_file_and_line(tmp_path: Path) -> None:
    services = tmp_path / "services.yaml"
    services.write_text((REAL % SHELTERS).replace('"045 123 4567"', '"045-12"'))
    err = _serve_fails(tmp_path, SERVICE_DIRECTORY_FILE=str(services))
    assert f"intake serve: {services}:8: " in err and "'045-12' has the wrong number" in err


def test_a_missing_file_is_named(tmp_path: Path) -> None:
    err = _serve_fails(tmp_path, SERVICE_DIRECTORY_FILE=str(tmp_path / "nope.yaml"))
    assert "SERVICE_DIRECTORY_FILE: cannot read" in err and "nope.yaml" in err


def test_production_starts_with_complete_data(tmp_path: Path) -> None:
    services = tmp_path / "services.yaml"
    services.write_text(REAL % SHELTERS)
    env = serve_env(
        ENVIRONMENT="production",
        SERVICE_DIRECTORY_FILE=str(services),
        MAIL_FOLDER=str(tmp_path / "mail"),  # e-mail chosen on purpose (docs/operations.md)
        SECRET_KEY="a-test-secret-key-of-enough-length-0123456789",
    )
    with running_serve(tmp_path, env) as process:
        answer = first_answer(process, f"http://127.0.0.1:{env['PORT']}/healthz")
        assert answer is not None and answer.status_code == 200
