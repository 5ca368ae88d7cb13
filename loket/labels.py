"""Names staff see for the codes the data holds (statuses, kinds, roles, audit
actions). Source text is Dutch; templates translate them with `_()`."""

from __future__ import annotations

from flows.products import PRODUCT_NAMES
from flows.regions import region_data
from flows.texts import N_

__all__ = [
    "AUDIT_ACTIONS",
    "CASE_LABELS",
    "CHANNELS",
    "CONFUSION_COLUMNS",
    "CONSENT_GIVERS",
    "CONTACT_PREFERENCES",
    "CRISIS_CATEGORIES",
    "DECISION_LABELS",
    "FIGURE_COLUMNS",
    "NO",
    "PROFILE_FIELDS",
    "PROFILE_VALUES",
    "ROLES",
    "SKIPPED",
    "STATUSES",
    "SUBMITTER_KINDS",
    "YES",
    "product_name",
    "region_name",
]

STATUSES: dict[str, str] = {
    "nieuw": N_("Nieuw"),
    "in_behandeling": N_("In behandeling"),
    "info_gevraagd": N_("Informatie gevraagd"),
    "intake_gepland": N_("Intake gepland"),
    "geaccepteerd": N_("Geaccepteerd"),
    "doorverwezen": N_("Doorverwezen"),
    "afgewezen": N_("Afgewezen"),
    "ingetrokken": N_("Ingetrokken"),
}

SUBMITTER_KINDS: dict[str, str] = {
    "self": N_("De persoon zelf"),
    "professional": N_("Hulpverlener"),
    "veldwerker": N_("Veldwerker"),
}

CONTACT_PREFERENCES: dict[str, str] = {
    "chat": N_("Via de chat"),
    "phone": N_("Telefoon"),
    "email": N_("E-mail"),
    "via_submitter": N_("Via de aanmelder"),
    "none": N_("Geen contact"),
}

CONSENT_GIVERS: dict[str, str] = {
    "client": N_("De persoon zelf"),
    "submitter_for_client": N_("De aanmelder, namens de persoon"),
}

ROLES: dict[str, str] = {
    "medewerker": N_("Medewerker"),
    "coordinator": N_("Coördinator"),
    "beheerder": N_("Beheerder"),
}

DECISION_LABELS: dict[str, str] = {
    "doorverwezen": N_("Doorverwezen"),
    "afgewezen": N_("Afgewezen"),
    "ingetrokken": N_("Ingetrokken"),
    "open": N_("Nog open"),
    "none": N_("Geen product"),
    "outside": N_("Buiten Zuid-Limburg"),
    "all": N_("Totaal"),
}

AUDIT_ACTIONS: dict[str, str] = {
    "login_succeeded": N_("Ingelogd"),
    "login_failed": N_("Inloggen mislukt"),
    "logout": N_("Uitgelogd"),
    "pre_aanmelding_viewed": N_("Aanmelding bekeken"),
    "pre_aanmelding_not_found": N_("Aanmelding niet gevonden of buiten regio"),
    "status_changed": N_("Status gewijzigd"),
    "status_change_refused": N_("Statuswijziging geweigerd"),
    "assigned": N_("Toegewezen"),
    "note_added": N_("Notitie toegevoegd"),
    "info_requested": N_("Informatie gevraagd"),
    "crisis_follow_up_set": N_("Crisisopvolging gewijzigd"),
    "report_exported": N_("Rapportage geëxporteerd"),
    "audit_exported": N_("Auditlog geëxporteerd"),
    "csrf_refused": N_("Formulier geweigerd (CSRF)"),
    "staff_created": N_("Account aangemaakt"),
    "staff_disabled": N_("Account uitgeschakeld"),
    "staff_enabled": N_("Account ingeschakeld"),
    "staff_password_reset": N_("Wachtwoord opnieuw ingesteld"),
    "crisis_detected": N_("Signalen van nood in een gesprek"),
    "crisis_queue_viewed": N_("Crisisopvolging bekeken"),
    "crisis_follow_up_done": N_("Crisissignaal opgevolgd"),
    "access_copy_made": N_("Inzagekopie gemaakt"),
    "privacy_lookup": N_("Persoon gezocht voor een privacyverzoek"),
    "person_erased": N_("Persoon gewist"),
    "person_erased_partly": N_("Persoon gewist, behalve aanmeldingen met een gepland gesprek"),
    "pre_aanmelding_erased": N_("Aanmelding gewist"),
    "erasure_request_declined": N_("Verzoek om wissen afgewezen"),
    "handed_over": N_("Overgedragen aan het cliëntsysteem"),
    "retention_purge": N_("Bewaartermijnen toegepast"),
    "person_answered": N_("Antwoord van de persoon ontvangen"),
    "person_stopped_contact": N_("De persoon wil geen contact meer"),
    "email_sent": N_("E-mail verstuurd"),
    "email_given_up": N_("E-mail niet bezorgd"),
}


# The screening profile (docs: /work/shared/spec, flows/screening_profile.py): a
# Dutch label per field and a Dutch text per value of the fields that hold codes.
PROFILE_FIELDS: dict[str, str] = {
    "municipality": N_("Gemeente of woonplaats"),
    "age": N_("Leeftijd"),
    "sleeping_place": N_("Slaapplek"),
    "institution": N_("Instelling"),
    "ready_to_move_out": N_("Klaar om zelfstandig te wonen"),
    "eviction_threat": N_("Dreigende huisuitzetting"),
    "ambulant_support_unsuitable_housing": N_("Ambulante begeleiding, woning past niet"),
    "nuisance": N_("Overlast"),
    "rent_arrears": N_("Huurschuld"),
    "detention_release_date": N_("Datum van vrijlating uit detentie"),
    "justice_contact": N_("Contact met politie of justitie als verdachte of dader"),
    "homeless_months": N_("Maanden zonder eigen woning (totaal)"),
    "homeless_repeated": N_("Vaker dakloos geweest"),
    "problems": N_("Problemen"),
    "support_need": N_("Begeleidingsbehoefte"),
    "accepts_support": N_("Accepteert begeleiding thuis"),
    "household": N_("Wie er meeverhuist"),
    "children": N_("Minderjarige kinderen"),
    "registered_address": N_("Ingeschreven met een adres of briefadres"),
    "health_insured": N_("Zorgverzekerd"),
    "care_organisation": N_("Al hulp van een zorgorganisatie"),
}

