"""The ASGI application that `intake serve` runs: one app, channels mounted on it."""

from __future__ import annotations

from fastapi import FastAPI

from bot.settings import Settings

__all__ = ["create_app"]


def create_app(settings: Settings | None = None) -> FastAPI:
    app = FastAPI(title="Loket Housing intake", docs_url=None, redoc_url=None, openapi_url=None)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    if settings is not None:  # the staff dashboard (docs/dashboard.md)
        from loket.app import create_loket_app
        from storage.database import Database

        app.mount("/loket", create_loket_app(settings, Database(settings.database_url)))
    return app
