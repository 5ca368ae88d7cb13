"""The dashboard's page when a request failed: the database was busy or away (503,
`Retry-After`: "that did not work just now, nothing was changed, try again in a few
seconds"), or a bug (500: "something went wrong, nothing was changed"). In the
dashboard's language (Dutch, or English when chosen), never a bare "Internal Server
Error" (`webkit.faults`).

It needs nothing that can fail: not the database, so not the visit either (the staff
member is not looked up; the page links to the start page and to the same page).
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import quote

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, Response

from loket.i18n import LANGUAGE_COOKIE, TEMPLATES, pick_locale
from loket.web import Loket
from storage.engine import DATABASE_ERRORS, fault_kind
from webkit.faults import Fault, add_fault_pages
from webkit.headers import SecurityHeaders

__all__ = ["add_dashboard_fault_pages", "dashboard_fault_page"]


async def dashboard_fault_page(request: Request, fault: Fault) -> Response:
    loket: Loket = request.app.state.loket
    locale = pick_locale(request.cookies.get(LANGUAGE_COOKIE), loket.config.default_locale)
    url = request.url
    here = url.path + (f"?{url.query}" if url.query else "")
    page = TEMPLATES.render(
        "error.html",
        locale,
        kind="unavailable" if fault.passing else "error",
        changes=fault.changes,
        base=str(request.scope.get("root_path", "")).rstrip("/"),
        staff=None,
        csrf_token="",
        path=url.path,
        here=quote(here, safe="/?=&"),
    )
    return HTMLResponse(page, status_code=fault.status)


def add_dashboard_fault_pages(
    app: FastAPI, headers: SecurityHeaders, on_fault: Callable[[Fault], None] | None = None
) -> None:
    add_fault_pages(
        app,
        dashboard_fault_page,
        kind_of=fault_kind,
        expected=DATABASE_ERRORS,
        headers=headers,
        on_fault=on_fault,
        app_name="dashboard",
    )
