"""The way back in the web chat (bot/web/inbox.py, intake/way_back.py): a person who
registered in the chat and chose "via deze chat" reads the loket's news and questions
at /chat/berichten, in this browser or in another one with the chat's code, answers,
and can stop contact; every bad input gets a clear notice and stores nothing twice."""

from __future__ import annotations

from datetime import timedelta

from intake.inbox_links import link_token
from intake.way_back import ANSWER_LIMIT, NoWayToReach
from storage.case_messages import case_messages
from storage.lifecycle import Status
from storage.pre_aanmeldingen import PreAanmelding
from tests.factories.web_chat import SECRET, ChatApp, PlainBrowser
from tests.web.html_page import Form, Page

INBOX = "/chat/berichten"
# Zelfmelding to the contact question, with "via deze chat" (the golden scenario).
TO_CONTACT = (
    ["yes", "Sam", "own_home", "no", "Heerlen", "same", "30", "alone"],
    ["debts"],
    ["none", "no", "yes", "yes", "none", "no", "none"],
)


async def submit_in_the_chat(browser: PlainBrowser, contact: str = "chat") -> Page:
    await browser.open()
    await browser.press("zelfmelding")
    first, ticked, rest = TO_CONTACT
    for step in first:
        if browser.current.option_form(step) is not None:
            await browser.press(step)
        else:
            await browser.type(step)
    await browser.tick(ticked)
    for step in rest:
        await browser.press(step)
    page = browser.current
    assert page.question == "Hoe kan het loket contact met je opnemen?"
    assert page.option_form("chat") is not None  # the loket can write back to the chat
    await browser.press(contact)
    return await browser.press("_submit")


async def the_case(web: ChatApp) -> PreAanmelding:
    async with web.database.unit_of_work(write=False) as uow:
        [item] = await uow.pre_aanmeldingen.find()
    return item


async def a_staff_member(web: ChatApp) -> int:
    async with web.database.unit_of_work() as uow:
        user = await uow.staff.create("coord", password_hash="x", role="coordinator")
    return user.id


async def staff_ask(web: ChatApp, question: str) -> None:
    staff_id = await a_staff_member(web)
    way_back = web.routes.chats.way_back
    async with web.database.unit_of_work() as uow:
        item = await uow.pre_aanmeldingen.transition(
            (await the_case(web)).reference, Status.IN_BEHANDELING, staff_user_id=staff_id
        )
        await way_back.tell_status(uow, item, staff_id)
        await way_back.ask(uow, item, question, staff_id)


def code_in(page: Page) -> str:
    given = next(b.text for b in page.bubbles if "Schrijf de code op" in b.text)
    return given.split("je code in: ")[1].split(".")[0]


async def answer(browser: PlainBrowser, text: str, form_id: str | None = None) -> Page:
    form = browser.current.form("inbox-answer")
    if form_id is not None:
        form.hidden["form_id"] = form_id
    return await browser.submit(form, [("text", text)])


async def test_the_same_browser_reads_news_and_a_question_and_answers(
    web: ChatApp, browser: PlainBrowser
) -> None:
    done = await submit_in_the_chat(browser)
    assert any("/chat/berichten" in b.text for b in done.bubbles)
    empty = await browser.open(INBOX)
    assert "Er zijn nog geen berichten" in empty.html
    await staff_ask(web, "Waar slaap je deze week?")
    page = await browser.open(INBOX)
    assert "Een medewerker van het loket is met je aanmelding bezig." in page.html
    assert "Vraag van het loket" in page.html and "Waar slaap je deze week?" in page.html
    assert (await the_case(web)).status is Status.INFO_GEVRAAGD
    form_id = page.form("inbox-answer").hidden["form_id"]
    answered = await answer(browser, "Bij mijn zus in Heerlen.")
    assert answered.notice == "Je antwoord is naar het loket gestuurd. Dank je wel."
    assert "Bij mijn zus in Heerlen." in answered.html
    # The same form sent again (a double press, a resend): it counted once.
    await answer(browser, "Bij mijn zus in Heerlen.", form_id=form_id)
    item = await the_case(web)
    assert item.status is Status.IN_BEHANDELING and item.answer_unread
    async with web.database.unit_of_work(write=False) as uow:
        thread = await case_messages(uow).thread(item.id)
        notes = await uow.pre_aanmeldingen.notes(item.reference)
        history = await uow.pre_aanmeldingen.history(item.reference)
    assert [(m.sender, m.kind) for m in thread] == [
        ("loket", "status"),
        ("loket", "question"),
        ("person", "answer"),
    ]
    assert [(n.staff_user_id, n.text) for n in notes] == [(None, "Bij mijn zus in Heerlen.")]
    assert history[-1].from_status is Status.INFO_GEVRAAGD
    assert history[-1].to_status is Status.IN_BEHANDELING and history[-1].staff_user_id is None


async def test_another_browser_opens_the_messages_with_the_chat_code(
    web: ChatApp, browser: PlainBrowser
) -> None:
    done = await submit_in_the_chat(browser)
    code = code_in(done)
    await staff_ask(web, "Heb je een ID-bewijs?")
    other = PlainBrowser(web.app)
    try:
        page = await other.open(INBOX)
        assert "Heb je een ID-bewijs?" not in page.html  # nothing without the code
        wrong = await other.submit(page.form("inbox-codes"), [("code", "AAAA-BBBB")])
        assert wrong.notice == "Met deze code vinden we geen berichten. Kijk of de code goed is."
        opened = await other.submit(wrong.form("inbox-codes"), [("code", code.lower())])
        assert "Heb je een ID-bewijs?" in opened.html
        # The chat's own code form (on /chat) leads here too.
        third = PlainBrowser(web.app)
        chat = await third.open()
        moved = await third.submit(chat.forms_with("resume-form")[0], [("code", code)])
        assert "Heb je een ID-bewijs?" in moved.html
        await third.close()
    finally:
        await other.close()


