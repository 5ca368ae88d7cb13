"""The engine's own sentences: plain Dutch (B1) gettext message ids.

Flow files hold the questions; these are the words around them (skip options, help,
corrections, the summary, the result). The host renders them with `locales.render`.
"""

from __future__ import annotations

from flows.texts import N_, NP_

# Options every question offers, unless the flow marks it required.
DONT_KNOW = N_("Weet ik niet")
RATHER_NOT_SAY = N_("Zeg ik liever niet")
YES = N_("Ja")
NO = N_("Nee")
MULTI_DONE = N_("Klaar")
MULTI_NONE = N_("Geen van deze")

# Answers as shown in the summary.
ANSWER_DONT_KNOW = N_("weet ik niet")
ANSWER_RATHER_NOT_SAY = N_("zeg ik liever niet")
ANSWER_NONE = N_("geen")
ANSWER_YES = N_("ja")
ANSWER_NO = N_("nee")
ANSWER_LIST = N_("{first}, {rest}")

# Examples, shown when an answer is asked again.
EXAMPLE = N_("Bijvoorbeeld: {example}")
EXAMPLE_DATE = N_("14-03-1985 of 14 maart 1985")
EXAMPLE_NUMBER = N_("{number}")
EXAMPLE_PHONE = N_("06-12345678 of +32 470 12 34 56")
EXAMPLE_EMAIL = N_("naam@voorbeeld.nl")
EXAMPLE_PLACE = N_("Heerlen, Hoensbroek of Sittard")
EXAMPLE_CHOICE = N_("typ 1 voor het eerste antwoord")
EXAMPLE_MULTI = N_("typ 1, 3 voor het eerste en derde antwoord")
EXAMPLE_YES_NO = N_("ja of nee")
EXAMPLE_TEXT = N_("een korte zin")

# Why an answer is asked again.
REJECT_EMPTY = N_("Ik zie geen antwoord.")
REJECT_TOO_LONG = N_("Je antwoord is te lang. Gebruik maximaal {max} tekens.")
REJECT_NO_LETTERS = N_("Ik kan dit antwoord niet lezen. Gebruik letters of cijfers.")
REJECT_NOT_A_CHOICE = N_("Ik weet niet welk antwoord je bedoelt. Kies een knop of typ het nummer.")
REJECT_NOT_YES_NO = N_("Antwoord met ja of nee.")
REJECT_NOT_A_NUMBER = N_("Typ een getal.")
REJECT_NOT_WHOLE = N_("Typ een heel getal, zonder komma.")
REJECT_SEVERAL_NUMBERS = N_("Typ één getal.")
REJECT_NUMBER_RANGE = N_("Typ een getal van {min} tot en met {max}.")
REJECT_NUMBER_LOW = N_("Typ een getal van {min} of meer.")
REJECT_NUMBER_HIGH = N_("Typ een getal van {max} of minder.")
REJECT_NOT_A_DATE = N_("Ik kan deze datum niet lezen.")
REJECT_NO_SUCH_DATE = N_("Die datum bestaat niet.")
REJECT_DATE_YEAR = N_("Ik weet niet welk jaar je bedoelt. Schrijf het jaar met 4 cijfers.")
REJECT_DATE_ORDER = N_("Ik weet niet wat de dag is en wat de maand. Schrijf de maand als woord.")
REJECT_DATE_EARLY = N_("Die datum is te lang geleden.")
REJECT_DATE_LATE = N_("Die datum ligt te ver in de toekomst.")
REJECT_NOT_A_PHONE = N_("Dit is geen telefoonnummer dat ik ken.")
REJECT_NOT_AN_EMAIL = N_("Dit is geen e-mailadres.")
REJECT_NOT_A_PLACE = N_("Typ de naam van een gemeente of woonplaats.")
REJECT_REQUIRED = N_("Deze vraag is nodig om verder te gaan.")
REJECT_STALE_CHOICE = N_("Die knop hoort bij een andere vraag. Kijk naar de laatste vraag.")
REJECT_NONE_CHOSEN = N_(
    "Je hebt nog niets gekozen. Kies een of meer antwoorden, of 'Geen van deze'."
)

# The language chooser (a question may offer it; the command 'taal' opens it).
OTHER_LANGUAGE = N_("Andere taal (Language)")
CHOOSE_LANGUAGE = N_("Kies je taal.")

# The municipality question.
PLACE_DID_YOU_MEAN = N_("Bedoel je {place}?")
PLACE_UNKNOWN = N_("Ik ken de plaats {place} niet. Klopt de naam?")
PLACE_AGAIN = N_("Typ de naam van de gemeente of woonplaats nog een keer.")

