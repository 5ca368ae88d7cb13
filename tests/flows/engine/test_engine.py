"""The engine: commands in any state, buttons, bad answers, the summary and changes."""

from __future__ import annotations

from dataclasses import replace

import pytest

from flows.engine import (
    CALLBACK_LIMIT,
    AnswerRecorded,
    AnswerRejected,
    AnswersCleared,
    ChoiceInput,
    ChoiceRejected,
    FlowMismatch,
    IntakeSubmitted,
    LanguageChanged,
    QuestionAsked,
    SelectionInput,
    SessionEnded,
    SessionStatus,
    SessionStopped,
    SummaryShown,
    TextInput,
    callback_data,
    current_prompt,
    flow_library,
    parse_callback,
    resume,
)
from tests.factories.engine import Chat, make_env


def to_question(chat: Chat, node: str, answers: list[str]) -> None:
    for answer in answers:
        chat.say(answer)
    assert chat.prompt is not None and chat.prompt.node == node, chat.prompt


DETENTION = [
    "ja",
    "Mo",
    "in de gevangenis",
    "de gevangenis",
    "1-9-2025",
    "Heerlen",
    "nee",
    "34",
    "alleen",
    "1, 2",
    "veel",
    "ja",
    "ja",
    "Reclassering",
    "ja",
    "ja",
    "nee",
    "nee",
    "1",
]


def at_summary_in_detention() -> Chat:
    chat = Chat("zelfmelding")
    for answer in DETENTION:
        chat.say(answer)
    assert chat.prompt is not None and chat.prompt.kind == "summary"
    assert chat.of(SummaryShown)[0].recommendation.product == "housing_justitieel"
    return chat


# --- the summary and changes ---------------------------------------------------------


def test_changing_detention_at_the_summary_asks_what_depends_on_it_and_reroutes() -> None:
    chat = at_summary_in_detention()
    assert "release_date" in chat.session.answers
    chat.press("_change:institution")
    assert chat.prompt is not None and chat.prompt.node == "institution"
    chat.press("ggz")
    # Leaving a clinic instead of prison: readiness is asked now (it was not before).
    assert chat.prompt is not None and chat.prompt.node == "ready_to_move_out"
    assert any("veranderd" in line for line in chat.lines())
    chat.press("yes")
    # Police and justice were not asked of someone in prison; now they are.
    assert chat.prompt is not None and chat.prompt.node == "justice_contact"
    chat.press("none")
    cleared = chat.of(AnswersCleared)
    assert cleared and cleared[0].nodes == ("release_date",) and cleared[0].reason == "off_path"
    summary = chat.of(SummaryShown)[0]
    assert summary.recommendation.product == "housing"
    chat.press("_submit")
    submitted = chat.of(IntakeSubmitted)[0]
    assert submitted.recommendation.product == "housing"
    assert submitted.profile.institution == "ggz"
    assert submitted.profile.detention_release_date is None


def test_changing_living_situation_drops_the_institution_branch() -> None:
    chat = at_summary_in_detention()
    chat.press("_change:living")
    chat.press("family_friends")
    # A new branch: months without a home and homeless before.
    assert chat.prompt is not None and chat.prompt.node == "homeless_months"
    chat.say("14")
    chat.press("no")
    # justice_contact was skipped before (prison); now it is on the path.
    assert chat.prompt is not None and chat.prompt.node == "justice_contact"
    chat.press("none")
    summary = chat.of(SummaryShown)[0]
    cleared = {n for e in chat.of(AnswersCleared) for n in e.nodes}
    assert cleared == {"institution", "release_date"}
    assert summary.recommendation.product == "housing_first"


def test_depends_on_asks_again_when_the_fact_changes() -> None:
    chat = Chat("zelfmelding")
    for answer in [
        "ja",
        "Sam",
        "4",
        "1",
        "ja",
        "Heerlen",
        "nee",
        "34",
        "alleen",
        "klaar",
        "2",
        "ja",
        "nee",
        "ja",
        "ja",
        "nee",
        "nee",
        "nee",
        "1",
    ]:
        chat.step({"choice": "_none"} if answer == "klaar" else answer)
    assert chat.prompt is not None and chat.prompt.kind == "summary"
    chat.press("_change:institution")
    chat.press("ggz")  # beschermd wonen -> GGZ: readiness depends on the institution
    assert chat.of(AnswersCleared)[0].reason == "depends_on"
    assert chat.prompt is not None and chat.prompt.node == "ready_to_move_out"


def test_back_during_a_change_returns_to_the_summary_unchanged() -> None:
    chat = at_summary_in_detention()
    before = dict(chat.session.answers)
    chat.press("_change:age")
    chat.command("back")
    assert chat.prompt is not None and chat.prompt.kind == "summary"
    assert chat.session.answers == before


def test_typed_changes_at_the_summary() -> None:
    chat = at_summary_in_detention()
    chat.say("leeftijd")
    assert chat.prompt is not None and chat.prompt.node == "age"
    chat.say("35")
    chat.say("versturen")
    assert chat.of(IntakeSubmitted)[0].profile.age == 35


