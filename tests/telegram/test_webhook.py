"""POST /telegram/webhook on the app of `intake serve`: the secret header, bad bodies,
and an update that could not be applied (Telegram must send it again)."""

from __future__ import annotations

import httpx
import pytest

from bot.telegram.runner import webhook_secret
from bot.telegram.webhook import SECRET_HEADER
from storage.engine import DatabaseUnavailable
from tests.factories.databases import Backend
from tests.telegram.harness import telegram_bot

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)

UPDATE = {
    "update_id": 900001,
    "message": {
        "message_id": 1,
        "date": 1_700_000_000,
        "chat": {"id": 55, "type": "private", "first_name": "Test"},
        "from": {"id": 55, "is_bot": False, "first_name": "Test", "language_code": "nl"},
        "text": "/start",
        "entities": [{"type": "bot_command", "offset": 0, "length": 6}],
    },
}


@pytest.mark.parametrize("framework", ["aiogram", "ptb"])
async def test_the_secret_token_is_checked(backend: Backend, framework: str) -> None:
    async with telegram_bot(backend, framework, "webhook") as bot:
        hook = bot.api.webhook
        assert hook is not None and hook.secret_token == bot.runner.webhook_secret
        assert hook.url.endswith("/telegram/webhook")
        url = f"http://127.0.0.1:{bot.port}/telegram/webhook"
        good = {SECRET_HEADER: bot.runner.webhook_secret}
        async with httpx.AsyncClient() as client:
            assert (await client.post(url, json=UPDATE)).status_code == 401
            wrong = {SECRET_HEADER: "not-the-secret"}
            assert (await client.post(url, json=UPDATE, headers=wrong)).status_code == 403
            assert (await client.post(url, content=b"{", headers=good)).status_code == 400
            assert (await client.post(url, json=[1], headers=good)).status_code == 400
            assert bot.api.sent_messages(55) == []

            answer = await client.post(url, json=UPDATE, headers=good)
            assert answer.status_code == 200
            await bot.runner.deliverer.wait_idle()
            assert len(bot.api.sent_messages(55)) == 1

            # The database is gone: 503, nothing kept, so Telegram sends it again.
            again = {**UPDATE, "update_id": 900002}

            tries: list[object] = []

            async def unavailable(*args: object, **kwargs: object) -> object:
                tries.append(args)
                raise DatabaseUnavailable("the database is not reachable")

            bot.runner.intake.retry_pauses = (0.01,)  # tried twice, then given back
            handle = bot.runner.service.handle
            bot.runner.service.handle = unavailable  # type: ignore[method-assign,assignment]
            try:
                assert (await client.post(url, json=again, headers=good)).status_code == 503
            finally:
                bot.runner.service.handle = handle  # type: ignore[method-assign]
            assert len(tries) == 2
            assert (await client.post(url, json=again, headers=good)).status_code == 200


async def test_polling_mode_has_no_webhook(backend: Backend) -> None:
    async with telegram_bot(backend, "aiogram", "polling") as bot:
        assert bot.api.webhook is None
        secret = webhook_secret(bot.runner.settings, "telegram-test-secret")
        async with httpx.AsyncClient() as client:
            answer = await client.post(
                f"http://127.0.0.1:{bot.port}/telegram/webhook",
                json=UPDATE,
                headers={SECRET_HEADER: secret},
            )
        assert answer.status_code == 404
