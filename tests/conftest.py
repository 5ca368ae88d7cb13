"""Shared test set-up: markers for the real services a test needs, and the test
encryption key.

A test marked `postgres` or `chromium` is skipped when that part is missing on a
developer's machine, and fails instead under CI (INTAKE_REQUIRE_SERVICES=1, set by
`.ci/run`), so a green CI run always includes them.

Every test process encrypts with `TEST_ENCRYPTION_KEY`: configured in this process
(an autouse fixture) and put in the environment, so `intake` subprocesses and CLI
commands use it too (a test of a missing key removes it from the subprocess's env).
"""

from __future__ import annotations

import os
import shutil
import socket
from functools import cache
from urllib.parse import urlparse

import pytest

from storage.column_types import SensitiveValueCodec
from storage.encryption import Keyring

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
TEST_ENCRYPTION_KEY = "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcyEhISE="  # 32 bytes, base64
os.environ["ENCRYPTION_KEY"] = TEST_ENCRYPTION_KEY
os.environ.pop("ENCRYPTION_KEYS_OLD", None)


@pytest.fixture(autouse=True, scope="session")
def _test_encryption_key() -> None:
    """The process's keyring, as `intake serve` configures it at start."""
    SensitiveValueCodec.configure(Keyring.from_texts(TEST_ENCRYPTION_KEY))


def services_required() -> bool:
    return os.environ.get("INTAKE_REQUIRE_SERVICES", "") not in ("", "0", "false")


@cache
def postgres_missing() -> str | None:
    url = urlparse(POSTGRES_URL.replace("+asyncpg", ""))
    try:
        with socket.create_connection((url.hostname or "127.0.0.1", url.port or 5432), timeout=2):
            return None
    except OSError as error:
        return f"PostgreSQL is not reachable at {url.hostname}:{url.port} ({error})"


@cache
def chromium_missing() -> str | None:
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        return f"Chromium is not installed at {CHROMIUM} (apt-get install chromium)"
    return None


def pytest_runtest_setup(item: pytest.Item) -> None:
    for marker, missing in (("postgres", postgres_missing), ("chromium", chromium_missing)):
        if item.get_closest_marker(marker) is None:
            continue
        reason = missing()
        if reason is None:
            continue
        if services_required():
            pytest.fail(f"{reason}; required under CI (INTAKE_REQUIRE_SERVICES=1)")
        pytest.skip(reason)
