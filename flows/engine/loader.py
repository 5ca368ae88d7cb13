"""Reading and checking flow files: every problem at once, each with file and line.

`parse_flow(text, source)` returns a `Flow` or raises `FlowError`, whose `problems`
list names every fault found (not just the first), as `file:line: message`.
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from flows.conditions import validate
from flows.engine.flow_format import (
    CHANNEL_TRAITS,
    DATE_RANGES,
    OPERATOR_FACTS,
    Action,
    Exit,
    Flow,
    Node,
    Option,
    Question,
    QuestionType,
)
from flows.engine.profile_facts import ENUM_VALUES, FIELD_QUESTION_TYPES, PROFILE_FACTS
from flows.engine.registration import Registration, read_registration
from flows.marked_yaml import MarkedValue, compose
from flows.privacy_notices import notice, privacy_notices
from flows.screening_profile import ProfileError, parse_profile

__all__ = ["FlowError", "FlowProblem", "check_flow_text", "load_flow", "parse_flow"]

ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
FLOW_ID_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,30}$")
MAX_TEXT_LENGTH = 1000  # a question's max_length may not exceed this

TOP_KEYS = (
    "flow",
    "version",
    "title",
    "description",
    "start",
    "max_questions",
    "local_facts",
    "texts",
    "nodes",
    "registration",
    "entry",
)
COMMON_KEYS = ("say", "next", "depends_on")
QUESTION_KEYS = (
    "ask",
    "question",
    "label",
    "fact",
    "required",
    "options",
    "min",
    "max",
    "max_length",
    "dates",
    "derive_age",
    "example",
    "help",
    "sets",
    "remember",
    "languages",
    "options_from",
)
ACTION_KEYS = ("action", "audience")
NODE_KEYS = COMMON_KEYS + QUESTION_KEYS + ACTION_KEYS
OPTION_KEYS = ("id", "text", "sets", "also", "requires")
EXIT_KEYS = ("when", "to")
AUDIENCES = ("client", "professional")
OPTION_SOURCES = ("offered_flows",)  # `options_from`: filled in by the flow library


@dataclass(frozen=True)
class FlowProblem:
    source: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.source}:{self.line}: {self.message}"


class FlowError(ValueError):
    """A flow file with problems; `problems` lists every one, in line order."""

    def __init__(self, problems: list[FlowProblem]) -> None:
        self.problems = sorted(problems, key=lambda p: (p.source, p.line))
        super().__init__("\n".join(str(p) for p in self.problems))


def _did_you_mean(word: str, choices: Iterable[str]) -> str:
    names = [str(getattr(choice, "value", choice)) for choice in choices]
    close = difflib.get_close_matches(word, names, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, bool):
        return "true/false"
    return f"{type(value).__name__} {value!r}"


class _Reader:
    """Collects the problems of one file while building its flow."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.problems: list[FlowProblem] = []
        self.texts: dict[str, str] = {}
        self.used_refs: set[str] = set()
        self.known_facts: frozenset[str] = PROFILE_FACTS
        self.local_facts: dict[str, str] = {}

    def problem(self, line: int, message: str) -> None:
        self.problems.append(FlowProblem(self.source, line, message))

    def keys(self, mv: MarkedValue, allowed: tuple[str, ...], where: str) -> None:
        for key in mv.value:
            if key not in allowed:
                self.problem(
                    mv.key_lines[key],
                    f"{where}: unknown key {key!r}{_did_you_mean(key, allowed)}",
                )

    def text(self, mv: MarkedValue | None, where: str, facts_allowed: bool) -> str | None:
        """A message: a plain Dutch text, or {ref: key} pointing into `texts`."""
        if mv is None:
            return None
        value = mv.value
        if isinstance(value, dict):
            if set(value) != {"ref"} or not isinstance(value["ref"].value, str):
                self.problem(mv.line, f"{where}: a text is a sentence or {{ref: text_key}}")
                return None
            key = value["ref"].value
            if key not in self.texts:
                self.problem(
                    mv.line,
                    f"{where}: unknown message id {key!r}: it is not defined under 'texts'"
                    f"{_did_you_mean(key, self.texts)}",
                )
                return None
            self.used_refs.add(key)
            value = self.texts[key]
        if not isinstance(value, str) or not value.strip():
            self.problem(mv.line, f"{where}: expected a text, got {_kind(value)}")
            return None
        try:
            names = {name for _, name, _, _ in string.Formatter().parse(value) if name is not None}
        except ValueError as error:
            self.problem(mv.line, f"{where}: broken {{placeholder}} in the text ({error})")
            return None
        for name in sorted(names):
            if not facts_allowed:
                self.problem(mv.line, f"{where}: this text cannot use a {{placeholder}}")
                break
            if name not in self.known_facts and name not in OPERATOR_FACTS:
                self.problem(mv.line, f"{where}: placeholder {{{name}}} is not a known fact")
        return value.strip()

    def condition(self, mv: MarkedValue, where: str) -> Mapping[str, Any] | None:
        cond = mv.plain()
        found = validate(cond, self.known_facts)
        for message in found:
            self.problem(mv.line, f"{where}: {message.replace('condition: ', '')}")
        if found:
            return None
        self._condition_values(cond, mv.line, where)
        return dict(cond)

    def _condition_values(self, cond: Mapping[str, Any], line: int, where: str) -> None:
        for key in ("all", "any"):
            for item in cond.get(key, []):
                self._condition_values(item, line, where)
        if "not" in cond:
            self._condition_values(cond["not"], line, where)
        fact = cond.get("fact")
        if fact not in ENUM_VALUES:
            return
        for op in ("eq", "ne", "in", "not_in", "contains"):
            if op not in cond:
                continue
            values = cond[op] if isinstance(cond[op], list) else [cond[op]]
            for value in values:
                if value not in ENUM_VALUES[fact]:
                    self.problem(
                        line,
                        f"{where}: {value!r} is not a value of {fact}; "
                        f"use one of {', '.join(ENUM_VALUES[fact])}",
                    )

    def fact_values(self, mv: MarkedValue, where: str) -> dict[str, Any]:
        """A `sets` mapping: facts and the constant values an answer records."""
        if not mv.is_mapping:
            self.problem(mv.line, f"{where}: expected a mapping of fact: value")
            return {}
        out: dict[str, Any] = {}
        for fact, item in mv.value.items():
            value = item.plain()
            if fact not in self.known_facts:
                self.problem(
                    mv.key_lines[fact],
                    f"{where}: unknown fact {fact!r}: not a screening profile field and not "
                    f"declared under local_facts{_did_you_mean(fact, self.known_facts)}",
                )
                continue
            if fact in PROFILE_FACTS:
                if hasattr(value, "isoformat"):
                    value = value.isoformat()
                try:
                    parse_profile({fact: value})
                except ProfileError as error:
                    for p in error.problems:
                        self.problem(mv.key_lines[fact], f"{where}: {p}")
                    continue
            elif not isinstance(value, str | int | bool) or value is None:
                self.problem(
                    mv.key_lines[fact], f"{where}.{fact}: expected a word, number or true/false"
                )
                continue
            out[fact] = value
        return out


