"""Privacy notices as versioned data (`flows/data/privacy_notices.yaml`): what a person
(or a professional for a client) is told about their data, per flow and version.

A pre-aanmelding records the version that was agreed to (its consent record); the
access copy shows that version's words, /privacy the newest one of a flow. Texts are
gettext message ids in plain Dutch; the host renders them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from functools import cache

from flows.data_files import load_yaml
from flows.texts import Text

__all__ = ["PrivacyNotice", "current_notice", "notice", "privacy_notices"]


@dataclass(frozen=True)
class PrivacyNotice:
    version: str
    flow: str
    valid_from: date
    title: Text
    paragraphs: tuple[Text, ...]
    declaration: Text | None = None  # what a professional declares for the client

    @property
    def texts(self) -> tuple[Text, ...]:
        return (self.title, *self.paragraphs)


@cache
def privacy_notices() -> dict[str, PrivacyNotice]:
    """Every notice by version; a malformed file raises ValueError naming the entry."""
    out: dict[str, PrivacyNotice] = {}
    for index, entry in enumerate(load_yaml("privacy_notices.yaml")):
        try:
            version = str(entry["version"])
            valid_from = entry["valid_from"]
            if not isinstance(valid_from, date):
                raise ValueError("valid_from is not a date (YYYY-MM-DD)")
            declaration = entry.get("declaration")
            item = PrivacyNotice(
                version=version,
                flow=str(entry["flow"]),
                valid_from=valid_from,
                title=Text(str(entry["title"])),
                paragraphs=tuple(Text(str(p["text"])) for p in entry["paragraphs"]),
                declaration=Text(str(declaration)) if declaration else None,
            )
        except (KeyError, TypeError, ValueError) as error:
            raise ValueError(f"privacy_notices.yaml entry {index + 1}: {error}") from None
        if version in out:
            raise ValueError(f"privacy_notices.yaml: version {version!r} appears twice")
        out[version] = item
    return out


def notice(version: str) -> PrivacyNotice | None:
    return privacy_notices().get(version)


def current_notice(flow: str, on: date | None = None) -> PrivacyNotice:
    """The newest notice of `flow` in force on `on` (default: today)."""
    day = on or date.today()
    candidates = [n for n in privacy_notices().values() if n.flow == flow and n.valid_from <= day]
    if not candidates:
        raise LookupError(f"no privacy notice for flow {flow!r} on {day.isoformat()}")
    return max(candidates, key=lambda n: n.valid_from)
