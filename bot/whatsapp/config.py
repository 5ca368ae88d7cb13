"""The WhatsApp settings (docs/whatsapp.md): the channel runs when WHATSAPP_TOKEN,
WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_APP_SECRET and WHATSAPP_VERIFY_TOKEN are all set;
some but not all of them is a mistake that stops `intake serve` with one line."""

from __future__ import annotations

from dataclasses import dataclass, field

from bot.settings import Settings

__all__ = ["WhatsAppConfig", "WhatsAppSettingsError", "whatsapp_config"]


class WhatsAppSettingsError(RuntimeError):
    """The WhatsApp settings cannot be used; the message names what is missing."""


@dataclass(frozen=True)
class WhatsAppConfig:
    phone_number_id: str
    api_base_url: str
    token: str = field(repr=False)
    app_secret: str = field(repr=False)
    verify_token: str = field(repr=False)

    @property
    def messages_url(self) -> str:
        """Where messages are sent: `{base}/{phone_number_id}/messages`."""
        return f"{self.api_base_url.rstrip('/')}/{self.phone_number_id}/messages"


def whatsapp_config(settings: Settings) -> WhatsAppConfig | None:
    """The channel's settings, None when WhatsApp is not configured at all;
    `WhatsAppSettingsError` when only some of the four are set."""
    given = {
        "WHATSAPP_TOKEN": settings.whatsapp_token,
        "WHATSAPP_PHONE_NUMBER_ID": settings.whatsapp_phone_number_id,
        "WHATSAPP_APP_SECRET": settings.whatsapp_app_secret,
        "WHATSAPP_VERIFY_TOKEN": settings.whatsapp_verify_token,
    }
    missing = [name for name, value in given.items() if value is None]
    if len(missing) == len(given):
        return None
    if missing:
        raise WhatsAppSettingsError(
            f"WhatsApp is only partly configured: {', '.join(missing)} "
            f"{'is' if len(missing) == 1 else 'are'} not set; set all four of "
            "WHATSAPP_TOKEN, WHATSAPP_PHONE_NUMBER_ID, WHATSAPP_APP_SECRET and "
            "WHATSAPP_VERIFY_TOKEN, or none (docs/whatsapp.md)"
        )
    token, secret, verify = (
        settings.whatsapp_token,
        settings.whatsapp_app_secret,
        settings.whatsapp_verify_token,
    )
    assert token is not None and secret is not None and verify is not None
    assert settings.whatsapp_phone_number_id is not None
    return WhatsAppConfig(
        phone_number_id=settings.whatsapp_phone_number_id.strip(),
        api_base_url=settings.whatsapp_api_base_url,
        token=token.get_secret_value(),
        app_secret=secret.get_secret_value(),
        verify_token=verify.get_secret_value(),
    )
