"""The dashboard in Dutch and English; the language link cannot be turned into a
redirect to another site."""

from __future__ import annotations

from tests.factories.dashboard import BASE, Dashboard


async def test_english_after_choosing_it(dashboard: Dashboard) -> None:
    await dashboard.login("park")
    dutch = await dashboard.client.get(BASE + "/queue")
    assert '<html lang="nl">' in dutch.text and "Wachtrij" in dutch.text
    switched = await dashboard.client.get(BASE + "/language/en?next=/loket/queue")
    assert switched.status_code == 303 and switched.headers["location"] == "/loket/queue"
    english = await dashboard.client.get(BASE + "/queue")
    assert '<html lang="en">' in english.text
    for text in ("Queue", "Counts per status", "Submitted by", "Log out"):
        assert text in english.text, text
    ref = dashboard.world.references["parkstad"]
    detail = await dashboard.client.get(BASE + f"/p/{ref}")
    assert "The bot's advice" in detail.text and "Status history" in detail.text


async def test_the_language_link_stays_on_the_dashboard(dashboard: Dashboard) -> None:
    for target in ("https://evil.example/", "//evil.example/loket/", "/loket/../x", "/other"):
        answer = await dashboard.client.get(BASE + "/language/en", params={"next": target})
        assert answer.headers["location"] in ("/loket/", "/loket/../x")
        assert "evil" not in answer.headers["location"]
    odd = await dashboard.client.get(BASE + "/language/xx?next=/loket/login")
    assert "loket_lang" not in odd.headers.get("set-cookie", "")
