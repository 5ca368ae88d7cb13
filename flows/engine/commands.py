"""Words a person may type instead of an answer: commands, "weet ik niet", a language.

Matched on the whole message, folded (case, accents and a leading "/" do not matter),
so "Stop", "/stop" and "STOP" are the same and "stop" inside a sentence is not.
"""

from __future__ import annotations

import re

from flows.engine.inputs import Command, CommandInput, LanguageInput
from flows.engine.normalise import fold
from flows.engine.session import AnswerStatus

__all__ = ["DONE_WORDS", "parse_command", "parse_skip"]

_COMMANDS: dict[str, Command] = {}
for _command, _words in (
    (Command.STOP, "stop|stoppen|ophouden|quit|exit|annuleren|cancel"),
    (Command.BACK, "terug|back|vorige|vorige vraag|ga terug|go back|previous"),
    (Command.HELP, "help|hulp|menu|wat kan ik typen"),
    (
        # The crisis word in each language the crisis layer reads (the help text
        # promises it): pl, ro, uk/bg, ru, ar, tr, de, fa, ti, so.
        Command.CRISIS,
        "crisis|nood|noodgeval|sos|emergency|kryzys|ratunku|criză|urgență|криза|кризис|"
        "أزمة|ازمة|ازمه|طوارئ|kriz|acil|acil durum|krise|notfall|بحران|اورژانس|ቅልውላው|"
        "xaalad degdeg|degdeg",
    ),
    (Command.RESTART, "opnieuw|begin opnieuw|opnieuw beginnen|restart|start over|reset"),
    (Command.LANGUAGE, "taal|andere taal|language|other language|sprache|langue"),
):
    for _word in _words.split("|"):
        _COMMANDS[fold(_word) or _word] = _command

_SKIPS: dict[str, AnswerStatus] = {}
for _status, _words in (
    (
        AnswerStatus.DONT_KNOW,
        "weet ik niet|weet niet|ik weet het niet|weet ik nie|geen idee|onbekend|"
        "dont know|do not know|i dont know|i do not know|idk|no idea|not sure|"
        "weet ik niet zeker|?",
    ),
    (
        AnswerStatus.RATHER_NOT_SAY,
        "zeg ik liever niet|liever niet|wil ik niet zeggen|dat zeg ik niet|geen antwoord|"
        "overslaan|sla over|skip|rather not say|prefer not to say|id rather not say",
    ),
):
    for _word in _words.split("|"):
        _SKIPS[fold(_word) or _word] = _status

DONE_WORDS = frozenset({"klaar", "done", "verder", "dat is alles", "that is all", "ok"})
_LANGUAGE = re.compile(r"^/?(?:taal|lang|language|sprache|langue)\s+([a-z]{2,3})$", re.I)


def parse_command(text: str) -> CommandInput | LanguageInput | None:
    """A command typed as a whole message, or None."""
    stripped = text.strip()
    language = _LANGUAGE.match(stripped)
    if language:
        return LanguageInput(language.group(1).lower())
    command = _COMMANDS.get(fold(stripped))
    return CommandInput(command) if command else None


def parse_skip(text: str) -> AnswerStatus | None:
    """'weet ik niet' or 'zeg ik liever niet', typed; None for anything else."""
    stripped = text.strip()
    return _SKIPS.get(fold(stripped) or stripped)
