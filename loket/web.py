"""What every dashboard request shares: the dashboard's state, the visit (session,
staff member, language; the dependency `visit`), a post's form after its CSRF check
(the dependency `csrf_form`), rendering pages, and the refusals (login required, no
permission, not found, forged form: `webkit.csrf.CsrfRefused`) that the app turns
into pages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData

from flows.service_directory import ServiceDirectory, sample_directory
from intake.privacy import PrivacyService
from intake.way_back import WayBack
from loket.access import Permission, Staff
from loket.config import LoketConfig
from loket.i18n import LANGUAGE_COOKIE, TEMPLATES, pick_locale
from loket.login_guard import AddressThrottle, last_logout
from loket.sessions import (
    COOKIE_NAME,
    SessionCodec,
    SessionData,
    SessionState,
    credentials_fingerprint,
)
from storage.database import Database
from storage.reference_codes import normalise_reference_code
from storage.staff import StaffUser
from storage.tables import STAFF_ROLES
from storage.unit_of_work import UnitOfWork
from webkit.csrf import CsrfRefused, tokens_match

__all__ = [
    "Forbidden",
    "LoginRequired",
    "Loket",
    "NotFound",
    "Visit",
    "case_reference",
    "csrf_form",
    "form_text",
    "idle_times",
    "redirect",
    "render",
    "visit",
]


@dataclass
class Loket:
    """The dashboard's state, one per application."""

    config: LoketConfig
    database: Database
    # The operator's service data: the loket's phone and e-mail in messages to people.
    directory: ServiceDirectory = field(default_factory=sample_directory)
    # The process's one privacy service (access copies, erasure); made here if none.
    privacy: PrivacyService | None = None
    # The web chat's public address: the loket's messages link to its inbox.
    chat_url: str | None = None
    wake_email: Callable[[], None] | None = None  # an e-mail was queued
    codec: SessionCodec = field(init=False)
    throttle: AddressThrottle = field(init=False)
    way_back: WayBack = field(init=False)

    def __post_init__(self) -> None:
        config = self.config
        self.way_back = WayBack(
            secret_key=config.secret_key,
            chat_url=self.chat_url,
            directory=self.directory,
            wake_email=self.wake_email,
        )
        self.codec = SessionCodec(
            config.secret_key, idle=config.idle_timeout, maximum=config.max_session
        )
        self.throttle = AddressThrottle(config.attempts_per_address, config.lockout_window)

    def now(self) -> datetime:
        return self.database.clock()


class LoginRequired(Exception):
    def __init__(self, expired: bool) -> None:
        self.expired = expired


class Forbidden(Exception):
    pass


class NotFound(Exception):
    pass


def case_reference(reference: str) -> str:
    """The reference code of a case page's URL; `NotFound` when it cannot be one."""
    code = normalise_reference_code(reference)
    if code is None:
        raise NotFound()
    return code


@dataclass
class Visit:
    request: Request
    loket: Loket
    session: SessionData
    staff: Staff | None
    locale: str
    expired: bool = False

    @property
    def base(self) -> str:
        """The path the dashboard is mounted at ("/loket"; "" when run on its own)."""
        return str(self.request.scope.get("root_path", "")).rstrip("/")

    def require(self, permission: Permission | None = None) -> Staff:
        """The logged-in staff member; refuse when not logged in or not permitted."""
        if self.staff is None:
            raise LoginRequired(self.expired)
        if permission is not None and not self.staff.may(permission):
            raise Forbidden()
        return self.staff

    def set_cookies(self, response: Response) -> None:
        config = self.loket.config
        response.set_cookie(
            COOKIE_NAME,
            self.loket.codec.dump(self.session.touched(self.loket.now())),
            max_age=int(config.idle_timeout.total_seconds()),
            path=self.base or "/",
            secure=config.secure_cookies,
            httponly=True,
            samesite="strict",
        )


async def visit(request: Request) -> Visit:
    """Who is asking: the session from the cookie (renewed), the staff member when
    logged in and still allowed in, and the language."""
    existing: Visit | None = getattr(request.state, "visit", None)
    if existing is not None:
        return existing
    loket: Loket = request.app.state.loket
    now = loket.now()
    data = loket.codec.load(request.cookies.get(COOKIE_NAME))
    state = loket.codec.state(data, now)
    staff: Staff | None = None
    expired = state == SessionState.EXPIRED
    if state == SessionState.ACTIVE and data is not None and data.uid is not None:
        uid = data.uid

        async def account(uow: UnitOfWork) -> tuple[StaffUser | None, int | None]:
            return await uow.staff.get(uid), await last_logout(uow, uid)

        user, logged_out = await loket.database.run(account, write=False)
        if (
            user is not None
            and not user.disabled
            and user.role in STAFF_ROLES
            and data.credentials == credentials_fingerprint(user.password_hash, user.totp_secret)
            and data.login_event is not None
            and (logged_out is None or logged_out < data.login_event)
        ):
            staff = Staff.of(user)
        else:
            expired = True
    if staff is None and (data is None or data.uid is not None or state == SessionState.NONE):
        data = SessionData.anonymous(now)
    assert data is not None
    locale = pick_locale(request.cookies.get(LANGUAGE_COOKIE), loket.config.default_locale)
    result = Visit(request, loket, data, staff, locale, expired)
    request.state.visit = result
    return result


async def csrf_form(current: Annotated[Visit, Depends(visit)]) -> FormData:
    """The posted form, after its CSRF token matched the session's (`CsrfRefused`
    otherwise). A dependency; the actions (`loket.actions`) call it after the login
    and permission checks."""
    form = await current.request.form()
    if not tokens_match(current.session.csrf, form.get("csrf_token")):
        raise CsrfRefused()
    return form


# The idle logout warns this long before (or halfway, for a very short timeout).
IDLE_WARNING = timedelta(minutes=2)


def idle_times(idle: timedelta) -> dict[str, int]:
    """When the page warns of the idle logout: the timeout and the warning's lead, in
    seconds, and the lead in whole minutes for the text."""
    idle_seconds = int(idle.total_seconds())
    warn = min(int(IDLE_WARNING.total_seconds()), idle_seconds // 2)
    return {
        "idle_seconds": idle_seconds,
        "warn_seconds": warn,
        "warn_minutes": max(1, round(warn / 60)),
    }


def render(
    current: Visit,
    template: str,
    context: Mapping[str, Any] | None = None,
    *,
    status: int = 200,
) -> HTMLResponse:
    page = TEMPLATES.render(
        template,
        current.locale,
        **{
            "base": current.base,
            "staff": current.staff,
            "csrf_token": current.session.csrf,
            "path": current.request.url.path,
            "here": quote(_here(current), safe="/?=&"),
            **idle_times(current.loket.config.idle_timeout),
            **(context or {}),
        },
    )
    response = HTMLResponse(page, status_code=status)
    current.set_cookies(response)
    return response


def _here(current: Visit) -> str:
    url = current.request.url
    return url.path + (f"?{url.query}" if url.query else "")


def redirect(current: Visit, to: str) -> RedirectResponse:
    """303 See Other to a dashboard path (e.g. "/queue"), keeping the session fresh."""
    response = RedirectResponse(current.base + to, status_code=303)
    current.set_cookies(response)
    return response


def form_text(form: FormData, name: str, *, limit: int = 4000) -> str:
    value = form.get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""