PROFILE_VALUES: dict[str, dict[str, str]] = {
    "sleeping_place": {
        "public_space": N_("Op straat of buiten"),
        "emergency_shelter": N_("Nachtopvang"),
        "homeless_accommodation": N_("Opvang voor dak- en thuislozen"),
        "institution": N_("In een instelling"),
        "non_conventional": N_("Caravan, kraakpand of ander onderdak dat geen woning is"),
        "family_friends": N_("Tijdelijk bij familie of vrienden"),
        "own_home": N_("Eigen woning"),
    },
    "institution": {
        "beschermd_wonen": N_("Beschermd wonen"),
        "maatschappelijke_opvang": N_("Maatschappelijke opvang"),
        "ggz": N_("GGZ-instelling"),
        "vg": N_("Instelling voor mensen met een verstandelijke beperking"),
        "detention": N_("Gevangenis"),
        "hospital": N_("Ziekenhuis"),
        "other": N_("Andere instelling"),
    },
    "nuisance": {
        "none": N_("Geen overlast"),
        "current_tenancy": N_("Veroorzaakt nu overlast als huurder"),
        "til_registration": N_("Overlastregistratie in Thuis in Limburg"),
    },
    "justice_contact": {
        "none": N_("Geen (of alleen als slachtoffer of getuige)"),
        "once": N_("Eén keer"),
        "repeated": N_("Meer dan één keer"),
    },
    "problems": {
        "addiction": N_("Verslaving"),
        "psychiatric": N_("Psychische problemen"),
        "intellectual_disability": N_("Verstandelijke beperking"),
        "somatic": N_("Lichamelijke problemen"),
        "debts": N_("Schulden"),
    },
    "support_need": {
        "none": N_("Geen begeleiding nodig"),
        "light": N_("Lichte begeleiding"),
        "intensive": N_("Intensieve begeleiding"),
    },
    "household": {
        "alone": N_("Alleen"),
        "with_partner": N_("Met partner"),
        "with_children": N_("Met kinderen"),
        "with_partner_and_children": N_("Met partner en kinderen"),
    },
}

# Signs of danger in a conversation (flows/engine/crisis.py CATEGORIES; "command":
# the person typed the crisis word).
CRISIS_CATEGORIES: dict[str, str] = {
    "danger": N_("Acuut gevaar"),
    "suicide": N_("Gedachten aan zelfdoding"),
    "self_harm": N_("Zichzelf pijn doen"),
    "violence": N_("Geweld, thuis of seksueel"),
    "exploitation": N_("Uitbuiting"),
    "cold": N_("Buiten in de kou"),
    "command": N_("Vroeg zelf om crisishulp"),
}

# An answer the person skipped (the answers' "skipped": fact -> how).
SKIPPED: dict[str, str] = {
    "dont_know": N_("weet ik niet"),
    "rather_not_say": N_("zegt liever niet"),
}
YES = N_("ja")
NO = N_("nee")

# Where a pre-aanmelding was made.
CHANNELS: dict[str, str] = {
    "web": N_("Webchat"),
    "telegram": N_("Telegram"),
}

# The parts of the case page that are not a question of a flow.
CASE_LABELS: dict[str, str] = {
    "contact_preference": N_("Contactvoorkeur"),
    "phone": N_("Telefoon"),
    "email": N_("E-mail"),
    "submitter_name": N_("Naam aanmelder"),
    "submitter_organisation": N_("Organisatie aanmelder"),
    "submitter_role": N_("Functie aanmelder"),
    "submitter_phone": N_("Telefoon aanmelder"),
    "submitter_email": N_("E-mail aanmelder"),
    "care_organisation_name": N_("Zorgorganisatie"),
}


# The columns of the year report (the page's table, its CSV and Excel downloads).
FIGURE_COLUMNS: dict[str, str] = {
    "year": N_("Jaar"),
    "region": N_("Regio"),
    "product": N_("Product"),
    "aanmeldingen": N_("Aanmeldingen"),
    "self": N_("Zelf"),
    "professional": N_("Hulpverlener"),
    "veldwerker": N_("Veldwerker"),
    "convenant_partner": N_("Convenantpartner"),
    "other_organisation": N_("Andere organisatie"),
    "convenant_unknown": N_("Convenant onbekend"),
    "intakes": N_("Intakes"),
    "accepted": N_("Geaccepteerd"),
    "referred": N_("Doorverwezen"),
    "rejected": N_("Afgewezen"),
    "withdrawn": N_("Ingetrokken"),
    "open": N_("Open"),
    "median_days_to_decision": N_("Mediaan dagen tot besluit"),
}
CONFUSION_COLUMNS: dict[str, str] = {
    "year": N_("Jaar"),
    "recommendation": N_("Advies van de bot"),
}


def product_name(product: str | None) -> str:
    if product is None or product == "none":
        return DECISION_LABELS["none"]
    return PRODUCT_NAMES.get(product, product)


def region_name(region: str | None) -> str:
    if region is None or region == "outside":
        return DECISION_LABELS["outside"]
    if region == "all":
        return DECISION_LABELS["all"]
    return region_data().region_names.get(region, region)
