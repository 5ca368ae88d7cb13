"""The WhatsApp channel's own sentences: plain Dutch (B1) gettext message ids.

The conversation (questions, help, crisis numbers) comes from the engine and the flows;
these are the words around it that only WhatsApp needs. WhatsApp has no commands
with a slash: everything is a word a person types (`bot.whatsapp.words`). Sentences
that are the same as Telegram's have the same message id, so one translation serves
both.
"""

from __future__ import annotations

from flows.texts import N_

HELP_WORDS = N_(
    "In WhatsApp kun je ook deze woorden typen: 'taal' voor een andere taal, 'privacy' "
    "over je gegevens, 'mijn gegevens' om ze te zien, 'verwijder' om ze te wissen, "
    "'crisis' bij nood."
)

# What the bot cannot read: a photo, a voice message, a location, a sticker, a file.
UNSUPPORTED = N_(
    "Sorry, foto's, spraakberichten, locaties en stickers kan ik niet lezen. Ik bewaar ze "
    "ook niet. Typ je antwoord, of kies een knop. Typ 'help' als je hulp nodig hebt."
)
TOO_LONG = N_("Je bericht is te lang voor mij. Schrijf een kort antwoord op de laatste vraag.")
STALE_BUTTON = N_("Deze knop werkt niet meer. Kijk naar de laatste vraag.")

# The button that opens a list of options (WhatsApp: at most 20 characters).
LIST_BUTTON = N_("Kies een antwoord")

# 'privacy' (the notice itself is data: flows/data/privacy_notices.yaml).
PRIVACY_WORDS = N_(
    "Wil je zien welke gegevens we van je hebben? Typ 'mijn gegevens'. Wil je dat we alles "
    "wissen? Typ 'verwijder'."
)
PRIVACY_WHATSAPP = N_(
    "Let op: WhatsApp is een app van Meta, een ander bedrijf. Je berichten gaan via Meta. "
    "Meta kan zien dat je met het loket chat, en wanneer."
)

__all__ = sorted(name for name in globals() if name.isupper())
