"""The web chat: the intake on the loket's website, without Telegram (docs/webchat.md).

`mount_web_chat(app, settings)` adds `/chat` (the page, its posts, `/chat/resume`,
`/chat/new`), the privacy pages (`/chat/privacy`, `/chat/mijngegevens`,
`/chat/verwijder`), the inbox of the loket's messages (`/chat/berichten`, `inbox`),
`/chat/embed.js` (the snippet for partner sites), `/chat/static` and a
redirect from `/` to `/chat`. The chat runs the same flows through the same
`ConversationService` as Telegram, on channel "web".

Modules: `chat` (chats over the conversation service), `routes` (HTTP, and the
checks of every post as FastAPI dependencies), `privacy_pages` (notice, access copy,
erasure), `pages` (templates and the forms of a question), `forms` (reading posts),
`transcript`, `session_cookie`, `resume_codes`, `config`, `wording`, `fault_pages`
(the page when something failed, for the whole app it is mounted on), `admission`
(back-pressure: a 503 with Retry-After instead of a pool that runs dry). The headers,
templates, CSRF, rate-limit and fault-page plumbing it shares with the dashboard is
`webkit`.
"""

from __future__ import annotations

from collections.abc import Callable

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from bot.service_data import load_service_directory
from bot.settings import Settings
from bot.web.chat import WebChats
from bot.web.config import WebChatConfig
from bot.web.fault_pages import add_chat_fault_pages
from bot.web.inbox import add_inbox_pages
from bot.web.privacy_pages import add_privacy_pages
from bot.web.routes import STATIC, WebChatRoutes, web_chat_router
from flows.engine.library import FlowLibrary
from intake.conversation import ConversationService
from intake.privacy import PrivacyService
from storage.database import Database
from webkit.faults import Fault
from webkit.headers import StrictTransportSecurity

__all__ = ["WebChatConfig", "WebChatRoutes", "mount_web_chat", "web_chat_routes"]


def web_chat_routes(service: ConversationService, config: WebChatConfig) -> WebChatRoutes:
    return WebChatRoutes(WebChats(service, config), config)


def mount_web_chat(
    app: FastAPI,
    settings: Settings,
    *,
    service: ConversationService | None = None,
    privacy: PrivacyService | None = None,
    database: Database | None = None,
    config: WebChatConfig | None = None,
    library: FlowLibrary | None = None,
    on_fault: Callable[[Fault], None] | None = None,
) -> WebChatRoutes:
    """Serve the web chat on `app`; returns its routes' state (tests use it). `service`
    is the process's one conversation service (the composition root's); tests may pass
    a `database` (and a `library`) to have one made here instead. Every failure on
    `app` gets the chat's fault page (`on_fault` hears of it), and every response over
    https gets HSTS."""
    config = config or WebChatConfig.from_settings(settings)
    if service is None:
        service = ConversationService(
            database or Database(settings.database_url),
            secret_key=config.secret_key,
            default_locale=config.default_locale,
            directory=load_service_directory(settings),
            library=library,
        )
    routes = web_chat_routes(service, config)
    app.state.web_chat = routes  # for the dependencies of the posts (`routes.chat_routes`)
    router = web_chat_router(routes)
    add_privacy_pages(router, routes, privacy)
    add_inbox_pages(router, routes)
    app.include_router(router)
    app.mount("/chat/static", StaticFiles(directory=STATIC), name="chat-static")
    app.add_middleware(StrictTransportSecurity)
    add_chat_fault_pages(app, on_fault)
    return routes
