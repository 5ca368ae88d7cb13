"""The web chat in a real headless Chromium (Playwright), against the real ASGI app
under uvicorn: whole intakes reaching each product with JavaScript on, one with
JavaScript off, one in Arabic (right to left), one by keyboard alone, a resume in a
new browser, a Telegram intake continued here (the hand-off), and axe-core on the
pages. Saves docs/screenshots/webchat-*.png."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright

from intake.conversation import ConversationService
from storage.database import Database
from tests.factories.databases import FakeClock, run_blocking
from tests.factories.environment import CHROMIUM
from tests.factories.web_chat import SCENARIO_NOW, SECRET, UNLIMITED, chat_app
from tests.scenario_files import Scenario, load_scenarios
from tests.web.browser_support import LAUNCH_ARGS, ChatDriver, screenshot, serious_violations, serve
from tests.web.telegram_person import AFTER_PROBLEMS, BEFORE_PROBLEMS, TelegramPerson

pytestmark = pytest.mark.chromium

SCENARIOS = {s.name: s for s in load_scenarios()}
# One complete intake per product, over the three flows, with JavaScript on.
BY_PRODUCT = {
    "housing": "veldwerk/housing",
    "housing_first": "zelfmelding/housing_first_street",
    "housing_plus": "zelfmelding/housing_plus_tenant",
    "housing_justitieel": "hulpverlener/justitieel",
    "none": "zelfmelding/no_product_youth",
}
REFERENCE = re.compile(r"LH-[0-9A-Z]{4}-[0-9A-Z]{2}")


@dataclass
class Site:
    url: str
    database_url: str


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, sqlite_template: Path) -> Iterator[Site]:
    path = tmp_path_factory.mktemp("webchat-browser") / "intake.db"
    path.write_bytes(sqlite_template.read_bytes())
    url = f"sqlite+aiosqlite:///{path}"
    made = chat_app(url, FakeClock(SCENARIO_NOW), posts_per_session=UNLIMITED)
    with serve(made.app) as base:
        yield Site(base, url)
    run_blocking(made.database.dispose())


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def context(chromium: Browser) -> Iterator[BrowserContext]:
    made = chromium.new_context(locale="nl-NL", viewport={"width": 900, "height": 900})
    made.set_default_timeout(10_000)
    yield made
    made.close()


def product_of(site: Site, reference: str) -> str | None:
    async def find() -> str | None:
        database = Database(site.database_url)
        try:
            async with database.unit_of_work(write=False) as uow:
                record = await uow.pre_aanmeldingen.get(reference)
                assert record is not None
                return record.recommended_product
        finally:
            await database.dispose()

    return run_blocking(find())


def start(page: Page, site: Site, flow: str, *, javascript: bool = True) -> ChatDriver:
    page.goto(site.url + "/")
    assert page.url.endswith("/chat")
    driver = ChatDriver(page, javascript)
    driver.press(flow)
    return driver


def assert_emergency_visible(page: Page) -> None:
    banner = page.locator("aside.emergency")
    assert banner.is_visible()
    text = banner.inner_text()
    for number in ("112", "113", "0800-0113", "0800-2000"):
        assert number in text


def finish(driver: ChatDriver, scenario: Scenario, site: Site) -> None:
    page = driver.page
    text = page.locator("#log").inner_text()
    if scenario.product is None and not scenario.submits:
        return
    found = REFERENCE.search(text)
    assert found, "no reference code on the result page"
    assert product_of(site, found.group(0)) == scenario.product
    assert page.locator("#now form.new-chat button").is_visible()
    assert_emergency_visible(page)


@pytest.mark.parametrize("product", list(BY_PRODUCT))
def test_an_intake_reaches_each_product_with_javascript(
    product: str, site: Site, context: BrowserContext
) -> None:
    scenario = SCENARIOS[BY_PRODUCT[product]]
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    if product == "housing_first":
        page.goto(site.url + "/chat")
        screenshot(page, "start")
    driver = start(page, site, scenario.flow)
    loads = page.evaluate("() => performance.getEntriesByType('navigation').length")
    for index, step in enumerate(scenario.steps):
        driver.step(step)
        if product == "housing_first" and index == 2:
            page.evaluate("() => window.scrollTo(0, document.body.scrollHeight)")
            page.locator("#log .bubble").nth(-4).scroll_into_view_if_needed()
            screenshot(page, "question")
    assert page.evaluate("() => performance.getEntriesByType('navigation').length") == loads
    assert page.url.endswith("/chat"), "the page was not loaded again"
    finish(driver, scenario, site)
    assert page.evaluate("() => document.activeElement.closest('#now') !== null")
    if product == "housing_first":
        advice = page.locator("#log .bubble", has_text="Ons advies").last
        advice.evaluate("e => e.scrollIntoView({block: 'start'})")
        assert "Housing First: eerst een eigen woning" in advice.inner_text()  # product line
        screenshot(page, "result")
        # The region's night shelter and the loket's contact, from the service data.
        shelter = page.locator("#log .bubble", has_text="Een plek om te slapen").last
        assert "Nachtopvang Heerlen" in shelter.inner_text()
        contact = page.locator("#log .bubble", has_text="De aanmeldcode is").last
        assert "045 000 0001" in contact.inner_text()
        contact.evaluate("e => e.scrollIntoView({block: 'end'})")
        screenshot(page, "result-contact")
    assert errors == []


def test_an_intake_without_javascript(chromium: Browser, site: Site) -> None:
    scenario = SCENARIOS["veldwerk/justitieel_released"]
    context = chromium.new_context(java_script_enabled=False, locale="nl-NL")
    try:
        page = context.new_page()
        driver = start(page, site, scenario.flow, javascript=False)
        for step in scenario.steps:
            driver.step(step)
            assert_emergency_visible(page)
        finish(driver, scenario, site)
    finally:
        context.close()


def test_an_intake_in_arabic_right_to_left(site: Site, context: BrowserContext) -> None:
    scenario = SCENARIOS["veldwerk/housing"]
    page = context.new_page()
    page.goto(site.url + "/chat")
    driver = ChatDriver(page)
    assert page.locator('form.languages button[value="ar"]').inner_text() == "العربية"
    assert page.locator('form.languages button[value="ar"]').get_attribute("dir") == "rtl"
    driver.language("ar")
    assert page.locator("html").get_attribute("lang") == "ar"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.evaluate("() => getComputedStyle(document.body).direction") == "rtl"
    assert page.locator('form.languages button[value="ar"]').get_attribute("aria-pressed") == (
        "true"
    )
    driver.press(scenario.flow)
    for step in scenario.steps[:3]:
        driver.step(step)
    # Mirrored: the person's bubbles on the left, the loket's on the right.
    mine = page.locator("#log .bubble.me").last.bounding_box()
    theirs = page.locator("#log .bubble.bot").last.bounding_box()
    assert mine is not None and theirs is not None
    assert mine["x"] < theirs["x"]
    assert_emergency_visible(page)
    screenshot(page, "arabic")
    for step in scenario.steps[3:]:
        driver.step(step)
    assert page.locator("html").get_attribute("dir") == "rtl"
    finish(driver, scenario, site)


def focus_on(page: Page, selector: str, *, limit: int = 80) -> None:
    """Press Tab until `selector` has the focus; its focus ring must show."""
    for _ in range(limit):
        if page.evaluate(
            "s => !!document.activeElement && document.activeElement.matches(s)", selector
        ):
            ring = page.evaluate(
                "() => { const s = getComputedStyle(document.activeElement);"
                " return [s.outlineStyle, s.boxShadow]; }"
            )
            assert ring[0] != "none" or ring[1] != "none", f"no visible focus on {selector}"
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"Tab never reached {selector}")


def test_an_intake_by_keyboard_alone(site: Site, context: BrowserContext) -> None:
    scenario = SCENARIOS["veldwerk/housing"]
    page = context.new_page()
    page.goto(site.url + "/chat")
    driver = ChatDriver(page)

    def key_press(selector: str, key: str = "Enter") -> None:
        focus_on(page, selector)
        driver._after(lambda: page.keyboard.press(key))

    key_press(f'#now button[name=option][value="{scenario.flow}"]')
    for step in scenario.steps:
        if isinstance(step, str):
            focus_on(page, "#answer")
            page.keyboard.type(step)
            driver._after(lambda: page.keyboard.press("Enter"))
            continue
        ((kind, value),) = step.items()
        if kind == "select":
            for option in value:
                focus_on(page, f'#now input[name=options][value="{option}"]')
                page.keyboard.press("Space")
            key_press("#now form.answer-checks button[type=submit]", "Space")
        else:
            assert kind == "choice"
            key_press(f'#now button[name=option][value="{value}"]')
    finish(driver, scenario, site)


def test_resume_in_a_new_browser_with_every_answer(chromium: Browser, site: Site) -> None:
    scenario = SCENARIOS["zelfmelding/housing_first_street"]
    first = chromium.new_context(locale="nl-NL")
    page = first.new_page()
    driver = start(page, site, scenario.flow)
    for step in scenario.steps[:7]:
        driver.step(step)
    answers = driver.my_answers()
    question = page.locator("#log .bubble.kind-question").last.inner_text()
    code = page.locator("#resume-code").inner_text()
    assert re.fullmatch(r"[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}", code)
    first.close()  # the browser is closed in the middle of the intake

    second = chromium.new_context(locale="nl-NL")
    try:
        page = second.new_page()
        page.goto(site.url + "/chat")
        assert ChatDriver(page).my_answers() == []
        assert page.locator("details.resume-other").count() == 0  # a fresh page: shown open
        page.get_by_label("Code om verder te gaan").fill(code.lower().replace("-", " "))
        with page.expect_navigation():
            page.get_by_role("button", name="Verder gaan").click()
        driver = ChatDriver(page)
        assert driver.my_answers() == answers and len(answers) == 8
        assert page.locator("#log .bubble.kind-question").last.inner_text() == question
        assert "Welkom terug" in page.locator("#notice").inner_text()
        for step in scenario.steps[7:]:
            driver.step(step)
        finish(driver, scenario, site)
    finally:
        second.close()


def test_axe_finds_no_serious_problems(chromium: Browser, site: Site) -> None:
    context = chromium.new_context(bypass_csp=True, locale="nl-NL")
    try:
        page = context.new_page()
        page.goto(site.url + "/chat")
        found = {"start": serious_violations(page)}
        driver = ChatDriver(page)
        scenario = SCENARIOS["veldwerk/housing"]
        driver.press(scenario.flow)
        found["yes/no"] = serious_violations(page)
        driver.step(scenario.steps[0])
        found["text field"] = serious_violations(page)
        for step in scenario.steps[1:4]:
            driver.step(step)
        found["tick boxes"] = serious_violations(page)
        for step in scenario.steps[4:]:
            driver.step(step)
        found["result"] = serious_violations(page)
        driver.language("ar")
        found["arabic"] = serious_violations(page)
        assert page.locator("details.resume-other").count() == 0  # ended: no code of its own
        page.locator("#code").fill("WRONG")
        with page.expect_navigation():
            page.locator("form.resume-form button").click()
        found["notice"] = serious_violations(page)
    finally:
        context.close()
    assert {name: v for name, v in found.items() if v} == {}


def test_a_telegram_intake_continues_here_with_every_answer(chromium: Browser, site: Site) -> None:
    """The link Telegram sends before the health question: the page fills in the
    code, one press moves the intake, and it ends here with the Telegram answers."""

    async def in_telegram() -> str:
        database = Database(site.database_url, clock=FakeClock(SCENARIO_NOW))
        try:
            service = ConversationService(database, secret_key=SECRET)
            person = TelegramPerson(service, chat_id=777)
            for step in BEFORE_PROBLEMS:
                await person.step(step)
            [link] = await person.links()
            return link
        finally:
            await database.dispose()

    link = run_blocking(in_telegram())
    context = chromium.new_context(bypass_csp=True, locale="nl-NL")
    try:
        page = context.new_page()
        page.goto(site.url + link.removeprefix("https://chat.example"))
        handoff = page.locator("#handoff")
        assert "Kom je uit Telegram?" in handoff.inner_text()
        field = handoff.get_by_label("Code om verder te gaan")
        assert field.input_value() == link.rsplit("=", 1)[1]
        assert serious_violations(page) == []
        screenshot(page, "handoff")
        with page.expect_navigation():
            handoff.get_by_role("button", name="Verder gaan").click()
        assert page.locator("#handoff").count() == 0
        log = page.locator("#log")
        assert "Je antwoorden uit Telegram staan nu hier" in log.inner_text()
        assert "Heb je met een of meer" in log.locator(".bubble.kind-question").last.inner_text()
        driver = ChatDriver(page)
        for step in AFTER_PROBLEMS:
            driver.step(step)
        found = REFERENCE.search(log.inner_text())
        assert found, "no reference code on the result page"
        # Housing First: 14 months on the street (told in Telegram) with addiction and
        # psychiatric problems and intensive support (told here).
        assert product_of(site, found.group(0)) == "housing_first"
    finally:
        context.close()