def _read_top(reader: _Reader, root: MarkedValue) -> dict[str, Any]:
    reader.keys(root, TOP_KEYS, "flow file")
    top = root.value
    out: dict[str, Any] = {}
    for key in ("flow", "version", "title", "start", "nodes"):
        if key not in top:
            reader.problem(root.line, f"flow file: the required key {key!r} is missing")
    flow_id = top.get("flow")
    if flow_id is not None:
        if not isinstance(flow_id.value, str) or not FLOW_ID_PATTERN.match(flow_id.value):
            reader.problem(
                flow_id.line,
                "flow: the flow id must be lower case letters, digits and _ "
                f"(at most 31), got {_kind(flow_id.value)}",
            )
        else:
            out["id"] = flow_id.value
    version = top.get("version")
    if version is not None:
        if isinstance(version.value, bool) or not isinstance(version.value, int):
            reader.problem(
                version.line, f"version: expected a whole number, got {_kind(version.value)}"
            )
        elif version.value < 1:
            reader.problem(version.line, "version: must be 1 or more")
        else:
            out["version"] = version.value
    title = top.get("title")
    if title is not None:
        if not isinstance(title.value, str) or not title.value.strip():
            reader.problem(title.line, f"title: expected a text, got {_kind(title.value)}")
        else:
            out["title"] = title.value.strip()
    max_q = top.get("max_questions")
    if max_q is not None:
        if isinstance(max_q.value, bool) or not isinstance(max_q.value, int) or max_q.value < 1:
            reader.problem(max_q.line, "max_questions: expected a whole number of 1 or more")
        else:
            out["max_questions"] = max_q.value
    facts = top.get("local_facts")
    if facts is not None:
        if not facts.is_mapping:
            reader.problem(facts.line, "local_facts: expected a mapping of fact: description")
        else:
            for name, desc in facts.value.items():
                line = facts.key_lines[name]
                if name in PROFILE_FACTS:
                    reader.problem(line, f"local_facts: {name!r} is a screening profile field")
                elif not ID_PATTERN.match(name):
                    reader.problem(line, f"local_facts: {name!r} is not a valid fact name")
                elif not isinstance(desc.value, str) or not desc.value.strip():
                    reader.problem(line, f"local_facts.{name}: give a short description")
                else:
                    reader.local_facts[name] = desc.value.strip()
    reader.known_facts = PROFILE_FACTS | frozenset(reader.local_facts)
    texts = top.get("texts")
    if texts is not None:
        if not texts.is_mapping:
            reader.problem(texts.line, "texts: expected a mapping of text_key: text")
        else:
            for key, item in texts.value.items():
                if not isinstance(item.value, str) or not item.value.strip():
                    reader.problem(item.line, f"texts.{key}: expected a text")
                else:
                    reader.texts[key] = item.value
    return out


