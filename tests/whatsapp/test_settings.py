"""WhatsApp runs when all four of its settings are set; a partial configuration stops
`intake serve` with one line that names what is missing, and makes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import Settings
from bot.whatsapp.config import WhatsAppSettingsError, whatsapp_config
from tests.serving import serve_env, stops_with_one_line


def _settings(**given: str) -> Settings:
    return Settings(_env_file=None, secret_key="x", **given)  # type: ignore[call-arg]


def test_not_configured_is_none_and_all_four_configure_it() -> None:
    assert whatsapp_config(_settings()) is None
    assert whatsapp_config(_settings(whatsapp_token="")) is None  # empty is unset
    config = whatsapp_config(
        _settings(
            whatsapp_token="tok",
            whatsapp_phone_number_id="123",
            whatsapp_app_secret="sec",
            whatsapp_verify_token="ver",
        )
    )
    assert config is not None
    assert config.messages_url == "https://graph.facebook.com/v21.0/123/messages"
    assert "tok" not in repr(config) and "sec" not in repr(config)


def test_a_partial_configuration_is_refused() -> None:
    with pytest.raises(WhatsAppSettingsError, match="WHATSAPP_APP_SECRET, WHATSAPP_VERIFY_TOKEN"):
        whatsapp_config(_settings(whatsapp_token="tok", whatsapp_phone_number_id="123"))


def test_serve_stops_with_one_line_on_a_partial_configuration(tmp_path: Path) -> None:
    env = serve_env(WHATSAPP_TOKEN="tok", WHATSAPP_PHONE_NUMBER_ID="123")
    line = stops_with_one_line(tmp_path, env)
    assert line.startswith("intake serve: WhatsApp is only partly configured: ")
    assert "WHATSAPP_APP_SECRET" in line and "WHATSAPP_VERIFY_TOKEN" in line
    assert "tok" not in line.replace("WHATSAPP_TOKEN", "")