async def test_a_link_from_an_e_mail_opens_after_a_press_and_expires(
    web: ChatApp, browser: PlainBrowser
) -> None:
    await submit_in_the_chat(browser)
    item = await the_case(web)
    today = web.clock.now.date()
    reader = PlainBrowser(web.app)
    try:
        token = link_token(SECRET, item.reference, today)
        page = await reader.open(f"{INBOX}?t={token}")
        assert "Er zijn nog geen berichten" not in page.html  # a GET opens nothing
        opened = await reader.submit(_link_form(page))
        assert "Aanmelding " + item.reference in opened.html
        old = link_token(SECRET, item.reference, today - timedelta(days=31))
        stranger = PlainBrowser(web.app)
        expired = await stranger.submit(_link_form(await stranger.open(f"{INBOX}?t={old}")))
        assert expired.notice.startswith("Deze link werkt niet meer.")
        forged = token[:-2] + ("00" if not token.endswith("00") else "11")
        refused = await stranger.submit(_link_form(await stranger.open(f"{INBOX}?t={forged}")))
        assert refused.notice.startswith("Deze link werkt niet meer.")
        assert item.reference not in refused.html
        await stranger.close()
    finally:
        await reader.close()


def _link_form(page: Page) -> Form:
    return next(f for f in page.forms if f.action == INBOX + "/link")


async def test_bad_answers_are_refused_clearly_and_nothing_is_stored(
    web: ChatApp, browser: PlainBrowser
) -> None:
    await submit_in_the_chat(browser)
    await staff_ask(web, "Wat is je telefoonnummer?")
    page = await browser.open(INBOX)
    form = page.form("inbox-answer")
    assert form.max_length == ANSWER_LIMIT
    too_long = "a" * (ANSWER_LIMIT + 500)
    refused = await browser.submit(form, [("text", too_long)])
    assert browser.last is not None and browser.last.status_code == 413
    assert refused.notice == (
        "Je antwoord is te lang. Schrijf het korter, in hoogstens 2.000 tekens."
    )
    assert too_long in refused.html  # what was typed is kept in the box
    huge = await browser.submit(refused.form("inbox-answer"), [("text", "b" * 50_000)])
    assert browser.last.status_code == 413 and "te lang" in huge.notice
    empty = await answer(browser, "   ")
    assert empty.notice == "Schrijf eerst je antwoord."
    html = '<script>alert("x")</script><b>vet</b>'
    shown = await answer(browser, html)
    assert "<script>alert" not in shown.html and "&lt;script&gt;" in shown.html
    item = await the_case(web)
    async with web.database.unit_of_work(write=False) as uow:
        answers = [m for m in await case_messages(uow).thread(item.id) if m.sender == "person"]
    assert [m.body["text"] for m in answers] == [html]
    # A closed case takes no answer.
    async with web.database.unit_of_work() as uow:
        await uow.pre_aanmeldingen.transition(
            item.reference, Status.AFGEWEZEN, staff_user_id=None, reason="past niet"
        )
    closed_page = await browser.open(INBOX)
    assert closed_page.forms_with("inbox-answer") == []
    posted = await browser.submit(form, [("text", "nog iets")])
    assert posted.notice.startswith("Deze aanmelding is afgesloten.")
    async with web.database.unit_of_work(write=False) as uow:
        after = [m for m in await case_messages(uow).thread(item.id) if m.sender == "person"]
    assert len(after) == 1


async def test_no_more_contact_stops_every_message(web: ChatApp, browser: PlainBrowser) -> None:
    await submit_in_the_chat(browser)
    page = await browser.open(INBOX)
    stop = next(f for f in page.forms if f.action == INBOX + "/stop")
    not_ticked = await browser.submit(stop)
    assert not_ticked.notice.startswith("Zet eerst een vinkje")
    assert (await the_case(web)).contact_stopped_at is None
    stopped = await browser.submit(stop, [("sure", "yes")])
    assert stopped.notice.startswith("Het loket neemt geen contact meer met je op.")
    item = await the_case(web)
    assert item.contact_stopped_at is not None and item.answer_unread
    way_back = web.routes.chats.way_back
    assert way_back.reach(item) == ()
    staff_id = await a_staff_member(web)
    async with web.database.unit_of_work() as uow:
        moved = await uow.pre_aanmeldingen.transition(
            item.reference, Status.IN_BEHANDELING, staff_user_id=staff_id
        )
        try:
            await way_back.ask(uow, moved, "Nog een vraag?", staff_id)
            raise AssertionError("a question went out after 'no more contact'")
        except NoWayToReach:
            pass


async def test_closing_the_messages_on_a_shared_computer(
    web: ChatApp, browser: PlainBrowser
) -> None:
    await submit_in_the_chat(browser)
    page = await browser.open(INBOX)
    close = next(f for f in page.forms if f.action == INBOX + "/sluiten")
    closed = await browser.submit(close)
    assert closed.notice == "Je berichten zijn nu gesloten op dit apparaat."
    assert closed.forms_with("inbox-codes")  # the code is needed again
