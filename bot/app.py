"""The composition root: the ASGI application that `intake serve` runs.

It builds, once per process, the one `Database` (one engine and its pool, sized by
`DATABASE_POOL_*`), the operator's service data and the one `ConversationService`,
and hands them to every part: the web chat, Telegram (in the lifespan), the e-mail
deliverer (always: SMTP or the mail folder), WhatsApp (when configured: the webhook
at /whatsapp/webhook and its outbox deliverer), the daily purge, the dashboard and the
health probes (/healthz, /readyz: bot/health.py). One
lifespan starts the background parts and, at the end, stops them and disposes of
the database it made. This is the one module that sees
both the channels and the dashboard (docs/architecture.md).

No failure ends in a bare 500: the dashboard answers its own with a Dutch page, and
every other path of the app gets the web chat's page, in the person's language
(`bot.web.fault_pages`, installed by `mount_web_chat`: the last resort of the whole
app). The metrics (`bot.metrics`, `/metrics`) hear every part: web steps, Telegram
updates, faults by app and kind, database retries, the outbox backlog.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import TYPE_CHECKING

from fastapi import FastAPI

from bot.settings import Settings

if TYPE_CHECKING:
    from bot.whatsapp.config import WhatsAppConfig
    from intake.conversation import ConversationService
    from intake.privacy import PrivacyService
    from storage.database import Database

__all__ = ["create_app"]

Lifespan = Callable[[FastAPI], AbstractAsyncContextManager[None]]


def _privacy(service: ConversationService) -> PrivacyService:
    """The one privacy service of the process (access copies, erasure), for the web
    chat, Telegram and the dashboard."""
    from intake.privacy import PrivacyService

    return PrivacyService(service.database, secret_key=service.secret_key, library=service.library)


def _service(settings: Settings, database: Database) -> ConversationService:
    """The one conversation service of the process, for every channel."""
    from bot.service_data import load_service_directory
    from intake.conversation import ConversationService

    return ConversationService(
        database,
        secret_key=settings.ensure_secret_key(),
        default_locale=settings.default_locale,
        directory=load_service_directory(settings),
    )


def _whatsapp(settings: Settings) -> WhatsAppConfig | None:
    """The WhatsApp channel's settings, when it is configured (bot/whatsapp/config.py)."""
    if not any(
        (
            settings.whatsapp_token,
            settings.whatsapp_phone_number_id,
            settings.whatsapp_app_secret,
            settings.whatsapp_verify_token,
        )
    ):
        return None  # not configured: nothing of the channel is imported
    from bot.whatsapp.config import whatsapp_config

    return whatsapp_config(settings)


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    purge_daily: bool = False,
) -> FastAPI:
    """The whole service on one app. Without `settings`: /healthz only. A `database`
    passed in stays the caller's (not disposed of here)."""
    from bot.health import answer_head_like_get, mount_health  # /healthz, /readyz

    if settings is None:
        app = FastAPI(title="Loket Housing intake", docs_url=None, redoc_url=None)
        mount_health(app, None)
        return app
    from bot.email.config import email_deliverer
    from bot.metrics import Metrics, add_metrics_route
    from storage.database import Database
    from storage.engine import PoolOptions

    own = database is None
    pool = PoolOptions(
        size=settings.database_pool_size,
        max_overflow=settings.database_pool_max_overflow,
        timeout=settings.database_pool_timeout,
    )
    db = database or Database(settings.database_url, pool=pool)
    service = _service(settings, db)
    privacy = _privacy(service)
    email = email_deliverer(settings, db)  # refuses unusable e-mail settings now
    telegram = settings.telegram_bot_token is not None
    whatsapp = _whatsapp(settings)  # None unless configured; refuses a partial one
    metrics = Metrics()
    db.retry_listeners.append(metrics.database_retry)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            if own:
                stack.push_async_callback(db.dispose)  # last: after every user of it
            email.start()  # e-mail (docs/operations.md, "E-mail")
            stack.push_async_callback(email.stop)
            if purge_daily:  # retention (docs/privacy.md)
                from bot.maintenance import daily_purge

                await stack.enter_async_context(daily_purge(settings, db))
            if telegram:  # the runner (docs/telegram.md)
                from bot.telegram.runner import telegram_lifespan

                await stack.enter_async_context(
                    telegram_lifespan(settings, db, service=service, privacy=privacy)(app)
                )
                app.state.telegram.intake.listen(metrics.telegram_update)
            if whatsapp is not None:  # the runner (docs/whatsapp.md)
                from bot.whatsapp.runner import whatsapp_lifespan

                await stack.enter_async_context(
                    whatsapp_lifespan(whatsapp, service, privacy=privacy)(app)
                )
            yield

    app = FastAPI(
        title="Loket Housing intake",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    app.state.database = db
    app.state.email = email  # `app.state.email.wake()` after queueing an e-mail
    app.state.metrics = metrics
    if telegram:
        from bot.telegram.webhook import telegram_webhook_router

        app.include_router(telegram_webhook_router())
    if whatsapp is not None:
        from bot.whatsapp.webhook import whatsapp_webhook_router

        app.include_router(whatsapp_webhook_router())
    mount_health(app, db)
    token = settings.metrics_token
    add_metrics_route(app, metrics, db, token.get_secret_value() if token else None)

    from bot.web import mount_web_chat  # the web chat at /chat, and / (docs/webchat.md)

    # Its fault page is the last resort of the whole app (outside /loket).
    chat = mount_web_chat(
        app, settings, service=service, privacy=privacy, on_fault=metrics.fault("chat")
    )
    chat.listen(metrics.web_step)
    answer_head_like_get(app, "/")  # uptime monitors try the root with HEAD

    from loket.app import create_loket_app  # the staff dashboard (docs/dashboard.md)
    from loket.config import LoketConfig

    config = LoketConfig.build(
        secret_key=settings.ensure_secret_key(),
        host=settings.host,
        default_locale=settings.default_locale,
    )
    loket = create_loket_app(
        config,
        db,
        directory=service.directory,
        privacy=privacy,
        on_fault=metrics.fault("dashboard"),
        chat_url=settings.public_chat_url,
        wake_email=email.wake,
    )
    app.mount("/loket", loket)
    return app
