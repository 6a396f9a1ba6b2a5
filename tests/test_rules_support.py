"""Hand-built graphs for rule unit tests, independent of the loaders and adapters."""

from __future__ import annotations

from typing import Any

from linter import fact_spec
from linter.config import Config
from linter.linking import link
from linter.model import Finding, Graph, Location, Node, Ref, Source
from linter.rule import Rule

PATH = "/scan/main.tf"


def loc(line: int, end: int | None = None) -> Location:
    return Location(PATH, line, end or line)


def node(
    address: str,
    kind: str,
    line: int = 1,
    *,
    facts: dict[str, Any] | None = None,
    fact_lines: dict[str, int] | None = None,
    tags: Any = None,
    taggable: bool = False,
) -> Node:
    return Node(
        id=f"/scan::{address}",
        address=address,
        native_type=kind,
        kind=kind,
        source=Source.TERRAFORM,
        location=loc(line, line + 5),
        facts=dict(facts or {}),
        fact_locs={k: loc(v) for k, v in (fact_lines or {}).items()},
        tags=tags,
        taggable=taggable,
        origin="/scan",
    )


def ref(target: Node | str, attr: str = "id") -> Ref:
    return Ref(target.id if isinstance(target, Node) else f"/scan::{target}", attr)


def graph(*nodes: Node) -> Graph:
    """The graph the rules see: what the adapters finish on every node (resource
    policies marked with the kind they govern), reference edges, then linking."""
    g = Graph()
    for n in nodes:
        fact_spec.finish(n)
        g.add(n)
    g.connect_refs()
    link(g)
    return g


def run(rule: type[Rule] | Rule, g: Graph, config: Config | None = None) -> list[Finding]:
    instance = rule() if isinstance(rule, type) else rule
    return list(instance.check(g, config or Config()))


def test_ref_resolves_through_graph() -> None:
    a = node("aws_vpc.main", "ec2.vpc")
    b = node("aws_subnet.a", "ec2.subnet", facts={"vpc": ref(a)})
    g = graph(a, b)
    assert g.resolve(b.fact("vpc")) is a
    assert g.referrers(a) == [b]
