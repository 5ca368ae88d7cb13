"""The entry flow: the welcome, who the intake is for and the language, as flow data
run by the engine (flows/definitions/start.yaml). Crisis help, help and the language
chooser are the engine's, the same as in every flow."""

from __future__ import annotations

import textwrap
from dataclasses import replace

from flows.engine import prompts as p
from flows.engine import wording as w
from flows.engine.crisis_answer import fallback_texts
from flows.engine.events import (
    AnswerRejected,
    CrisisDetected,
    FlowChosen,
    LanguageChanged,
    MessageCreated,
)
from flows.engine.inputs import LanguageInput
from flows.engine.library import FlowLibrary, definition_files, flow_library, offered_flows
from flows.engine.loader import check_flow_text
from flows.engine.session import SessionStatus
from tests.factories.engine import Chat

LANGUAGES = (("nl", "Nederlands"), ("en", "English"), ("ar", "العربية"))


def entry_chat() -> Chat:
    chat = Chat(flow_library().entry)
    chat.env = replace(chat.env, languages=LANGUAGES)
    return chat


def lines(chat: Chat, kind: str | None = None) -> list[str]:
    return [
        text.msgid
        for e in chat.events
        if isinstance(e, MessageCreated) and (kind is None or e.kind == kind)
        for text in e.texts
    ]


def chosen(chat: Chat) -> list[str]:
    return [e.flow_id for e in chat.events if isinstance(e, FlowChosen)]


def test_the_start_screen_offers_each_offered_flow_in_order_and_another_language() -> None:
    chat = entry_chat()
    assert chat.prompt is not None and chat.prompt.entry
    offered = [flow_id for flow_id, _ in offered_flows(flow_library())]
    assert offered[0] == "zelfmelding" and set(offered) == {
        "zelfmelding",
        "hulpverlener",
        "veldwerk",
    }
    assert [o.id for o in chat.prompt.options] == [*offered, p.LANGUAGE]
    assert not chat.prompt.accepts_text  # a choice; typing its number or name works too
    # The welcome and "no emergency service", without the how-to line of a flow.
    welcome = lines(chat, "say")
    assert len(welcome) == 2 and "112" in welcome[1]
    assert w.HOW_TO_TYPED not in welcome and w.HOW_TO_BUTTONS not in welcome


def test_choosing_a_flow_ends_the_entry_flow() -> None:
    chat = entry_chat()
    chat.press("veldwerk")
    assert chosen(chat) == ["veldwerk"]
    assert chat.session.status == SessionStatus.FINISHED and chat.session.pending is None


def test_a_typed_number_or_flow_name_chooses_too() -> None:
    offered = [flow_id for flow_id, _ in offered_flows(flow_library())]
    by_number = entry_chat()
    by_number.say("2")
    assert chosen(by_number) == [offered[1]]
    by_name = entry_chat()
    by_name.say("Hulpverlener")
    assert chosen(by_name) == ["hulpverlener"]


def test_a_greeting_is_no_choice_and_changes_nothing() -> None:
    chat = entry_chat()
    chat.say("hallo")
    assert chosen(chat) == []
    assert any(isinstance(e, AnswerRejected) for e in chat.events)
    assert chat.prompt is not None and chat.prompt.node == "who"


def test_another_language_comes_back_to_the_same_question() -> None:
    chat = entry_chat()
    chat.press(p.LANGUAGE)
    assert chat.prompt is not None and chat.prompt.node == p.LANGUAGE_NODE
    assert [(o.id, o.text.msgid) for o in chat.prompt.options] == list(LANGUAGES)
    chat.press("ar")
    assert [e.locale for e in chat.events if isinstance(e, LanguageChanged)] == ["ar"]
    assert chat.session.locale == "ar"
    assert chat.prompt is not None and chat.prompt.node == "who"
    chat.press("zelfmelding")
    assert chosen(chat) == ["zelfmelding"] and chat.session.locale == "ar"


def test_the_chooser_takes_a_typed_name_and_back_leaves_the_language() -> None:
    chat = entry_chat()
    chat.press(p.LANGUAGE)
    chat.say("english")
    assert chat.session.locale == "en"
    chat.press(p.LANGUAGE)
    chat.command("back")
    assert chat.session.locale == "en"
    assert chat.prompt is not None and chat.prompt.node == "who"
    chat.press(p.LANGUAGE)
    chat.say("klingon")
    assert chat.prompt is not None and chat.prompt.node == p.LANGUAGE_NODE  # asked again