# Commands.
HELP = N_(
    "Je kunt altijd typen: 'terug' voor de vorige vraag, 'stop' om te stoppen en alles "
    "te wissen, 'opnieuw' om opnieuw te beginnen. Weet je een antwoord niet? Kies "
    "'Weet ik niet'. Ben je in gevaar? Typ 'crisis'."
)
# The same help for a page without a text box for commands (the web chat).
HELP_BUTTONS = N_(
    "Onder de vraag staan knoppen: 'Vorige vraag' om terug te gaan, 'Stoppen' om te "
    "stoppen en alles te wissen. Weet je een antwoord niet? Kies 'Weet ik niet'. Ben je "
    "in gevaar? Bel 112."
)
# Said once, after the welcome of a flow: how to get help, go back or stop.
HOW_TO_TYPED = N_(
    "Typ 'help' als je iets niet snapt, 'terug' voor de vorige vraag, of 'stop' om te stoppen."
)
HOW_TO_BUTTONS = N_(
    "Snap je iets niet? Kies 'Hulp' onder de vraag. Met 'Vorige vraag' ga je terug, met "
    "'Stoppen' stop je."
)
HELP_QUESTION = N_("Over deze vraag: {help}")
BACK_DONE = N_("We gaan een vraag terug.")
BACK_FIRST = N_("Dit is de eerste vraag.")
STOP_CONFIRM = N_("Wil je stoppen? Dan wissen we al je antwoorden.")
STOP_CANCELLED = N_("Goed, we gaan verder.")
STOPPED = N_("Je bent gestopt. We hebben je antwoorden gewist. Je kunt altijd opnieuw beginnen.")
RESTARTED = N_("We beginnen opnieuw.")
RESTART_CONFIRM = N_("Wil je opnieuw beginnen? Dan wissen we al je antwoorden.")
FINISHED = N_("Dit gesprek is klaar. Typ 'opnieuw' om een nieuw gesprek te beginnen.")
REMEMBERED = N_(
    "Je eigen gegevens van de vorige keer zijn al ingevuld. Je kunt ze veranderen bij de "
    "samenvatting."
)
CHANGE_ANSWER = N_("Je antwoord was: {answer}. Wat is je nieuwe antwoord?")
ANSWER_CHANGED = N_("Je antwoord is veranderd. Daarom stel ik nog een paar vragen opnieuw.")

# The summary.
SUMMARY_INTRO = N_("Dit heb je ingevuld:")
SUMMARY_LINE = N_("{label}: {answer}")
SUMMARY_QUESTION = N_("Klopt alles? Je kunt nu versturen, of een antwoord veranderen.")
SUMMARY_SUBMIT = N_("Klopt, versturen")
SUMMARY_CHANGE = N_("Verander: {label}")

# The crisis layer (flows/engine/crisis_answer.py picks the lines for what was found).
# Never promise that someone will act on the message: the loket is no crisis service.
CRISIS_INTRO = N_("Het klinkt alsof het nu heel zwaar is. Je staat er niet alleen voor.")
CRISIS_NOT_EMERGENCY = N_(
    "Het loket is geen noodhulp. Wij kunnen niet meteen reageren op dit bericht."
)
CRISIS_112 = N_("Ben je in direct gevaar? Bel 112.")
CRISIS_113 = N_("Denk je aan zelfdoding? Bel 113 of gratis 0800-0113. Dag en nacht.")
CRISIS_SELF_HARM = N_(
    "Doe je jezelf pijn, of wil je dat? Praat erover met 113: bel 113 of gratis "
    "0800-0113. Dag en nacht."
)
CRISIS_INJURED = N_("Ben je ernstig gewond? Bel 112.")
CRISIS_VEILIG_THUIS = N_("Is er geweld thuis? Bel Veilig Thuis: 0800-2000. Gratis, dag en nacht.")
CRISIS_SEXUAL = N_(
    "Heeft iemand je seksueel pijn gedaan of gedwongen? Bel Veilig Thuis: 0800-2000. "
    "Is het net gebeurd? Bel 112."
)
CRISIS_EXPLOITATION = N_(
    "Moet je seks hebben of werken voor een slaapplek, geld of eten? Of houdt iemand "
    "je vast? Dat mag niet. Bel Veilig Thuis: 0800-2000. Gratis, dag en nacht."
)
CRISIS_COLD = N_("Slaap je buiten in de kou? Dat is gevaarlijk. Zoek een warme plek.")
CRISIS_COLD_112 = N_("Heb je het heel koud en word je suf of in de war? Bel 112.")
CRISIS_INTERPRETER = N_("Spreek je geen Nederlands? Bel toch 112. Zij kunnen een tolk regelen.")
CRISIS_CONTINUE = N_("Als je wilt, gaan we verder met de vragen.")

# The result.
RESULT_ADVICE = N_("Ons advies: {product}.")
RESULT_ADVICE_CLIENT = N_("Advies voor je cliënt: {product}.")
RESULT_NO_PRODUCT = N_("Ons advies: op dit moment past geen woonprogramma van Loket Housing.")
RESULT_NO_PRODUCT_CLIENT = N_(
    "Advies voor je cliënt: op dit moment past geen woonprogramma van Loket Housing."
)
RESULT_WHY = N_("Waarom:")
BULLET = N_("• {item}")
RESULT_DECIDES = N_(
    "Dit is een advies. Een medewerker van het loket leest de aanmelding en beslist."
)
RESULT_WAITING = NP_(
    "Let op: een woning vinden duurt lang. In {region} wachtten mensen in {year} "
    "gemiddeld {months} maand op een woning, na inschrijving bij een woningcorporatie.",
    "Let op: een woning vinden duurt lang. In {region} wachtten mensen in {year} "
    "gemiddeld {months} maanden op een woning, na inschrijving bij een woningcorporatie.",
)
RESULT_REFERRAL = N_("Hier kun je ook terecht. {title}:")
RESULT_REFERRAL_CLIENT = N_("Hier kan de persoon ook terecht. {title}:")
RESULT_REFERENCE = N_(
    "De aanmeldcode is {reference}. Noem deze code als je contact hebt met het loket. "
    "{loket_contact}"
)

__all__ = sorted(name for name in globals() if name.isupper())
