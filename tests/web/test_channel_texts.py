"""The web chat says what fits its page: the buttons for help, back and stop (no
"type 'terug'" where no text box is shown). "Via deze chat" is offered: the loket
writes back to the chat's inbox (tests/web/test_inbox.py)."""

from __future__ import annotations

from tests.factories.web_chat import ChatApp, PlainBrowser


def _all_text(browser: PlainBrowser) -> str:
    page = browser.current
    return " ".join(b.text for b in page.bubbles)


async def test_the_welcome_and_help_name_the_buttons_not_typed_words(
    web: ChatApp, browser: PlainBrowser
) -> None:
    await browser.open()
    await browser.press("zelfmelding")
    said = _all_text(browser)
    assert "Kies 'Hulp' onder de vraag" in said
    assert "Typ 'help'" not in said and "'terug'" not in said
    await browser.press("yes")  # consent: the next question has a text box, help anyway
    await browser.command("help")
    said = _all_text(browser)
    assert "Onder de vraag staan knoppen: 'Vorige vraag'" in said
    assert "'terug'" not in said and "Typ 'crisis'" not in said
