"""Region data: municipalities of Zuid-Limburg, their towns, and known places elsewhere.

People name a town ("Hoensbroek") more often than a municipality ("Heerlen"); any case,
accents, hyphens and spaces are accepted. Unknown names get close suggestions.
"""

from __future__ import annotations

import difflib
import unicodedata
from dataclasses import dataclass
from functools import cache
from typing import Any

from flows.data_files import load_yaml

__all__ = ["Place", "RegionData", "normalise", "region_data"]


def normalise(name: str) -> str:
    """A place name folded for matching: no accents, case, hyphens or extra spaces."""
    decomposed = unicodedata.normalize("NFKD", name)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()
    for mark in "-'’.,()/":
        plain = plain.replace(mark, " ")
    return " ".join(plain.split())


@dataclass(frozen=True)
class Place:
    """A resolved place: the name as known, its municipality and region (None outside)."""

    name: str
    municipality: str
    region: str | None

    @property
    def in_zuid_limburg(self) -> bool:
        return self.region is not None


class RegionData:
    """The region file, indexed for lookup."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.region_names: dict[str, str] = {}
        self.municipality_region: dict[str, str] = {}
        self._index: dict[str, Place] = {}
        for region_id, region in data["regions"].items():
            self.region_names[region_id] = region["name"]
            for municipality, towns in region["municipalities"].items():
                self.municipality_region[municipality] = region_id
                self._add(Place(municipality, municipality, region_id))
                for town in towns:
                    self._add(Place(town, municipality, region_id), keep_existing=True)
        for name in data.get("outside", []):
            self._add(Place(name, name, None), keep_existing=True)

    def _add(self, place: Place, keep_existing: bool = False) -> None:
        key = normalise(place.name)
        if keep_existing and key in self._index:
            return  # a municipality name wins over a town or outside place of that name
        self._index[key] = place

    @property
    def municipalities(self) -> list[str]:
        return list(self.municipality_region)

    def resolve(self, name: str) -> Place | None:
        """The place a name refers to, or None when it is not known."""
        return self._index.get(normalise(name))

    def suggest(self, name: str, limit: int = 3) -> list[str]:
        """Known names close to an unknown one, closest first."""
        keys = difflib.get_close_matches(normalise(name), self._index, n=limit, cutoff=0.7)
        return [self._index[key].name for key in keys]


@cache
def region_data() -> RegionData:
    return RegionData(load_yaml("regions.yaml"))
