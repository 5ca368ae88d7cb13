"""Web chats (the `bot.web` channel): the link from a browser session to a chat, the
resume code that moves a chat to another browser, and the transcript the page shows.

The conversation itself (the engine's session) is in `conversation_sessions`, keyed by
the web channel and `chat_id`; this table holds only what a web page needs besides:

- `session_hash`: the keyed hash of the random id in the person's cookie (the raw id
  is never stored). A chat belongs to at most one browser session at a time.
- `resume_key`: the keyed hash of the chat's resume code; None once the chat ended,
  so an old code opens nothing.
- `transcript`: the messages shown so far, as JSON (texts as message ids with their
  parameters, typed answers as typed). It holds personal data: `SensitiveJSON`.

Rows past `expires_at` count as gone; `delete_expired` removes them. Use it from a
unit of work: `web_chats(uow)`; it never commits on its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from storage.engine import Clock
from storage.tables import WebChatRow
from storage.unit_of_work import UnitOfWork

__all__ = ["SqlWebChatStore", "WebChat", "WebChatStore", "web_chats"]


@dataclass(frozen=True)
class WebChat:
    chat_id: str
    session_hash: str | None
    resume_key: str | None
    transcript: tuple[Mapping[str, Any], ...]
    locale: str
    ended: bool
    created_at: datetime
    updated_at: datetime
    expires_at: datetime


class WebChatStore(Protocol):
    async def for_session(self, session_hash: str, *, lock: bool = False) -> WebChat | None: ...

    async def get(self, chat_id: str) -> WebChat | None: ...

    async def for_resume_key(self, resume_key: str) -> WebChat | None: ...

    async def create(
        self,
        chat_id: str,
        *,
        session_hash: str,
        resume_key: str,
        locale: str,
        expires_at: datetime,
    ) -> WebChat: ...

    async def update(
        self,
        chat_id: str,
        *,
        transcript: Sequence[Mapping[str, Any]] | None = None,
        locale: str | None = None,
        ended: bool | None = None,
        clear_resume_key: bool = False,
        expires_at: datetime | None = None,
    ) -> None: ...

    async def attach(self, chat_id: str, session_hash: str) -> None: ...

    async def release(self, session_hash: str) -> None: ...

    async def delete(self, chat_id: str) -> bool: ...

    async def delete_expired(self) -> int: ...


_TABLE = WebChatRow.__table__  # type: ignore[attr-defined]
_COLUMNS = tuple(_TABLE.c[f.name] for f in fields(WebChat))


def _chat(row: WebChatRow) -> WebChat:
    return WebChat(
        chat_id=row.chat_id,
        session_hash=row.session_hash,
        resume_key=row.resume_key,
        transcript=tuple(row.transcript),
        locale=row.locale,
        ended=row.ended,
        created_at=row.created_at,
        updated_at=row.updated_at,
        expires_at=row.expires_at,
    )


class SqlWebChatStore:
    def __init__(self, session: AsyncSession, clock: Clock) -> None:
        self._session, self._clock = session, clock

    async def _one(self, *where: Any, lock: bool = False) -> WebChat | None:
        # Core, not ORM entities: every page and post reads a chat (bench/web_chat_steps.py).
        statement = select(*_COLUMNS).where(*where, _TABLE.c.expires_at > self._clock())
        if lock:
            statement = statement.with_for_update()
        row = (await self._session.execute(statement)).first()
        if row is None:
            return None
        found = dict(row._mapping)
        return WebChat(**(found | {"transcript": tuple(found["transcript"])}))

    async def for_session(self, session_hash: str, *, lock: bool = False) -> WebChat | None:
        """The unexpired chat this browser session holds, if any; `lock`: its row stays
        locked until the end of the unit of work (PostgreSQL; SQLite's writing
        transaction holds the whole database already)."""
        return await self._one(col(WebChatRow.session_hash) == session_hash, lock=lock)

    async def get(self, chat_id: str) -> WebChat | None:
        """The unexpired chat with this id, if any."""
        return await self._one(col(WebChatRow.chat_id) == chat_id)

    async def for_resume_key(self, resume_key: str) -> WebChat | None:
        """The unexpired, unended chat with this resume code hash, if any."""
        return await self._one(
            col(WebChatRow.resume_key) == resume_key, col(WebChatRow.ended).is_(False)
        )

    async def create(
        self,
        chat_id: str,
        *,
        session_hash: str,
        resume_key: str,
        locale: str,
        expires_at: datetime,
    ) -> WebChat:
        """A new chat held by `session_hash`; a clash on any unique column raises
        `sqlalchemy.exc.IntegrityError` (the caller retries with new values)."""
        now = self._clock()
        row = WebChatRow(
            chat_id=chat_id,
            session_hash=session_hash,
            resume_key=resume_key,
            transcript=[],
            locale=locale,
            ended=False,
            created_at=now,
            updated_at=now,
            expires_at=expires_at,
        )
        self._session.add(row)
        await self._session.flush()
        return _chat(row)

    async def update(
        self,
        chat_id: str,
        *,
        transcript: Sequence[Mapping[str, Any]] | None = None,
        locale: str | None = None,
        ended: bool | None = None,
        clear_resume_key: bool = False,
        expires_at: datetime | None = None,
    ) -> None:
        values: dict[str, Any] = {"updated_at": self._clock()}
        if transcript is not None:
            values["transcript"] = [dict(entry) for entry in transcript]
        if locale is not None:
            values["locale"] = locale
        if ended is not None:
            values["ended"] = ended
        if clear_resume_key:
            values["resume_key"] = None
        if expires_at is not None:
            values["expires_at"] = expires_at
        await self._session.execute(
            update(_TABLE).where(_TABLE.c.chat_id == chat_id).values(**values)
        )

    async def attach(self, chat_id: str, session_hash: str) -> None:
        """Give the chat to this browser session; whatever chat the session held
        before is let go (it stays reachable by its own resume code until expiry)."""
        await self.release(session_hash)
        await self._session.execute(
            update(WebChatRow)
            .where(col(WebChatRow.chat_id) == chat_id)
            .values(session_hash=session_hash, updated_at=self._clock())
            .execution_options(synchronize_session=False)
        )

    async def release(self, session_hash: str) -> None:
        """Let go of the chat this session holds, if any (expired ones too)."""
        await self._session.execute(
            update(WebChatRow)
            .where(col(WebChatRow.session_hash) == session_hash)
            .values(session_hash=None)
            .execution_options(synchronize_session=False)
        )

    async def delete(self, chat_id: str) -> bool:
        statement = (
            delete(WebChatRow)
            .where(col(WebChatRow.chat_id) == chat_id)
            .returning(col(WebChatRow.id))
            .execution_options(synchronize_session=False)
        )
        return (await self._session.execute(statement)).first() is not None

    async def delete_expired(self) -> int:
        """Remove chats past their expiry (data minimisation); how many."""
        statement = (
            delete(WebChatRow)
            .where(col(WebChatRow.expires_at) <= self._clock())
            .returning(col(WebChatRow.id))
            .execution_options(synchronize_session=False)
        )
        return len((await self._session.execute(statement)).all())


def web_chats(uow: UnitOfWork) -> SqlWebChatStore:
    """The web chat store on a unit of work's transaction."""
    return SqlWebChatStore(uow.session, uow.now)
