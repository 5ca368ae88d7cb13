"""The address as the outbox keeps it, and its keyed hash (`intake.email_address`)."""

from __future__ import annotations

import pytest

from intake.email_address import InvalidEmailAddress, email_recipient_hash, normalise_email
from storage.user_hash import hash_channel_user


def test_one_written_form_and_one_hash_per_address() -> None:
    assert normalise_email("  <Jan.Jansen@Zorg.Example.ORG> ") == "jan.jansen@zorg.example.org"
    same = email_recipient_hash("key", "Jan.Jansen@zorg.example.org")
    assert same == email_recipient_hash("key", "jan.jansen@ZORG.example.org ")
    assert same == hash_channel_user("key", "email", "jan.jansen@zorg.example.org")
    assert same != email_recipient_hash("other key", "jan.jansen@zorg.example.org")
    assert len(same) == 64 and "jansen" not in same


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "jan",
        "jan@localhost",
        "a@b@c.nl",
        "jan jansen@zorg.nl",
        "jan@zorg.nl\r\nBcc: x@y.nl",
        "jan@zorg.nl, piet@zorg.nl",
        "Jan <jan@zorg.nl>",
        "x" * 65 + "@zorg.nl",
    ],
)
def test_anything_but_one_plain_address_is_refused_without_repeating_it(bad: str) -> None:
    with pytest.raises(InvalidEmailAddress) as refused:
        normalise_email(bad)
    assert bad.strip() == "" or bad not in str(refused.value)
