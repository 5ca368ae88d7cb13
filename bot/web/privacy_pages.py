"""The web chat's privacy pages (docs/privacy.md): the privacy notice, the person's
own data (`/mijngegevens` of the chat) and erasing it after a yes/no question.

- `GET /chat/privacy`: the current notice of the flow in progress (else zelfmelding).
- `GET /chat/mijngegevens`: the access copy of the chat this browser session holds.
- `GET /chat/verwijder`: the question; `POST /chat/verwijder` with `answer=yes|no`.
The person is the chat of the session cookie, nothing typed, so nobody can see or
erase someone else's data; without a chat the answer is the same plain "nothing
stored" for everyone. Posts are checked like the chat's (cookie, origin, CSRF, rate).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response

from bot.web import wording as web_wording
from bot.web.chat import CHANNEL
from bot.web.pages import render_template
from bot.web.routes import ChatPost, Post, Routes, WebChatRoutes, accepted_locale
from flows.privacy_notices import current_notice
from flows.service_texts import loket_contact
from flows.texts import N_, Text
from intake import privacy_wording as w
from intake.access_copy_text import render_blocks
from intake.privacy import PrivacyService, erasure_texts
from locales import render
from webkit.rate_limits import take_tokens

__all__ = ["add_privacy_pages"]

TITLE_MY_DATA = N_("Mijn gegevens")
TITLE_ERASE = N_("Gegevens wissen")


class PrivacyPages:
    def __init__(self, routes: WebChatRoutes, privacy: PrivacyService | None = None) -> None:
        self.routes = routes
        self.privacy = privacy or PrivacyService(
            routes.chats.database,
            secret_key=routes.config.secret_key,
            library=routes.chats.service.library,
        )

    async def _locale_and_chat(self, request: Request, session_hash: str) -> tuple[str, str | None]:
        chat = await self.routes.chats.chat_for(session_hash)
        if chat is not None:
            view = await self.routes.chats.service.view(CHANNEL, chat.chat_id)
            return (view.locale if view is not None else chat.locale), chat.chat_id
        default = self.routes.config.default_locale
        return accepted_locale(request.headers.get("accept-language"), default), None

    def _page(
        self,
        visit: Any,
        locale: str,
        title: str | Text,
        blocks: Sequence[tuple[str | None, Sequence[str]]],
        *,
        ask_erase: bool = False,
        status: int = 200,
    ) -> Response:
        html = render_template(
            "privacy.html",
            locale,
            title=render(title if isinstance(title, Text) else Text(title), locale),
            blocks=blocks,
            ask_erase=ask_erase,
            yes_label=render(Text(w.ERASE_YES), locale),
            no_label=render(Text(w.ERASE_NO), locale),
            csrf=self.routes.cookies.csrf_token(visit.visitor.session_id),
        )
        return self.routes.finish(HTMLResponse(html, status_code=status), visit)

    async def notice(self, request: Request) -> Response:
        visit = self.routes.visit(request)
        locale, chat_id = await self._locale_and_chat(request, visit.session_hash)
        library = self.routes.chats.service.library
        own = library.for_submitter("self")
        flow = own.id if own is not None else library.ids[0]
        if chat_id is not None:
            view = await self.routes.chats.service.view(CHANNEL, chat_id)
            flow = (view.flow_id if view is not None else None) or flow
        notice = current_notice(flow, self.privacy.today())
        lines = [render(text, locale) for text in notice.paragraphs]
        return self._page(visit, locale, notice.title, [(None, lines)])

    async def my_data(self, request: Request) -> Response:
        visit = self.routes.visit(request)
        locale, chat_id = await self._locale_and_chat(request, visit.session_hash)
        blocks: list[tuple[str | None, list[str]]]
        if chat_id is None:
            blocks = [(None, [render(Text(w.COPY_NOTHING), locale)])]
        else:
            copy = await self.privacy.copy_for_chat(
                CHANNEL, chat_id, erase_hint=w.COPY_HOW_TO_ERASE_WEB
            )
            blocks = render_blocks(copy, locale)
        return self._page(visit, locale, TITLE_MY_DATA, blocks)

    async def ask_erase(self, request: Request) -> Response:
        visit = self.routes.visit(request)
        locale, _ = await self._locale_and_chat(request, visit.session_hash)
        blocks = [(None, [render(Text(w.ERASE_ASK), locale)])]
        return self._page(visit, locale, TITLE_ERASE, blocks, ask_erase=True)

    async def erase(self, request: Request, post: ChatPost, wait: int | None) -> Response:
        visit = post.visit
        if post.refusal is not None:
            return self.routes.redirect(visit, "refused", fetch=False)
        if wait is not None:
            locale, _ = await self._locale_and_chat(request, visit.session_hash)
            blocks = [(None, [render(Text(web_wording.TOO_FAST), locale)])]
            return self._page(visit, locale, TITLE_ERASE, blocks, ask_erase=True, status=429)
        locale, chat_id = await self._locale_and_chat(request, visit.session_hash)
        if post.first("answer") != "yes":
            texts = [Text(w.ERASE_CANCELLED)]
        elif chat_id is None:
            texts = [Text(w.ERASE_NOTHING)]
        else:
            outcome = await self.privacy.erase_for_chat(CHANNEL, chat_id)
            texts = erasure_texts(outcome, loket_contact(self.routes.chats.service.directory))
        blocks = [(None, [render(text, locale) for text in texts])]
        return self._page(visit, locale, TITLE_ERASE, blocks)


async def erase_wait(routes: Routes, post: Post) -> int | None:
    """Erasing counts against the session's rate limit of answers."""
    if not post.checked:
        return None
    return take_tokens((routes.posts_per_session, post.visit.session_hash))


def add_privacy_pages(
    router: APIRouter, routes: WebChatRoutes, privacy: PrivacyService | None = None
) -> None:
    pages = PrivacyPages(routes, privacy)

    @router.get("/chat/privacy", include_in_schema=False)
    async def privacy_notice(request: Request) -> Response:
        return await pages.notice(request)

    @router.get("/chat/mijngegevens", include_in_schema=False)
    async def my_data(request: Request) -> Response:
        return await pages.my_data(request)

    @router.get("/chat/verwijder", include_in_schema=False)
    async def ask_erase(request: Request) -> Response:
        return await pages.ask_erase(request)

    @router.post("/chat/verwijder", include_in_schema=False)
    async def erase(
        request: Request, post: Post, wait: Annotated[int | None, Depends(erase_wait)]
    ) -> Response:
        return await pages.erase(request, post, wait)
