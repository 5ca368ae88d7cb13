"""The WhatsApp channel in the lifespan of `intake serve`: the Cloud API client, the
outbox deliverer and the intake, started when the settings configure the channel
(`bot.whatsapp.config`), and stopped at the end. The webhook
(`bot.whatsapp.webhook`) finds the running channel at `app.state.whatsapp`."""

from __future__ import annotations

import hmac
import logging
from collections.abc import AsyncIterator, Callable, Sequence
from contextlib import AbstractAsyncContextManager, asynccontextmanager

from fastapi import FastAPI

from bot.whatsapp.config import WhatsAppConfig
from bot.whatsapp.delivery import CHANNEL, WhatsAppDeliverer
from bot.whatsapp.graph_api import GraphApi
from bot.whatsapp.intake import WhatsAppIntake
from bot.whatsapp.updates import Status
from intake.conversation import ConversationService
from intake.privacy import PrivacyService
from storage.outbox_receipts import outbox_receipts

__all__ = ["WhatsAppChannel", "whatsapp_lifespan"]

log = logging.getLogger(__name__)


class WhatsAppChannel:
    """The running channel: what the webhook needs."""

    def __init__(
        self, config: WhatsAppConfig, intake: WhatsAppIntake, deliverer: WhatsAppDeliverer
    ) -> None:
        self.config, self.intake, self.deliverer = config, intake, deliverer

    def verify_token_matches(self, given: str) -> bool:
        return hmac.compare_digest(given.encode(), self.config.verify_token.encode())

    async def record_statuses(self, statuses: Sequence[Status]) -> None:
        """The statuses on their outbox rows, in one unit of work; unknown ids ignored."""
        if not statuses:
            return
        found = 0
        async with self.intake.database.unit_of_work() as uow:
            receipts = outbox_receipts(uow)
            for status in statuses:
                error = f"whatsapp_{status.error_code}" if status.error_code is not None else None
                found += await receipts.status(
                    CHANNEL, status.message_id, status.status, error=error
                )
        if found < len(statuses):
            log.info("whatsapp webhook: %s status(es) for unknown messages", len(statuses) - found)


def whatsapp_lifespan(
    config: WhatsAppConfig,
    service: ConversationService,
    *,
    privacy: PrivacyService | None = None,
    api: GraphApi | None = None,
) -> Callable[[FastAPI], AbstractAsyncContextManager[None]]:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        client = api or GraphApi(config)
        deliverer = WhatsAppDeliverer(service.database, client)
        intake = WhatsAppIntake(service, privacy=privacy)
        intake.listen(lambda queued: deliverer.wake() if queued else None)
        app.state.whatsapp = WhatsAppChannel(config, intake, deliverer)
        deliverer.start()
        log.info("WhatsApp started: webhook at /whatsapp/webhook")
        try:
            yield
        finally:
            await deliverer.stop()
            await client.close()
            app.state.whatsapp = None

    return lifespan
