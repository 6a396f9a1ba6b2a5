"""Adapter parity: the same resources written in Terraform and in CloudFormation give
the same kinds, the same facts and the same findings.

Each directory of fixtures/parity holds a hand-written pair, `main.tf` and
`template.yaml`, whose resources have the same names (a Terraform resource
`aws_subnet.a` is the CloudFormation logical ID `a`). Facts are compared after
normalization: locations are dropped, a Ref becomes the name of the resource it
names (`aws_subnet.a.id` and `!Ref a` are both "a"), any other Unknown is just
unknown, and a policy document's `name` (which says where it is written:
"bucket policy" or "PolicyDocument") is left out. Findings are compared by rule,
resource, severity, evidence and message with addresses and policy document
names normalized the same way, by whether they point at the resource header or
into it, and by their related places (resource and role, in path order).
Tagging findings are left out: whether a type takes tags comes from each
language's own schema (aws_iam_policy has tags, AWS::IAM::ManagedPolicy has
none), not from the fact spec.
"""

from __future__ import annotations

import dataclasses
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from linter import fact_spec
from linter.config import Config
from linter.facts import PolicyDocument
from linter.model import Choice, Location, Node, Ref, Unknown
from linter.runner import ScanOptions, ScanResult, scan
from rules import RULES
from tests.conftest import FIXTURES

PARITY = FIXTURES / "parity"
CASES = sorted(p for p in PARITY.iterdir() if p.is_dir())
FILES = {"terraform": "main.tf", "cloudformation": "template.yaml"}
#: Facts that say how a language wrote something rather than what it is.
META = {c.name for c in fact_spec.COMMON}


@cache
def _scan(case: Path, language: str) -> ScanResult:
    config = Config(disable={"tagging"})
    return scan(ScanOptions(paths=[str(case / FILES[language])], config=config,
                            root=str(case), rules=[rule() for rule in RULES]))


def name_of(node: Node) -> str:
    """`aws_subnet.a` → `a`; a CloudFormation logical ID is its own name."""
    return node.address.rsplit(".", 1)[-1]


def _nodes(case: Path, language: str) -> dict[str, Node]:
    result = _scan(case, language)
    assert not result.errors, result.errors
    nodes = [n for n in result.graph if n.kind is not None]
    by_name = {name_of(n): n for n in nodes}
    assert len(by_name) == len(nodes), f"{case.name}/{FILES[language]}: names repeat"
    return by_name


def normalize(value: Any, names: dict[str, str]) -> Any:
    """A fact value without its locations, with Refs as the names they point at."""
    if isinstance(value, Ref):
        return ("ref", names.get(value.target, "?"))
    if isinstance(value, Choice):
        return ("choice", [(label, normalize(v, names)) for label, v in value.options])
    if isinstance(value, Unknown):
        return "unknown"
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        skip = {"location", "locations"}
        if isinstance(value, PolicyDocument):
            skip.add("name")  # "bucket policy" or "PolicyDocument": where, not what
        return {f.name: normalize(getattr(value, f.name), names)
                for f in dataclasses.fields(value) if f.name not in skip}
    if isinstance(value, dict):
        return {k: normalize(v, names) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [normalize(v, names) for v in value if not isinstance(v, Location)]
    return value


def facts_of(node: Node, names: dict[str, str]) -> dict[str, Any]:
    return {k: normalize(v, names) for k, v in sorted(node.facts.items()) if k not in META}


def _names(case: Path, language: str) -> dict[str, str]:
    return {n.id: name_of(n) for n in _scan(case, language).graph}


def findings_of(case: Path, language: str) -> list[tuple[Any, ...]]:
    result = _scan(case, language)
    by_id = {n.id: n for n in result.graph}
    out = []
    for f in result.findings:
        node = by_id[f.node_id]
        texts = [f.message, f.evidence]
        docs = node.fact("policies") or []
        for doc in sorted(docs, key=lambda d: -len(d.name)):
            texts = [t.replace(doc.name, "<policy>") for t in texts]
        for other in result.graph:
            texts = [re.sub(rf"(?<![\w.]){re.escape(other.address)}(?![\w])", name_of(other), t)
                     for t in texts]
        where = "header" if f.location.start_line == node.location.start_line else "inside"
        related = tuple((r.address.rsplit(".", 1)[-1], r.role) for r in f.related)
        out.append((f.rule_id, name_of(node), f.severity.label, texts[1], texts[0], where,
                    related))
    return sorted(out)


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_same_kinds_and_facts(case: Path) -> None:
    tf, cfn = _nodes(case, "terraform"), _nodes(case, "cloudformation")
    assert sorted(tf) == sorted(cfn), "the pair must declare the same resources"
    tf_names, cfn_names = _names(case, "terraform"), _names(case, "cloudformation")
    for name in sorted(tf):
        assert tf[name].kind == cfn[name].kind, name
        assert facts_of(tf[name], tf_names) == facts_of(cfn[name], cfn_names), (
            f"{name} ({tf[name].kind}): {tf[name].native_type} and {cfn[name].native_type} "
            "differ")


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.name)
def test_same_findings(case: Path) -> None:
    tf, cfn = findings_of(case, "terraform"), findings_of(case, "cloudformation")
    assert tf == cfn
    assert not _scan(case, "terraform").rule_crashes
    assert not _scan(case, "cloudformation").rule_crashes


