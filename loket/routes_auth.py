"""Logging in (username, password and TOTP code on one form), logging out, and the
dashboard language."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from starlette.datastructures import FormData

from loket import totp
from loket.access import Role
from loket.audit_trail import STAFF_USER, record_staff_action, record_system_event
from loket.i18n import DASHBOARD_LOCALES, LANGUAGE_COOKIE
from loket.login_guard import LOGIN_FAILED, LOGIN_SUCCEEDED, LOGOUT, is_locked, last_totp_step
from loket.passwords import verify_password
from loket.sessions import COOKIE_NAME, credentials_fingerprint
from loket.web import Visit, csrf_form, form_text, redirect, render, visit
from webkit.rate_limits import client_address

__all__ = ["home_for", "router", "safe_next"]

router = APIRouter()


def home_for(role: Role) -> str:
    return "/audit" if role is Role.BEHEERDER else "/queue"


def safe_next(value: str | None, base: str) -> str | None:
    """A dashboard path to go back to after logging in; anything else is dropped."""
    if not value or not value.startswith(f"{base}/") or "//" in value or "\\" in value:
        return None
    return value[len(base) :]


@router.get("/")
async def index(request: Request) -> Response:
    current = await visit(request)
    if current.staff is None:
        return redirect(current, "/login")
    return redirect(current, home_for(current.staff.role))


@router.get("/login")
async def login_form(request: Request) -> Response:
    current = await visit(request)
    if current.staff is not None:
        # Still logged in (another tab kept the session): back to where it was.
        back = safe_next(request.query_params.get("next"), current.base)
        return redirect(current, back or home_for(current.staff.role))
    return render(
        current,
        "login.html",
        {
            "expired": current.expired or request.query_params.get("expired") == "1",
            "next": request.query_params.get("next", ""),
        },
    )


async def _attempt(current: Visit, username: str, password: str, code: str) -> int | None:
    """The id of the staff member when every check passes; audit either way."""
    loket = current.loket
    config = loket.config
    now = loket.now()
    async with loket.database.unit_of_work() as uow:
        user = await uow.staff.by_username(username) if username else None
        if user is None or user.disabled:
            verify_password(None, password)  # as slow as a real check
            why = "disabled" if user is not None else "unknown_account"
            subject = None if user is None else user.id
            await record_system_event(uow, LOGIN_FAILED, STAFF_USER, subject, {"reason": why})
            return None
        if await is_locked(
            uow, user.id, now, failures=config.lockout_failures, window=config.lockout_window
        ):
            verify_password(None, password)
            await record_system_event(uow, LOGIN_FAILED, STAFF_USER, user.id, {"reason": "locked"})
            return None
        reason: str | None = None
        step: int | None = None
        if not verify_password(user.password_hash, password):
            reason = "password"
        elif user.totp_secret is None:
            reason = "no_second_factor"
        else:
            step = totp.verify(
                user.totp_secret, code, now, last_step=await last_totp_step(uow, user.id)
            )
            if step is None:
                reason = "code"
        if reason is not None or step is None:
            await record_system_event(uow, LOGIN_FAILED, STAFF_USER, user.id, {"reason": reason})
            return None
        event = await record_staff_action(
            uow, user.id, LOGIN_SUCCEEDED, STAFF_USER, user.id, {"totp_step": step}
        )
        current.session = current.session.logged_in(
            user.id, credentials_fingerprint(user.password_hash, user.totp_secret), event, now
        )
        return user.id


@router.post("/login")
async def login(
    current: Annotated[Visit, Depends(visit)], form: Annotated[FormData, Depends(csrf_form)]
) -> Response:
    username = form_text(form, "username", limit=100)
    password = form_text(form, "password", limit=1000)
    code = form_text(form, "code", limit=20)
    next_path = safe_next(form_text(form, "next", limit=500), current.base)
    allowed = current.loket.throttle.allow(client_address(current.request), current.loket.now())
    staff_id = await _attempt(current, username, password, code) if allowed else None
    if staff_id is None:
        return render(current, "login.html", {"failed": True, "next": next_path or ""}, status=401)
    async with current.loket.database.unit_of_work(write=False) as uow:
        user = await uow.staff.get(staff_id)
    assert user is not None
    role = Role(user.role)
    target = next_path or home_for(role)
    return redirect(current, target)


@router.post("/session/keepalive", dependencies=[Depends(csrf_form)])
async def keepalive(current: Annotated[Visit, Depends(visit)]) -> Response:
    """ "Ingelogd blijven": a request that renews the session (204), or 401 when it has
    already ended. Changes nothing else and is not audited (any page view does the same)."""
    if current.staff is None:
        return Response(status_code=401)
    response = Response(status_code=204)
    current.set_cookies(response)
    return response


@router.post("/logout", dependencies=[Depends(csrf_form)])
async def logout(current: Annotated[Visit, Depends(visit)]) -> Response:
    if current.staff is not None:
        loket = current.loket
        async with loket.database.unit_of_work() as uow:
            await record_staff_action(uow, current.staff.id, LOGOUT, STAFF_USER, current.staff.id)
    response = RedirectResponse(current.base + "/login", status_code=303)
    response.delete_cookie(COOKIE_NAME, path=current.base or "/")
    return response


@router.get("/language/{locale}")
async def language(request: Request, locale: str) -> Response:
    """Switch the dashboard language (a preference cookie; no data changes)."""
    current = await visit(request)
    target = safe_next(request.query_params.get("next"), current.base) or "/"
    response = redirect(current, target)
    if locale in DASHBOARD_LOCALES:
        response.set_cookie(
            LANGUAGE_COOKIE,
            locale,
            max_age=365 * 24 * 3600,
            path=current.base or "/",
            secure=current.loket.config.secure_cookies,
            httponly=True,
            samesite="strict",
        )
    return response