# --- commands ------------------------------------------------------------------------


def test_stop_asks_to_confirm_then_discards_the_draft() -> None:
    chat = Chat("zelfmelding")
    to_question(chat, "municipality", ["ja", "Sam", "buiten"])
    chat.command("stop")
    assert chat.prompt is not None and chat.prompt.kind == "confirm_stop"
    assert chat.session.answers  # nothing discarded yet
    chat.say("ja")
    stopped = chat.of(SessionStopped)[0]
    assert stopped.discarded == ("consent", "name", "living")
    assert chat.session.status == SessionStatus.STOPPED
    assert chat.session.answers == {} and chat.session.pending is None


def test_stop_can_be_cancelled() -> None:
    chat = Chat("zelfmelding")
    to_question(chat, "municipality", ["ja", "Sam", "buiten"])
    token = chat.prompt.token if chat.prompt else ""
    chat.say("stop")
    chat.press("no")
    assert chat.prompt is not None and chat.prompt.node == "municipality"
    assert chat.prompt.token == token
    assert set(chat.session.answers) == {"consent", "name", "living"}


def test_back_asks_the_previous_question_again() -> None:
    chat = Chat("zelfmelding")
    to_question(chat, "age", ["ja", "Sam", "buiten", "Heerlen", "nee"])
    chat.say("terug")
    assert chat.prompt is not None and chat.prompt.node == "ties_municipality"
    assert "ties_municipality" not in chat.session.answers
    chat.command("back")
    assert chat.prompt is not None and chat.prompt.node == "municipality"
    assert "municipality" not in chat.session.answers
    chat.command("back")
    chat.command("back")
    chat.command("back")
    assert chat.prompt is not None and chat.prompt.node == "consent"
    chat.command("back")
    assert "Dit is de eerste vraag." in chat.lines()


def test_help_explains_and_asks_the_same_question() -> None:
    chat = Chat("zelfmelding")
    to_question(chat, "living", ["ja", "Sam"])
    chat.say("help")
    lines = chat.lines()
    assert any(line.startswith("Over deze vraag:") for line in lines)
    assert any("'terug'" in line for line in lines)
    assert chat.prompt is not None and chat.prompt.node == "living"


def test_restart_begins_again_from_the_start() -> None:
    chat = Chat("zelfmelding")
    to_question(chat, "age", ["ja", "Sam", "buiten", "Heerlen", "nee"])
    chat.say("opnieuw")
    assert chat.prompt is not None and chat.prompt.kind == "confirm_restart"
    assert len(chat.session.answers) == 5  # nothing wiped before the person says yes
    chat.say("ja")
    assert chat.session.answers == {}
    assert chat.prompt is not None and chat.prompt.node == "consent"
    assert any(line.startswith("Hallo!") for line in chat.lines())


def test_a_restart_not_confirmed_keeps_every_answer() -> None:
    chat = Chat("zelfmelding")
    to_question(chat, "age", ["ja", "Sam", "buiten", "Heerlen", "nee"])
    asked = chat.prompt
    chat.say("opnieuw")
    chat.say("nee")
    assert len(chat.session.answers) == 5
    assert chat.prompt is not None and asked is not None and chat.prompt.node == asked.node
    chat.say("opnieuw")
    chat.command("back")  # back from the question "are you sure": no restart either
    assert len(chat.session.answers) == 5


def test_a_restart_before_any_answer_needs_no_confirmation() -> None:
    chat = Chat("zelfmelding")
    chat.say("opnieuw")
    assert chat.prompt is not None and chat.prompt.node == "consent"


def test_changing_the_language_asks_the_question_again() -> None:
    chat = Chat("zelfmelding")
    to_question(chat, "living", ["ja", "Sam"])
    chat.say("/taal en")
    assert chat.of(LanguageChanged)[0].locale == "en"
    assert chat.session.locale == "en"
    assert chat.of(QuestionAsked)[0].prompt.node == "living"


def test_after_the_end_only_restart_help_and_crisis_do_something() -> None:
    chat = Chat("zelfmelding")
    chat.say("nee")
    assert chat.of(SessionEnded)[0].submitted is False
    assert chat.session.answers == {}
    chat.say("ja")
    assert chat.lines() == ["Dit gesprek is klaar. Typ 'opnieuw' om een nieuw gesprek te beginnen."]
    chat.command("back")
    assert chat.session.status == SessionStatus.FINISHED
    chat.command("restart")
    assert chat.session.active


