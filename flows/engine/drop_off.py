"""Where people stop: the way a conversation went through a flow, taken when it ends.

The loket wants to know at which question people stop, without keeping anything of
any person. So nothing is counted on the way; when a conversation ends, its path
(`Path`) is added to anonymous counters (`storage.drop_off`):

- `reached`: every distinct prompt node the conversation was on at its end: the
  answered questions (`Session.history`) and the open prompt (a question, or the
  summary before sending). A question answered and then taken back ("terug") is no
  longer on the path, as it is no longer in the session.
- `left`: the open prompt when the conversation ended without a submission: the
  person stopped, restarted ("opnieuw", after at least one answer; before any answer
  nothing is lost and the same path goes on), ran out of time, asked for erasure, or
  the flow ended without sending (no consent, not for the loket). A submission, and
  the entry flow handing over to the chosen flow, leave nowhere.

`ended_paths` reads one turn (the session before it and the turn's events); the
entry flow (start screen) is a flow of its own here. `open_path` is the path of a
conversation that ends where it stands (expired, erased). Both are pure.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from flows.engine.events import (
    AnswerRecorded,
    AnswersCleared,
    Event,
    FlowChosen,
    LanguageChanged,
    QuestionAsked,
    SessionEnded,
    SessionRestarted,
    SessionStarted,
    SessionStopped,
)
from flows.engine.session import Session

__all__ = ["ENDINGS", "Path", "ended_paths", "open_path"]

# The events after which a conversation's path on a flow is over.
ENDINGS = (FlowChosen, SessionStopped, SessionRestarted, SessionEnded)
# Answers taken off the path by the person's own steps (not by an ending).
_OFF_PATH = ("back", "depends_on", "off_path")


@dataclass(frozen=True)
class Path:
    """One conversation's way through one flow, as it ended: the prompt nodes it
    reached (in order, each once) and the one it left at (None: it went on)."""

    flow_id: str
    locale: str
    reached: tuple[str, ...]
    left: str | None = None


def _distinct(nodes: Iterable[str | None]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(n for n in nodes if n is not None))


def open_path(session: Session) -> Path | None:
    """A conversation that ends where it stands (it ran out, or was erased): left at
    its open prompt. None when it reached nothing."""
    open_node = session.pending.node if session.pending is not None else None
    reached = _distinct((*session.history, open_node))
    if not reached:
        return None
    return Path(session.flow_id, session.locale, reached, open_node)


@dataclass
class _Walk:
    flow_id: str
    locale: str
    history: list[str]
    open_node: str | None

    def path(self, left: bool) -> Path | None:
        reached = _distinct((*self.history, self.open_node))
        if not reached:
            return None
        return Path(self.flow_id, self.locale, reached, self.open_node if left else None)

    def clear(self) -> None:
        self.history, self.open_node = [], None


def ended_paths(
    before: Session | None, events: Sequence[Event], *, entry_flow: str, locale: str
) -> tuple[Path, ...]:
    """The paths that ended in one turn. `before`: the session the turn began with
    (None for a newcomer, who is on `entry_flow`); `locale`: the language of a
    newcomer's turn. Usually empty: most turns end nothing."""
    if not any(isinstance(e, ENDINGS) for e in events):
        return ()
    if before is None:
        walk = _Walk(entry_flow, locale, [], None)
    else:
        pending = before.pending.node if before.pending is not None else None
        walk = _Walk(before.flow_id, before.locale, list(before.history), pending)
    ended: list[Path | None] = []
    for event in events:
        if isinstance(event, SessionStarted):
            walk = _Walk(event.flow_id, event.locale, [], None)
        elif isinstance(event, LanguageChanged):
            walk.locale = event.locale
        elif isinstance(event, QuestionAsked):
            walk.open_node = event.prompt.node
        elif isinstance(event, AnswerRecorded) and event.node not in walk.history:
            walk.history.append(event.node)
        elif isinstance(event, AnswersCleared) and event.reason in _OFF_PATH:
            walk.history = [n for n in walk.history if n not in event.nodes]
        elif isinstance(event, FlowChosen):
            ended.append(walk.path(left=False))
            walk.clear()
        elif isinstance(event, SessionStopped) or (
            isinstance(event, SessionRestarted) and walk.history
        ):
            ended.append(walk.path(left=True))
            walk.clear()
        elif isinstance(event, SessionEnded):
            ended.append(walk.path(left=not event.submitted))
            walk.clear()
    return tuple(path for path in ended if path is not None)
