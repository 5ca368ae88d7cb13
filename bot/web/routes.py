"""The web chat's HTTP side: `/chat` (page and posts; `/chat?code=ABCD-EFGH` fills in
the code form), `/chat/resume` (a resume or hand-off code), `/chat/new`,
`/chat/embed.js`, and `/` redirecting to `/chat`.

Every post is checked in this order: body size, session cookie, same origin and CSRF
token (the dependency `checked_post`), rate limits (a dependency per kind of post),
then the fields. A refused post changes nothing. Without JavaScript a post answers
with a redirect to the page (post/redirect/get) or, when refused, with the page itself
and a notice; with the page's script (`X-Chat-Fetch`) it answers with JSON: the new
messages and the next question as HTML.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any

from babel.dates import format_date
from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, RedirectResponse, Response

from bot.web import wording
from bot.web.chat import ChatPage, Sent, WebChats
from bot.web.config import WebChatConfig
from bot.web.forms import parse_body, read_post, single
from bot.web.pages import composer, render_template
from bot.web.session_cookie import (
    COOKIE,
    SECURE_COOKIE,
    CookieStatus,
    SessionCookies,
    Visitor,
    new_form_id,
    valid_form_id,
)
from bot.web.transcript import Entry, shown
from flows.engine import wording as engine_wording
from flows.texts import Text
from intake.short_codes import display_code, normalise_code
from locales import render
from locales.languages import match_locale
from webkit.csrf import same_origin, tokens_match
from webkit.headers import SecurityHeaders, served_over_https
from webkit.rate_limits import TokenBuckets, client_address, take_tokens

__all__ = [
    "ChatPost",
    "Post",
    "Routes",
    "StepOutcome",
    "WebChatRoutes",
    "accepted_locale",
    "chat_routes",
    "web_chat_router",
]

STATIC = Path(__file__).resolve().parent / "static"
_LOOPBACK = {"127.0.0.1", "localhost", "::1", "[::1]"}
_PURGE_EVERY = 3600.0  # seconds between sweeps of expired chats
# The page runs its own script; the Referer header goes to this site only.
HEADERS = SecurityHeaders(scripts=True, referrer="same-origin")
# Notices a redirect may ask for: only these fixed texts, never text from the URL.
_NOTICES = {
    "expired": wording.SESSION_REFUSED,
    "refused": wording.FORM_REFUSED,
    "stale": wording.STALE_FORM,
    "resumed": wording.RESUMED,
    "wrong-code": wording.WRONG_CODE,
    "codes": wording.TOO_MANY_CODES,
}


def accepted_locale(header: str | None, default: str) -> str:
    """The first shipped language in an Accept-Language header, by preference."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((header or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        quality = 1.0
        if params.strip().startswith("q="):
            try:
                quality = float(params.strip()[2:])
            except ValueError:
                quality = 0.0
        if tag and quality > 0:
            ranked.append((-quality, index, tag))
    for _, _, tag in sorted(ranked):
        found = match_locale(tag, "")
        if found:
            return found
    return default


# What became of an answer posted to /chat (the metric of web steps; no personal data).
StepOutcome = str  # applied, repeated, stale, refused, too_fast, too_long, failed


@dataclass
class _Visit:
    visitor: Visitor
    secure: bool
    session_hash: str
    form_id: str
    https: bool = False
    locale: str | None = None  # the page's language, kept in the cookie

    @property
    def trusted(self) -> bool:
        return self.visitor.status == CookieStatus.VALID


@dataclass(frozen=True)
class ChatPost:
    """A form post after its first checks (`checked_post`): its fields (none when the
    body was over the limit), and whether it may change anything."""

    visit: _Visit
    fields: list[tuple[str, str]]
    too_large: bool
    forged: bool  # from another site (the cookie is SameSite=Lax too), or a wrong token

    @property
    def refusal(self) -> str | None:
        """The notice of a post that changes nothing: "expired" (no cookie we signed,
        or it ran out) or "refused" (forged); None when it may go ahead."""
        if not self.visit.trusted:
            return "expired"
        return "refused" if self.forged else None

    @property
    def checked(self) -> bool:
        """Past the first checks: only such a post counts against a rate limit."""
        return self.refusal is None and not self.too_large

    def first(self, name: str) -> str:
        return next((value for key, value in self.fields if key == name), "")


