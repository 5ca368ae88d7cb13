"""Login, sessions and forms under attack or misuse: one generic message for every
failed login, lockout, single-use codes, expired and ended sessions, forged CSRF
tokens, cookie flags and security headers."""

from __future__ import annotations

import pytest

from bot.settings import Settings
from loket.config import InsecureCookiesRefused, LoketConfig, LoketSettings
from loket.totp import code_at
from storage.audit import AuditFilter
from storage.lifecycle import Status
from tests.factories.dashboard import BASE, Dashboard, fresh_dashboard

GENERIC = "Inloggen is niet gelukt."


def login_failed_page(text: str) -> str:
    """The part of a login page that could differ between failures."""
    start = text.index("<main")
    return text[start : text.index("</main>")].split('name="csrf_token"')[0]


async def test_every_failed_login_looks_the_same(dashboard: Dashboard) -> None:
    world = dashboard.world
    park = world.accounts["park"]
    wrong_password = await dashboard.login("park", password="wrong password!!")
    wrong_code = await dashboard.login("park", code="000000")
    world.accounts["nobody"] = park.__class__(0, "nobody", "medewerker", (), park.secret)
    unknown = await dashboard.login("nobody")
    pages = [wrong_password, wrong_code, unknown]
    assert {page.status_code for page in pages} == {401}
    assert all(GENERIC in page.text for page in pages)
    assert len({login_failed_page(page.text) for page in pages}) == 1
    async with world.database.unit_of_work(write=False) as uow:
        failed = await uow.audit.find(AuditFilter(action="login_failed"))
    reasons = sorted(str(event.details["reason"]) for event in failed)
    assert reasons == ["code", "password", "unknown_account"]
    assert all("nobody" not in str(event.details) for event in failed)


async def test_lockout_after_five_failures_then_open_again(dashboard: Dashboard) -> None:
    world = dashboard.world
    for _ in range(5):
        assert (await dashboard.login("park", code="123456")).status_code == 401
    locked = await dashboard.login("park")  # the right password and code
    assert locked.status_code == 401 and GENERIC in locked.text
    world.clock.advance(minutes=16)
    assert (await dashboard.login("park")).status_code == 303
    async with world.database.unit_of_work(write=False) as uow:
        events = await uow.audit.find(AuditFilter(subject_type="staff_user"))
    newest_failure = next(e for e in events if e.action == "login_failed")
    assert newest_failure.details["reason"] == "locked"


async def test_a_totp_code_works_once(dashboard: Dashboard) -> None:
    world = dashboard.world
    code = code_at(world.accounts["coord"].secret, world.clock.now)
    assert (await dashboard.login("coord", code=code)).status_code == 303
    other = await fresh_dashboard(world)
    async with other.client:
        replay = await other.login("coord", code=code)
    assert replay.status_code == 401


async def test_the_session_cookie_flags(dashboard: Dashboard) -> None:
    answer = await dashboard.login("park")
    cookie = answer.headers["set-cookie"]
    for flag in ("Secure", "HttpOnly", "SameSite=strict", "Path=/loket", "Max-Age=1800"):
        assert flag.lower() in cookie.lower(), cookie
    page = await dashboard.client.get(BASE + "/queue")
    headers = page.headers
    assert "default-src 'none'" in headers["content-security-policy"]
    assert headers["x-frame-options"] == "DENY"
    assert headers["cache-control"] == "no-store"


def test_insecure_cookies_only_on_the_local_machine() -> None:
    insecure = LoketSettings(secure_cookies=False)
    assert not LoketConfig.build(secret_key="k", host="127.0.0.1", settings=insecure).secure_cookies
    with pytest.raises(InsecureCookiesRefused):
        LoketConfig.build(secret_key="k", host="0.0.0.0", settings=insecure)
    assert LoketConfig.build(secret_key="k", host="0.0.0.0").secure_cookies
    assert Settings().host == "127.0.0.1"


