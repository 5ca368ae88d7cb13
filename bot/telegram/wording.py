"""The Telegram channel's own sentences: plain Dutch (B1) gettext message ids.

The conversation (questions, help, crisis numbers) comes from the engine and the flows;
these are the words around it that only Telegram needs: commands, content the bot
cannot read, /status, /privacy and the staff notification.
"""

from __future__ import annotations

from flows.texts import N_

# Commands, as the Telegram menu shows them (setMyCommands).
COMMAND_START = N_("Begin een aanmelding, of ga verder waar je was")
COMMAND_HELP = N_("Wat kan ik typen?")
COMMAND_HULP = N_("Hulp bij nood: telefoonnummers")
COMMAND_TAAL = N_("Kies een andere taal")
COMMAND_TERUG = N_("Terug naar de vorige vraag")
COMMAND_STOP = N_("Stoppen en je antwoorden wissen")
COMMAND_STATUS = N_("Hoe staat het met mijn aanmelding?")
COMMAND_PRIVACY = N_("Wat doen jullie met mijn gegevens?")
COMMAND_MIJNGEGEVENS = N_("Welke gegevens hebben jullie van mij?")
COMMAND_VERWIJDER = N_("Al mijn gegevens wissen")
COMMAND_WEBCHAT = N_("Verder in de webchat, buiten Telegram")

HELP_COMMANDS = N_(
    "In Telegram kun je ook deze commando's gebruiken: /taal voor een andere taal, "
    "/status voor je aanmelding, /privacy over je gegevens, /mijngegevens om ze te zien, "
    "/verwijder om ze te wissen, /hulp bij nood."
)

# What the bot cannot read.
UNSUPPORTED = N_(
    "Sorry, dit kan ik niet lezen. Ik begrijp alleen tekst en de knoppen onder mijn "
    "vragen. Typ je antwoord, of kies een knop. Typ /help als je hulp nodig hebt."
)
EDITED = N_(
    "Je hebt een bericht veranderd. Dat kan ik niet lezen. Wil je een antwoord "
    "veranderen? Typ /terug, of verander het aan het eind in het overzicht."
)
UNKNOWN_COMMAND = N_(
    "Dit commando ken ik niet. Je kunt gebruiken: /start, /help, /hulp, /taal, /terug, "
    "/stop, /status, /privacy, /mijngegevens en /verwijder."
)
TOO_LONG = N_("Je bericht is te lang voor mij. Schrijf een kort antwoord op de laatste vraag.")
# An update that could not be applied after every try (the database was away).
NOT_APPLIED = N_(
    "Er ging iets mis: je laatste bericht is niet aangekomen. Je andere antwoorden "
    "zijn bewaard. Stuur je bericht over een paar minuten opnieuw."
)
STALE_BUTTON = N_("Deze knop werkt niet meer. Kijk naar de laatste vraag.")
PRIVATE_ONLY = N_(
    "Ik werk alleen in een privégesprek, niet in een groep. Zoek mij op in Telegram en "
    "stuur me daar een bericht."
)

# /status
STATUS_NONE = N_("Ik vind geen verstuurde aanmelding van jou in deze chat.")
STATUS_START = N_("Wil je je aanmelden? Typ /start.")
STATUS_DRAFT = N_("Je bent nog bezig met een aanmelding. Die is nog niet verstuurd.")
STATUS_ITEM = N_("Aanmelding {reference} van {date}:")

# /privacy (the notice itself is data: flows/data/privacy_notices.yaml) and the web chat.
PRIVACY_COMMANDS = N_(
    "Wil je zien welke gegevens we van je hebben? Typ /mijngegevens. Wil je dat we alles "
    "wissen? Typ /verwijder."
)
PRIVACY_TELEGRAM = N_(
    "Let op: Telegram is een app van een ander bedrijf. Dat bedrijf kan zien dat je met "
    "het loket chat."
)
WEB_CHAT = N_(
    "Wil je deze vragen liever niet in Telegram beantwoorden? Ga dan verder in de webchat: {url}"
)
WEB_CHAT_HANDOFF = N_(
    "Wil je deze vragen liever niet in Telegram beantwoorden? Ga dan verder in de webchat. "
    "Je antwoorden gaan mee. De link werkt één keer, 24 uur lang: {url}"
)
WEB_CHAT_NOTHING = N_(
    "Je bent nog niet bezig met een aanmelding. In de webchat kun je ook beginnen: {url}"
)

# The staff notification chat: nothing personal, ever.
STAFF_NEW = N_("Nieuwe pre-aanmelding {reference}, regio {region}, product {product}")
STAFF_NO_REGION = N_("onbekend")
STAFF_NO_PRODUCT = N_("geen")

__all__ = sorted(name for name in globals() if name.isupper())