def _read_options(
    reader: _Reader, mv: MarkedValue, where: str, qtype: QuestionType, fact: str | None
) -> tuple[Option, ...]:
    if not mv.is_sequence or not mv.value:
        reader.problem(mv.line, f"{where}.options: expected a list of options (id and text)")
        return ()
    out: list[Option] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(mv.value):
        here = f"{where}.options[{index + 1}]"
        if not item.is_mapping:
            reader.problem(item.line, f"{here}: an option needs an 'id' and a 'text'")
            continue
        reader.keys(item, OPTION_KEYS, here)
        raw_id = item.value.get("id")
        option_id = raw_id.value if raw_id is not None else None
        if isinstance(option_id, bool):  # `id: yes` reads as true in YAML
            reader.problem(item.line, f"{here}: write the id in quotes, e.g. id: 'yes'")
            continue
        if not isinstance(option_id, str) or not ID_PATTERN.match(option_id):
            reader.problem(
                item.line,
                f"{here}: the id must be lower case letters, digits and _ "
                f"(at most 40), got {_kind(option_id)}",
            )
            continue
        if option_id in seen:
            reader.problem(
                item.line, f"{here}: option id {option_id!r} is used twice (line {seen[option_id]})"
            )
            continue
        seen[option_id] = item.line
        if fact in ENUM_VALUES and option_id not in ENUM_VALUES[fact]:
            reader.problem(
                item.line,
                f"{here}: {option_id!r} is not a value of {fact}; "
                f"use one of {', '.join(ENUM_VALUES[fact])}",
            )
        text = reader.text(item.value.get("text"), f"{here}.text", facts_allowed=False)
        if "text" not in item.value:
            reader.problem(item.line, f"{here}: the option {option_id!r} needs a 'text'")
        sets = (
            reader.fact_values(item.value["sets"], f"{here}.sets") if "sets" in item.value else {}
        )
        also: tuple[str, ...] = ()
        if "also" in item.value:
            words = item.value["also"].plain()
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                reader.problem(item.value["also"].line, f"{here}.also: expected a list of words")
            else:
                also = tuple(words)
        requires: tuple[str, ...] = ()
        if "requires" in item.value:
            traits = item.value["requires"].plain()
            if not isinstance(traits, list) or not all(t in CHANNEL_TRAITS for t in traits):
                reader.problem(
                    item.value["requires"].line,
                    f"{here}.requires: expected a list of channel traits "
                    f"({', '.join(CHANNEL_TRAITS)})",
                )
            else:
                requires = tuple(traits)
        out.append(Option(option_id, text or "", sets, also, requires))
    return tuple(out)


def _int(reader: _Reader, node: dict[str, MarkedValue], key: str, where: str) -> int | None:
    mv = node.get(key)
    if mv is None:
        return None
    if isinstance(mv.value, bool) or not isinstance(mv.value, int):
        reader.problem(mv.line, f"{where}.{key}: expected a whole number, got {_kind(mv.value)}")
        return None
    return int(mv.value)


