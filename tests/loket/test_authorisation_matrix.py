"""Every route for every role and region gives the expected answer, on SQLite and
PostgreSQL; a Parkstad medewerker never sees a Maastricht record, also not by
guessing URLs, reference codes or filters."""

from __future__ import annotations

import re

import pytest

from storage.audit import AuditFilter
from tests.factories.dashboard import BASE, Dashboard, fresh_dashboard

LOGIN = "login"  # a redirect to the login page
OK = "ok"  # allowed: a page, a download, or a redirect after a change
FORBIDDEN, NOT_FOUND = 403, 404

# (method, path with {park}/{maas} for the two pre-aanmeldingen, form data)
ROUTES: list[tuple[str, str, dict[str, str]]] = [
    ("GET", "/queue", {}),
    ("GET", "/queue?region=maastricht&status=all", {}),
    ("GET", "/p/{park}", {}),
    ("GET", "/p/{maas}", {}),
    ("POST", "/p/{park}/note", {"text": "Gebeld."}),
    ("POST", "/p/{maas}/note", {"text": "Gebeld."}),
    ("POST", "/p/{park}/assign", {"assignee": ""}),
    ("POST", "/p/{maas}/assign", {"assignee": ""}),
    ("POST", "/p/{park}/crisis", {"needed": "1"}),
    ("POST", "/p/{maas}/crisis", {"needed": "1"}),
    ("POST", "/p/{park}/status", {"status": "in_behandeling", "reason": "Opgepakt"}),
    ("POST", "/p/{maas}/status", {"status": "in_behandeling", "reason": "Opgepakt"}),
    ("POST", "/p/{park}/info", {"question": "Waar slaap je nu?"}),
    ("POST", "/p/{maas}/info", {"question": "Waar slaap je nu?"}),
    ("GET", "/reports", {}),
    ("GET", "/reports/chart.svg", {}),
    ("GET", "/reports/figures.csv", {}),
    ("GET", "/reports/confusion.csv", {}),
    ("GET", "/reports/figures.xlsx", {}),
    ("GET", "/reports/confusion.xlsx", {}),
    ("GET", "/drop-off", {}),
    ("GET", "/drop-off?from=2025-01-06&to=2025-03-30&language=nl&channel=web", {}),
    ("GET", "/audit", {}),
    ("GET", "/audit.csv", {}),
    ("GET", "/accounts", {}),
]


def without_path(page: str) -> str:
    return re.sub(r"next=[^\"]*", "next=", page)


def expected(role: str | None, path: str) -> str | int:
    if role is None:
        return LOGIN
    if path.startswith(("/queue", "/p/")):
        if role == "beheer":
            return FORBIDDEN
        if role == "park" and "{maas}" in path:
            return NOT_FOUND
        if role == "maas" and "{park}" in path:
            return NOT_FOUND
        return OK
    if path.startswith("/drop-off"):  # counts only: coordinators and beheerders
        return OK if role in ("coord", "beheer") else FORBIDDEN
    if path.startswith("/reports"):
        return OK if role == "coord" else FORBIDDEN
    return OK if role == "beheer" else FORBIDDEN


def outcome(status: int, location: str) -> str | int:
    if status == 303 and "/login" in location:
        return LOGIN
    if status in (200, 303, 409):  # 409: allowed, but the lifecycle refused the change
        return OK
    return status


@pytest.mark.parametrize("role", [None, "beheer", "coord", "park", "maas"])
async def test_every_route_for_every_role(world: object, role: str | None) -> None:
    from tests.factories.dashboard import World

    assert isinstance(world, World)
    dashboard = await fresh_dashboard(world)
    async with dashboard.client:
        if role is not None:
            assert (await dashboard.login(role)).status_code == 303
        refs = {"park": world.references["parkstad"], "maas": world.references["maastricht"]}
        wrong: list[str] = []
        for method, template, data in ROUTES:
            path = template.format(**refs)
            if method == "GET":
                answer = await dashboard.client.get(BASE + path)
            else:
                token = await dashboard.csrf("/login" if role is None else "/")
                answer = await dashboard.client.post(
                    BASE + path, data={"csrf_token": token, **data}
                )
            got = outcome(answer.status_code, answer.headers.get("location", ""))
            want = expected(role, template)
            if got != want:
                wrong.append(f"{method} {template}: expected {want}, got {got}")
            if role == "park" and answer.status_code == 200:
                assert f"/p/{refs['maas']}" not in answer.text, f"{path} links Maastricht"
        assert wrong == []


async def test_a_parkstad_medewerker_never_sees_maastricht(dashboard: Dashboard) -> None:
    await dashboard.login("park")
    maas = dashboard.world.references["maastricht"]
    guesses = [
        "/queue?status=all",
        "/queue?region=maastricht&status=all",
        f"/queue?q={maas}",
        f"/queue?q={maas.lower().replace('-', '')}",
        "/queue?product=housing&status=all",
        "/queue?view=unassigned&status=all",
    ]
    for path in guesses:
        page = await dashboard.client.get(BASE + path)
        assert page.status_code == 200
        assert f"/p/{maas}" not in page.text  # (a searched code is echoed in the form)
        assert "Maastricht" not in page.text
    # The counts do not give Maastricht away either: one record in scope, in total.
    page = await dashboard.client.get(BASE + "/queue?status=all")
    assert '<span class="count">1</span>' in page.text
    missing = await dashboard.client.get(BASE + "/p/LH-2222-22")
    for variant in (maas, maas.lower(), maas.replace("-", ""), "LH-0000-00", "x' OR 1=1 --"):
        answer = await dashboard.client.get(BASE + f"/p/{variant}")
        assert answer.status_code == 404
        # Exactly the page of a code that does not exist (apart from the echoed path).
        assert without_path(answer.text) == without_path(missing.text)
    async with dashboard.world.database.unit_of_work(write=False) as uow:
        refused = await uow.audit.find(AuditFilter(action="pre_aanmelding_not_found"))
        viewed = await uow.audit.find(AuditFilter(action="pre_aanmelding_viewed"))
        history = await uow.pre_aanmeldingen.history(maas)
        notes = await uow.pre_aanmeldingen.notes(maas)
    assert len(refused) == 6 and viewed == []
    assert len(history) == 1 and notes == []


async def test_a_disabled_account_is_out_at_its_next_request(dashboard: Dashboard) -> None:
    await dashboard.login("park")
    assert (await dashboard.client.get(BASE + "/queue")).status_code == 200
    async with dashboard.world.database.unit_of_work() as uow:
        await uow.staff.update(dashboard.world.accounts["park"].id, disabled=True)
    answer = await dashboard.client.get(BASE + "/queue")
    assert answer.status_code == 303 and "/login" in answer.headers["location"]
