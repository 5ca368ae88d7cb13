"""The Telegram channel: aiogram and python-telegram-bot adapters over the one
conversation service, an outbox deliverer that keeps Telegram's limits, and the
start-up in polling or webhook mode (see docs/telegram.md).

Modules: `intake` (what an update means, the same for both frameworks),
`aiogram_adapter` / `ptb_adapter` (framework updates in), `rendering` (turns as
Telegram messages), `delivery` and `pacing` (the outbox sender), `bot_api` (the
HTTP client delivery uses), `runner` (start-up, chosen by settings), `webhook` (the
route on the ASGI app), `staff` (the staff notification), `status` (/status),
`wording` (the channel's own sentences).
"""
