"""The fact spec is the vocabulary: every kind and fact an adapter produces is declared
there, the spec is consistent with itself, and docs/facts.md is generated from it."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest

from linter import fact_spec
from linter.config import Config
from linter.fact_spec import BY_KIND, SPEC, Derived, Fact, declared
from linter.model import Graph, Location, Node, Ref, Source, Unknown
from linter.runner import ScanOptions, scan
from tests.conftest import FIXTURES, REPO, SHARED


@cache
def _graph(root: Path) -> Graph:
    return scan(ScanOptions(paths=[str(root)], config=Config(), root=str(root))).graph


def _undeclared(graph: Graph) -> list[str]:
    problems = []
    for node in graph:
        if node.kind is not None and node.kind not in BY_KIND:
            problems.append(f"{node.address} ({node.native_type}): kind {node.kind} not declared")
            continue
        extra = set(node.facts) - declared(node.kind)
        if extra:
            problems.append(
                f"{node.address} ({node.native_type}, kind {node.kind}): facts {sorted(extra)}"
                " not declared for its kind"
            )
    return problems


def test_fixture_nodes_use_only_the_declared_vocabulary() -> None:
    graph = _graph(FIXTURES)
    assert len(graph) > 300
    assert _undeclared(graph) == []


@pytest.mark.parametrize("language", ["terraform", "cloudformation"])
def test_corpus_nodes_use_only_the_declared_vocabulary(language: str) -> None:
    corpus = SHARED / "corpus" / language
    if not corpus.exists():
        pytest.skip(f"{corpus} is not available (the shared corpus is not part of a clone)")
    assert _undeclared(_graph(corpus)) == []


def test_an_undeclared_fact_or_kind_is_caught() -> None:
    graph = Graph()
    here = Location("/x.tf", 1, 1)
    graph.add(Node("a", "aws_vpc.a", "aws_vpc", "ec2.vpc", Source.TERRAFORM, here,
                   facts={"cidr_block": "10.0.0.0/16", "colour": "blue"}))
    graph.add(Node("b", "aws_thing.b", "aws_thing", "thing.new", Source.TERRAFORM, here))
    graph.add(Node("c", "aws_other.c", "aws_other", None, Source.TERRAFORM, here,
                   facts={"subnets": []}))
    problems = _undeclared(graph)
    assert len(problems) == 3
    assert "colour" in problems[0] and "thing.new" in problems[1] and "subnets" in problems[2]


def test_every_native_type_has_one_kind_and_both_adapters_use_the_spec() -> None:
    from linter.adapters.cfn_kinds import SHAPES as CFN_SHAPES
    from linter.adapters.terraform.policies import POLICY_ATTRS
    from linter.adapters.terraform.resource_facts import SHAPES as TF_SHAPES

    for native in TF_SHAPES:
        assert fact_spec.kind_of("terraform", native), native
    for native in CFN_SHAPES:
        assert fact_spec.kind_of("cloudformation", native), native
    for native, attrs in POLICY_ATTRS.items():
        if attrs:  # a type whose policies become facts needs a kind that declares them
            kind = fact_spec.kind_of("terraform", native)
            assert kind and BY_KIND[kind].row("policies") is not None, native


def test_spec_is_consistent() -> None:
    for spec in SPEC:
        names = [row.name for row in spec.rows]
        assert len(names) == len(set(names)), f"{spec.kind}: a fact declared twice"
        for target in spec.targets:
            assert target.fact in names, f"{spec.kind}: target fact {target.fact}"
            assert target.kind in BY_KIND, f"{spec.kind}: target kind {target.kind}"
        if spec.targets:
            assert "targets" in names, f"{spec.kind} configures others: declare `targets`"
        if spec.governs is not None:
            assert spec.governs in BY_KIND, f"{spec.kind} governs unknown {spec.governs}"
            assert "policies" in names, spec.kind
        for row in spec.rows:
            inputs = row.inputs if isinstance(row, Derived) else (row,)
            for item in inputs:
                if not isinstance(item, Fact):
                    continue
                if item.tf:
                    assert spec.terraform, f"{spec.kind}.{row.name}: Terraform path, no type"
                if item.cfn:
                    assert spec.cloudformation, f"{spec.kind}.{row.name}: CFN path, no type"
    for spec in SPEC:
        for target in spec.targets:
            assert "attached" in declared(target.kind), (
                f"{target.kind} gets `attached` from {spec.kind}: declare it")


def test_defaults_are_fresh_unknowns_per_node() -> None:
    graph = _graph(FIXTURES / "cloudformation")
    zones = [n.fact("availability_zone") for n in graph.of_kind("ec2.subnet")
             if isinstance(n.fact("availability_zone"), Unknown)]
    assert len({id(z) for z in zones}) == len(zones)


def test_docs_are_generated_from_the_spec() -> None:
    written = (REPO / "docs" / "facts.md").read_text(encoding="utf-8")
    assert written == "\n".join(fact_spec.describe()) + "\n", (
        "docs/facts.md is stale: run `python -m linter.fact_spec > docs/facts.md`")


def test_read_takes_the_first_written_alternative_and_the_enclosing_block() -> None:
    here = Location("/t.yaml", 1, 1)
    node = Node("n", "D", "AWS::OpenSearchService::Domain", "opensearch.domain",
                Source.CLOUDFORMATION, here,
                attr_locs={("ElasticsearchClusterConfig",): Location("/t.yaml", 5, 7)})
    props = {"ElasticsearchClusterConfig": {"DedicatedMasterEnabled": True}}
    fact_spec.fill(node, fact_spec.Properties(node, props, "cloudformation"))
    # not written: AWS's default, located at the block that would hold it
    assert node.fact("instance_count") == 1
    assert node.fact_loc("instance_count").start_line == 5
    assert "zone_awareness" not in node.facts
    assert node.fact_loc("zone_awareness").start_line == 5


def test_terraform_prefers_the_resource_an_expression_names() -> None:
    here = Location("/m.tf", 1, 1)
    node = Node("n", "aws_s3_bucket_policy.p", "aws_s3_bucket_policy", "s3.bucket_policy",
                Source.TERRAFORM, here, attrs={"bucket": "my-bucket"})
    named = Ref("root::aws_s3_bucket.b", "bucket")
    fact_spec.fill(node, fact_spec.Properties(
        node, node.attrs, "terraform", blocks=True,
        reference=lambda name: named if name == "bucket" else None))
    assert node.fact("bucket") == named
