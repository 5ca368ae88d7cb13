"""The sentences of access and erasure (`/mijngegevens`, `/verwijder`), the same in
every channel and in the dashboard's copy for a person: plain Dutch (B1) gettext ids."""

from __future__ import annotations

from flows.texts import N_

# /mijngegevens: the copy.
COPY_TITLE = N_("Dit zijn je gegevens bij Loket Housing Zuid-Limburg, op {date}.")
COPY_NOTHING = N_(
    "Het loket heeft bij deze chat geen gegevens van je bewaard. Heb je een aanmeldcode? "
    "Vraag het loket dan om je gegevens."
)
COPY_NOTES_ON_REQUEST = N_(
    "Notities van medewerkers staan hier niet. Die krijg je als je het loket om inzage vraagt."
)
COPY_HOW_TO_ERASE = N_("Wil je dat we alles wissen? Dat kan met /verwijder.")
COPY_HOW_TO_ERASE_WEB = N_("Wil je dat we alles wissen? Kies dan 'Gegevens wissen'.")
LINE = N_("{label}: {value}")
EMPTY = N_("(leeg)")

# Sections.
SECTION_DRAFT = N_("Je aanmelding die nog niet is verstuurd")
SECTION_CHAT = N_("Het gesprek in de webchat")
SECTION_RECORD = N_("Aanmelding {reference}")
SECTION_FOR_OTHERS = N_("Aanmeldingen die je voor iemand anders deed")
SECTION_MESSAGES = N_("Berichten van het loket aan jou")
SECTION_HISTORY = N_("Wat het loket met je aanmelding deed")
SECTION_ANSWERS = N_("Je antwoorden")
SECTION_PROFILE = N_("Wat de computer gebruikte om een advies te geven")
SECTION_NOTES = N_("Notities van medewerkers")
SECTION_DUPLICATES = N_("Mogelijk dezelfde persoon")
SECTION_CRISIS = N_("Signalen van nood in je gesprek")
CRISIS_NOT_THE_WORDS = N_(
    "We bewaren niet wat je typte. Alleen wat voor signaal het was, wanneer en bij welke vraag."
)
CRISIS_SIGN_LINE = N_("{date}: {sign}")
CRISIS_SIGN_AT = N_("{date}: {sign}, bij de vraag: {question}")
CRISIS_DANGER = N_("direct gevaar")
CRISIS_SUICIDE = N_("gedachten aan zelfdoding")
CRISIS_SELF_HARM = N_("jezelf pijn doen")
CRISIS_VIOLENCE = N_("geweld")
CRISIS_EXPLOITATION = N_("uitbuiting")
CRISIS_COLD = N_("buiten slapen in de kou")
CRISIS_COMMAND = N_("je typte het crisiswoord")

