"""A Babel extractor for the YAML data files of `flows/` (rules, referrals, flows).

Registered as the `flow_yaml` extraction method (see pyproject.toml and babel.cfg).
Options, set per file pattern in babel.cfg:
  keys      mapping keys whose string values are messages (default: text title unmet
            unknown); a mapping with both `text` and `plural` gives one plural message
  sections  top-level keys whose string values are all messages (e.g. `messages`)
  skip      keys whose values are never searched (default: when; conditions are data,
            and a condition such as `{unknown: age}` names a fact, not a message)
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import IO, Any

import yaml

__all__ = ["extract"]

DEFAULT_KEYS = "text title unmet unknown"
DEFAULT_SKIP = "when"
Extracted = tuple[int, str, str | tuple[str, str], list[str]]


def _walk(
    node: yaml.Node, keys: set[str], sections: set[str], skip: set[str], in_section: bool
) -> Iterator[Extracted]:
    if isinstance(node, yaml.MappingNode):
        pairs = {k.value: v for k, v in node.value if isinstance(k, yaml.ScalarNode)}
        text, plural = pairs.get("text"), pairs.get("plural")
        paired = isinstance(text, yaml.ScalarNode) and isinstance(plural, yaml.ScalarNode)
        for key_node, value in node.value:
            key = key_node.value if isinstance(key_node, yaml.ScalarNode) else None
            if key in skip or (paired and key == "plural"):
                continue
            if paired and key == "text":
                assert isinstance(text, yaml.ScalarNode) and isinstance(plural, yaml.ScalarNode)
                yield text.start_mark.line + 1, "ngettext", (text.value, plural.value), []
                continue
            is_message = key in keys or in_section
            if is_message and isinstance(value, yaml.ScalarNode) and value.tag.endswith(":str"):
                if value.value.strip():
                    yield value.start_mark.line + 1, "gettext", value.value, []
            elif is_message and isinstance(value, yaml.SequenceNode):  # say: [a, b]
                for item in value.value:
                    if isinstance(item, yaml.ScalarNode) and item.value.strip():
                        yield item.start_mark.line + 1, "gettext", item.value, []
                    else:
                        yield from _walk(item, keys, sections, skip, in_section)
            else:
                yield from _walk(value, keys, sections, skip, in_section or key in sections)
    elif isinstance(node, yaml.SequenceNode):
        for item in node.value:
            yield from _walk(item, keys, sections, skip, in_section)


def extract(
    fileobj: IO[bytes], keywords: Any, comment_tags: Any, options: Mapping[str, Any]
) -> Iterator[Extracted]:
    """Babel extraction method: yields (line, function, message, comments)."""
    keys = set(str(options.get("keys", DEFAULT_KEYS)).split())
    sections = set(str(options.get("sections", "")).split())
    skip = set(str(options.get("skip", DEFAULT_SKIP)).split())
    root = yaml.compose(fileobj.read().decode("utf-8"), Loader=yaml.SafeLoader)
    if root is not None:
        yield from _walk(root, keys, sections, skip, in_section=False)
