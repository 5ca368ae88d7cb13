"""The packaged flows (`flows/definitions/*.yaml`), by id and version.

`zelfmelding.yaml` holds the current version of a flow. When a change would break a
conversation in progress, raise `version` and keep the old file as
`zelfmelding.v1.yaml` until no open session uses it: a session always finishes on the
version it started on.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from functools import cache
from importlib import resources
from pathlib import Path

from flows.engine.flow_format import Flow, Option
from flows.engine.loader import FlowError, FlowProblem, check_flow_text

__all__ = [
    "FlowLibrary",
    "FlowNotFound",
    "definition_files",
    "flow_library",
    "offered_flows",
    "read_flow_file",
]


class FlowNotFound(LookupError):
    """No flow with that id (and version)."""


@dataclass
class FlowLibrary:
    """Flows by id; the newest version is the one new conversations start on. The
    entry flow (`entry: true`) is kept apart: `ids` are the intake flows."""

    flows: dict[tuple[str, int], Flow] = field(default_factory=dict)
    entries: dict[int, Flow] = field(default_factory=dict)  # the entry flow by version
    _filled: dict[int, Flow] = field(default_factory=dict, repr=False)

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
        if flow.entry:
            if any(e.id != flow.id for e in self.entries.values()):
                other = next(iter(self.entries.values()))
                raise FlowError(
                    [
                        FlowProblem(
                            flow.source, 1, f"a second entry flow (the first: {other.source})"
                        )
                    ]
                )
            self.entries[flow.version] = flow
        self.flows[key] = flow
        self._filled.clear()

    @property
    def ids(self) -> list[str]:
        """The intake flows (not the entry flow)."""
        return sorted({flow_id for flow_id, _ in self.flows if not self._is_entry(flow_id)})

    def _is_entry(self, flow_id: str) -> bool:
        return any(e.id == flow_id for e in self.entries.values())

    @property
    def entry(self) -> Flow:
        """The newest entry flow, its choice filled with the offered flows (the
        packaged one when none was loaded)."""
        if not self.entries:
            for path in definition_files():
                flow, _ = read_flow_file(path)
                if flow is not None and flow.entry:
                    self.add(flow)
        if not self.entries:
            raise FlowNotFound("no entry flow ('entry: true') in flows/definitions")
        return self._fill(max(self.entries))

    def _fill(self, version: int) -> Flow:
        """The entry flow of a version with its `options_from` options filled in."""
        if version not in self._filled:
            flow = self.entries[version]
            offers = tuple(
                Option(flow_id, text, also=(flow_id,)) for flow_id, text in offered_flows(self)
            )
            nodes = {
                node_id: (
                    replace(node, question=replace(q, options=offers + q.options))
                    if (q := node.question) is not None and q.options_from == "offered_flows"
                    else node
                )
                for node_id, node in flow.nodes.items()
            }
            self._filled[version] = replace(flow, nodes=nodes)
        return self._filled[version]

    def current(self, flow_id: str) -> Flow:
        if self._is_entry(flow_id):
            return self.entry
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
        if self._is_entry(flow_id) and version in self.entries:
            return self._fill(version)
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


def offered_flows(library: FlowLibrary) -> list[tuple[str, str]]:
    """(flow id, button text) of each flow the start screen offers, in its order: the
    flows whose `registration` has an `offer` (data, so a new flow needs no code)."""
    found = []
    for flow_id in library.ids:
        registration = library.current(flow_id).registration
        if registration is not None and registration.offer is not None:
            found.append((registration.offer.order, flow_id, registration.offer.text))
    return [(flow_id, text) for _, flow_id, text in sorted(found)]


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
