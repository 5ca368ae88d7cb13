from __future__ import annotations

from tests.factories.dashboard import BASE, Dashboard


async def test_walk_through_every_page(dashboard: Dashboard) -> None:
    answer = await dashboard.login("coord")
    assert answer.status_code == 303, answer.text
    ref = dashboard.world.references["parkstad"]
    for path in ("/queue", f"/p/{ref}", "/reports", "/reports/chart.svg", "/reports/figures.csv"):
        page = await dashboard.client.get(BASE + path)
        assert page.status_code == 200, (path, page.text[:3000])
    answer = await dashboard.post(
        f"/p/{ref}/status", {"status": "in_behandeling", "reason": "ok"}, page=f"/p/{ref}"
    )
    assert answer.status_code == 303, answer.text
    page = await dashboard.client.get(BASE + f"/p/{ref}")
    assert "In behandeling" in page.text