def _read_question(reader: _Reader, mv: MarkedValue, node_id: str) -> Question | None:
    node = mv.value
    where = f"node {node_id!r}"
    raw_type = node["ask"].value
    if raw_type not in QuestionType.__members__.values():
        reader.problem(
            node["ask"].line,
            f"{where}: unknown question type {raw_type!r}; use one of "
            f"{', '.join(QuestionType)}{_did_you_mean(str(raw_type), QuestionType)}",
        )
        return None
    qtype = QuestionType(raw_type)
    for key in ("question", "label", "fact"):
        if key not in node:
            reader.problem(mv.line, f"{where}: a question needs {key!r}")
    for key in ACTION_KEYS:
        if key in node:
            reader.problem(node[key].line, f"{where}: a question node cannot have {key!r}")
    fact = node["fact"].value if "fact" in node else None
    if fact is not None:
        if not isinstance(fact, str) or fact not in reader.known_facts:
            reader.problem(
                node["fact"].line,
                f"{where}: unknown fact {fact!r}: not a screening profile field and not "
                f"declared under local_facts{_did_you_mean(str(fact), reader.known_facts)}",
            )
            fact = None
        elif fact in FIELD_QUESTION_TYPES and FIELD_QUESTION_TYPES[fact] != qtype:
            reader.problem(
                node["ask"].line,
                f"{where}: the profile field {fact!r} needs a "
                f"{FIELD_QUESTION_TYPES[fact].value} question, not {qtype.value}",
            )
    question_text = reader.text(node.get("question"), f"{where}.question", facts_allowed=True)
    label = reader.text(node.get("label"), f"{where}.label", facts_allowed=False)
    example = reader.text(node.get("example"), f"{where}.example", facts_allowed=False)
    help_text = reader.text(node.get("help"), f"{where}.help", facts_allowed=True)
    required = False
    if "required" in node:
        if not isinstance(node["required"].value, bool):
            reader.problem(node["required"].line, f"{where}.required: expected true or false")
        else:
            required = node["required"].value
    options: tuple[Option, ...] = ()
    choice = qtype in (QuestionType.SINGLE_CHOICE, QuestionType.MULTIPLE_CHOICE)
    options_from = None
    if "options_from" in node:
        if node["options_from"].value not in OPTION_SOURCES or qtype != QuestionType.SINGLE_CHOICE:
            reader.problem(
                node["options_from"].line,
                f"{where}.options_from: a single_choice question may take its options from "
                f"{', '.join(OPTION_SOURCES)}",
            )
        else:
            options_from = node["options_from"].value
    if options_from is not None:
        if "options" in node:
            options = _read_options(reader, node["options"], where, qtype, fact)
    elif choice:
        if "options" not in node:
            reader.problem(mv.line, f"{where}: a {qtype.value} question needs 'options'")
        else:
            options = _read_options(reader, node["options"], where, qtype, fact)
    elif "options" in node:
        if qtype == QuestionType.YES_NO:
            reader.problem(node["options"].line, f"{where}: a yes_no question has its own options")
        elif fact in PROFILE_FACTS:
            reader.problem(
                node["options"].line,
                f"{where}: extra options would put a word into the profile field {fact!r}; "
                "use a local fact",
            )
        else:
            options = _read_options(reader, node["options"], where, qtype, None)
    for key, allowed in (
        ("min", QuestionType.NUMBER),
        ("max", QuestionType.NUMBER),
        ("max_length", QuestionType.TEXT),
        ("dates", QuestionType.DATE),
        ("derive_age", QuestionType.DATE),
    ):
        if key in node and qtype != allowed:
            reader.problem(node[key].line, f"{where}: {key!r} is only for {allowed} questions")
    minimum, maximum = _int(reader, node, "min", where), _int(reader, node, "max", where)
    if minimum is not None and maximum is not None and minimum > maximum:
        reader.problem(node["min"].line, f"{where}: min ({minimum}) is more than max ({maximum})")
    if qtype == QuestionType.NUMBER and fact in PROFILE_FACTS:
        # The answer must fit the profile: bounds are required and must fit themselves.
        for key, bound in (("min", minimum), ("max", maximum)):
            if key not in node:
                reader.problem(
                    mv.line, f"{where}: a number for the profile field {fact!r} needs {key!r}"
                )
                continue
            try:
                parse_profile({fact: bound})
            except ProfileError as error:
                reader.problem(node[key].line, f"{where}.{key}: {error.problems[0]}")
    max_length = _int(reader, node, "max_length", where)
    if max_length is not None and not 1 <= max_length <= MAX_TEXT_LENGTH:
        reader.problem(
            node["max_length"].line, f"{where}.max_length: expected 1 to {MAX_TEXT_LENGTH}"
        )
        max_length = None
    dates = "any"
    if "dates" in node:
        if node["dates"].value not in DATE_RANGES:
            reader.problem(
                node["dates"].line,
                f"{where}.dates: expected one of {', '.join(DATE_RANGES)}, "
                f"got {_kind(node['dates'].value)}",
            )
        else:
            dates = node["dates"].value
    derive_age = None
    if "derive_age" in node:
        target = node["derive_age"].value
        if target != "age" and target not in reader.local_facts:
            reader.problem(
                node["derive_age"].line,
                f"{where}.derive_age: {target!r} is not 'age' or a local fact",
            )
        else:
            derive_age = target
    sets = reader.fact_values(node["sets"], f"{where}.sets") if "sets" in node else {}
    remember = False
    if "remember" in node:
        remember = node["remember"].value is True
        if not isinstance(node["remember"].value, bool):
            reader.problem(node["remember"].line, f"{where}.remember: expected true or false")
        elif remember and fact in PROFILE_FACTS:
            reader.problem(
                node["remember"].line,
                f"{where}.remember: only the typist's own details (local facts) are kept",
            )
    languages = False
    if "languages" in node:
        languages = node["languages"].value is True
        if not isinstance(node["languages"].value, bool):
            reader.problem(node["languages"].line, f"{where}.languages: expected true or false")
    if question_text is None or label is None or fact is None:
        return None
    return Question(
        type=qtype,
        text=question_text,
        label=label,
        fact=fact,
        required=required,
        options=options,
        minimum=minimum,
        maximum=maximum,
        max_length=max_length or 200,
        dates=dates,
        derive_age=derive_age,
        example=example,
        help=help_text,
        sets=sets,
        remember=remember,
        languages=languages,
        options_from=options_from,
    )


