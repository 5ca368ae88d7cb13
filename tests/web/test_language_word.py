"""The English word in "Andere taal (Language)" is marked as English (WCAG 3.1.2) on
a page in any other language, and not on an English page."""

from __future__ import annotations

from tests.factories.web_chat import PlainBrowser

MARKED = '<span lang="en" dir="ltr">Language</span>'


async def test_the_english_word_of_other_language_is_marked(browser: PlainBrowser) -> None:
    page = await browser.open()
    assert page.lang == "nl"
    assert f"Andere taal ({MARKED})" in page.html
    page = await browser.language("pl")
    assert page.lang == "pl" and f"({MARKED})" in page.html
    page = await browser.language("en")
    assert page.lang == "en" and MARKED not in page.html and "Other language" in page.html
