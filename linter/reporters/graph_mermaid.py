"""The resource graph as a Mermaid flowchart (`iaclint graph --format mermaid`), to paste
into a GitHub issue, pull request or Markdown file.

GitHub renders Mermaid labels as HTML, so every character of a scanned name outside
a small safe set is written as a Mermaid entity code (`#34;` for `"`, `#60;` for
`<`): no name can close a label, add a node or inject markup. Ids are n1, n2, …
"""

from __future__ import annotations

import re

from linter.graph_export import Drawing, caption

_SAFE = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 _.:/-,()=+@")
_ICON = re.compile(r"fa[bklrs]?$")
#: A finding's node: hexagon shape and this class.
_FINDING_STYLE = "classDef finding fill:#f8d7da,stroke:#b00020,stroke-width:2px;"


#: Mermaid's defaults, which GitHub keeps: larger diagrams show an error instead.
MAX_EDGES = 500
MAX_TEXT = 50_000


def beyond_github(drawing: Drawing, text: str) -> str:
    """What makes `text` too large for GitHub to render ("612 edges (at most 500)"),
    or "" when it fits."""
    if len(drawing.edges) > MAX_EDGES:
        return f"{len(drawing.edges)} edges (at most {MAX_EDGES})"
    if len(text) > MAX_TEXT:
        return f"{len(text)} characters (at most {MAX_TEXT})"
    return ""


def escape(text: str) -> str:
    """`text` for inside a quoted Mermaid label: control characters blanked, anything
    outside the safe set as `#<code point>;`, and the colon of `fa:` too (Mermaid
    turns `fa:fa-name` into an icon element)."""
    out: list[str] = []
    for char in text:
        if char < " " or char == "\x7f":
            out.append(" ")
        elif char not in _SAFE or (char == ":" and _ICON.search("".join(out[-3:]))):
            out.append(f"#{ord(char)};")
        else:
            out.append(char)
    return "".join(out)


def label(lines: list[str]) -> str:
    return '"' + "<br>".join(escape(line) for line in lines) + '"'


def render(drawing: Drawing, *, fence: bool = False) -> str:
    """`flowchart LR`, one subgraph per kind; with `fence`, inside a ```mermaid block."""
    ids = drawing.short_ids()
    out = ["flowchart LR"]
    for n, (kind, nodes) in enumerate(drawing.by_kind(), 1):
        out.append(f"  subgraph k{n} [{label([kind])}]")
        for node in nodes:
            text = label(caption(node))
            shape = "{{" + text + "}}" if node.marks else "[" + text + "]"
            out.append(f"    {ids[node.id]}{shape}")
        out.append("  end")
    for edge in drawing.edges:
        middle = f"|{label([edge.label])}|" if edge.label else ""
        out.append(f"  {ids[edge.source]} -->{middle} {ids[edge.target]}")
    marked = [ids[node.id] for node in drawing.nodes if node.marks]
    if marked:
        out.append(f"  {_FINDING_STYLE}")
        out.append(f"  class {','.join(marked)} finding;")
    text = "\n".join(out) + "\n"
    return f"```mermaid\n{text}```\n" if fence else text
