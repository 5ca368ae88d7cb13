"""Flow diagrams: Mermaid text (for Markdown and GitLab/GitHub) and Graphviz DOT."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flows.engine.flow_format import Flow, Node

__all__ = ["condition_text", "dot", "mermaid"]


def condition_text(condition: Mapping[str, Any]) -> str:
    """A condition in short words, e.g. `institution = detention`."""
    if "all" in condition:
        return " and ".join(condition_text(c) for c in condition["all"])
    if "any" in condition:
        return " or ".join(condition_text(c) for c in condition["any"])
    if "not" in condition:
        return f"not ({condition_text(condition['not'])})"
    if "unknown" in condition:
        return f"{condition['unknown']} unknown"
    (op,) = (k for k in condition if k != "fact")
    arg = condition[op]
    shown = ", ".join(map(str, arg)) if isinstance(arg, list) else str(arg).lower()
    symbol = {"eq": "=", "ne": "≠", "lt": "<", "lte": "≤", "gt": ">", "gte": "≥"}.get(op, op)
    return f"{condition['fact']} {symbol} {shown}"


def _describe(node: Node) -> str:
    if node.question is not None:
        return f"{node.id}\\n{node.question.type.value} → {node.question.fact}"
    if node.action is not None:
        return f"{node.id}\\n{node.action.value}"
    return f"{node.id}\\nsay"


def _edges(node: Node) -> list[tuple[str, str]]:
    conditional = any(e.when is not None for e in node.exits)
    out = []
    for exit_ in node.exits:
        if exit_.when is not None:
            label = condition_text(exit_.when)
        else:
            label = "else" if conditional else ""
        out.append((exit_.to, label))
    return out


def _mermaid_label(text: str) -> str:
    return text.replace('"', "#quot;").replace("\\n", "<br/>")


def _mid(node_id: str) -> str:
    return f"n_{node_id}"  # Mermaid reserves words such as "end"


def mermaid(flow: Flow) -> str:
    """The flow as a Mermaid flowchart."""
    lines = ["flowchart TD", f"  %% {flow.id} version {flow.version}"]
    for node in flow.nodes.values():
        label = _mermaid_label(_describe(node))
        if node.question is not None:
            lines.append(f'  {_mid(node.id)}{{"{label}"}}')
        elif node.action is not None:
            lines.append(f'  {_mid(node.id)}(["{label}"])')
        else:
            lines.append(f'  {_mid(node.id)}["{label}"]')
    for node in flow.nodes.values():
        for target, label in _edges(node):
            arrow = f' -- "{_mermaid_label(label)}" -->' if label else " -->"
            lines.append(f"  {_mid(node.id)}{arrow} {_mid(target)}")
    return "\n".join(lines) + "\n"


def _dot_quote(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\\\\n", "\\n") + '"'


def dot(flow: Flow) -> str:
    """The flow as a Graphviz digraph."""
    lines = [
        f"digraph {flow.id} {{",
        "  rankdir=TB;",
        '  node [fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for node in flow.nodes.values():
        shape = "diamond" if node.question else ("oval" if node.action else "box")
        lines.append(f"  {node.id} [shape={shape}, label={_dot_quote(_describe(node))}];")
    for node in flow.nodes.values():
        for target, label in _edges(node):
            extra = f" [label={_dot_quote(label)}]" if label else ""
            lines.append(f"  {node.id} -> {target}{extra};")
    lines.append("}")
    return "\n".join(lines) + "\n"
