"""Reference codes, channel user hashes and name similarity: pure functions."""

from __future__ import annotations

import random
import re

import pytest

from storage.duplicates import names_similar, normalise_name
from storage.reference_codes import ALPHABET, new_reference_code, normalise_reference_code
from storage.user_hash import hash_channel_user


def test_reference_codes_are_readable_aloud() -> None:
    rng = random.Random(4)
    seen = {new_reference_code(rng.choice) for _ in range(2000)}
    assert len(seen) == 2000
    for code in seen:
        assert re.fullmatch(r"LH-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{2}", code), code
    assert not set("01OI") & set(ALPHABET)
    assert len(ALPHABET) == 32


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("LH-7K3Q-9P", "LH-7K3Q-9P"),
        ("lh 7k3q 9p", "LH-7K3Q-9P"),
        ("lh7k3q9p", "LH-7K3Q-9P"),
        (" LH-7K3Q-9P\n", "LH-7K3Q-9P"),
        ("LH-7K3Q-9O", None),  # O is not in the alphabet
        ("LH-7K3Q", None),
        ("XX-7K3Q-9P", None),
        ("", None),
    ],
)
def test_reference_codes_are_recognised_however_they_are_typed(
    typed: str, stored: str | None
) -> None:
    assert normalise_reference_code(typed) == stored


def test_channel_user_hash_is_keyed_stable_and_hides_the_id() -> None:
    one = hash_channel_user("key-1", "telegram", 123456789)
    assert one == hash_channel_user("key-1", "telegram", "123456789")
    assert re.fullmatch(r"[0-9a-f]{64}", one)
    assert "123456789" not in one
    assert one != hash_channel_user("key-2", "telegram", 123456789)
    assert one != hash_channel_user("key-1", "webchat", 123456789)
    # The separator keeps (channel, id) pairs apart that would concatenate alike.
    assert hash_channel_user("k", "a", "bc") != hash_channel_user("k", "ab", "c")
    with pytest.raises(ValueError, match="secret key"):
        hash_channel_user("", "telegram", 1)


def test_names_are_compared_without_case_accents_and_punctuation() -> None:
    assert normalise_name("José  de-Vries") == ["jose", "de", "vries"]


@pytest.mark.parametrize(
    ("a", "b", "similar"),
    [
        ("Jan de Vries", "jan de vries", True),
        ("Jan de Vries", "J. de Vries", True),
        ("J.P. van der Berg", "Jan Pieter van der Berg", True),
        ("Mohammed El Amrani", "Mohamed El Amrani", True),
        ("Fatima Yilmaz", "Fatma Yılmaz", True),
        ("Jan de Vries", "Piet de Vries", False),
        ("Jan de Vries", "Jan Jansen", False),
        ("J. de Vries", "K. de Vries", False),
        ("", "Jan", False),
    ],
)
def test_similar_names(a: str, b: str, similar: bool) -> None:
    assert names_similar(a, b) is similar
    assert names_similar(b, a) is similar
