"""What the loket tells a person about their pre-aanmelding: one sentence per status,
and the wrapper of a question from staff. Used by `/status` in the chat and by the
messages the dashboard sends when staff change a status or ask a question."""

from __future__ import annotations

from flows.texts import N_, Text

__all__ = [
    "ALSO_CALL_OR_MAIL",
    "ANSWER_AT_LINK",
    "EMAIL_BODY",
    "EMAIL_LINK_EXPIRES",
    "EMAIL_SUBJECT",
    "INBOX_CODE_GIVEN",
    "QUESTION_FROM_LOKET",
    "STATUS_CHANGED",
    "STATUS_TEXTS",
    "STATUS_TEXTS_ABOUT_THE_PERSON",
    "STATUS_UNKNOWN",
    "status_text",
]

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
    "afgewezen": N_(
        "Het loket kan je niet aannemen. Wil je weten waarom? Neem dan contact op met het "
        "loket. {loket_contact}"
    ),
    "ingetrokken": N_("Deze aanmelding is ingetrokken."),
}
# For a professional or veldwerker who registered someone else: where the sentence
# above says "je" and means the person registered, it names them instead.
STATUS_TEXTS_ABOUT_THE_PERSON: dict[str, str] = {
    "intake_gepland": N_("Er is een gesprek met de persoon gepland."),
    "geaccepteerd": N_("De persoon is aangenomen. Het loket neemt contact op."),
    "doorverwezen": N_("Het loket heeft de persoon doorverwezen naar een andere organisatie."),
    "afgewezen": N_(
        "Het loket kan de persoon niet aannemen. Wil je weten waarom? Neem dan contact op "
        "met het loket. {loket_contact}"
    ),
}
STATUS_UNKNOWN = N_("Een medewerker van het loket bekijkt je aanmelding.")


def status_text(status: str, loket_contact: Text, *, for_submitter: bool = False) -> Text:
    """The sentence of a status; `loket_contact` (operator data) for the statuses whose
    sentence asks the person to contact the loket. `for_submitter`: the reader
    registered someone else (a professional, a veldwerker), so "you" is not the person."""
    texts = {**STATUS_TEXTS, **STATUS_TEXTS_ABOUT_THE_PERSON} if for_submitter else STATUS_TEXTS
    return Text(texts.get(status, STATUS_UNKNOWN), {"loket_contact": loket_contact})


STATUS_CHANGED = N_("Nieuws over je aanmelding {reference}:")
QUESTION_FROM_LOKET = N_("Het loket heeft een vraag over je aanmelding {reference}: {question}")
# Under a question or news in Telegram: where to answer (the web chat's inbox).
ANSWER_AT_LINK = N_("Lees en beantwoord de berichten van het loket op deze pagina: {link}")
ALSO_CALL_OR_MAIL = N_("Je kunt het loket ook bellen of mailen. {loket_contact}")
# An e-mail says only that there is a message, and where to read it: never its words.
EMAIL_SUBJECT = N_("Nieuw bericht van Loket Housing")
EMAIL_BODY = N_(
    "Er is een nieuw bericht van Loket Housing over aanmelding {reference}. "
    "Lees het bericht op deze pagina: {link}"
)
EMAIL_LINK_EXPIRES = N_(
    "De link werkt {days} dagen. Werkt de link niet meer? Neem dan contact op met het "
    "loket. {loket_contact} Dit is een automatische e-mail. Een antwoord op deze e-mail "
    "lezen we niet."
)
# In the web chat, after a submission: how to read the loket's messages later.
INBOX_CODE_GIVEN = N_(
    "Berichten van het loket lees je later op deze pagina: {link} Op een andere telefoon "
    "of computer vul je daar je code in: {code}. Schrijf de code op."
)
