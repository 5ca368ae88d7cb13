"""Privacy notices are versioned data: every version a flow records has its notice
(of that flow), a proxy flow's notice has the professional's declaration, and the
texts are plain Dutch (B1: sentences of at most 20 words)."""

from __future__ import annotations

import re
from datetime import date

import pytest

from flows.engine.library import flow_library
from flows.privacy_notices import current_notice, notice, privacy_notices

VERSION_FACTS = ("consent_version", "client_information_version", "person_information_version")
PROXY_FLOWS = ("hulpverlener", "veldwerk")


def recorded_versions() -> set[tuple[str, str]]:
    """(flow, version) of every consent version any flow records, in every version."""
    found = set()
    for flow in flow_library().flows.values():
        for node in flow.questions:
            assert node.question is not None
            for fact, value in node.question.sets.items():
                if fact in VERSION_FACTS:
                    found.add((flow.id, str(value)))
    return found


def test_every_recorded_consent_version_has_its_notice() -> None:
    versions = recorded_versions()
    assert {flow for flow, _ in versions} == {"zelfmelding", "hulpverlener", "veldwerk"}
    for flow, version in versions:
        found = notice(version)
        assert found is not None, f"{flow} records {version}, which has no notice"
        assert found.flow == flow


@pytest.mark.parametrize("flow", ["zelfmelding", "hulpverlener", "veldwerk"])
def test_each_flow_has_a_current_notice(flow: str) -> None:
    current = current_notice(flow, date(2025, 6, 1))
    assert current.paragraphs
    assert (current.declaration is not None) == (flow in PROXY_FLOWS)
    with pytest.raises(LookupError):
        current_notice(flow, date(2024, 12, 31))


def test_notices_are_plain_dutch() -> None:
    for item in privacy_notices().values():
        texts = [t.msgid for t in item.texts]
        if item.declaration is not None:
            texts.append(item.declaration.msgid)
        for text in texts:
            for sentence in re.split(r"(?<=[.?!])\s+", text):
                assert len(sentence.split()) <= 20, sentence
