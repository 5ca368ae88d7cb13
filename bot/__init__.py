"""The running application: settings, the `intake` command, the conversation service
and the channels (web chat, Telegram, console)."""
