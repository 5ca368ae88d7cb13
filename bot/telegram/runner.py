"""Telegram inside `intake serve`: the adapter chosen by TELEGRAM_FRAMEWORK, polling or
the webhook chosen by TELEGRAM_MODE, and the outbox deliverer.

    async with telegram_running(settings, database) as runner:
        ...  # the ASGI app serves; POST /telegram/webhook feeds runner.feed_webhook

Start-up: the framework calls getMe (a wrong token stops the start with a clear
error), the command menu is set in every shipped language, then either the webhook
is set (with its secret token) or any webhook is deleted and long polling starts.
Both modes feed every update to the framework's dispatcher (`Adapter.feed`) and
confirm it to Telegram only once it was applied: the webhook answers after the
commit, and polling asks for updates from the oldest one not yet done
(bot/telegram/poller.py). The deliverer runs in both modes. Stopping finishes
updates and sends in flight.
"""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import hmac
import logging
from collections.abc import AsyncIterator, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from typing import Any, Protocol

from fastapi import FastAPI

from bot.service_data import load_service_directory
from bot.settings import Settings
from bot.telegram import wording
from bot.telegram.bot_api import BotApi
from bot.telegram.delivery import OutboxDeliverer
from bot.telegram.intake import TelegramIntake
from bot.telegram.pacing import Pacer, SendLimits
from bot.telegram.poller import ALLOWED_UPDATES, UpdatePoller
from bot.telegram.rendering import RenderOptions
from flows.engine.flow_format import Question
from flows.engine.library import FlowLibrary
from flows.texts import Text
from intake.conversation import ConversationService
from intake.privacy import PrivacyService
from locales import render
from locales.languages import LANGUAGES
from storage.database import Database

__all__ = [
    "ALLOWED_UPDATES",
    "SENSITIVE_FACTS",
    "Adapter",
    "TelegramRunner",
    "TelegramStartError",
    "sensitive_nodes",
    "telegram_lifespan",
    "telegram_running",
    "webhook_secret",
]

# Before these questions the web chat is offered (health and justice).
SENSITIVE_FACTS = frozenset({"problems", "justice_contact"})
COMMANDS = (
    ("start", wording.COMMAND_START),
    ("help", wording.COMMAND_HELP),
    ("hulp", wording.COMMAND_HULP),
    ("taal", wording.COMMAND_TAAL),
    ("terug", wording.COMMAND_TERUG),
    ("stop", wording.COMMAND_STOP),
    ("status", wording.COMMAND_STATUS),
    ("privacy", wording.COMMAND_PRIVACY),
    ("mijngegevens", wording.COMMAND_MIJNGEGEVENS),
    ("verwijder", wording.COMMAND_VERWIJDER),
)
WEB_CHAT_COMMAND = ("webchat", wording.COMMAND_WEBCHAT)  # with WEB_CHAT_URL set
log = logging.getLogger(__name__)


class TelegramStartError(RuntimeError):
    """Telegram could not be started (settings, token, Bot API server)."""


class Adapter(Protocol):
    name: str

    async def start(self) -> None: ...

    async def feed(self, data: dict[str, Any]) -> None: ...

    async def stop(self) -> None: ...


def sensitive_nodes(library: FlowLibrary) -> frozenset[tuple[str, str]]:
    """(flow id, node) of every question about health or justice, in every version:
    its answer is such a fact, or one of its options sets one."""

    def sensitive(question: Question) -> bool:
        facts = {question.fact, *(f for o in question.options for f in o.sets)}
        return bool(facts & SENSITIVE_FACTS)

    return frozenset(
        (flow.id, node.id)
        for flow in library.flows.values()
        for node in flow.questions
        if node.question is not None and sensitive(node.question)
    )


def webhook_secret(settings: Settings, secret_key: str) -> str:
    """TELEGRAM_WEBHOOK_SECRET, or one derived from SECRET_KEY (stable over restarts)."""
    if settings.telegram_webhook_secret is not None:
        return settings.telegram_webhook_secret.get_secret_value()
    digest = hmac.new(secret_key.encode(), b"telegram-webhook", hashlib.sha256)
    return digest.hexdigest()


def send_limits(settings: Settings) -> SendLimits:
    return SendLimits(
        per_chat_per_second=settings.telegram_chat_messages_per_second,
        global_per_second=settings.telegram_messages_per_second,
    )