def _read_exits(reader: _Reader, mv: MarkedValue, node_id: str) -> tuple[Exit, ...]:
    where = f"node {node_id!r}.next"
    if isinstance(mv.value, str):
        return (Exit(mv.value, None, mv.line),)
    if not mv.is_sequence or not mv.value:
        reader.problem(mv.line, f"{where}: expected a node id or a list of exits (when, to)")
        return ()
    exits: list[Exit] = []
    for index, item in enumerate(mv.value):
        here = f"{where}[{index + 1}]"
        if not item.is_mapping or "to" not in item.value:
            reader.problem(item.line, f"{here}: an exit needs 'to' (and may have 'when')")
            continue
        reader.keys(item, EXIT_KEYS, here)
        target = item.value["to"].value
        if not isinstance(target, str):
            reader.problem(item.line, f"{here}.to: expected a node id, got {_kind(target)}")
            continue
        when = None
        if "when" in item.value:
            when = reader.condition(item.value["when"], f"{here}.when")
            if when is None:
                continue
        elif index != len(mv.value) - 1:
            reader.problem(
                item.line, f"{here}: only the last exit may go without 'when'; it is the default"
            )
        exits.append(Exit(target, when, item.line))
    if exits and exits[-1].when is not None and len(exits) == len(mv.value):
        reader.problem(
            mv.value[-1].line,
            f"{where}: dead end: when no condition holds, node {node_id!r} has nowhere to go; "
            "end the list with an exit without 'when'",
        )
    return tuple(exits)


