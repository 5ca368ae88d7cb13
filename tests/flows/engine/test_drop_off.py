"""Where people stop, in the pure core: the path a turn ends (reached, left), and the
path of a conversation that ends where it stands."""

from __future__ import annotations

from flows.engine.drop_off import Path, ended_paths, open_path
from flows.engine.session import Session
from tests.factories.engine import Chat
from tests.scenario_files import load_scenarios

SCENARIOS = {s.name: s for s in load_scenarios()}


def turn(chat: Chat, step: object) -> tuple[Path, ...]:
    """Send one step; the paths that ended in that turn."""
    before: Session = chat.session
    sprint = chat.step(step)
    return ended_paths(before, sprint.events, entry_flow="start", locale="nl")


def zelfmelding_at_living() -> Chat:
    chat = Chat("zelfmelding")
    assert turn(chat, {"choice": "yes"}) == ()  # answering ends nothing
    assert turn(chat, "Ann") == ()
    assert chat.prompt is not None and chat.prompt.node == "living"
    return chat


def test_a_stop_leaves_at_the_open_question() -> None:
    chat = zelfmelding_at_living()
    assert turn(chat, {"command": "stop"}) == ()  # "are you sure?" ends nothing yet
    assert turn(chat, {"choice": "yes"}) == (
        Path("zelfmelding", "nl", ("consent", "name", "living"), "living"),
    )


def test_a_question_taken_back_is_off_the_path() -> None:
    chat = zelfmelding_at_living()
    assert turn(chat, {"command": "back"}) == ()
    assert chat.prompt is not None and chat.prompt.node == "name"
    turn(chat, {"command": "stop"})
    assert turn(chat, {"choice": "yes"}) == (
        Path("zelfmelding", "nl", ("consent", "name"), "name"),
    )


def test_a_restart_after_answers_ends_the_old_path_and_goes_on() -> None:
    chat = zelfmelding_at_living()
    turn(chat, {"command": "restart"})
    assert turn(chat, {"choice": "yes"}) == (
        Path("zelfmelding", "nl", ("consent", "name", "living"), "living"),
    )
    assert chat.prompt is not None and chat.prompt.node == "consent"
    assert chat.session.history == ()


def test_a_restart_before_any_answer_loses_nothing_and_counts_nothing() -> None:
    chat = Chat("zelfmelding")
    assert turn(chat, {"command": "restart"}) == ()
    assert chat.prompt is not None and chat.prompt.node == "consent"


def test_an_end_without_submission_leaves_at_the_last_question() -> None:
    chat = Chat("zelfmelding")
    assert turn(chat, {"choice": "no"}) == (Path("zelfmelding", "nl", ("consent",), "consent"),)


def test_a_submission_reaches_the_summary_and_leaves_nowhere() -> None:
    scenario = SCENARIOS["veldwerk/housing"]
    chat = Chat("veldwerk", scenario.now)
    ended: list[Path] = []
    for step in scenario.steps:
        ended.extend(turn(chat, step))
    assert ended == [
        Path(
            "veldwerk",
            "nl",
            (
                "consent",
                "place",
                "living",
                "age",
                "problems",
                "support",
                "justice",
                "nuisance",
                "phone",
                "veldwerker_name",
                "veldwerker_organisation",
                "veldwerker_phone",
                "summary",
            ),
            None,
        )
    ]


def test_a_language_change_counts_in_the_new_language() -> None:
    chat = Chat("zelfmelding")
    turn(chat, {"language": "pl"})
    assert turn(chat, {"choice": "no"}) == (Path("zelfmelding", "pl", ("consent",), "consent"),)


def test_a_conversation_that_ends_where_it_stands() -> None:
    chat = zelfmelding_at_living()
    assert open_path(chat.session) == Path(
        "zelfmelding", "nl", ("consent", "name", "living"), "living"
    )
    assert open_path(Chat("zelfmelding").session) == Path(
        "zelfmelding", "nl", ("consent",), "consent"
    )
