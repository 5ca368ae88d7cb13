"""The dashboard application: `create_loket_app(config, database)`, mounted at /loket
by `intake serve` (bot/app.py)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles

from flows.service_directory import ServiceDirectory, sample_directory
from intake.privacy import PrivacyService
from loket import (
    routes_admin,
    routes_auth,
    routes_case,
    routes_crisis,
    routes_drop_off,
    routes_privacy,
    routes_queue,
    routes_reports,
)
from loket.audit_trail import record_staff_action
from loket.config import LoketConfig
from loket.fault_page import add_dashboard_fault_pages
from loket.web import (
    Forbidden,
    LoginRequired,
    Loket,
    NotFound,
    redirect,
    render,
    visit,
)
from storage.database import Database
from webkit.csrf import CsrfRefused
from webkit.faults import Fault
from webkit.headers import SecurityHeaders, add_security_headers

__all__ = ["HEADERS", "create_loket_app"]

STATIC = Path(__file__).resolve().parent / "static"
# Only the dashboard's own script file (static/session.js: the idle warning, drafts);
# no inline script; no Referer header at all (URLs hold reference codes).
HEADERS = SecurityHeaders(scripts=True, referrer="no-referrer")


def create_loket_app(
    config: LoketConfig,
    database: Database,
    *,
    directory: ServiceDirectory | None = None,
    privacy: PrivacyService | None = None,
    on_fault: Callable[[Fault], None] | None = None,
    chat_url: str | None = None,
    wake_email: Callable[[], None] | None = None,
) -> FastAPI:
    """The dashboard on a database. The composition root (bot/app.py) makes `config`
    with `LoketConfig.build` from the settings and the `LOKET_*` environment (it refuses
    insecure cookies on a public address); the dashboard reads no settings itself.
    A failed request gets the dashboard's fault page (`on_fault` hears of it).
    `chat_url`: the web chat's public address, for links in the loket's messages;
    `wake_email`: called when a message queued an e-mail."""
    app = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    privacy = privacy or PrivacyService(database, secret_key=config.secret_key)  # alone: tests
    app.state.loket = Loket(
        config, database, directory or sample_directory(), privacy, chat_url, wake_email
    )
    for module in (
        routes_auth,
        routes_queue,
        routes_case,
        routes_crisis,
        routes_reports,
        routes_drop_off,
        routes_admin,
        routes_privacy,
    ):
        app.include_router(module.router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    add_security_headers(app, HEADERS, static="/static/")
    add_dashboard_fault_pages(app, HEADERS, on_fault)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, error: LoginRequired) -> Response:
        current = await visit(request)
        target = "/login?expired=1" if error.expired else "/login"
        back = _page_to_return_to(request)
        if back is not None:
            target += ("&" if "?" in target else "?") + "next=" + quote(back, safe="")
        return redirect(current, target)

    @app.exception_handler(Forbidden)
    async def forbidden(request: Request, _error: Forbidden) -> Response:
        return render(await visit(request), "error.html", {"kind": "forbidden"}, status=403)

    @app.exception_handler(NotFound)
    async def not_found(request: Request, _error: NotFound) -> Response:
        return render(await visit(request), "error.html", {"kind": "not_found"}, status=404)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, error: StarletteHTTPException) -> Response:
        kind = "not_found" if error.status_code == 404 else "error"
        return render(await visit(request), "error.html", {"kind": kind}, status=error.status_code)

    @app.exception_handler(CsrfRefused)
    async def csrf_refused(request: Request, _error: CsrfRefused) -> Response:
        current = await visit(request)
        if current.staff is not None:
            async with current.loket.database.unit_of_work() as uow:
                await record_staff_action(
                    uow,
                    current.staff.id,
                    "csrf_refused",
                    "request",
                    None,
                    {"path": request.url.path[:60]},
                )
        return render(current, "error.html", {"kind": "csrf"}, status=403)

    return app


def _page_to_return_to(request: Request) -> str | None:
    """The page to open after logging in: the page asked for, or for a form posted
    after the session ended, the case it was posted on (its draft is kept there)."""
    path = request.url.path
    if request.method == "GET":
        return path + (f"?{request.url.query}" if request.url.query else "")
    base = str(request.scope.get("root_path", "")).rstrip("/")
    parts = path[len(base) :].split("/") if path.startswith(base) else []
    if len(parts) >= 4 and parts[1] == "p":  # /p/<reference>/<action>
        return f"{base}/p/{parts[2]}"
    return None
