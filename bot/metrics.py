"""Prometheus metrics of one `intake serve` process, at `/metrics` (docs/operations.md).

What is counted, with label values from fixed lists only: never a user id, a chat id,
a reference code, a typed text or a path (docs/privacy.md, metrics):

- `intake_web_steps_total{outcome}`: answers posted to the web chat; outcome applied,
  repeated, stale, refused, too_fast, too_long or failed;
- `intake_telegram_updates_total{outcome}`: Telegram updates handled; applied (or a
  repeat) or failed;
- `intake_errors_total{app,kind}`: requests answered with a fault page; app chat or
  dashboard; kind database_busy, database_unavailable, database_error or internal;
- `intake_database_retries_total{reason}`: units of work run again; connection or
  conflict;
- `intake_outbox_pending_messages`: messages still to deliver (read at each scrape);
- `intake_outbox_oldest_pending_age_seconds`: how long the oldest of them has waited
  (0: none);
- `intake_database_connections_in_use`: connections of this process's pool in use.

Who may read it: with `METRICS_TOKEN` set, whoever sends `Authorization: Bearer
<token>`; without, only a request from this machine (a loopback address, not passed
on by a proxy). Anyone else gets 403.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from typing import Protocol

from fastapi import FastAPI, Request
from fastapi.responses import PlainTextResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    generate_latest,
)

from storage.database import Database
from storage.unit_of_work import UnitOfWork
from webkit.faults import Fault

__all__ = ["Metrics", "add_metrics_route"]

log = logging.getLogger(__name__)

WEB_OUTCOMES = ("applied", "repeated", "stale", "refused", "too_fast", "too_long", "failed")
TELEGRAM_OUTCOMES = ("applied", "failed")
APPS = ("chat", "dashboard")
KINDS = ("database_busy", "database_unavailable", "database_error", "internal")
RETRY_REASONS = ("connection", "conflict")
_LOOPBACK = frozenset({"127.0.0.1", "::1"})
_PROXY_HEADERS = ("x-forwarded-for", "forwarded", "x-real-ip")


class UpdateDone(Protocol):
    """What Telegram's intake tells its listeners (`bot.telegram.intake.UpdateDone`)."""

    @property
    def failed(self) -> bool: ...


class Metrics:
    """The process's metrics, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry(auto_describe=True)
        r = self.registry
        self.web_steps = Counter(
            "intake_web_steps",
            "Answers posted to the web chat, by outcome",
            ["outcome"],
            registry=r,
        )
        self.telegram_updates = Counter(
            "intake_telegram_updates",
            "Telegram updates handled, by outcome",
            ["outcome"],
            registry=r,
        )
        self.errors = Counter(
            "intake_errors", "Requests answered with a fault page", ["app", "kind"], registry=r
        )
        self.database_retries = Counter(
            "intake_database_retries", "Units of work run again, by reason", ["reason"], registry=r
        )
        self.outbox_pending = Gauge(
            "intake_outbox_pending_messages", "Outbox messages still to deliver", registry=r
        )
        self.outbox_oldest_age = Gauge(
            "intake_outbox_oldest_pending_age_seconds",
            "Seconds the oldest pending outbox message has waited",
            registry=r,
        )
        self.connections_in_use = Gauge(
            "intake_database_connections_in_use", "Pool connections in use", registry=r
        )
        # Every known series from the start, at 0 (a rate needs two points).
        for outcome in WEB_OUTCOMES:
            self.web_steps.labels(outcome)
        for outcome in TELEGRAM_OUTCOMES:
            self.telegram_updates.labels(outcome)
        for app in APPS:
            for kind in KINDS:
                self.errors.labels(app, kind)
        for reason in RETRY_REASONS:
            self.database_retries.labels(reason)

    # --- listeners (each hears one part of the service) ------------------------------

    def web_step(self, outcome: str) -> None:
        self.web_steps.labels(outcome if outcome in WEB_OUTCOMES else "failed").inc()

    def telegram_update(self, done: UpdateDone) -> None:
        self.telegram_updates.labels("failed" if done.failed else "applied").inc()

    def fault(self, app: str) -> Callable[[Fault], None]:
        def count(fault: Fault) -> None:
            self.errors.labels(app, fault.kind if fault.kind in KINDS else "internal").inc()

        return count

    def database_retry(self, reason: str) -> None:
        self.database_retries.labels(reason if reason in RETRY_REASONS else "connection").inc()

    # --- at each scrape --------------------------------------------------------------

    async def refresh(self, database: Database) -> None:
        """The gauges read now; when the database cannot be read they keep their last
        values (the errors and retries say why)."""
        pool = database.engine.pool
        checked_out = getattr(pool, "checkedout", None)
        if callable(checked_out):
            self.connections_in_use.set(checked_out())

        async def backlog(uow: UnitOfWork) -> tuple[int, float]:
            oldest = await uow.outbox.oldest_pending()
            waited = (uow.now() - oldest).total_seconds() if oldest is not None else 0.0
            return await uow.outbox.pending_count(), max(waited, 0.0)

        try:
            pending, waited = await database.run(backlog, write=False)
        except Exception as error:
            log.warning("metrics: outbox not read (%s)", type(error).__name__)
            return
        self.outbox_pending.set(pending)
        self.outbox_oldest_age.set(waited)

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def _allowed(request: Request, token: str | None) -> bool:
    if token is not None:
        scheme, _, given = request.headers.get("authorization", "").partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(given.encode(), token.encode())
    client = request.client.host if request.client else ""
    proxied = any(name in request.headers for name in _PROXY_HEADERS)
    return client in _LOOPBACK and not proxied


def add_metrics_route(
    app: FastAPI, metrics: Metrics, database: Database, token: str | None
) -> None:
    """`GET /metrics` on `app`, for Prometheus (see the module's docstring for who may)."""

    @app.get("/metrics", include_in_schema=False)
    async def scrape(request: Request) -> Response:
        if not _allowed(request, token):
            return PlainTextResponse("403: /metrics is for this machine or METRICS_TOKEN\n", 403)
        await metrics.refresh(database)
        return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
