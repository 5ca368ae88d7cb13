"""The web chat says what fits its page: the buttons for help, back and stop (no
"type 'terug'" where no text box is shown), and no "via deze chat" contact it cannot
deliver."""

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


async def test_the_web_chat_does_not_offer_contact_via_this_chat(
    web: ChatApp, browser: PlainBrowser
) -> None:
    await browser.open()
    await browser.press("zelfmelding")
    for step in ("yes", "Sam", "own_home", "no", "Heerlen", "same", "30", "alone"):
        page = browser.current
        if page.option_form(step) is not None:
            await browser.press(step)
        else:
            await browser.type(step)
    await browser.tick(["debts"])
    for step in ("none", "no", "yes", "yes", "none", "no", "none"):
        await browser.press(step)
    page = browser.current
    assert page.question == "Hoe kan het loket contact met je opnemen?"
    assert page.option_form("phone") is not None and page.option_form("email") is not None
    assert page.option_form("chat") is None