def test_every_kind_of_both_languages_has_a_pair() -> None:
    both = {s.kind for s in fact_spec.SPEC if s.terraform and s.cloudformation}
    paired = {n.kind for case in CASES for n in _nodes(case, "terraform").values()}
    assert both - paired == set(), "kinds without a parity pair"


@pytest.mark.parametrize("case,name,fact,expected", [
    # ElastiCache: nodes per shard, 1 when nothing is written (NumCacheClusters and
    # num_cache_clusters default to 1; replicas per node group default to 0)
    ("caches", "unset", "num_nodes", 1),
    ("caches", "bare_shards", "num_nodes", 1),
    ("caches", "shards", "num_nodes", 2),
    ("caches", "bare", "instance_count", 1),  # OpenSearch: one data node by default
    ("load-balancers", "web", "scheme", "internet-facing"),
    ("load-balancers", "web", "lb_type", "application"),
    ("load-balancers", "classic", "scheme", "internet-facing"),
    ("network", "nat", "connectivity", "public"),
    ("network", "b", "availability_zone", "unknown"),  # AWS chooses it
    ("databases", "main", "multi_az", None),  # not written, no default: absent
    ("databases", "main", "deletion_protection", False),
    ("databases", "restored", "deletion_protection", True),
    ("data-stores", "plain", "encrypted", None),  # Kinesis: not written, not encrypted
    ("data-stores", "none", "encrypted", False),
    ("data-stores", "kms", "encrypted", True),
])
def test_aws_defaults_when_unwritten(case: str, name: str, fact: str, expected: Any) -> None:
    for language in FILES:
        node = _nodes(PARITY / case, language)[name]
        assert normalize(node.fact(fact), {}) == expected, (language, name, fact)


KEY_POLICY_TF = """
data "aws_caller_identity" "current" {}

resource "aws_kms_key" "key" {
  enable_key_rotation = true
}

resource "aws_kms_key_policy" "key_policy" {
  key_id = aws_kms_key.key.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "Default"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::${data.aws_caller_identity.current.account_id}:root" }
      Action    = "kms:*"
      Resource  = "*"
    }, {
      Sid       = "Partner"
      Effect    = "Allow"
      Principal = { AWS = "arn:aws:iam::111122223333:root" }
      Action    = "kms:*"
      Resource  = "*"
    }]
  })
}
"""


def test_a_separate_key_policy_is_read_as_the_inline_one(tmp_path: Path) -> None:
    """aws_kms_key_policy gets the key policy's semantics (AWS's default statement is
    no finding, as in `KeyPolicy` or aws_kms_key's own `policy`) and names its key."""
    (tmp_path / "main.tf").write_text(KEY_POLICY_TF, encoding="utf-8")
    result = scan(ScanOptions(paths=[str(tmp_path)], config=Config(disable={"tagging"}),
                              root=str(tmp_path), rules=[rule() for rule in RULES]))
    [finding] = result.findings
    assert (finding.rule_id, finding.address) == ("IAC041", "aws_kms_key_policy.key_policy")
    assert "Partner" in finding.message
    assert [(r.address, r.role) for r in finding.related] == [("aws_kms_key.key", "key")]
    policy = next(n for n in result.graph if n.kind == "kms.key_policy")
    assert [d.governs for d in policy.fact("policies")] == ["kms.key"]
    key = next(n for n in result.graph if n.kind == "kms.key")
    assert key.fact("attached") == [Ref(policy.id)]
