"""Fakes of the outside world for tests.

`FakeBotAPI` (telegram_api) is a Telegram Bot API server on 127.0.0.1 that the real
aiogram and python-telegram-bot libraries talk to over HTTP; see its module doc.
"""

from tests.fakes.telegram_api import TEST_TOKEN, ApiCall, FakeBotAPI, Webhook, WebhookDelivery
from tests.fakes.telegram_chats import CallbackRecord, SentMessage
from tests.fakes.telegram_objects import LOCATION, PHOTO, STICKER, VOICE
from tests.fakes.telegram_rate import RateLimits, RateViolation
from tests.fakes.telegram_thread import FakeBotAPIThread

__all__ = [
    "LOCATION",
    "PHOTO",
    "STICKER",
    "TEST_TOKEN",
    "VOICE",
    "ApiCall",
    "CallbackRecord",
    "FakeBotAPI",
    "FakeBotAPIThread",
    "RateLimits",
    "RateViolation",
    "SentMessage",
    "Webhook",
    "WebhookDelivery",
]
