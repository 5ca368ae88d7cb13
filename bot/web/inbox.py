"""The inbox: the loket's messages about a case, in the web chat (`intake.way_back`).

- `GET /chat/berichten`: the messages of the case this browser may read (the browser
  that submitted it, or one that gave the chat's code); else the code form (it posts
  to `/chat/resume`, which knows every kind of code); with `?t=` (a link from an
  e-mail or Telegram) a button that opens them (a GET never opens anything: link
  previews).
- `POST /chat/berichten/link` (a link's token): this browser may read the case from
  now on (one browser at a time).
- `POST /chat/berichten/antwoord`: the person's answer; `/stop`: "no more contact";
  `/sluiten`: this browser forgets the case (a shared computer).
Posts are checked like the chat's (cookie, origin, CSRF, then rate limits). An answer
counts once (its form's one-time id), is at most `ANSWER_LIMIT` characters, and is
shown only as text.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from bot.web.pages import render_template
from bot.web.routes import ChatPost, Post, WebChatRoutes, accepted_locale, answer_wait
from bot.web.session_cookie import new_form_id, valid_form_id
from flows.notices import status_text
from flows.service_texts import loket_contact
from flows.texts import N_, Text
from intake.inbox_links import read_link_token
from intake.way_back import ANSWER_LIMIT, CaseClosed, Inbox
from locales import render
from storage.case_messages import CaseMessage
from storage.pre_aanmeldingen import PreAanmelding
from storage.unit_of_work import UnitOfWork

__all__ = ["add_inbox_pages"]

TIME_ZONE = ZoneInfo("Europe/Amsterdam")
Wait = Annotated[int | None, Depends(answer_wait)]  # seconds to wait, or None
PATH = "/chat/berichten"

TITLE = N_("Berichten van het loket")
NO_MESSAGES = N_("Er zijn nog geen berichten. Het loket zet hier nieuws over je aanmelding.")
FROM_LOKET_NEWS = N_("Nieuws van het loket")
FROM_LOKET_QUESTION = N_("Vraag van het loket")
YOUR_ANSWER = N_("Jouw antwoord")
YOU_STOPPED = N_("Je hebt gezegd dat het loket geen contact meer met je opneemt.")
NOTICES = {
    "answered": N_("Je antwoord is naar het loket gestuurd. Dank je wel."),
    "wrong-code": N_("Met deze code vinden we geen berichten. Kijk of de code goed is."),
    "codes": N_("Je hebt te vaak een code geprobeerd. Probeer het over een uur opnieuw."),
    "stopped": N_(
        "Het loket neemt geen contact meer met je op. Wil je later toch verder? Neem dan "
        "zelf contact op met het loket en noem je aanmeldcode. {loket_contact}"
    ),
    "closed": N_(
        "Deze aanmelding is afgesloten. Je kunt hier niet meer antwoorden. Heb je nog een "
        "vraag? Neem dan contact op met het loket. {loket_contact}"
    ),
    "empty": N_("Schrijf eerst je antwoord."),
    "too-fast": N_("Je gaat te snel. Wacht een paar seconden en probeer het opnieuw."),
    "link-expired": N_(
        "Deze link werkt niet meer. Vul je code in, of neem contact op met het loket. "
        "{loket_contact}"
    ),
    "closed-here": N_("Je berichten zijn nu gesloten op dit apparaat."),
    "refused": N_("Dat ging niet goed. Probeer het opnieuw."),
    "not-ticked": N_("Zet eerst een vinkje als je echt geen contact meer wilt."),
}
TOO_LONG = N_("Je antwoord is te lang. Schrijf het korter, in hoogstens {max} tekens.")


@dataclass(frozen=True)
class ShownMessage:
    heading: str
    lines: tuple[str, ...]
    when: str
    mine: bool


class InboxPages:
    def __init__(self, routes: WebChatRoutes) -> None:
        self.routes = routes
        self.chats = routes.chats
        self.way_back = routes.chats.way_back
        self.database = routes.chats.database
        self.contact = loket_contact(routes.chats.service.directory)  # operator data

    # --- reading ----------------------------------------------------------------------

    def _locale(self, request: Request, visit: Any, item: PreAanmelding | None) -> str:
        if visit.locale:
            return str(visit.locale)
        if item is not None:
            return item.language
        default = self.routes.config.default_locale
        return accepted_locale(request.headers.get("accept-language"), default)

    def _shown(self, message: CaseMessage, locale: str, *, other: bool) -> ShownMessage:
        """One message as the reader sees it; `other`: the reader registered someone
        else (a professional, a veldwerker), so the status names the person."""
        when = str(format_datetime(message.at.astimezone(TIME_ZONE), "short", locale=locale))
        body = message.body
        if message.kind == "status":
            status = status_text(str(body.get("status")), self.contact, for_submitter=other)
            return ShownMessage(
                render(Text(FROM_LOKET_NEWS), locale), (render(status, locale),), when, False
            )
        if message.kind == "question":
            heading = render(Text(FROM_LOKET_QUESTION), locale)
            return ShownMessage(heading, (str(body.get("question", "")),), when, False)
        if message.kind == "answer":
            heading = render(Text(YOUR_ANSWER), locale)
            return ShownMessage(heading, (str(body.get("text", "")),), when, True)
        return ShownMessage(
            render(Text(YOUR_ANSWER), locale), (render(Text(YOU_STOPPED), locale),), when, True
        )

    def _page(
        self,
        visit: Any,
        locale: str,
        *,
        inbox: Inbox | None = None,
        token: str | None = None,
        notice: str | None = None,
        draft: str = "",
        status: int = 200,
    ) -> Response:
        contact = render(loket_contact(self.chats.service.directory), locale)
        html = render_template(
            "inbox.html",
            locale,
            title=render(Text(TITLE), locale),
            inbox=inbox,
            messages=[
                self._shown(m, locale, other=inbox.item.submitter.kind != "self")
                for m in inbox.messages
            ]
            if inbox
            else [],
            no_messages=render(Text(NO_MESSAGES), locale),
            token=token,
            notice=notice,
            draft=draft,
            limit=ANSWER_LIMIT,
            loket_contact=contact,
            csrf=self.routes.cookies.csrf_token(visit.visitor.session_id),
            form_id=new_form_id(),
        )
        return self.routes.finish(HTMLResponse(html, status_code=status), visit)

    async def _case(self, uow: UnitOfWork, session_hash: str) -> PreAanmelding | None:
        return await uow.pre_aanmeldingen.for_inbox_session(session_hash)

    async def show(self, request: Request) -> Response:
        visit = self.routes.visit(request)
        notice_key = request.query_params.get("notice", "")

        async def read(uow: UnitOfWork) -> Inbox | None:
            item = await self._case(uow, visit.session_hash)
            return None if item is None else await self.way_back.inbox(uow, item, seen=True)

        inbox = await self.database.run(read) if visit.trusted else None
        locale = self._locale(request, visit, inbox.item if inbox else None)
        notice = None
        if notice_key in NOTICES:
            notice = render(Text(NOTICES[notice_key], {"loket_contact": self.contact}), locale)
        token = None
        if inbox is None and request.query_params.get("t"):
            token = request.query_params["t"][:80]
        return self._page(visit, locale, inbox=inbox, token=token, notice=notice)

    # --- the posts --------------------------------------------------------------------

    def _redirect(self, visit: Any, notice: str | None = None) -> Response:
        location = PATH + (f"?notice={notice}" if notice else "") + "#berichten"
        return self.routes.finish(RedirectResponse(location, status_code=303), visit)

    async def open_with_link(self, post: ChatPost) -> Response:
        visit = post.visit
        if post.refusal is not None:
            return self._redirect(visit, "refused")
        today = self.chats.now().astimezone(TIME_ZONE).date()
        reference = read_link_token(self.routes.config.secret_key, post.first("t"), today)

        async def open_case(uow: UnitOfWork) -> bool:
            if reference is None or await uow.pre_aanmeldingen.get(reference) is None:
                return False
            await uow.pre_aanmeldingen.link_inbox_session(reference, visit.session_hash)
            return True

        opened = await self.database.run(open_case)
        return self._redirect(visit, None if opened else "link-expired")

    async def answer(self, request: Request, post: ChatPost, wait: int | None) -> Response:
        visit = post.visit
        if post.too_large:
            return await self._refuse(request, visit, Text(TOO_LONG, {"max": ANSWER_LIMIT}), 413)
        if post.refusal is not None:
            return self._redirect(visit, "refused")
        if wait is not None:  # the chat's own rate limit of answers (`answer_wait`)
            return self._redirect(visit, "too-fast")
        text = post.first("text").strip()
        form_id = post.first("form_id")
        if not text:
            return self._redirect(visit, "empty")
        if len(text) > ANSWER_LIMIT:
            too_long = Text(TOO_LONG, {"max": ANSWER_LIMIT})
            return await self._refuse(request, visit, too_long, 413, draft=text)
        if not valid_form_id(form_id):
            return self._redirect(visit, "refused")

        async def give(uow: UnitOfWork) -> str | None:
            item = await self._case(uow, visit.session_hash)
            if item is None:
                return "wrong-code"
            if not await uow.updates.mark_processed("inbox", form_id):
                return "answered"  # sent twice (a double press): it counted once
            try:
                await self.way_back.answer(uow, item, text)
            except CaseClosed:
                uow.rollback_only()
                return "closed"
            return "answered"

        return self._redirect(visit, await self.database.run(give))

    async def _refuse(
        self, request: Request, visit: Any, text: Text, status: int, *, draft: str = ""
    ) -> Response:
        """The page again with why, and what was typed kept in the box."""

        async def read(uow: UnitOfWork) -> Inbox | None:
            item = await self._case(uow, visit.session_hash)
            return None if item is None else await self.way_back.inbox(uow, item, seen=False)

        inbox = await self.database.run(read, write=False)
        locale = self._locale(request, visit, inbox.item if inbox else None)
        notice = render(text, locale)
        return self._page(visit, locale, inbox=inbox, notice=notice, draft=draft, status=status)

    async def stop(self, post: ChatPost, wait: int | None) -> Response:
        visit = post.visit
        if post.refusal is not None:
            return self._redirect(visit, "refused")
        if wait is not None:  # the chat's own rate limit of answers (`answer_wait`)
            return self._redirect(visit, "too-fast")
        if post.first("sure") != "yes":
            return self._redirect(visit, "not-ticked")

        async def stop_contact(uow: UnitOfWork) -> str:
            item = await self._case(uow, visit.session_hash)
            if item is None:
                return "wrong-code"
            await self.way_back.stop_contact(uow, item)
            return "stopped"

        return self._redirect(visit, await self.database.run(stop_contact))

    async def close_here(self, post: ChatPost) -> Response:
        visit = post.visit
        if post.refusal is not None:
            return self._redirect(visit, "refused")

        async def forget(uow: UnitOfWork) -> None:
            await uow.pre_aanmeldingen.unlink_inbox_session(visit.session_hash)

        await self.database.run(forget)
        return self._redirect(visit, "closed-here")


def add_inbox_pages(router: APIRouter, routes: WebChatRoutes) -> None:
    pages = InboxPages(routes)

    @router.get(PATH, include_in_schema=False)
    async def inbox(request: Request) -> Response:
        return await pages.show(request)

    @router.post(PATH + "/link", include_in_schema=False)
    async def open_with_link(post: Post) -> Response:
        return await pages.open_with_link(post)

    @router.post(PATH + "/antwoord", include_in_schema=False)
    async def answer(request: Request, post: Post, wait: Wait) -> Response:
        return await pages.answer(request, post, wait)

    @router.post(PATH + "/stop", include_in_schema=False)
    async def stop(post: Post, wait: Wait) -> Response:
        return await pages.stop(post, wait)

    @router.post(PATH + "/sluiten", include_in_schema=False)
    async def close_here(post: Post) -> Response:
        return await pages.close_here(post)