# --- bad answers ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("node", "path", "bad"),
    [
        ("age", ["ja", "Sam", "buiten", "Heerlen", "nee"], "ongeveer veertig"),
        ("age", ["ja", "Sam", "buiten", "Heerlen", "nee"], "x" * 5000),
        ("age", ["ja", "Sam", "buiten", "Heerlen", "nee"], "🙈🙉🙊"),
        ("age", ["ja", "Sam", "buiten", "Heerlen", "nee"], ""),
        ("age", ["ja", "Sam", "buiten", "Heerlen", "nee"], "   "),
        ("release_date", ["ja", "Sam", "instelling", "gevangenis"], "31-02-2026"),
        ("release_date", ["ja", "Sam", "instelling", "gevangenis"], "morgen"),
        ("living", ["ja", "Sam"], "een kasteel"),
        ("municipality", ["ja", "Sam", "buiten"], "12345"),
        ("consent", [], "misschien"),
    ],
)
def test_a_bad_answer_is_asked_again_with_an_example_and_keeps_earlier_answers(
    node: str, path: list[str], bad: str
) -> None:
    chat = Chat("zelfmelding")
    to_question(chat, node, path)
    before = chat.session
    chat.say(bad)
    assert chat.of(AnswerRejected)[0].node == node
    lines = chat.lines()
    assert any(line.startswith("Bijvoorbeeld:") for line in lines), lines
    assert chat.prompt is not None and chat.prompt.node == node
    assert chat.session.answers == before.answers
    assert chat.session.pending == before.pending


def test_a_required_question_cannot_be_skipped() -> None:
    chat = Chat("zelfmelding")
    chat.say("weet ik niet")
    assert chat.of(AnswerRejected)[0].code == "required"
    assert chat.prompt is not None
    assert "_dont_know" not in [o.id for o in chat.prompt.options]


def test_every_other_question_offers_dont_know_and_rather_not_say() -> None:
    chat = Chat("zelfmelding")
    to_question(chat, "living", ["ja", "Sam"])
    ids = [o.id for o in chat.prompt.options] if chat.prompt else []
    assert ids[-2:] == ["_dont_know", "_rather_not_say"]
    chat.say("zeg ik liever niet")
    recorded = chat.of(AnswerRecorded)[0]
    assert recorded.status == "rather_not_say" and recorded.value is None


# --- buttons -------------------------------------------------------------------------


def test_a_stale_button_is_rejected_and_the_session_is_unchanged() -> None:
    chat = Chat("zelfmelding")
    old = chat.prompt
    chat.press("yes")
    session = chat.session
    assert old is not None
    sprint = chat.send(ChoiceInput(old.token, "yes"))
    assert sprint.session is session
    assert chat.of(ChoiceRejected)[0].reason == "stale_token"
    assert chat.of(QuestionAsked)[0].prompt.node == "name"


@pytest.mark.parametrize("option", ["street", "_change:age", "_submit", "yes", ""])
def test_a_forged_option_is_rejected_and_the_session_is_unchanged(option: str) -> None:
    chat = Chat("zelfmelding")
    chat.press("yes")
    session = chat.session
    assert chat.prompt is not None
    sprint = chat.send(ChoiceInput(chat.prompt.token, option))
    assert sprint.session is session
    assert chat.of(ChoiceRejected)[0].reason == "unknown_option"


def test_a_selection_for_a_single_choice_is_rejected() -> None:
    chat = Chat("zelfmelding")
    session = chat.session
    assert chat.prompt is not None
    sprint = chat.send(SelectionInput(chat.prompt.token, ("yes",)))
    assert sprint.session is session


def test_multiple_choice_buttons_tick_and_untick() -> None:
    chat = Chat("zelfmelding")
    to_question(
        chat, "problems", ["ja", "Sam", "eigen huis", "nee", "Heerlen", "nee", "40", "alleen"]
    )
    token = chat.prompt.token if chat.prompt else ""
    chat.press("debts")
    chat.press("addiction")
    chat.press("debts")
    assert chat.prompt is not None and chat.prompt.token == token
    assert [o.id for o in chat.prompt.options if o.selected] == ["addiction"]
    chat.press("_done")
    assert chat.of(AnswerRecorded)[0].value == ["addiction"]


def test_done_without_a_choice_is_asked_again() -> None:
    chat = Chat("zelfmelding")
    to_question(
        chat, "problems", ["ja", "Sam", "eigen huis", "nee", "Heerlen", "nee", "40", "alleen"]
    )
    chat.press("_done")
    assert chat.of(AnswerRejected)[0].code == "none_chosen"


def test_every_button_fits_in_telegram_callback_data() -> None:
    from tests.factories.engine import sessions_at_every_question

    for flow_id, _node, session in sessions_at_every_question():
        prompt = current_prompt(flow_library().current(flow_id), session)
        assert prompt is not None
        for option in prompt.options:
            data = callback_data(prompt.token, option.id)
            assert len(data.encode()) <= CALLBACK_LIMIT
            assert parse_callback(data) == ChoiceInput(prompt.token, option.id)
    assert parse_callback("not ours") is None
    assert parse_callback("1:" + "x" * 80) is None


# --- sessions ------------------------------------------------------------------------


def test_a_session_keeps_its_flow_version() -> None:
    chat = Chat("zelfmelding")
    flow = chat.flow
    other = replace(flow, version=flow.version + 1)
    with pytest.raises(FlowMismatch):
        resume(other, chat.session, TextInput("ja"), make_env())


def test_the_engine_is_deterministic() -> None:
    one, two = Chat("veldwerk"), Chat("veldwerk")
    for answer in ["ja", "Heerlen", "straat", "30"]:
        one.say(answer)
        two.say(answer)
    assert one.session == two.session
    assert one.events == two.events