async def test_an_idle_session_expires(dashboard: Dashboard) -> None:
    world = dashboard.world
    await dashboard.login("park")
    token = await dashboard.csrf("/queue")
    world.clock.advance(minutes=31)
    page = await dashboard.client.get(BASE + "/queue")
    assert page.status_code == 303 and "/login?expired=1" in page.headers["location"]
    ref = world.references["parkstad"]
    answer = await dashboard.client.post(
        BASE + f"/p/{ref}/note", data={"csrf_token": token, "text": "te laat"}
    )
    assert answer.status_code in (303, 403)
    assert "/p/" not in answer.headers.get("location", "")
    login = await dashboard.client.get(BASE + "/login?expired=1")
    assert "Je sessie is verlopen" in login.text
    async with world.database.unit_of_work(write=False) as uow:
        assert await uow.pre_aanmeldingen.notes(ref) == []


async def test_activity_keeps_a_session_alive(dashboard: Dashboard) -> None:
    await dashboard.login("park")
    for _ in range(4):
        dashboard.world.clock.advance(minutes=20)
        assert (await dashboard.client.get(BASE + "/queue")).status_code == 200
    dashboard.world.clock.advance(hours=12)
    assert (await dashboard.client.get(BASE + "/queue")).status_code == 303


async def test_logging_out_ends_the_session_for_a_copied_cookie(dashboard: Dashboard) -> None:
    await dashboard.login("park")
    stolen = dict(dashboard.client.cookies)
    token = await dashboard.csrf("/queue")
    answer = await dashboard.client.post(BASE + "/logout", data={"csrf_token": token})
    assert answer.status_code == 303
    other = await fresh_dashboard(dashboard.world)
    async with other.client:
        other.client.cookies.update(stolen)
        page = await other.client.get(BASE + "/queue")
    assert page.status_code == 303 and "/login" in page.headers["location"]


@pytest.mark.parametrize("token", ["", "forged-token", None])
async def test_a_forged_csrf_token_changes_nothing(dashboard: Dashboard, token: str | None) -> None:
    world = dashboard.world
    await dashboard.login("park")
    ref = world.references["parkstad"]
    forms = {
        "status": {"status": "in_behandeling", "reason": "x"},
        "note": {"text": "x"},
        "assign": {"assignee": str(world.accounts["park"].id)},
        "crisis": {"needed": "1"},
        "info": {"question": "x"},
    }
    for action, data in forms.items():
        body = dict(data) if token is None else {"csrf_token": token, **data}
        answer = await dashboard.client.post(BASE + f"/p/{ref}/{action}", data=body)
        assert answer.status_code == 403
        assert "Er is niets gewijzigd" in answer.text
    async with world.database.unit_of_work(write=False) as uow:
        item = await uow.pre_aanmeldingen.get(ref)
        assert item is not None and item.status is Status.NIEUW
        assert item.assigned_staff_id is None and not item.crisis_follow_up
        assert await uow.pre_aanmeldingen.notes(ref) == []
        assert await uow.outbox.pending_count() == 0
        refused = await uow.audit.find(AuditFilter(action="csrf_refused"))
    assert len(refused) == len(forms)


async def test_the_login_form_needs_its_csrf_token(dashboard: Dashboard) -> None:
    account = dashboard.world.accounts["park"]
    answer = await dashboard.client.post(
        BASE + "/login",
        data={
            "username": "park",
            "password": "correct horse battery staple",
            "code": code_at(account.secret, dashboard.world.clock.now),
        },
    )
    assert answer.status_code == 403
    assert (await dashboard.client.get(BASE + "/queue")).status_code == 303


async def test_a_session_cookie_signed_with_another_key_is_ignored(dashboard: Dashboard) -> None:
    from itsdangerous import URLSafeSerializer

    park = dashboard.world.accounts["park"]
    now = dashboard.world.clock.now.timestamp()
    forged = URLSafeSerializer("guessed-key", salt="loket-session-v1").dumps(
        ["sid", "csrf", now, park.id, now, "x"]
    )
    dashboard.client.cookies.set("loket_session", forged)
    page = await dashboard.client.get(BASE + "/queue")
    assert page.status_code == 303 and "/login" in page.headers["location"]
