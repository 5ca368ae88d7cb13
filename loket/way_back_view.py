"""What the case page shows of the way back (`intake.way_back`): who a message of the
loket reaches, before staff act, and the messages between the loket and the person."""

from __future__ import annotations

from dataclasses import dataclass

from flows.texts import N_
from intake.way_back import Route
from storage.case_messages import CaseMessage
from storage.pre_aanmeldingen import PreAanmelding

__all__ = ["ROUTE_LABELS", "WayBackView", "nobody_reached"]

ROUTE_LABELS: dict[tuple[str, str], str] = {
    ("inbox", "person"): N_("de persoon, in de webchat (berichten)"),
    ("telegram", "person"): N_("de persoon, in Telegram"),
    ("email", "person"): N_("de persoon, per e-mail: alleen een melding met een link"),
    ("email", "submitter"): N_("de aanmelder, per e-mail: alleen een melding met een link"),
}
MESSAGE_KINDS: dict[str, str] = {
    "status": N_("Statusbericht"),
    "question": N_("Vraag van het loket"),
    "answer": N_("Antwoord van de persoon"),
    "stop_contact": N_("De persoon wil geen contact meer"),
}


def nobody_reached(item: PreAanmelding) -> str:
    """Why no message of the loket reaches anyone (a text for staff)."""
    if item.contact_stopped_at is not None:
        return N_("De persoon wil geen contact meer. Er gaat geen bericht uit.")
    if item.contact_preference == "phone":
        return N_(
            "De persoon wil gebeld worden. Er gaat geen bericht uit: bel de persoon en "
            "leg het gesprek vast in een notitie."
        )
    return N_(
        "Er is geen chat of e-mailadres. Er gaat geen bericht uit: neem contact op zoals "
        "de contactgegevens aangeven."
    )


@dataclass(frozen=True)
class WayBackView:
    routes: tuple[Route, ...]
    messages: tuple[CaseMessage, ...]
    nobody: str  # why nobody is reached (shown when `routes` is empty)

    @property
    def route_labels(self) -> list[str]:
        return [ROUTE_LABELS[(r.kind, r.to)] for r in self.routes if (r.kind, r.to) in ROUTE_LABELS]

    @staticmethod
    def kind_label(kind: str) -> str:
        return MESSAGE_KINDS.get(kind, kind)
