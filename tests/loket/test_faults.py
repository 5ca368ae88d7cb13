"""The dashboard when the database is gone or its pool stays full: a 503 page with
Retry-After in the dashboard's language (Dutch, or English when chosen), never a
bare 500, and a post changed nothing (it can be sent again); over https every
response also carries HSTS, over plain http never."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import httpx
import pytest

from loket.i18n import dashboard_translations
from storage.engine import PoolOptions
from tests.factories.dashboard import (
    BASE,
    Dashboard,
    World,
    build_app,
    fresh_dashboard,
    populate,
)
from tests.factories.databases import Backend
from tests.factories.faults import holding_the_pool, unreachable_engine
from webkit.headers import STRICT_TRANSPORT_SECURITY

TITLE = "Dat lukte even niet"
AGAIN = "Er is niets gewijzigd. Ga terug en verstuur het formulier over een paar seconden opnieuw."
HSTS = "strict-transport-security"


def assert_unavailable(answer: httpx.Response, locale: str = "nl") -> None:
    title = dashboard_translations(locale).gettext(TITLE)
    assert answer.status_code == 503, answer.status_code
    assert answer.headers["retry-after"] == "5"
    assert f'<html lang="{locale}">' in answer.text
    assert f"<h1>{title}</h1>" in answer.text
    assert "Internal Server Error" not in answer.text
    assert answer.headers["x-frame-options"] == "DENY"


async def notes_of(world: World, reference: str) -> list[str]:
    async with world.database.unit_of_work(write=False) as uow:
        return [note.text for note in await uow.pre_aanmeldingen.notes(reference)]


@contextlib.asynccontextmanager
async def database_gone(world: World) -> AsyncIterator[None]:
    """Every connection refused until the block ends (the pool too: a new engine)."""
    database = world.database
    working, database.engine = database.engine, unreachable_engine()
    try:
        yield
    finally:
        gone, database.engine = database.engine, working
        await gone.dispose()


async def test_a_request_while_the_database_is_gone(dashboard: Dashboard) -> None:
    await dashboard.login("park")
    reference = dashboard.world.references["parkstad"]
    page = f"/p/{reference}"
    token = await dashboard.csrf(page)
    note = {"csrf_token": token, "text": "Gebeld met de zus."}
    async with database_gone(dashboard.world):
        queue = await dashboard.client.get(BASE + "/queue")
        assert_unavailable(queue)
        assert "Opnieuw proberen" in queue.text and 'href="/loket/queue"' in queue.text
        posted = await dashboard.client.post(BASE + page + "/note", data=note)
        assert_unavailable(posted)
        assert AGAIN in posted.text
    assert await notes_of(dashboard.world, reference) == []  # the post changed nothing
    assert (await dashboard.client.post(BASE + page + "/note", data=note)).status_code == 303
    assert await notes_of(dashboard.world, reference) == ["Gebeld met de zus."]
    await dashboard.client.get(BASE + "/language/en?next=/loket/queue")
    async with database_gone(dashboard.world):
        assert_unavailable(await dashboard.client.get(BASE + "/queue"), "en")


async def test_a_full_pool_answers_503(backend: Backend) -> None:
    crowded = backend.database(pool=PoolOptions(size=1, max_overflow=0, timeout=0.2))
    dashboard = await fresh_dashboard(await populate(crowded, backend.clock))
    try:
        async with dashboard.client:
            await dashboard.login("park")
            async with holding_the_pool(crowded):
                assert_unavailable(await dashboard.client.get(BASE + "/queue"))
            assert (await dashboard.client.get(BASE + "/queue")).status_code == 200
    finally:
        await crowded.dispose()


@pytest.mark.parametrize("path", ["/loket/login", "/loket/static/loket.css", "/loket/nothing"])
async def test_hsts_over_https_only(world: World, path: str) -> None:
    transport = httpx.ASGITransport(app=build_app(world.database))
    async with httpx.AsyncClient(transport=transport, base_url="https://testserver") as tls:
        answer = await tls.get(path)
        assert answer.headers.get_list(HSTS) == [STRICT_TRANSPORT_SECURITY]
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as plain:
        assert HSTS not in (await plain.get(path)).headers
        proxied = await plain.get(path, headers={"X-Forwarded-Proto": "https"})
        assert proxied.headers[HSTS] == STRICT_TRANSPORT_SECURITY
