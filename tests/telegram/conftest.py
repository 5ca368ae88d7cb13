"""Fixtures for the Telegram channel tests: the storage suite's databases, reused."""

from tests.storage.conftest import (  # noqa: F401 - fixtures
    backend,
    clock,
    database,
    postgres,
    postgres_schema,
    sqlite_template,
)
