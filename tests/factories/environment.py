"""The real services a test may need (PostgreSQL, Chromium) and the test encryption
key: where they are, and whether this machine has them."""

from __future__ import annotations

import os
import shutil
import socket
from functools import cache
from urllib.parse import urlparse

POSTGRES_URL = os.environ.get(
    "TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
TEST_ENCRYPTION_KEY = "dGVzdC1lbmNyeXB0aW9uLWtleS0zMi1ieXRlcyEhISE="  # 32 bytes, base64


def services_required() -> bool:
    """Under CI (INTAKE_REQUIRE_SERVICES=1) a missing service fails a test instead of
    skipping it."""
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
