"""The web chat's page when something failed: "that did not work just now, your
answers are not lost, try again in a few seconds", in the person's language, never a
bare "Internal Server Error" (`webkit.faults`).

The page needs nothing that can fail: no database. Its language is the chat's, from
the cookie (the page last shown), else the language of the page the post came from,
else the browser's `Accept-Language`. A failed post changed nothing (its unit of work
was rolled back, or, when the connection broke during the commit, its form id makes a
second try count once), so the page offers to send it again as it was, a typed answer
in a field to change; with the page's script the answer is a notice instead and the
form keeps what was typed. A busy or unavailable database answers 503 with
`Retry-After`; a bug 500, the same page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from fastapi import FastAPI, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response

from bot.web import wording
from bot.web.pages import render_template
from bot.web.routes import HEADERS, ChatPost, WebChatRoutes, accepted_locale
from flows.texts import Text
from locales import render
from locales.languages import match_locale
from storage.engine import DATABASE_ERRORS, fault_kind
from webkit.faults import Fault, add_fault_pages

__all__ = ["add_chat_fault_pages", "chat_fault_page"]

# The posts a fault page may offer to send again, and the fields of their forms.
_RESENDABLE = ("/chat", "/chat/resume", "/chat/new")
_FIELDS = frozenset(
    {"csrf", "form_id", "page_locale", "action", "token", "option", "options"}
    | {"command", "language", "code"}
)


@dataclass(frozen=True)
class Resend:
    action: str
    hidden: tuple[tuple[str, str], ...]
    text: str | None  # a typed answer, shown in a field
    max_length: int
    say: str
    button: str


def fault_locale(request: Request, routes: WebChatRoutes) -> str:
    """The chat's language without asking the database."""
    visit = routes.visit(request)
    if visit.locale:
        return visit.locale
    post: ChatPost | None = getattr(request.state, "chat_post", None)
    if post is not None:
        posted = match_locale(post.first("page_locale"), "")
        if posted:
            return posted
    default = routes.config.default_locale
    return accepted_locale(request.headers.get("accept-language"), default)


def _resend(request: Request, routes: WebChatRoutes, locale: str) -> Resend | None:
    post: ChatPost | None = getattr(request.state, "chat_post", None)
    if post is None or post.too_large or request.url.path not in _RESENDABLE:
        return None
    hidden = tuple((name, value) for name, value in post.fields if name in _FIELDS)
    typed = [value for name, value in post.fields if name == "text"]
    return Resend(
        action=request.url.path,
        hidden=hidden,
        text=typed[0][: routes.config.text_limit] if typed else None,
        max_length=routes.config.text_limit,
        say=render(Text(wording.FAULT_RESEND), locale),
        button=render(Text(wording.FAULT_RESEND_BUTTON), locale),
    )


def _lines(fault: Fault, locale: str) -> list[str]:
    first = wording.FAULT_BUSY if fault.passing else wording.FAULT_BUG
    return [render(Text(msgid), locale) for msgid in (first, wording.FAULT_KEPT)] + [
        render(Text(wording.FAULT_TRY_AGAIN), locale)
    ]


async def chat_fault_page(request: Request, fault: Fault) -> Response:
    """The fault page (`webkit.faults.FaultPage`) of the app the chat is mounted on."""
    routes: WebChatRoutes = request.app.state.web_chat
    locale = fault_locale(request, routes)
    visit = routes.visit(request)
    visit.locale = locale
    lines = _lines(fault, locale)
    if fault.changes and request.headers.get("x-chat-fetch") == "1":
        notice = render_template("_notice.html", locale, notice=" ".join(lines))
        body: dict[str, Any] = {"notice": notice}
        return routes.finish(JSONResponse(body, status_code=fault.status), visit)
    html = render_template(
        "fault.html",
        locale,
        title=render(Text(wording.FAULT_TITLE), locale),
        lines=lines,
        resend=_resend(request, routes, locale) if fault.changes else None,
        back=render(Text(wording.FAULT_BACK), locale),
    )
    return routes.finish(HTMLResponse(html, status_code=fault.status), visit)


def add_chat_fault_pages(app: FastAPI, on_fault: Callable[[Fault], None] | None = None) -> None:
    """The chat's fault page for every failure on `app` (outside a mounted app with
    pages of its own, such as the dashboard): the whole service's last resort."""
    add_fault_pages(
        app,
        chat_fault_page,
        kind_of=fault_kind,
        expected=DATABASE_ERRORS,
        headers=HEADERS,
        on_fault=on_fault,
        app_name="chat",
    )