def _read_node(reader: _Reader, mv: MarkedValue, node_id: str) -> Node | None:
    where = f"node {node_id!r}"
    if not ID_PATTERN.match(node_id):
        reader.problem(
            mv.line, f"{where}: a node id must be lower case letters, digits and _ (at most 40)"
        )
    if not mv.is_mapping:
        reader.problem(mv.line, f"{where}: expected a mapping (say, ask, action, next)")
        return None
    reader.keys(mv, NODE_KEYS, where)
    node = mv.value
    say, say_more = _read_say(reader, node.get("say"), where)
    question = None
    action = None
    audience = "client"
    if "ask" in node:
        question = _read_question(reader, mv, node_id)
    else:
        for key in QUESTION_KEYS:
            if key in node:
                reader.problem(
                    node[key].line, f"{where}: {key!r} belongs to a question; add 'ask: TYPE'"
                )
    if "action" in node:
        raw = node["action"].value
        if raw not in Action.__members__.values():
            reader.problem(
                node["action"].line,
                f"{where}: unknown action {raw!r}; use one of "
                f"{', '.join(a.value for a in Action)}{_did_you_mean(str(raw), Action)}",
            )
        else:
            action = Action(raw)
        if "audience" in node:
            if node["audience"].value not in AUDIENCES or action != Action.RESULT:
                reader.problem(
                    node["audience"].line,
                    f"{where}.audience: only a result node has an audience "
                    f"({', '.join(AUDIENCES)})",
                )
            else:
                audience = node["audience"].value
    elif "audience" in node:
        reader.problem(node["audience"].line, f"{where}.audience: only a result node has one")
    if "ask" not in node and "action" not in node and "say" not in node:
        reader.problem(mv.line, f"{where}: a node needs 'say', 'ask' or 'action'")
    exits: tuple[Exit, ...] = ()
    if "next" in node:
        if action in (Action.END, Action.BEGIN):
            reader.problem(
                node["next"].line,
                f"{where}: {'an' if action == Action.END else 'a'} {action} node has no 'next'",
            )
        else:
            exits = _read_exits(reader, node["next"], node_id)
    elif action not in (Action.END, Action.BEGIN) and ("action" not in node or action is not None):
        reader.problem(
            mv.line,
            f"{where}: dead end: the node has no 'next' (only an 'action: end' or "
            "'action: begin' node may stop)",
        )
    depends: tuple[str, ...] = ()
    if "depends_on" in node:
        raw_dep = node["depends_on"].plain()
        if not isinstance(raw_dep, list) or not all(isinstance(d, str) for d in raw_dep):
            reader.problem(node["depends_on"].line, f"{where}.depends_on: expected a list of facts")
        else:
            for dep in raw_dep:
                if dep not in reader.known_facts:
                    reader.problem(
                        node["depends_on"].line,
                        f"{where}.depends_on: unknown fact {dep!r}"
                        f"{_did_you_mean(dep, reader.known_facts)}",
                    )
            depends = tuple(raw_dep)
        if question is None:
            reader.problem(node["depends_on"].line, f"{where}: only a question has 'depends_on'")
    return Node(node_id, say, question, action, exits, depends, audience, mv.line, say_more)


def _read_say(
    reader: _Reader, mv: MarkedValue | None, where: str
) -> tuple[str | None, tuple[str, ...]]:
    """`say`: one text, or a list of texts shown as the lines of one message."""
    if mv is None or not mv.is_sequence:
        return reader.text(mv, f"{where}.say", facts_allowed=True), ()
    if not mv.value:
        reader.problem(mv.line, f"{where}.say: expected a text or a list of texts")
        return None, ()
    lines = [
        reader.text(item, f"{where}.say[{index + 1}]", facts_allowed=True)
        for index, item in enumerate(mv.value)
    ]
    found = [line for line in lines if line is not None]
    return (found[0], tuple(found[1:])) if found else (None, ())


def _find_cycle(nodes: Mapping[str, Node], start: str) -> list[str] | None:
    state: dict[str, int] = {}  # 1 = on the current path, 2 = done
    path: list[str] = []

    def visit(node_id: str) -> list[str] | None:
        state[node_id] = 1
        path.append(node_id)
        for target in nodes[node_id].targets:
            if target not in nodes:
                continue
            if state.get(target) == 1:
                return [*path[path.index(target) :], target]
            if target not in state:
                found = visit(target)
                if found:
                    return found
        path.pop()
        state[node_id] = 2
        return None

    for node_id in [start, *nodes]:
        if node_id in nodes and node_id not in state:
            found = visit(node_id)
            if found:
                return found
    return None


