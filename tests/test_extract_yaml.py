"""The YAML message extractor finds every message with its line, and plural pairs."""

from __future__ import annotations

import io

from locales.extract_yaml import extract

SOURCE = b"""\
messages:
  advice: "Ons advies is {product}."
criteria:
  - id: x
    when: {any: [{unknown: age}, {fact: age, lt: 18}]}
    unmet: "Te jong."
    unknown: "Leeftijd onbekend."
    explain:
      - text: "Je bent {n} maand weg."
        plural: "Je bent {n} maanden weg."
        count: n
      - text: ""
other: "not a message"
"""


def test_extracts_messages_sections_and_plurals_with_lines() -> None:
    found = list(
        extract(
            io.BytesIO(SOURCE), None, None, {"keys": "text unmet unknown", "sections": "messages"}
        )
    )
    assert found == [
        (2, "gettext", "Ons advies is {product}.", []),
        (6, "gettext", "Te jong.", []),
        (7, "gettext", "Leeftijd onbekend.", []),
        (9, "ngettext", ("Je bent {n} maand weg.", "Je bent {n} maanden weg."), []),
    ]
