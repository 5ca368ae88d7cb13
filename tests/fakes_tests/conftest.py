"""Fixtures for the fake Bot API's own tests."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from tests.fakes import FakeBotAPI


@pytest.fixture
async def api() -> AsyncIterator[FakeBotAPI]:
    async with FakeBotAPI() as fake:
        yield fake
