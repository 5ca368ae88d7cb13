"""The way back: what the loket decides and asks reaches the person, and the person's
answer reaches the loket.

Every status change and every question of staff is written to the case's messages
(`storage.case_messages`), which the person reads in the web chat's inbox
(`bot.web.inbox`). Besides, each way the person (or the professional who registered
them) chose to be reached gets a notice, through the outbox:

| chosen | route | what goes there |
|---|---|---|
| "via deze chat" in Telegram | `telegram` | the news itself, and a link to answer |
| "via deze chat" in the web chat | `inbox` | nothing more: the person comes back to the chat |
| e-mail (the person's own) | `email` | "there is a message", with a link; no content |
| a professional's e-mail | `email` | the same, to the professional |

A phone number is not a route: staff call. When no route is left (phone only, no
contact, or the person said "no more contact"), `ask` refuses and changes nothing,
so a status never claims that the person was asked when nothing was sent. The
dashboard shows `reach(item)` before every action (loket/routes_case.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from flows.notices import (
    ALSO_CALL_OR_MAIL,
    ANSWER_AT_LINK,
    EMAIL_BODY,
    EMAIL_LINK_EXPIRES,
    EMAIL_SUBJECT,
    QUESTION_FROM_LOKET,
    STATUS_CHANGED,
    status_text,
)
from flows.service_directory import ServiceDirectory
from flows.service_texts import loket_contact
from flows.texts import Text, placeholders
from intake.email_address import (
    EMAIL_CHANNEL,
    InvalidEmailAddress,
    email_recipient_hash,
    normalise_email,
)
from intake.inbox_links import LINK_DAYS, link_token
from locales import render
from storage.case_messages import CaseMessage, case_messages
from storage.lifecycle import FINAL_STATUSES, Status
from storage.pre_aanmeldingen import PreAanmelding
from storage.unit_of_work import UnitOfWork

__all__ = [
    "ANSWER_LIMIT",
    "INBOX_PATH",
    "CaseClosed",
    "Inbox",
    "NoWayToReach",
    "Route",
    "WayBack",
    "reach",
]

ANSWER_LIMIT = 2000  # characters of an answer in the inbox
INBOX_PATH = "/berichten"  # below the web chat's address


@dataclass(frozen=True)
class Route:
    """One way a message of the loket reaches someone: `kind` telegram, email or
    inbox; `to` the person or the professional who registered them (submitter)."""

    kind: str
    to: str
    address: str | None = field(default=None, repr=False)


class NoWayToReach(Exception):
    """Nobody can be reached in writing: staff must call, or may not contact."""


class CaseClosed(Exception):
    """The case has a final status (or the person stopped contact): no answers now."""


def _email_of(text: str | None) -> str | None:
    """One plain e-mail address (the outbox's written form), or None."""
    if not text or "@" not in text:
        return None
    try:
        return normalise_email(text)
    except InvalidEmailAddress:
        return None


def reach(item: PreAanmelding) -> tuple[Route, ...]:
    """The ways a message of the loket reaches the person or their professional."""
    if item.contact_stopped_at is not None:
        return ()
    routes: list[Route] = []
    if item.contact_preference == "chat":
        if item.channel == "telegram" and item.contact_address and item.channel_user_hash:
            routes.append(Route("telegram", "person", item.contact_address))
        elif item.channel == "web":
            routes.append(Route("inbox", "person"))
    elif item.contact_preference == "email" and (address := _email_of(item.contact_address)):
        routes.append(Route("email", "person", address))
    if item.submitter.kind != "self":
        address = _email_of(item.submitter.email) or _email_of(item.submitter.contact)
        if address is not None:
            routes.append(Route("email", "submitter", address))
    return tuple(routes)


@dataclass(frozen=True)
class Inbox:
    """What the person's inbox shows of a case."""

    item: PreAanmelding
    messages: tuple[CaseMessage, ...]
    can_answer: bool
    question_open: bool


class WayBack:
    """The loket's messages to people and their answers, for the dashboard and the
    web chat. `chat_url`: the web chat's public address (links go below it)."""

    def __init__(
        self,
        *,
        secret_key: str,
        chat_url: str | None,
        directory: ServiceDirectory,
        wake_email: Callable[[], None] | None = None,
    ) -> None:
        self._secret_key = secret_key
        # Tells the e-mail deliverer that a mail is queued (after the commit it polls).
        self._wake_email = wake_email
        self._chat_url = chat_url.rstrip("/") if chat_url else None
        self._directory = directory

    @property
    def inbox_url(self) -> str | None:
        return self._chat_url + INBOX_PATH if self._chat_url else None

    def link(self, reference: str, today: date) -> str | None:
        """A link that opens the case's messages, for an e-mail or a chat message."""
        if self.inbox_url is None:
            return None
        return f"{self.inbox_url}?t={link_token(self._secret_key, reference, today)}"

    def reach(self, item: PreAanmelding) -> tuple[Route, ...]:
        routes = reach(item)
        if self.inbox_url is None:  # no link to give: an e-mail could only tease
            routes = tuple(r for r in routes if r.kind != "email")
        return routes

    # --- from the loket ---------------------------------------------------------------

    async def tell_status(
        self, uow: UnitOfWork, item: PreAanmelding, staff_user_id: int | None
    ) -> tuple[Route, ...]:
        """The news of the case's (new) status: in its messages, and a notice on
        every route. Returns the routes that carry it (empty: nobody was told)."""
        await case_messages(uow).add(
            item.id, "loket", "status", {"status": item.status.value}, staff_user_id=staff_user_id
        )
        for_submitter = item.submitter.kind != "self"
        status = status_text(
            item.status.value, loket_contact(self._directory), for_submitter=for_submitter
        )
        news = (Text(STATUS_CHANGED, {"reference": item.reference}), status)
        return await self._notify(uow, item, news)

    async def ask(
        self, uow: UnitOfWork, item: PreAanmelding, question: str, staff_user_id: int
    ) -> tuple[Route, ...]:
        """A question of staff: the status becomes "informatie gevraagd", the question
        is in the case's messages, and every route gets a notice. Raises
        `NoWayToReach` (and changes nothing) when no route is left."""
        if not self.reach(item):
            raise NoWayToReach(item.reference)
        changed = await uow.pre_aanmeldingen.transition(
            item.reference, Status.INFO_GEVRAAGD, staff_user_id=staff_user_id, reason=question
        )
        await case_messages(uow).add(
            item.id, "loket", "question", {"question": question}, staff_user_id=staff_user_id
        )
        asked = Text(QUESTION_FROM_LOKET, {"reference": item.reference, "question": question})
        return await self._notify(uow, changed, (asked,))

    async def _notify(
        self, uow: UnitOfWork, item: PreAanmelding, texts: tuple[Text, ...]
    ) -> tuple[Route, ...]:
        routes = self.reach(item)
        link = self.link(item.reference, uow.now().date())
        contact = loket_contact(self._directory)
        for route in routes:
            assert route.kind == "inbox" or route.address is not None
            if route.kind == "telegram" and route.address and item.channel_user_hash:
                lines = [*texts, Text(ANSWER_AT_LINK, {"link": link})] if link else list(texts)
                if not any("loket_contact" in placeholders(t.msgid) for t in lines):
                    lines.append(Text(ALSO_CALL_OR_MAIL, {"loket_contact": contact}))
                text = "\n".join(render(t, item.language) for t in lines)
                await uow.outbox.enqueue(
                    "telegram", item.channel_user_hash, route.address, {"text": text}
                )
            elif route.kind == "email" and route.address and link:
                await uow.outbox.enqueue(
                    EMAIL_CHANNEL,
                    email_recipient_hash(self._secret_key, route.address),
                    route.address,
                    self._email(item, link, contact),
                )
                if self._wake_email is not None:
                    self._wake_email()  # it reads the outbox once this transaction commits
        return routes

    def _email(self, item: PreAanmelding, link: str, contact: Text) -> dict[str, str]:
        """A notice without content: that there is a message, and where to read it."""
        language = item.language
        body = [
            Text(EMAIL_BODY, {"reference": item.reference, "link": link}),
            Text(EMAIL_LINK_EXPIRES, {"days": LINK_DAYS, "loket_contact": contact}),
        ]
        return {
            "subject": render(Text(EMAIL_SUBJECT), language),
            "text": "\n\n".join(render(t, language) for t in body),
            "reference": item.reference,
        }

    # --- from the person --------------------------------------------------------------

    async def inbox(self, uow: UnitOfWork, item: PreAanmelding, *, seen: bool) -> Inbox:
        """The case's messages for the person; `seen`: mark the loket's as read."""
        store = case_messages(uow)
        messages = tuple(await store.thread(item.id))
        if seen:
            await store.mark_read(item.id, "loket")
        open_case = item.status not in FINAL_STATUSES and item.contact_stopped_at is None
        return Inbox(item, messages, open_case, item.status is Status.INFO_GEVRAAGD)

    async def answer(self, uow: UnitOfWork, item: PreAanmelding, text: str) -> None:
        """The person's answer: in the messages and as a note without a staff author;
        a status "informatie gevraagd" goes back to "in behandeling"; staff see that
        an answer waits. Raises `CaseClosed` (nothing stored) on a closed case."""
        if item.status in FINAL_STATUSES or item.contact_stopped_at is not None:
            raise CaseClosed(item.reference)
        words = text.strip()[:ANSWER_LIMIT]
        if not words:
            raise ValueError("an answer needs text")
        await case_messages(uow).add(item.id, "person", "answer", {"text": words})
        await uow.pre_aanmeldingen.add_note(item.reference, None, words)
        if item.status is Status.INFO_GEVRAAGD:
            await uow.pre_aanmeldingen.transition(
                item.reference,
                Status.IN_BEHANDELING,
                staff_user_id=None,  # the case view says: by the person's answer
            )
        await uow.pre_aanmeldingen.set_answer_unread(item.reference, True)
        await uow.audit.record("person_answered", "pre_aanmelding", item.reference)

    async def stop_contact(self, uow: UnitOfWork, item: PreAanmelding) -> None:
        """The person does not want to be contacted any more."""
        if item.contact_stopped_at is not None:
            return
        await uow.pre_aanmeldingen.stop_contact(item.reference)
        await case_messages(uow).add(item.id, "person", "stop_contact", {})
        await uow.pre_aanmeldingen.set_answer_unread(item.reference, True)
        await uow.audit.record("person_stopped_contact", "pre_aanmelding", item.reference)
