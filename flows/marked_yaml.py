"""YAML read with line numbers, so every problem in a flow file can name its line.

`compose` parses with PyYAML's safe composer and keeps, for every value, the line it
starts on. Mappings with a repeated key are reported (PyYAML would silently keep the
last one), and so is any YAML syntax error, with its line.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml

__all__ = ["MarkedValue", "YamlProblem", "compose"]


@dataclass(frozen=True)
class YamlProblem:
    line: int
    message: str


@dataclass
class MarkedValue:
    """A YAML value and the line (1-based) it starts on.

    `value` holds a plain scalar, a `dict[str, MarkedValue]` for a mapping, or a
    `list[MarkedValue]` for a sequence. `key_lines` gives the line of each mapping key.
    """

    value: Any
    line: int
    key_lines: dict[str, int] = field(default_factory=dict)

    @property
    def is_mapping(self) -> bool:
        return isinstance(self.value, dict)

    @property
    def is_sequence(self) -> bool:
        return isinstance(self.value, list)

    def plain(self) -> Any:
        """The value without marks: dicts, lists and scalars."""
        if isinstance(self.value, dict):
            return {key: item.plain() for key, item in self.value.items()}
        if isinstance(self.value, list):
            return [item.plain() for item in self.value]
        return self.value


class _Constructor(yaml.constructor.SafeConstructor):
    pass


def _convert(node: yaml.Node, problems: list[YamlProblem]) -> MarkedValue:
    line = node.start_mark.line + 1
    if isinstance(node, yaml.MappingNode):
        values: dict[str, MarkedValue] = {}
        key_lines: dict[str, int] = {}
        for key_node, value_node in node.value:
            key_line = key_node.start_mark.line + 1
            if not isinstance(key_node, yaml.ScalarNode):
                problems.append(YamlProblem(key_line, "a mapping key must be a plain word"))
                continue
            key = str(key_node.value)
            if key == "<<":
                problems.append(YamlProblem(key_line, "YAML merge keys (<<) are not supported"))
                continue
            if key in values:
                problems.append(
                    YamlProblem(
                        key_line,
                        f"{key!r} appears twice in this mapping (first on line {key_lines[key]})",
                    )
                )
                continue
            key_lines[key] = key_line
            values[key] = _convert(value_node, problems)
        return MarkedValue(values, line, key_lines)
    if isinstance(node, yaml.SequenceNode):
        return MarkedValue([_convert(item, problems) for item in node.value], line)
    assert isinstance(node, yaml.ScalarNode)
    try:
        value = _Constructor().construct_object(node, deep=True)
    except yaml.YAMLError as error:
        problems.append(YamlProblem(line, f"cannot read this value: {error}"))
        value = None
    except ValueError:  # a date-like scalar that is no date ("2026-13-01"): keep the text
        value = node.value
    return MarkedValue(value, line)


def compose(text: str) -> tuple[MarkedValue | None, list[YamlProblem]]:
    """The document in `text` with line marks, and every problem found reading it."""
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        line = mark.line + 1 if mark is not None else 1
        reason = error.problem or "invalid YAML"
        return None, [YamlProblem(line, f"this is not valid YAML: {reason}")]
    except yaml.YAMLError as error:
        return None, [YamlProblem(1, f"this is not valid YAML: {error}")]
    if root is None:
        return None, [YamlProblem(1, "the file is empty")]
    problems: list[YamlProblem] = []
    return _convert(root, problems), problems
