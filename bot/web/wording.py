"""The web chat's own sentences that Python code passes on (plain Dutch, B1). Page
texts are in the templates; both are extracted into the `messages` catalog."""

from __future__ import annotations

from flows.texts import N_

# What a person pressed, as shown in their own speech bubble.
BACK = N_("Vorige vraag")
HELP = N_("Hulp")
STOP = N_("Stoppen")
CHOSE_NOTHING = N_("Niets aangevinkt")

# The page's emergency lines (also the entry flow's welcome: one message id).
NOT_EMERGENCY = N_("Dit is geen noodhulp. Ben je in direct gevaar? Bel 112.")

# Notices at the top of the chat.
SESSION_REFUSED = N_("Je sessie was verlopen of niet geldig. Je begint opnieuw.")
TOO_FAST = N_("Je gaat te snel. Wacht een paar seconden en probeer het opnieuw.")
TOO_MANY_CODES = N_("Je hebt te vaak een code geprobeerd. Probeer het over een uur opnieuw.")
WRONG_CODE = N_("Met deze code kunnen we geen gesprek vinden. Kijk of de code goed is.")
RESUMED = N_("Welkom terug. Je gesprek staat hieronder. Je kunt verder gaan.")
MOVED_HERE = N_("Je antwoorden uit Telegram staan nu hier. We gaan verder met de volgende vraag.")
STALE_FORM = N_("Die vraag is al beantwoord. Kijk naar de laatste vraag.")
FORM_REFUSED = N_("Dat ging niet goed. Probeer het opnieuw.")

# The page (or, with the script, the notice) when a post or a page failed: the
# database was busy or away, or a bug (bot/web/fault_pages.py).
FAULT_TITLE = N_("Dat lukte even niet")
FAULT_BUSY = N_("Het is nu erg druk, of er is even een storing.")
FAULT_BUG = N_("Er ging bij ons iets mis.")
FAULT_KEPT = N_("Je antwoorden zijn niet kwijt.")
FAULT_TRY_AGAIN = N_("Probeer het over een paar seconden opnieuw.")
FAULT_RESEND = N_("Stuur je laatste antwoord nog een keer. We gebruiken het maar één keer.")
FAULT_RESEND_BUTTON = N_("Opnieuw versturen")
FAULT_BACK = N_("Terug naar het gesprek")

__all__ = sorted(name for name in globals() if name.isupper())
