"""Which part of the resource graph `iaclint graph` draws, as plain records.

The selection (whole graph, `--focus` neighbourhood, `--findings-only` paths) is
decided here once, so the DOT and Mermaid writers only format. Paths come from
the rules (`Finding.node_id` and each `Related.node_id`): nothing here walks the
graph to guess why a finding was raised.
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from linter.model import Finding, Graph, Node, refs_in
from linter.reporters.common import relpath


class FocusNotFound(ValueError):
    """`--focus` named an address no node has (a usage error, exit 2)."""


@dataclass(frozen=True)
class Mark:
    """A finding drawn on its node: rule and severity."""

    rule_id: str
    severity: str


@dataclass(frozen=True)
class DrawnNode:
    """A node as drawn: everything a writer needs, paths relative to the scan root."""

    id: str
    address: str
    kind: str
    native_type: str
    file: str
    line: int
    marks: tuple[Mark, ...] = ()


@dataclass(frozen=True)
class DrawnEdge:
    """Referrer → referenced, labelled with the attributes that hold the reference."""

    source: str
    target: str
    label: str = ""


@dataclass(frozen=True)
class Drawing:
    """Nodes in a stable order (kind, file, line, address) and the edges between them."""

    nodes: tuple[DrawnNode, ...]
    edges: tuple[DrawnEdge, ...]

    def short_ids(self) -> dict[str, str]:
        """Graph node id → n1, n2, … in drawing order: safe in any output syntax, and
        free of the absolute paths node ids hold (a drawing is the same on every machine)."""
        return {n.id: f"n{i}" for i, n in enumerate(self.nodes, 1)}

    def by_kind(self) -> list[tuple[str, list[DrawnNode]]]:
        """The nodes grouped by normalized kind, groups and members in drawing order."""
        groups: dict[str, list[DrawnNode]] = {}
        for node in self.nodes:
            groups.setdefault(node.kind, []).append(node)
        return list(groups.items())


def caption(node: DrawnNode) -> list[str]:
    """The lines of a node's label: address, kind (native type), file:line, findings."""
    lines = [node.address, f"{node.kind} ({node.native_type})", f"{node.file}:{node.line}"]
    if node.marks:
        lines.append(", ".join(f"{m.rule_id} {m.severity}" for m in node.marks))
    return lines


def select(graph: Graph, findings: Iterable[Finding], root: str, *,
           focus: str | None = None, depth: int = 1, findings_only: bool = False) -> Drawing:
    """The nodes to draw: all of them; or those on the findings' paths (`findings_only`);
    or, with `focus`, every node of that address and its neighbours up to `depth` hops
    either way (within the findings' paths when both are given)."""
    found = [f for f in findings if f.node_id and graph.get(f.node_id) is not None]
    chosen = {n.id for n in graph}
    if findings_only:
        chosen = on_paths(graph, found)
    if focus is not None:
        roots = [n.id for n in graph if n.address == focus]
        if not roots:
            raise FocusNotFound(_not_found(graph, focus))
        chosen = (neighbourhood(graph, roots, depth) & chosen) | set(roots)
    return _drawing(graph, chosen, found, root)


def on_paths(graph: Graph, findings: Iterable[Finding]) -> set[str]:
    """The node of each finding and every node its rule named on the path."""
    out: set[str] = set()
    for f in findings:
        out.add(f.node_id)
        out.update(r.node_id for r in f.related if r.node_id and graph.get(r.node_id))
    return out


def neighbourhood(graph: Graph, roots: Sequence[str], depth: int) -> set[str]:
    """`roots` and the nodes within `depth` references of them, in either direction."""
    adjacent: dict[str, set[str]] = {}
    for source, target in graph.edges():
        adjacent.setdefault(source, set()).add(target)
        adjacent.setdefault(target, set()).add(source)
    seen, frontier = set(roots), set(roots)
    for _ in range(depth):
        frontier = {m for n in frontier for m in adjacent.get(n, ())} - seen
        seen |= frontier
    return seen


def edge_labels(node: Node) -> dict[str, str]:
    """Referenced node id → the attributes of `node` that name it (else the facts, for
    references linking added, such as a subnet's route table from its association)."""
    attrs, facts = _names(node.attrs), _names(node.facts)
    return {target: ", ".join(sorted(attrs.get(target) or facts[target]))
            for target in attrs.keys() | facts.keys()}


def _names(values: dict[str, Any]) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for key, value in values.items():
        for ref in refs_in(value):
            out.setdefault(ref.target, set()).add(str(key))
    return out


def _drawing(graph: Graph, chosen: set[str], findings: Sequence[Finding], root: str) -> Drawing:
    marks: dict[str, set[Mark]] = {}
    for f in findings:
        marks.setdefault(f.node_id, set()).add(Mark(f.rule_id, f.severity.label))
    nodes = []
    for node in graph:
        if node.id not in chosen:
            continue
        ordered = sorted(marks.get(node.id, ()), key=lambda m: m.rule_id)
        nodes.append(DrawnNode(
            id=node.id, address=node.address, kind=node.kind or "other",
            native_type=node.native_type, file=relpath(node.location.path, root),
            line=node.location.start_line, marks=tuple(ordered)))
    nodes.sort(key=lambda n: (n.kind, n.file, n.line, n.address, n.native_type, n.id))
    labels: dict[str, dict[str, str]] = {}
    edges = []
    for source, target in graph.edges():
        if source in chosen and target in chosen:
            if source not in labels:
                src = graph.get(source)
                labels[source] = edge_labels(src) if src is not None else {}
            edges.append(DrawnEdge(source, target, labels[source].get(target, "")))
    order = {n.id: i for i, n in enumerate(nodes)}
    edges.sort(key=lambda e: (order[e.source], order[e.target]))
    return Drawing(tuple(nodes), tuple(edges))


def _not_found(graph: Graph, focus: str) -> str:
    addresses = sorted({n.address for n in graph})
    close = difflib.get_close_matches(focus, addresses, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else ""
    return f"--focus: no resource has the address {focus!r}{hint}"