class TelegramRunner:
    """The adapter, the intake and the deliverer of one process."""

    def __init__(
        self,
        settings: Settings,
        database: Database,
        *,
        service: ConversationService | None = None,
        privacy: PrivacyService | None = None,
        limits: SendLimits | None = None,
        poll_timeout: int = 25,
        idle_poll: float = 1.0,
    ) -> None:
        if settings.telegram_bot_token is None:
            raise TelegramStartError("TELEGRAM_BOT_TOKEN is not set")
        token = settings.telegram_bot_token.get_secret_value()
        secret_key = settings.ensure_secret_key()
        self.settings = settings
        self.mode = settings.telegram_mode
        if self.mode == "webhook" and not settings.telegram_webhook_url:
            raise TelegramStartError("TELEGRAM_MODE=webhook needs TELEGRAM_WEBHOOK_URL")
        self.webhook_secret = webhook_secret(settings, secret_key)
        self.service = service or ConversationService(
            database,
            secret_key=secret_key,
            default_locale=settings.default_locale,
            directory=load_service_directory(settings),
        )
        base_url = settings.telegram_api_base_url
        self.api = BotApi(token, base_url)
        self.deliverer = OutboxDeliverer(
            database,
            self.api,
            pacer=Pacer(limits or send_limits(settings)),
            idle_poll=idle_poll,
        )
        options = RenderOptions(
            web_chat_url=settings.web_chat_url,
            sensitive_nodes=sensitive_nodes(self.service.library),
        )
        self.intake = TelegramIntake(
            self.service,
            render_options=options,
            staff_chat=settings.telegram_staff_chat_id,
            privacy=privacy,
            deliverer=self.deliverer,  # replies sent right after the update's commit
        )
        self.intake.listen(lambda done: self.deliverer.wake() if done.left else None)
        self.poller = UpdatePoller(
            self.api,
            self.apply,
            default_locale=settings.default_locale,
            poll_timeout=poll_timeout,
        )
        self.started = asyncio.Event()
        self._adapter_started = False
        self.adapter: Adapter
        if settings.telegram_framework == "ptb":
            from bot.telegram.ptb_adapter import PtbAdapter

            self.adapter = PtbAdapter(token, base_url, self.intake)
        else:
            from bot.telegram.aiogram_adapter import AiogramAdapter

            self.adapter = AiogramAdapter(token, base_url, self.intake)

    async def start(self) -> None:
        """Start receiving and delivering; raises `TelegramStartError` (may be retried)."""
        # Request URLs carry the token: keep the HTTP clients' INFO lines out of the logs.
        logging.getLogger("httpx").setLevel(logging.WARNING)
        if not self._adapter_started:
            try:
                await self.adapter.start()
            except Exception as error:
                raise TelegramStartError(
                    f"Telegram ({self.adapter.name}) did not start: {type(error).__name__}: {error}"
                ) from error
            self._adapter_started = True
        await self._set_commands()
        if self.mode == "webhook":
            result = await self.api.call(
                "setWebhook",
                {
                    "url": self.settings.telegram_webhook_url,
                    "secret_token": self.webhook_secret,
                    "allowed_updates": ALLOWED_UPDATES,
                },
            )
            if not result.ok:
                raise TelegramStartError(f"setWebhook failed: {result.status} {result.description}")
        else:
            result = await self.api.call("deleteWebhook", {"drop_pending_updates": False})
            if not result.ok:
                raise TelegramStartError(
                    f"deleteWebhook failed: {result.status} {result.description}"
                )
            self.poller.start()
        self.deliverer.start()
        self.started.set()
        log.info("Telegram started: %s, %s", self.adapter.name, self.mode)

    async def start_with_retries(self, first_pause: float = 5.0, longest: float = 120.0) -> None:
        pause = first_pause
        while True:
            try:
                await self.start()
                return
            except TelegramStartError as error:
                log.error("%s; trying again in %.0f s", error, pause)
            await asyncio.sleep(pause)
            pause = min(pause * 2, longest)

    def _commands(self) -> tuple[tuple[str, str], ...]:
        if self.settings.web_chat_url:
            return (*COMMANDS, WEB_CHAT_COMMAND)
        return COMMANDS

    async def _set_commands(self) -> None:
        for lang in LANGUAGES:
            params: dict[str, Any] = {
                "commands": [
                    {"command": name, "description": render(Text(text), lang.code)}
                    for name, text in self._commands()
                ]
            }
            if lang.code != self.settings.default_locale:
                params["language_code"] = lang.code
            result = await self.api.call("setMyCommands", params)
            if not result.ok:
                log.warning("setMyCommands (%s) failed: %s", lang.code, result.description)

    async def feed_webhook(self, data: dict[str, Any]) -> None:
        """Handle one webhook update; raises when it was not applied (answer 5xx, so
        Telegram sends it again)."""
        if not self.started.is_set():
            raise TelegramStartError("Telegram is not started yet")
        await self.apply(data)

    async def apply(self, data: dict[str, Any]) -> None:
        """One update through the framework's dispatcher; returns once it is applied
        (committed) and raises when it was not, whichever framework runs (aiogram
        raises a handler's error, PTB logs it: the intake remembers the failure)."""
        update_id = data.get("update_id")
        try:
            await self.adapter.feed(data)  # aiogram raises a handler's error, PTB logs it
        finally:
            failed = isinstance(update_id, int) and self.intake.take_failure(update_id)
        if failed:
            raise RuntimeError("the update was not applied")

    async def stop(self) -> None:
        """Stop receiving, finish the updates being handled, then the sends in flight."""
        try:
            await self.poller.stop()
            if self._adapter_started:
                self._adapter_started = False
                await self.adapter.stop()
            await self.intake.drain()
        finally:
            self.started.clear()
            await self.deliverer.stop()
            await self.api.close()


@asynccontextmanager
async def telegram_running(
    settings: Settings, database: Database, **options: Any
) -> AsyncIterator[TelegramRunner]:
    """A started runner until the block ends; a start that fails raises."""
    runner = TelegramRunner(settings, database, **options)
    try:
        await runner.start()
    except BaseException:
        await runner.stop()
        raise
    try:
        yield runner
    finally:
        await runner.stop()


def telegram_lifespan(
    settings: Settings, database: Database, **options: Any
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    """The ASGI lifespan of `intake serve` with Telegram: `app.state.telegram` is the
    runner. When Telegram cannot be reached at start, the rest of the service (web
    chat, dashboard) serves anyway and the start is tried again (errors in the log).
    The database is the composition root's: not disposed of here."""

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        runner = TelegramRunner(settings, database, **options)
        app.state.telegram = runner
        starting = asyncio.create_task(runner.start_with_retries(), name="telegram-start")
        try:
            yield
        finally:
            starting.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await starting
            await runner.stop()

    return lifespan
