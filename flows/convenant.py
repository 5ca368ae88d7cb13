"""Is a care organisation a convenant partner of Loket Housing in a region?

Derived from the organisation a professional types and the region of the client
(`flows/data/convenant_partners.yaml`); "not known" is None, never False.
"""

from __future__ import annotations

import unicodedata
from functools import cache

from flows.data_files import load_yaml

__all__ = ["convenant_partner"]


def _fold(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if c.isalnum())


@cache
def _partners() -> dict[str, tuple[str, ...]]:
    data = load_yaml("convenant_partners.yaml")
    return {
        str(region): tuple(_fold(n) for n in names) for region, names in data["regions"].items()
    }


def convenant_partner(organisation: str | None, region: str | None) -> bool | None:
    """True or False where the region's list decides; None when it cannot be known."""
    if not organisation or not region:
        return None
    partners = _partners().get(region)
    if partners is None:
        return None
    folded = _fold(organisation)
    if not folded:
        return None
    return any(name in folded for name in partners)
