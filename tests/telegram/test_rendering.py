"""Turns as Telegram messages, without a server: callback data of every question of
every flow, splitting at 4096, the multiple-choice edit, the web chat line."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import pytest

from bot.telegram.rendering import (
    MESSAGE_LIMIT,
    RenderOptions,
    keyboard,
    render_turn,
    split_text,
    telegram_length,
)
from bot.telegram.runner import sensitive_nodes
from flows.engine.engine import Env, resume, start
from flows.engine.events import QuestionAsked
from flows.engine.inputs import CALLBACK_LIMIT, ChoiceInput, parse_callback
from flows.engine.library import flow_library
from flows.engine.prompts import LANGUAGE, Prompt, PromptOption
from flows.texts import Text
from intake.conversation import Outgoing, Turn
from locales.languages import LANGUAGES
from tests.scenario_files import load_scenarios, step_input


def constant(moment: datetime) -> Callable[[], datetime]:
    return lambda: moment


def language_prompt() -> Prompt:
    """The engine's language chooser, as the entry flow's "Andere taal" opens it."""
    languages = tuple((lang.code, lang.name) for lang in LANGUAGES)
    env = Env(clock=constant(datetime(2026, 1, 5, tzinfo=UTC)), ids=str, languages=languages)
    entry = flow_library().entry
    opened = start(entry, env)
    assert opened.prompt is not None
    chooser = resume(entry, opened.session, ChoiceInput(opened.prompt.token, LANGUAGE), env)
    assert chooser.prompt is not None
    return chooser.prompt


def every_prompt() -> list[Prompt]:
    """Every question the golden scenarios meet, straight from the engine."""
    library = flow_library()
    prompts = [language_prompt()]
    for scenario in load_scenarios():
        now = scenario.now.replace(tzinfo=UTC)
        env = Env(clock=constant(now), ids=lambda kind: "LH-TEST-00")
        sprint = start(library.current(scenario.flow), env)
        asked = [e.prompt for e in sprint.events if isinstance(e, QuestionAsked)]
        for move in scenario.steps:
            sprint = resume(
                library.current(scenario.flow), sprint.session, step_input(move, asked[-1]), env
            )
            asked += [e.prompt for e in sprint.events if isinstance(e, QuestionAsked)]
        prompts += asked
    return prompts


def test_every_button_of_every_flow_fits_telegrams_64_bytes_and_reads_back() -> None:
    prompts = every_prompt()
    assert len(prompts) > 200
    for prompt in prompts:
        markup = keyboard(prompt, "nl")
        for row in (markup or {}).get("inline_keyboard", []):
            [button] = row
            data = button["callback_data"]
            assert len(data.encode()) <= CALLBACK_LIMIT
            choice = parse_callback(data)
            assert choice is not None and choice.token == prompt.token
            assert prompt.option(choice.option) is not None


@pytest.mark.parametrize(
    "text",
    [
        "kort",
        "a" * 4096,
        "a" * 4097,
        ("zin " * 2000).strip(),
        "\n\n".join(["alinea " * 200] * 10),
        "\N{GRINNING FACE}" * 3000,  # two UTF-16 units each
        "x" * 10_000,
    ],
)
def test_split_text_keeps_every_part_within_4096(text: str) -> None:
    parts = split_text(text)
    assert all(0 < telegram_length(part) <= MESSAGE_LIMIT for part in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace(
        "\n", ""
    )
    if telegram_length(text) <= MESSAGE_LIMIT:
        assert parts == [text]


def multiple(selected: bool, token: str = "7") -> Prompt:
    return Prompt(
        token=token,
        node="problems",
        kind="multiple_choice",
        text=Text("Heb je met een of meer van deze dingen te maken?"),
        options=(
            PromptOption("debts", Text("Schulden"), selected),
            PromptOption("_done", Text("Klaar")),
        ),
        accepts_text=False,
        multiple=True,
    )


def test_ticking_an_option_edits_the_keyboard_of_the_pressed_message() -> None:
    turn = Turn((Outgoing((), multiple(True), "question"),), "nl", flow_id="zelfmelding")
    [edit] = render_turn(turn, pressed=("7", 42))
    assert edit["method"] == "editMessageReplyMarkup" and edit["message_id"] == 42
    labels = [row[0]["text"] for row in edit["reply_markup"]["inline_keyboard"]]
    assert labels == ["\N{WHITE HEAVY CHECK MARK} Schulden", "Klaar"]
    assert edit["fallback"]["method"] == "sendMessage"
    # A new question, or a typed tick, is a new message.
    [new] = render_turn(turn, pressed=("6", 42))
    assert new["method"] == "sendMessage"
    [typed] = render_turn(turn)
    assert typed["method"] == "sendMessage"


def test_the_web_chat_is_offered_before_health_and_justice_questions_only() -> None:
    nodes = sensitive_nodes(flow_library())
    assert ("zelfmelding", "problems") in nodes and ("veldwerk", "problems") in nodes
    assert ("zelfmelding", "justice_contact") in nodes
    options = RenderOptions(web_chat_url="https://loket.example/chat", sensitive_nodes=nodes)
    sensitive = Turn((Outgoing((), multiple(False), "question"),), "nl", flow_id="zelfmelding")
    [message] = render_turn(sensitive, options)
    assert message["text"].startswith(
        "Wil je deze vragen liever niet in Telegram beantwoorden? Ga dan verder in de "
        "webchat: https://loket.example/chat"
    )
    other = Turn((Outgoing((), language_prompt(), "question"),), "nl", flow_id="zelfmelding")
    assert "webchat" not in render_turn(other, options)[0]["text"]
    assert "webchat" not in render_turn(sensitive)[0]["text"]  # no WEB_CHAT_URL set


def test_a_turn_is_one_message_with_the_keyboard_on_the_question() -> None:
    say = Outgoing((Text("Eerste zin."), Text("Tweede zin.")), None, "say")
    turn = Turn((say, Outgoing((), language_prompt(), "question")), "nl")
    [message] = render_turn(turn)
    assert message["text"] == "Eerste zin.\nTweede zin.\n\nKies je taal."
    assert len(message["reply_markup"]["inline_keyboard"]) == len(LANGUAGES)
    assert "parse_mode" not in message  # plain text: nothing typed can break markup