# Labels of stored fields.
LABEL_STARTED = N_("Begonnen op")
LABEL_LAST_ANSWER = N_("Laatste antwoord op")
LABEL_ERASED_ON = N_("We wissen dit op")
LABEL_SUBMITTED = N_("Verstuurd op")
LABEL_REFERENCE = N_("Aanmeldcode")
LABEL_STATUS = N_("Status")
LABEL_CHANNEL = N_("Via")
LABEL_LANGUAGE = N_("Taal")
LABEL_SUBMITTER = N_("Aangemeld door")
LABEL_SUBMITTER_NAME = N_("Naam van de aanmelder")
LABEL_ORGANISATION = N_("Organisatie")
LABEL_CONVENANT = N_("Convenantpartner")
LABEL_SUBMITTER_CONTACT = N_("Contact van de aanmelder")
LABEL_NAME = N_("Naam")
LABEL_BIRTH_DATE = N_("Geboortedatum")
LABEL_CONTACT = N_("Hoe het loket contact opneemt")
LABEL_CONTACT_ADDRESS = N_("Telefoon of e-mail")
LABEL_CONSENT = N_("Toestemming")
LABEL_CONSENT_TEXT = N_("Privacytekst")
LABEL_DECLARATION = N_("Verklaring van de aanmelder")
LABEL_ADVICE = N_("Advies van de computer")
LABEL_ELIGIBLE = N_("Komt in aanmerking voor")
LABEL_REGION = N_("Regio en gemeente")
LABEL_REASON = N_("Reden")
LABEL_REFERRAL = N_("Verwijzing")
LABEL_RULES = N_("Versie van de regels")
LABEL_DECIDED_PRODUCT = N_("Aangenomen voor")
LABEL_DECIDED_REFERRAL = N_("Doorverwezen naar")
LABEL_DECISION_REASON = N_("Reden van het loket")
LABEL_CRISIS = N_("Extra aandacht bij nood")
LABEL_ERASURE_REQUESTED = N_("Je vroeg om wissen op")
LABEL_HANDED_OVER = N_("Naar het dossier van het loket op")
LABEL_ASSIGNED = N_("Medewerker (nummer)")
LABEL_SENT = N_("Verstuurd op")
LABEL_NOT_SENT = N_("Nog niet verstuurd")
LABEL_GAVE_UP = N_("Kon niet worden bezorgd")
LABEL_BOT = N_("Loket")
LABEL_YOU = N_("Jij")
HISTORY_LINE = N_("{date}: {status}")
HISTORY_LINE_REASON = N_("{date}: {status}. Reden: {reason}")
NOTE_LINE = N_("{date}, medewerker {staff}: {text}")
DUPLICATE_LINE = N_("{reference} van {date}")
CONSENT_LINE = N_("gegeven door {who} op {date}")
YES = N_("ja")
NO = N_("nee")

# Who, which channel, which status (short labels).
SUBMITTER_SELF = N_("jezelf")
SUBMITTER_PROFESSIONAL = N_("een hulpverlener")
SUBMITTER_VELDWERKER = N_("een veldwerker")
CONSENT_CLIENT = N_("jou")
CONSENT_FOR_CLIENT = N_("de aanmelder, namens jou")
CONTACT_CHAT = N_("via deze chat")
CONTACT_PHONE = N_("telefoon")
CONTACT_EMAIL = N_("e-mail")
CONTACT_VIA_SUBMITTER = N_("via de aanmelder")
CONTACT_NONE = N_("geen contact")
STATUS_NIEUW = N_("ontvangen")
STATUS_IN_BEHANDELING = N_("in behandeling")
STATUS_INFO_GEVRAAGD = N_("het loket vroeg meer informatie")
STATUS_INTAKE_GEPLAND = N_("gesprek gepland")
STATUS_GEACCEPTEERD = N_("aangenomen")
STATUS_DOORVERWEZEN = N_("doorverwezen")
STATUS_AFGEWEZEN = N_("afgewezen")
STATUS_INGETROKKEN = N_("ingetrokken")
NO_PRODUCT = N_("geen product")

# /verwijder: ask, then say what happened.
ERASE_ASK = N_(
    "Wil je dat we alle gegevens van deze chat wissen? Je antwoorden, je aanmeldingen en "
    "onze berichten aan jou gaan dan weg. Dit kun je niet terugdraaien."
)
ERASE_YES = N_("Ja, wis alles")
ERASE_NO = N_("Nee, niet wissen")
ERASE_CANCELLED = N_("Goed, we wissen niets.")
ERASE_DONE = N_("We hebben je gegevens gewist. Er staat bij deze chat niets meer van je.")
ERASE_NOTHING = N_("Er zijn bij deze chat geen gegevens van je bewaard. Er is niets te wissen.")
ERASE_REQUESTED = N_(
    "Voor aanmelding {reference} heeft het loket al een gesprek met je gepland. Die "
    "gegevens wissen we nog niet. Een medewerker van het loket bekijkt je vraag en neemt "
    "contact met je op."
)
ERASE_REST_DONE = N_("De andere gegevens van deze chat hebben we gewist.")
ERASE_FOR_OTHERS = N_(
    "Aanmeldingen die je voor iemand anders deed, blijven bij het loket: ze gaan over die "
    "persoon. Ze staan niet meer bij deze chat. Wil je daar iets aan veranderen? Neem dan "
    "contact op met het loket. {loket_contact}"
)

__all__ = sorted(name for name in globals() if name.isupper())
