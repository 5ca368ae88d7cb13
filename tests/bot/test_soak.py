"""The soak at a size that fits CI (tests/soak_run.py; `make bench` runs it at 200 web
and 100 Telegram people): two `intake serve` on one PostgreSQL database, database
backends terminated every few seconds, and still every intake stored once, every
person at the result, and no response a 500."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.soak_run import soak, soak_sizes


@pytest.mark.postgres
async def test_two_servers_under_database_faults_lose_nothing_and_show_no_500(
    tmp_path: Path,
) -> None:
    web, telegram = soak_sizes()
    result = await soak(tmp_path, web_people=web, telegram_people=telegram, kill_every=2.0)
    print("\n".join(result.lines()))
    assert result.failures == []
    assert result.statuses[500] == 0, result.lines()
    assert result.terminated > 0  # the faults did happen
    assert (result.web_done, result.telegram_done) == (web, telegram)
    assert result.stored == result.stored_people == web + telegram  # each intake once