def check_flow_text(text: str, source: str) -> tuple[Flow | None, list[FlowProblem]]:
    """The flow in `text` (None when it has problems) and every problem found."""
    reader = _Reader(source)
    root, yaml_problems = compose(text)
    for yp in yaml_problems:
        reader.problem(yp.line, yp.message)
    if root is None:
        return None, reader.problems
    if not root.is_mapping:
        reader.problem(root.line, "flow file: expected a mapping with flow, version, start, nodes")
        return None, reader.problems
    top = _read_top(reader, root)
    nodes: dict[str, Node] = {}
    raw_nodes = root.value.get("nodes")
    if raw_nodes is not None:
        if not raw_nodes.is_mapping or not raw_nodes.value:
            reader.problem(raw_nodes.line, "nodes: expected a mapping of node id: node")
        else:
            for node_id, mv in raw_nodes.value.items():
                mv.line = raw_nodes.key_lines[node_id]  # name the node's own line
                node = _read_node(reader, mv, node_id)
                if node is not None:
                    nodes[node_id] = node
            for node in nodes.values():
                for exit_ in node.exits:
                    if exit_.to not in raw_nodes.value:
                        reader.problem(
                            exit_.line or node.line,
                            f"node {node.id!r}: 'next' goes to {exit_.to!r}, which is not a node"
                            f"{_did_you_mean(exit_.to, raw_nodes.value)}",
                        )
            start = root.value.get("start")
            if start is not None and start.value not in raw_nodes.value:
                reader.problem(
                    start.line,
                    f"start: {start.value!r} is not a node"
                    f"{_did_you_mean(str(start.value), raw_nodes.value)}",
                )
            cycle = _find_cycle(nodes, str(start.value) if start else "")
            if cycle:
                reader.problem(
                    nodes[cycle[0]].line,
                    "the flow goes round in a circle: " + " -> ".join(cycle),
                )
    raw_registration = root.value.get("registration")
    registration = (
        read_registration(raw_registration, reader.known_facts, reader.problem)
        if raw_registration is not None
        else None
    )
    if registration is not None:
        _check_consent_versions(reader, registration, nodes)
    entry = _read_entry(reader, root, nodes, registration)
    if reader.problems:
        return None, reader.problems
    flow = Flow(
        id=top["id"],
        version=top["version"],
        title=top["title"],
        start=root.value["start"].value,
        nodes=nodes,
        local_facts=reader.local_facts,
        texts=reader.texts,
        text_refs=frozenset(reader.used_refs),
        max_questions=top.get("max_questions"),
        source=source,
        line_of=dict(root.key_lines),
        registration=registration,
        entry=entry,
    )
    return flow, []


def _read_entry(
    reader: _Reader,
    root: MarkedValue,
    nodes: Mapping[str, Node],
    registration: Registration | None,
) -> bool:
    """`entry: true`: the flow every conversation starts with. It chooses a flow (one
    question with `options_from`, then `action: begin`) and registers nothing; only an
    entry flow may do either."""
    raw = root.value.get("entry")
    entry = raw is not None and raw.value is True
    if raw is not None and not isinstance(raw.value, bool):
        reader.problem(raw.line, "entry: expected true or false")
    choosers = [n for n in nodes.values() if n.question and n.question.options_from]
    begins = [n for n in nodes.values() if n.action == Action.BEGIN]
    if not entry:
        for node in choosers + begins:
            reader.problem(
                node.line,
                f"node {node.id!r}: only an entry flow ('entry: true') chooses a flow "
                "('options_from', 'action: begin')",
            )
        return False
    if registration is not None:
        reader.problem(
            root.key_lines["registration"], "registration: an entry flow submits nothing"
        )
    if len(choosers) != 1 or not begins:
        reader.problem(
            root.line,
            "an entry flow needs one question with 'options_from: offered_flows' and a node "
            "with 'action: begin'",
        )
    return True


def _check_consent_versions(
    reader: _Reader, registration: Registration, nodes: Mapping[str, Node]
) -> None:
    """Every consent version the flow records names a privacy notice (the words agreed
    to must exist: flows/data/privacy_notices.yaml)."""
    fact = registration.consent_version
    recorded = [
        (node, str(node.question.sets[fact]))
        for node in nodes.values()
        if node.question is not None and fact in node.question.sets
    ]
    known = sorted(privacy_notices())
    for node, version in recorded:
        if notice(version) is None:
            reader.problem(
                node.line,
                f"node {node.id!r}: consent version {version!r} has no privacy notice; "
                f"known: {', '.join(known)} (flows/data/privacy_notices.yaml)",
            )


def parse_flow(text: str, source: str = "<flow>") -> Flow:
    """The flow in `text`; raises `FlowError` naming every problem with its line."""
    flow, problems = check_flow_text(text, source)
    if flow is None:
        raise FlowError(problems)
    return flow


def load_flow(path: Path) -> Flow:
    """Read and check one flow file."""
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as error:
        problem = FlowProblem(str(path), 1, f"the file is not UTF-8 text ({error})")
        raise FlowError([problem]) from None
    return parse_flow(text, str(path))
