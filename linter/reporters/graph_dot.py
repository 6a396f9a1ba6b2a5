"""The resource graph as Graphviz DOT (`iaclint graph --format dot`).

Every id and label is a quoted DOT string with `\\` and `"` escaped and control
characters blanked, so a scanned name cannot end a string or start an HTML label.
"""

from __future__ import annotations

import re

from linter.graph_export import Drawing, caption

_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
#: Findings stand out: filled, thick red border (severity is in the label).
_FINDING = 'style="filled,bold", fillcolor="#f8d7da", color="#b00020", penwidth=2'


def quote(text: str) -> str:
    """`text` as a DOT double-quoted string, to be read literally."""
    text = _CONTROL.sub(" ", text).replace("\\", "\\\\").replace('"', '\\"')
    return f'"{text}"'


def label(lines: list[str]) -> str:
    """Lines joined by DOT's centred line break, each escaped on its own."""
    return "\\n".join(quote(line)[1:-1] for line in lines).join('""')


def render(drawing: Drawing) -> str:
    ids = drawing.short_ids()
    out = [
        "digraph iaclint {",
        '  graph [rankdir=LR, fontname="Helvetica"];',
        '  node [shape=box, style=rounded, fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9];',
    ]
    for n, (kind, nodes) in enumerate(drawing.by_kind(), 1):
        out.append(f"  subgraph {quote(f'cluster_{n}')} {{")
        out.append(f"    label={quote(kind)};")
        for node in nodes:
            extra = f", {_FINDING}" if node.marks else ""
            tip = quote(f"{node.native_type} {node.address} at {node.file}:{node.line}")
            out.append(f"    {quote(ids[node.id])} [label={label(caption(node))}, "
                       f"tooltip={tip}{extra}];")
        out.append("  }")
    for edge in drawing.edges:
        attrs = f" [label={quote(edge.label)}]" if edge.label else ""
        out.append(f"  {quote(ids[edge.source])} -> {quote(ids[edge.target])}{attrs};")
    out.append("}")
    return "\n".join(out) + "\n"