def test_the_language_command_opens_the_chooser_inside_a_flow() -> None:
    chat = Chat("zelfmelding")
    chat.env = replace(chat.env, languages=LANGUAGES)
    chat.say("ja")  # consent
    asked = chat.prompt
    assert asked is not None
    chat.say("taal")
    assert chat.prompt is not None and chat.prompt.node == p.LANGUAGE_NODE
    assert not chat.prompt.entry  # in a flow: back and stop stay available
    chat.press("en")
    assert chat.prompt is not None and chat.prompt.node == asked.node
    assert chat.session.locale == "en" and "consent" in chat.session.answers


def test_a_language_the_host_cannot_speak_gets_the_numbers_in_it() -> None:
    chat = entry_chat()
    chat.send(LanguageInput("fa"))
    assert chat.session.locale == "nl"
    assert not any(isinstance(e, LanguageChanged) for e in chat.events)
    [fallback] = fallback_texts("fa")
    assert fallback in [t for e in chat.events if isinstance(e, MessageCreated) for t in e.texts]
    chat.send(LanguageInput("en_GB"))
    assert chat.session.locale == "en"


def test_a_text_in_farsi_that_is_no_answer_gets_the_numbers_in_farsi() -> None:
    chat = entry_chat()
    chat.say("سلام من کمک میخواهم")
    [fallback] = fallback_texts("fa")
    notices = [t for e in chat.events if isinstance(e, MessageCreated) for t in e.texts]
    assert fallback in notices
    assert chosen(chat) == []


def test_crisis_and_help_on_the_start_screen_are_the_engines() -> None:
    chat = entry_chat()
    chat.say("ik wil dood")
    assert any(isinstance(e, CrisisDetected) for e in chat.events)
    assert chat.session.crisis and chat.session.crisis_marks
    assert chat.prompt is not None and chat.prompt.node == "who"
    chat.command("help")
    assert w.HELP in lines(chat, "help")
    chat.press("zelfmelding")
    assert chosen(chat) == ["zelfmelding"] and chat.session.crisis


def test_a_new_flow_file_is_offered_without_a_change_to_the_entry_flow() -> None:
    fourth = definition_files()[0].parent.parent.parent / "tests/fixtures/flows/woonbegeleider.yaml"
    library = FlowLibrary.from_files([*definition_files(), fourth])
    options = [o.id for o in library.entry.nodes["who"].question.options]  # type: ignore[union-attr]
    assert "woonbegeleider" in options
    assert "start" not in library.ids  # the entry flow is no intake flow


ENTRY = textwrap.dedent(
    """\
    flow: begin
    version: 1
    title: "Begin"
    entry: true
    start: hello
    local_facts:
      chosen: "the chosen flow"
    nodes:
      hello:
        say: ["Hallo!", "Dit is geen noodhulp."]
        next: who
      who:
        ask: single_choice
        question: "Voor wie?"
        label: "Voor wie"
        fact: chosen
        options_from: offered_flows
        next: go
      go:
        action: begin
    """
)


def problems_of(text: str) -> list[str]:
    flow, problems = check_flow_text(text, "entry.yaml")
    assert (flow is None) == bool(problems)
    return [str(problem) for problem in problems]


def test_an_entry_flow_loads_with_a_say_of_several_lines() -> None:
    flow, problems = check_flow_text(ENTRY, "entry.yaml")
    assert problems == [] and flow is not None and flow.entry
    assert (flow.nodes["hello"].say, flow.nodes["hello"].say_more) == (
        "Hallo!",
        ("Dit is geen noodhulp.",),
    )


def test_only_an_entry_flow_chooses_a_flow() -> None:
    found = problems_of(ENTRY.replace("entry: true\n", ""))
    assert any("only an entry flow ('entry: true') chooses a flow" in f for f in found)


def test_an_entry_flow_registers_nothing_and_needs_its_choice() -> None:
    registered = ENTRY.replace(
        "start: hello\n", "start: hello\nregistration: {submitter: self, consent_version: chosen}\n"
    )
    assert any("an entry flow submits nothing" in f for f in problems_of(registered))
    no_choice = ENTRY.replace(
        "    options_from: offered_flows\n", "    options: [{id: a, text: A}]\n"
    )
    assert any("needs one question with 'options_from" in f for f in problems_of(no_choice))
    bad_source = ENTRY.replace("options_from: offered_flows", "options_from: everything")
    assert any("options_from: a single_choice question" in f for f in problems_of(bad_source))
