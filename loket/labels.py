"""Names staff see for the codes the data holds (statuses, kinds, roles, audit
actions). Source text is Dutch; templates translate them with `_()`."""

from __future__ import annotations

from flows.products import PRODUCT_NAMES
from flows.regions import region_data
from flows.texts import N_

__all__ = [
    "AUDIT_ACTIONS",
    "CONSENT_GIVERS",
    "CONTACT_PREFERENCES",
    "DECISION_LABELS",
    "ROLES",
    "STATUSES",
    "SUBMITTER_KINDS",
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
