"""The packaged flows (`flows/definitions/*.yaml`), by id and version.

`zelfmelding.yaml` holds the current version of a flow. When a change would break a
conversation in progress, raise `version` and keep the old file as
`zelfmelding.v1.yaml` until no open session uses it: a session always finishes on the
version it started on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path

from flows.engine.flow_format import Flow
from flows.engine.loader import FlowError, FlowProblem, check_flow_text

__all__ = ["FlowLibrary", "FlowNotFound", "definition_files", "flow_library", "read_flow_file"]


class FlowNotFound(LookupError):
    """No flow with that id (and version)."""


@dataclass
class FlowLibrary:
    """Flows by id; the newest version is the one new conversations start on."""

    flows: dict[tuple[str, int], Flow] = field(default_factory=dict)

    def add(self, flow: Flow) -> None:
        key = (flow.id, flow.version)
        if key in self.flows:
            raise FlowError(
                [
                    FlowProblem(
                        flow.source,
                        flow.line_of.get("version", 1),
                        f"flow {flow.id!r} version {flow.version} is also defined in "
                        f"{self.flows[key].source}",
                    )
                ]
            )
        self.flows[key] = flow

    @property
    def ids(self) -> list[str]:
        return sorted({flow_id for flow_id, _ in self.flows})

    def current(self, flow_id: str) -> Flow:
        versions = [v for f, v in self.flows if f == flow_id]
        if not versions:
            raise FlowNotFound(f"no flow {flow_id!r}; known flows: {', '.join(self.ids)}")
        return self.flows[(flow_id, max(versions))]

    def for_submitter(self, kind: str) -> Flow | None:
        """The offered flow for a kind of submitter (the first on the start screen), for
        texts about a record of that kind (its privacy notice, its questions)."""
        found = [
            (flow.registration.offer.order if flow.registration.offer else 10**6, flow.id)
            for flow in (self.current(flow_id) for flow_id in self.ids)
            if flow.registration is not None and flow.registration.submitter == kind
        ]
        return self.current(min(found)[1]) if found else None

    def get(self, flow_id: str, version: int) -> Flow:
        try:
            return self.flows[(flow_id, version)]
        except KeyError:
            raise FlowNotFound(f"no flow {flow_id!r} version {version}") from None

    @classmethod
    def from_files(cls, paths: Iterable[Path]) -> FlowLibrary:
        """Load files; raise `FlowError` with the problems of all of them at once."""
        library = cls()
        problems: list[FlowProblem] = []
        for path in paths:
            flow, found = read_flow_file(path)
            problems.extend(found)
            if flow is not None:
                try:
                    library.add(flow)
                except FlowError as error:
                    problems.extend(error.problems)
        if problems:
            raise FlowError(problems)
        return library


def read_flow_file(path: Path) -> tuple[Flow | None, list[FlowProblem]]:
    """A flow file, checked: the flow (None when it cannot load) and every problem,
    named by the path relative to the working folder where it can be."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        return None, [FlowProblem(str(path), 1, f"cannot read the file ({error})")]
    return check_flow_text(text, _display(path))


def _display(path: Path) -> str:
    try:
        return str(path.resolve().relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def definition_files() -> list[Path]:
    """The packaged flow files."""
    folder = resources.files("flows").joinpath("definitions")
    return sorted(Path(str(folder)).glob("*.yaml"))


@cache
def flow_library() -> FlowLibrary:
    """The packaged flows, loaded once per process."""
    return FlowLibrary.from_files(definition_files())
