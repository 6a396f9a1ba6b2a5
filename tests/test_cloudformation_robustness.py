"""Malformed templates never crash; the real-world corpus scans cleanly and fast."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

import pytest

from linter.adapters import AdaptContext
from linter.adapters.cloudformation import adapt
from linter.config import Config
from linter.convert import NOVALUE, protocol
from linter.loaders.cloudformation import CfnTemplate, load_cloudformation
from linter.model import Choice, ParseError, Unknown
from linter.runner import ScanOptions, scan
from rules import RULES
from tests.conftest import shared_path

HEAD = "AWSTemplateFormatVersion: '2010-09-09'\n"
ODD = [
    "Resources: [1, 2]\n",
    "Resources:\n  A: 3\n  B: {Type: 5}\n  C: {Type: AWS::S3::Bucket, Properties: hello}\n",
    "Conditions:\n  A: !Condition B\n  B: !Condition A\n"
    "Resources:\n  R: {Type: AWS::S3::Bucket, Condition: A}\n",
    "Conditions: 3\nParameters: [1]\nMappings: x\n"
    "Resources:\n  R: {Type: AWS::S3::Bucket, Condition: [1]}\n",
    "Resources:\n  R:\n    Type: AWS::EC2::SecurityGroup\n    Properties:\n"
    "      SecurityGroupIngress: [5, [1], {IpProtocol: !Ref P, FromPort: x, CidrIp: [1]}]\n"
    "      Tags: [{Key: 1}, 5, {Key: !Ref X}]\n",
    "Resources:\n  R:\n    Type: AWS::IAM::Role\n    Properties:\n"
    "      AssumeRolePolicyDocument: '{\"Statement\": {\"Effect\": \"Allow\"}}'\n"
    "      Policies: [{PolicyName: 1, PolicyDocument: 5}, 7,"
    " {PolicyDocument: {Statement: [1, {Action: !Ref Q}]}}]\n"
    "      ManagedPolicyArns: !Ref P\n",
    "Resources:\n  R: {Type: AWS::S3::Bucket, Properties: {X: !Sub [1, 2], Y: !Join [a, b],"
    " Z: !Select [[], 1], W: !FindInMap [[], a, b], V: !GetAZs {Ref: X}, U: !Cidr [a, b, c],"
    " T: !Base64 [1], S: !Split [[], []]}}\n",
    "Parameters:\n  P: {Type: String}\nConditions:\n  C: !Equals [!Ref P, 1]\n"
    "  D: !Equals [!Ref P, 2]\nResources:\n  R:\n    Type: AWS::EC2::Route\n"
    "    Properties: {RouteTableId: !If [C, a, b], GatewayId: !If [D, !Ref AWS::NoValue, igw-1],"
    " DestinationCidrBlock: !If [C, 0.0.0.0/0, !Ref AWS::NoValue]}\n",
]


@pytest.mark.parametrize("body", ODD)
def test_odd_templates_adapt_without_errors(tmp_path: Path, body: str) -> None:
    doc = load_cloudformation(str(tmp_path / "t.yaml"), (HEAD + body).encode())
    assert isinstance(doc, CfnTemplate)
    result = adapt([doc], AdaptContext(Config(), str(tmp_path)))
    assert result.errors == []


def test_undecided_route_branches_stay_consistent(tmp_path: Path) -> None:
    doc = load_cloudformation(str(tmp_path / "t.yaml"), (HEAD + ODD[-1]).encode())
    (node,) = adapt([doc], AdaptContext(Config(), str(tmp_path))).nodes
    routes = {(r.destination if isinstance(r.destination, str) else None, r.target, r.when)
              for r in node.fact("routes")}
    # Condition C decides both the destination and the table; D the target.
    assert ("0.0.0.0/0", "igw-1", "when condition C is true and condition D is false") in routes
    assert all("C is true" in w for d, _, w in routes if d == "0.0.0.0/0")


@pytest.mark.parametrize(
    "data",
    [b"[" * 5000 + b"]" * 5000, HEAD.encode() + b"---\nResources: {}\n", b"{\t\"a\": }"],
)
def test_undecodable_input_is_a_parse_error(data: bytes) -> None:
    assert isinstance(load_cloudformation("t.json", data), ParseError)


def test_json_edge_cases() -> None:
    dup = b'{"AWSTemplateFormatVersion": "x",\n "Resources": {},\n "Resources": {}}'
    err = load_cloudformation("t.json", dup)
    assert isinstance(err, ParseError) and "Duplicate" in err.message
    tabs = b'{\n\t"AWSTemplateFormatVersion": "x",\n\t"Resources": {\n\t\t"B": {"Type":' \
        b' "AWS::S3::Bucket"}\n\t}\n}\n'
    doc = load_cloudformation("t.json", tabs)
    assert isinstance(doc, CfnTemplate)
    assert doc.location(("Resources", "B")).start_line == 4
    escaped = b'{"AWSTemplateFormatVersion": "x", "Description": "a\\/b", "Resources": {}}'
    doc = load_cloudformation("t.json", escaped)
    assert isinstance(doc, CfnTemplate) and doc.template["Description"] == "a/b"


def test_corpus_scans_without_crashes() -> None:
    corpus = shared_path("corpus", "cloudformation")
    started = time.perf_counter()
    result = scan(ScanOptions(paths=[str(corpus)], rules=[r() for r in RULES]))
    elapsed = time.perf_counter() - started
    assert result.rule_crashes == []
    # Every file is scanned, skipped as not-a-template, or has one located parse error.
    per_file = Counter(e.path for e in result.errors)
    assert all(count == 1 for count in per_file.values())
    assert all(e.line >= 1 for e in result.errors)
    assert len(result.files) + len(result.skipped) == sum(
        1 for p in corpus.rglob("*") if p.is_file() and not p.name.startswith(".")
        and not any(part.startswith(".") for part in p.relative_to(corpus).parts)
    )
    assert len(result.graph) > 1000
    assert elapsed < 30


def test_condition_key_with_a_list_value_is_plain_data(tmp_path: Path) -> None:
    body = "Resources:\n  R:\n    Type: AWS::SSM::Parameter\n    Properties:\n" \
        "      Value: {Condition: [1, 2]}\n      Other: {Condition: NotACondition}\n"
    doc = load_cloudformation(str(tmp_path / "t.yaml"), (HEAD + body).encode())
    (node,) = adapt([doc], AdaptContext(Config(), str(tmp_path))).nodes
    assert node.attrs == {"Value": {"Condition": [1, 2]}, "Other": {"Condition": "NotACondition"}}


def test_a_protocol_removed_by_novalue_is_unknown_not_none() -> None:
    """`IpProtocol: !If [C, tcp, !Ref AWS::NoValue]`: the branch without a protocol is
    unknown, as an unwritten protocol is (an IngressRule's protocol is never None)."""
    value = protocol(Choice([("when C is true", "6"), ("when C is false", NOVALUE)]))
    assert isinstance(value, Choice)
    (_, tcp), (_, removed) = value.options
    assert tcp == "tcp"
    assert type(removed) is Unknown
    assert type(protocol(None)) is Unknown
