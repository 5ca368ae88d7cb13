"""The ASGI application that `intake serve` runs: one app, channels mounted on it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from fastapi import FastAPI

from bot.settings import Settings

if TYPE_CHECKING:
    from storage.database import Database

__all__ = ["create_app"]


def create_app(
    settings: Settings | None = None,
    *,
    database: Database | None = None,
    purge_daily: bool = False,
) -> FastAPI:
    lifespan = None
    telegram = settings is not None and settings.telegram_bot_token is not None
    if settings is not None and telegram:  # Telegram: runner in the lifespan (docs/telegram.md)
        from bot.telegram.runner import telegram_lifespan

        lifespan = telegram_lifespan(settings, database)
    if settings is not None and purge_daily:  # retention (docs/privacy.md): `intake serve`
        from bot.maintenance import with_daily_purge

        lifespan = with_daily_purge(lifespan, settings, database)
    app = FastAPI(
        title="Loket Housing intake",
        docs_url=None,
        redoc_url=None,
        openapi_url=None,
        lifespan=lifespan,
    )
    if telegram:
        from bot.telegram.webhook import telegram_webhook_router

        app.include_router(telegram_webhook_router())

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    if settings is not None:  # the web chat at /chat, and / (docs/webchat.md)
        from bot.web import mount_web_chat

        mount_web_chat(app, settings, database=database)

    if settings is not None:  # the staff dashboard (docs/dashboard.md)
        from bot.service_data import load_service_directory
        from loket.app import create_loket_app
        from loket.config import LoketConfig
        from storage.database import Database

        config = LoketConfig.build(
            secret_key=settings.ensure_secret_key(),
            host=settings.host,
            default_locale=settings.default_locale,
        )
        loket = create_loket_app(
            config,
            Database(settings.database_url),
            directory=load_service_directory(settings),
        )
        app.mount("/loket", loket)
    return app
