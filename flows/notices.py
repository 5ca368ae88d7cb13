"""What the loket tells a person about their pre-aanmelding: one sentence per status,
and the wrapper of a question from staff. Used by `/status` in the chat and by the
messages the dashboard sends when staff change a status or ask a question."""

from __future__ import annotations

from flows.texts import N_

__all__ = ["QUESTION_FROM_LOKET", "STATUS_CHANGED", "STATUS_TEXTS", "STATUS_UNKNOWN"]

# Keys are the lifecycle's status values (storage.lifecycle.Status).
STATUS_TEXTS: dict[str, str] = {
    "nieuw": N_("We hebben je aanmelding ontvangen. Een medewerker gaat hem lezen."),
    "in_behandeling": N_("Een medewerker van het loket is met je aanmelding bezig."),
    "info_gevraagd": N_(
        "Het loket heeft meer informatie van je nodig. Je krijgt daarover een bericht."
    ),
    "intake_gepland": N_("Er is een gesprek met je gepland."),
    "geaccepteerd": N_("Je bent aangenomen. Het loket neemt contact met je op."),
    "doorverwezen": N_("Het loket heeft je doorverwezen naar een andere organisatie."),
    "afgewezen": N_("Het loket kan je niet aannemen. Je krijgt daarover een bericht."),
    "ingetrokken": N_("Deze aanmelding is ingetrokken."),
}
STATUS_UNKNOWN = N_("Een medewerker van het loket bekijkt je aanmelding.")
STATUS_CHANGED = N_("Nieuws over je aanmelding {reference}:")
QUESTION_FROM_LOKET = N_(
    "Het loket heeft een vraag over je aanmelding {reference}: {question} "
    "Je kunt hier antwoord geven. Je kunt het loket ook bellen of mailen. {loket_contact}"
)
