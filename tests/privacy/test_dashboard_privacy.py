"""Privacy requests in the dashboard: who may do what, the access copy (coordinator),
erasure by reference typed twice (coordinator or beheerder), the chat's erasure
requests as a flag in the queue and on the case, declining one, finding a person by
name and birth date, and the handover that starts retention. All audited, with no
name or free text in the audit log."""

from __future__ import annotations

import pytest

from storage.audit import AuditFilter
from storage.lifecycle import Status
from tests.factories.dashboard import BASE, Dashboard, World

pytestmark = pytest.mark.parametrize("world", ["sqlite"], indirect=True)


async def audit_actions(world: World) -> list[tuple[str, str | None, dict[str, object]]]:
    async with world.database.unit_of_work(write=False) as uow:
        events = await uow.audit.find(AuditFilter())
    return [(e.action, e.subject_id, dict(e.details)) for e in events]


@pytest.mark.parametrize(
    ("role", "copy", "privacy_page"),
    [("coord", 200, 200), ("beheer", 403, 200), ("park", 403, 403)],
)
async def test_who_may_use_the_privacy_pages(
    dashboard: Dashboard, role: str, copy: int, privacy_page: int
) -> None:
    await dashboard.login(role)
    park = dashboard.world.references["parkstad"]
    assert (await dashboard.client.get(f"{BASE}/p/{park}/privacy")).status_code == copy
    assert (await dashboard.client.get(f"{BASE}/privacy")).status_code == privacy_page


async def test_the_access_copy_for_staff(dashboard: Dashboard) -> None:
    await dashboard.login("coord")
    park = dashboard.world.references["parkstad"]
    page = await dashboard.client.get(f"{BASE}/p/{park}/privacy")
    assert "Jan de Vries" in page.text and "Ik slaap bij mijn zus op de bank." in page.text
    download = await dashboard.client.get(f"{BASE}/p/{park}/privacy?download=1")
    assert download.headers["content-type"].startswith("text/plain")
    assert "attachment" in download.headers["content-disposition"]
    assert "Jan de Vries" in download.text
    made = [a for a in await audit_actions(dashboard.world) if a[0] == "access_copy_made"]
    assert len(made) == 2 and made[0][1] == park
    missing = await dashboard.client.get(f"{BASE}/p/LH-2222-22/privacy")
    assert missing.status_code == 404


async def test_erasure_needs_the_reference_twice_and_leaves_no_trace(
    dashboard: Dashboard,
) -> None:
    await dashboard.login("beheer")
    park = dashboard.world.references["parkstad"]
    wrong = await dashboard.post("/privacy/erase", {"reference": park, "confirm": "LH-0000-00"})
    assert wrong.status_code == 409
    unknown = await dashboard.post(
        "/privacy/erase", {"reference": "LH-2222-22", "confirm": "lh 2222 22"}
    )
    assert unknown.status_code == 404
    done = await dashboard.post("/privacy/erase", {"reference": park, "confirm": park.lower()})
    assert done.status_code == 303 and done.headers["location"].endswith("done=erased")
    async with dashboard.world.database.unit_of_work(write=False) as uow:
        assert await uow.pre_aanmeldingen.get(park) is None
        assert await uow.pre_aanmeldingen.get(dashboard.world.references["maastricht"])
    actions = await audit_actions(dashboard.world)
    [erased] = [a for a in actions if a[0] == "person_erased"]
    assert erased[1] is None and "Jan" not in str(erased[2])
    assert all(subject != park for _, subject, _ in actions)


async def test_an_erasure_request_from_the_chat_is_flagged_and_can_be_declined(
    dashboard: Dashboard,
) -> None:
    park = dashboard.world.references["parkstad"]
    async with dashboard.world.database.unit_of_work() as uow:
        await uow.pre_aanmeldingen.request_erasure(park)
    await dashboard.login("coord")
    queue = await dashboard.client.get(f"{BASE}/queue?view=erasure&status=all")
    assert park in queue.text and "Wisverzoek" in queue.text
    assert dashboard.world.references["maastricht"] not in queue.text
    case = await dashboard.client.get(f"{BASE}/p/{park}")
    assert "vroeg op" in case.text
    listed = await dashboard.client.get(f"{BASE}/privacy")
    assert park in listed.text
    declined = await dashboard.post(f"/p/{park}/erasure-declined", {}, page="/privacy")
    assert declined.status_code == 303
    async with dashboard.world.database.unit_of_work(write=False) as uow:
        item = await uow.pre_aanmeldingen.get(park)
    assert item is not None and item.erasure_requested_at is None
    assert ("erasure_request_declined", park, {}) in await audit_actions(dashboard.world)


async def test_finding_a_person_by_name_and_birth_date(dashboard: Dashboard) -> None:
    await dashboard.login("coord")
    park = dashboard.world.references["parkstad"]
    found = await dashboard.post(
        "/privacy/find", {"name": "J. de Vries", "birth_date": "1990-05-17"}, page="/privacy"
    )
    assert found.status_code == 200 and park in found.text
    assert dashboard.world.references["maastricht"] not in found.text  # Piet Jansen
    none = await dashboard.post(
        "/privacy/find", {"name": "Jan de Vries", "birth_date": "1991-05-17"}, page="/privacy"
    )
    assert park not in none.text and "Geen aanmeldingen gevonden" in none.text
    lookups = [a for a in await audit_actions(dashboard.world) if a[0] == "privacy_lookup"]
    assert [a[2] for a in lookups] == [{"found": 0}, {"found": 1}]
    assert all("Vries" not in str(a) for a in lookups)


async def test_the_handover_of_an_accepted_case(dashboard: Dashboard) -> None:
    park = dashboard.world.references["parkstad"]
    staff_id = dashboard.world.accounts["coord"].id
    async with dashboard.world.database.unit_of_work() as uow:
        for status in (Status.IN_BEHANDELING, Status.INTAKE_GEPLAND):
            await uow.pre_aanmeldingen.transition(park, status, staff_user_id=staff_id, reason="x")
    await dashboard.login("park")
    early = await dashboard.post(f"/p/{park}/handover", {}, page=f"/p/{park}")
    assert early.status_code == 303 and "done=handover" not in early.headers["location"]
    async with dashboard.world.database.unit_of_work() as uow:
        await uow.pre_aanmeldingen.transition(
            park, Status.GEACCEPTEERD, staff_user_id=staff_id, reason="x", product="housing"
        )
    case = await dashboard.client.get(f"{BASE}/p/{park}")
    assert "Overgedragen aan het cliëntsysteem" in case.text
    done = await dashboard.post(f"/p/{park}/handover", {}, page=f"/p/{park}")
    assert done.headers["location"].endswith("done=handover")
    async with dashboard.world.database.unit_of_work(write=False) as uow:
        item = await uow.pre_aanmeldingen.get(park)
    assert item is not None and item.handed_over_at is not None
    maas = dashboard.world.references["maastricht"]
    outside = await dashboard.post(f"/p/{maas}/handover", {}, page=f"/p/{park}")
    assert outside.status_code == 404
