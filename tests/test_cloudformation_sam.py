"""SAM functions: inline statements and AWS managed policy names become IAM facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.adapters import AdaptContext
from linter.adapters.cfn_sam import managed_arn
from linter.adapters.cloudformation import adapt
from linter.config import Config
from linter.loaders.cloudformation import CfnTemplate, load_cloudformation
from linter.model import Node
from linter.runner import ScanOptions, scan
from rules import RULES
from tests.conftest import FIXTURES

SAM = FIXTURES / "cloudformation" / "sam.yaml"


def line_of(needle: str) -> int:
    for number, text in enumerate(SAM.read_text().splitlines(), 1):
        if needle in text:
            return number
    raise AssertionError(needle)


@pytest.fixture(scope="module")
def sam() -> dict[str, Node]:
    doc = load_cloudformation(str(SAM), SAM.read_bytes())
    assert isinstance(doc, CfnTemplate)
    return {n.address: n for n in adapt([doc], AdaptContext(Config(), str(SAM.parent))).nodes}


def test_managed_policy_names_become_arns(sam: dict[str, Node]) -> None:
    fn = sam["AdminFn"]
    assert fn.kind == "lambda.function"
    arns = fn.fact("managed_policy_arns")
    assert [a for a, _ in arns] == ["arn:aws:iam::aws:policy/AdministratorAccess",
                                    "arn:aws:iam::aws:policy/AmazonS3FullAccess"]
    assert arns[0][1].start_line == line_of("- AdministratorAccess")
    single = sam["OneManaged"].fact("managed_policy_arns")
    assert [a for a, _ in single] == ["arn:aws:iam::aws:policy/PowerUserAccess"]
    assert managed_arn("arn:aws-cn:iam::aws:policy/X") == "arn:aws-cn:iam::aws:policy/X"


def test_inline_statements_are_identity_policies(sam: dict[str, Node]) -> None:
    (doc,) = sam["AdminFn"].fact("policies")  # the S3ReadPolicy template is scoped: skipped
    assert doc.policy_type == "identity"
    (stmt,) = doc.statements
    assert (stmt.sid, stmt.actions, stmt.resources) == ("Everything", ("*",), ("*",))
    assert stmt.loc("Action").start_line == line_of('Action: "*"')


def test_an_explicit_role_replaces_policies(sam: dict[str, Node]) -> None:
    fn = sam["WithRole"]
    assert fn.fact("policies") == []
    assert "managed_policy_arns" not in fn.facts
    assert fn.fact("role") == "arn:aws:iam::123456789012:role/existing"
    assert fn.fact("subnets") == ["subnet-1", "subnet-2"]


def test_globals_and_other_serverless_resources(sam: dict[str, Node]) -> None:
    assert sam["AdminFn"].tags == {"Team": "payments", "Owner": "alice"}
    assert sam["OneManaged"].tags == {"Team": "payments"}
    assert sam["AdminFn"].taggable
    assert sam["Table"].kind == "dynamodb.table"
    assert sam["Table"].fact("sse_enabled") is False
    assert sam["Api"].kind == "apigateway.rest_api"  # kept as a node


def test_sam_policies_feed_iam_wildcard_rules() -> None:
    result = scan(ScanOptions(paths=[str(SAM)], rules=[r() for r in RULES]))
    by_rule = {(f.rule_id, f.address, f.location.start_line) for f in result.findings}
    assert ("IAC040", "AdminFn", line_of('Action: "*"')) in by_rule
    assert ("IAC045", "AdminFn", line_of("- AdministratorAccess")) in by_rule
    assert ("IAC045", "OneManaged", line_of("Policies: arn:aws:iam::aws:policy/PowerUser")) in (
        by_rule)
    assert not any(f.address == "WithRole" and f.category == "iam-wildcard"
                   for f in result.findings)


def test_serverless_types_are_read_even_without_the_transform_line(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("Resources:\n  F:\n    Type: AWS::Serverless::Function\n"
                    "    Properties: {Policies: [AdministratorAccess]}\n")
    doc = load_cloudformation(str(path), path.read_bytes())
    (node,) = adapt([doc], AdaptContext(Config(), str(tmp_path))).nodes
    assert node.kind == "lambda.function"
    assert [a for a, _ in node.fact("managed_policy_arns")] == [
        "arn:aws:iam::aws:policy/AdministratorAccess"]