class WebChatRoutes:
    """The routes' state: cookies, rate limits, the chats."""

    def __init__(self, chats: WebChats, config: WebChatConfig) -> None:
        self.chats = chats
        self.config = config
        self.cookies = SessionCookies(config.secret_key, config.session_max_age, chats.now)
        self.posts_per_session = TokenBuckets(config.posts_per_session)
        self.posts_per_address = TokenBuckets(config.posts_per_address)
        self.resume_per_session = TokenBuckets(config.resume_per_session)
        self.resume_per_address = TokenBuckets(config.resume_per_address)
        self._last_purge = float("-inf")
        self._step_listeners: list[Callable[[StepOutcome], None]] = []

    def listen(self, listener: Callable[[StepOutcome], None]) -> None:
        """Be told what became of each answer posted (metrics)."""
        self._step_listeners.append(listener)

    def _step(self, outcome: StepOutcome) -> None:
        for listener in self._step_listeners:
            listener(outcome)

    # --- the visit -------------------------------------------------------------------

    def _secure(self, request: Request, https: bool) -> bool:
        if self.config.cookie_secure is not None:
            return self.config.cookie_secure
        plain_local = not https and request.url.hostname in _LOOPBACK
        return not plain_local

    def visit(self, request: Request) -> _Visit:
        """Who is asking, from the cookie alone (no database)."""
        https = served_over_https(request)
        secure = self._secure(request, https)
        visitor = self.cookies.read(request.cookies.get(SECURE_COOKIE if secure else COOKIE))
        session_hash = self.cookies.session_hash(visitor.session_id)
        locale = match_locale(visitor.locale, "") or None
        return _Visit(visitor, secure, session_hash, new_form_id(), https, locale)

    def finish(self, response: Response, visit: _Visit) -> Response:
        """Issue the cookie again (its age starts anew) and set the security headers."""
        response.set_cookie(
            SECURE_COOKIE if visit.secure else COOKIE,
            self.cookies.dump(visit.visitor.session_id, visit.locale),
            max_age=int(self.config.session_max_age.total_seconds()),
            path="/",
            secure=visit.secure,
            httponly=True,
            samesite="lax",
        )
        return HEADERS.apply(response, https=visit.https)

    # --- rendering -------------------------------------------------------------------

    def _context(
        self,
        visit: _Visit,
        page: ChatPage,
        notice: str | None,
        prefill: str | None = None,
        *,
        entries: tuple[Entry, ...] | None = None,
    ) -> dict[str, Any]:
        """The templates' context; `entries`: the bubbles to render (default: all)."""
        locale = page.locale
        until = None
        if page.code_until is not None:
            until = str(format_date(page.code_until.date(), format="long", locale=locale))
        return {
            "page": page,
            "bubbles": shown(page.entries if entries is None else entries, locale),
            "comp": composer(page.prompt, locale, self.config.text_limit)
            if page.prompt is not None and not page.ended
            else None,
            "ended": page.ended,
            "code": page.code,
            "code_until": until,
            "csrf": self.cookies.csrf_token(visit.visitor.session_id),
            "form_id": visit.form_id,
            "notice": notice,
            "prefill": prefill,  # a code from the link (a hand-off from Telegram)
        }

    async def _page(self, visit: _Visit, request: Request) -> ChatPage:
        hint = accepted_locale(request.headers.get("accept-language"), self.config.default_locale)
        page = await self.chats.page(visit.session_hash, hint)
        visit.locale = page.locale
        return page

    async def page_response(
        self,
        request: Request,
        visit: _Visit,
        notice: str | None,
        status: int = 200,
        *,
        prefill: str | None = None,
    ) -> Response:
        page = await self._page(visit, request)
        shown_notice = notice and render(Text(notice), page.locale)
        context = self._context(visit, page, shown_notice, prefill)
        html = render_template("chat.html", page.locale, **context)
        return self.finish(HTMLResponse(html, status_code=status), visit)

    async def fetch_response(
        self,
        request: Request,
        visit: _Visit,
        *,
        added: tuple[Entry, ...] = (),
        notice: str | None = None,
        status: int = 200,
        page_locale: str | None = None,
        page: ChatPage | None = None,
    ) -> Response:
        """The script's answer: the `added` bubbles and the page's parts around them.
        `page`: what the post left (then nothing is read again)."""
        if page is None:
            page = await self._page(visit, request)
        else:
            visit.locale = page.locale
        if page_locale is not None and page_locale != page.locale:
            body: dict[str, Any] = {"reload": True, "location": "/chat#now"}
            return self.finish(JSONResponse(body, status_code=status), visit)
        shown_notice = notice and render(Text(notice), page.locale)
        context = self._context(visit, page, shown_notice, entries=added)
        locale = page.locale
        body = {
            "entries": render_template("_bubbles.html", locale, **context),
            "composer": render_template("_composer.html", locale, **context),
            "resume": render_template("_resume.html", locale, **context),
            "notice": render_template("_notice.html", locale, **context),
        }
        return self.finish(JSONResponse(body, status_code=status), visit)

    def redirect(self, visit: _Visit, notice: str | None = None, *, fetch: bool) -> Response:
        location = "/chat" + (f"?notice={notice}" if notice else "") + "#now"
        if fetch:
            response: Response = JSONResponse({"reload": True, "location": location})
        else:
            response = RedirectResponse(location, status_code=303)
        return self.finish(response, visit)

    async def refused(
        self, request: Request, visit: _Visit, notice: str, status: int, *, fetch: bool
    ) -> Response:
        """A post that changes nothing: the page again, with why."""
        if fetch:
            return await self.fetch_response(request, visit, notice=notice, status=status)
        return await self.page_response(request, visit, notice, status)

    async def read_body(self, request: Request) -> bytes | None:
        """The body, or None when it is larger than the limit."""
        declared = request.headers.get("content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.config.body_limit:
            return None
        body = bytearray()
        async for chunk in request.stream():
            body.extend(chunk)
            if len(body) > self.config.body_limit:
                return None
        return bytes(body)

    async def maybe_purge(self) -> None:
        now = time.monotonic()
        if now - self._last_purge >= _PURGE_EVERY:
            self._last_purge = now
            await self.chats.purge()

    # --- the posts -------------------------------------------------------------------

    async def post_answer(self, request: Request, post: ChatPost, wait: int | None) -> Response:
        fetch = request.headers.get("x-chat-fetch") == "1"
        visit = post.visit
        if post.too_large:
            self._step("too_long")
            too_long = Text(engine_wording.REJECT_TOO_LONG, {"max": self.config.text_limit})
            return await self._too_long(request, visit, too_long, fetch=fetch)
        if post.refusal is not None:
            self._step("refused")
            return self.redirect(visit, post.refusal, fetch=fetch)
        if wait is not None:
            self._step("too_fast")
            response = await self.refused(request, visit, wording.TOO_FAST, 429, fetch=fetch)
            response.headers["Retry-After"] = str(wait)
            return response
        posted = read_post(post.fields, self.config.text_limit)
        if posted.inp is None or not valid_form_id(posted.form_id):
            self._step("refused")
            return self.redirect(visit, "refused", fetch=fetch)
        assert posted.form_id is not None
        try:
            await self.maybe_purge()
            sent: Sent = await self.chats.send(
                visit.session_hash,
                posted.inp,
                form_id=posted.form_id,
                locale_hint=posted.page_locale,
                token=posted.token if posted.action == "text" else None,
            )
        except Exception:
            self._step("failed")  # the fault page says so (bot/web/fault_pages.py)
            raise
        self._step("stale" if sent.stale else "applied" if sent.applied else "repeated")
        if sent.stale:
            return self.redirect(visit, "stale", fetch=fetch)
        if not fetch:
            return self.redirect(visit, fetch=False)
        return await self.fetch_response(
            request, visit, added=sent.added, page_locale=posted.page_locale, page=sent.page
        )

    async def _too_long(
        self, request: Request, visit: _Visit, text: Text, *, fetch: bool
    ) -> Response:
        page = await self._page(visit, request)
        notice = render(text, page.locale)
        if fetch:
            context = self._context(visit, page, notice)
            body = {"notice": render_template("_notice.html", page.locale, **context)}
            return self.finish(JSONResponse(body, status_code=413), visit)
        context = self._context(visit, page, notice)
        html = render_template("chat.html", page.locale, **context)
        return self.finish(HTMLResponse(html, status_code=413), visit)

    async def post_resume(self, request: Request, post: ChatPost, wait: int | None) -> Response:
        visit = post.visit
        if post.refusal is not None:
            return self.redirect(visit, post.refusal, fetch=False)
        from_inbox = post.first("from") == "inbox"  # the inbox's code form
        if wait is not None:
            if from_inbox:
                return self._to_inbox(visit, "codes", retry_after=wait)
            response = await self.page_response(request, visit, wording.TOO_MANY_CODES, 429)
            response.headers["Retry-After"] = str(wait)
            return response
        resumed = await self.chats.resume(visit.session_hash, post.first("code")[:40])
        if resumed == "moved":  # the transcript says so
            return self.redirect(visit, fetch=False)
        if resumed == "inbox":
            return self._to_inbox(visit)
        if resumed == "resumed":
            return self.redirect(visit, "resumed", fetch=False)
        if from_inbox:
            return self._to_inbox(visit, "wrong-code")
        return self.redirect(visit, "wrong-code", fetch=False)

    def _to_inbox(
        self, visit: _Visit, notice: str | None = None, *, retry_after: int | None = None
    ) -> Response:
        """To the loket's messages (`bot.web.inbox`), with one of its notices."""
        location = "/chat/berichten" + (f"?notice={notice}" if notice else "") + "#berichten"
        response = self.finish(RedirectResponse(location, status_code=303), visit)
        if retry_after is not None:
            response.headers["Retry-After"] = str(retry_after)
        return response

    async def post_new(self, post: ChatPost) -> Response:
        if post.refusal is not None:
            return self.redirect(post.visit, "refused", fetch=False)
        await self.chats.start_over(post.visit.session_hash)
        return self.redirect(post.visit, fetch=False)


# --- the dependencies of the posts ---------------------------------------------------


async def chat_routes(request: Request) -> WebChatRoutes:
    """The web chat's routes on this app (`mount_web_chat` keeps them in its state)."""
    routes: WebChatRoutes = request.app.state.web_chat
    return routes


Routes = Annotated[WebChatRoutes, Depends(chat_routes)]


async def checked_post(
    request: Request, routes: Routes, from_here: Annotated[bool, Depends(same_origin)]
) -> ChatPost:
    """Every post's first checks: the size of its body, its cookie, its origin and its
    CSRF token. Nothing is refused here: each post answers a refusal in its own way."""
    visit = routes.visit(request)
    body = await routes.read_body(request)
    fields = parse_body(body or b"")
    token = routes.cookies.csrf_token(visit.visitor.session_id)
    forged = not (from_here and tokens_match(token, single(fields, "csrf")))
    post = ChatPost(visit, fields, too_large=body is None, forged=forged)
    request.state.chat_post = post  # a fault page offers to send it again
    return post


Post = Annotated[ChatPost, Depends(checked_post)]


async def answer_wait(request: Request, routes: Routes, post: Post) -> int | None:
    """The rate limit of answers, per session and per address: None, or the seconds
    to wait."""
    if not post.checked:
        return None
    return take_tokens(
        (routes.posts_per_session, post.visit.session_hash),
        (routes.posts_per_address, client_address(request)),
    )


async def resume_wait(request: Request, routes: Routes, post: Post) -> int | None:
    """The rate limit of resume codes, per session and per address (guessing one of
    2^40 codes stays hopeless)."""
    if not post.checked:
        return None
    return take_tokens(
        (routes.resume_per_session, post.visit.session_hash),
        (routes.resume_per_address, client_address(request)),
    )


def web_chat_router(routes: WebChatRoutes) -> APIRouter:
    router = APIRouter()

    @router.get("/", include_in_schema=False)
    async def root() -> Response:
        return RedirectResponse("/chat", status_code=303)

    @router.get("/chat", include_in_schema=False)
    async def chat_page(request: Request) -> Response:
        visit = routes.visit(request)
        notice = _NOTICES.get(request.query_params.get("notice", ""))
        if visit.visitor.status == CookieStatus.REFUSED:
            notice = wording.SESSION_REFUSED
        # A link with a code (`?code=ABCD-EFGH`, from Telegram): the form is filled in,
        # the person presses the button (a GET never uses a code: link previews).
        code = normalise_code(request.query_params.get("code", "")[:40])
        prefill = display_code(code) if code is not None else None
        return await routes.page_response(request, visit, notice, prefill=prefill)

    @router.post("/chat", include_in_schema=False)
    async def chat_post(
        request: Request, post: Post, wait: Annotated[int | None, Depends(answer_wait)]
    ) -> Response:
        return await routes.post_answer(request, post, wait)

    @router.post("/chat/resume", include_in_schema=False)
    async def chat_resume(
        request: Request, post: Post, wait: Annotated[int | None, Depends(resume_wait)]
    ) -> Response:
        return await routes.post_resume(request, post, wait)

    @router.post("/chat/new", include_in_schema=False)
    async def chat_new(post: Post) -> Response:
        return await routes.post_new(post)

    @router.get("/chat/embed.js", include_in_schema=False)
    async def embed_script() -> Response:
        response = FileResponse(STATIC / "embed.js", media_type="text/javascript")
        response.headers["Cache-Control"] = "public, max-age=3600"
        response.headers["Cross-Origin-Resource-Policy"] = "cross-origin"
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response

    return router
