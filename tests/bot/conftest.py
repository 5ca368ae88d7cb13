"""Database fixtures for the service and channel tests: the storage suite's, reused."""

from tests.storage.conftest import (  # noqa: F401 - fixtures
    backend,
    clock,
    database,
    postgres_schema,
    sqlite_template,
)
