"""IAM JSON adapter: nodes, policy facts and the lines findings point at."""

from __future__ import annotations

from pathlib import Path

from linter.adapters import AdaptContext
from linter.adapters.iam import adapt
from linter.config import Config
from linter.loaders.iam_json import PolicyFile, load_iam_policy
from linter.model import Node, Source
from tests.conftest import FIXTURES

IAM = FIXTURES / "iam"


def line_of(path: Path, needle: str) -> int:
    for number, text in enumerate(path.read_text().splitlines(), 1):
        if needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def nodes(name: str) -> list[Node]:
    path = IAM / name
    doc = load_iam_policy(str(path), path.read_bytes())
    assert isinstance(doc, PolicyFile)
    return adapt([doc], AdaptContext(config=Config(), root=str(FIXTURES))).nodes


def test_a_policy_file_is_one_node() -> None:
    (node,) = nodes("admin_policy.json")
    path = IAM / "admin_policy.json"
    assert node.id == f"{path}::policy"
    assert node.address == "iam/admin_policy.json"  # relative to the scan root
    assert (node.kind, node.native_type, node.source) == (
        "iam.policy_document", "iam_policy_document", Source.IAM)
    (doc,) = node.fact("policies")
    first, second = doc.statements
    assert first.sid == "ReadLogs" and first.actions == ("logs:GetLogEvents", "*")
    assert first.label() == "statement 'ReadLogs'"
    # The "*" inside the multi-line Action list has its own line.
    assert first.value_loc("Action", "*").start_line == line_of(path, '"*"')
    assert first.loc("Action").start_line == line_of(path, '"Action": [')
    assert second.effect == "Deny" and second.not_actions == ("iam:*",)
    assert second.loc("NotAction").start_line == line_of(path, '"NotAction": "iam:*"')
    assert second.resources == ("arn:aws:s3:::a", "arn:aws:s3:::b")


def test_statement_object_and_string_fields() -> None:
    (node,) = nodes("statement_object.json")
    (stmt,) = node.fact("policies")[0].statements
    assert stmt.not_actions == ("s3:DeleteBucket",)
    assert stmt.not_resources == ("arn:aws:s3:::keep",)
    assert stmt.label() == "statement 'Everything'"


def test_list_of_policies_keeps_names() -> None:
    (node,) = nodes("policy_list.json")
    names = [d.name for d in node.fact("policies")]
    assert names == ["policy #1", "policy 's3-admin'"]
    assert node.fact("policies")[1].statements[0].actions == ("s3:*",)


def test_trust_policy_file() -> None:
    (node,) = nodes("trust_policy.json")
    (doc,) = node.fact("policies")
    assert doc.policy_type == "trust"
    assert doc.statements[0].principals == {"AWS": ("*",)}


def test_authorization_details_export_is_one_node_per_principal() -> None:
    by_address = {n.address: n for n in nodes("authorization_details.json")}
    assert set(by_address) == {
        "iam/authorization_details.json:user/alice",
        "iam/authorization_details.json:group/ops",
        "iam/authorization_details.json:role/deployer",
        "iam/authorization_details.json:policy/legacy",
    }
    role = by_address["iam/authorization_details.json:role/deployer"]
    assert role.kind == "iam.role"
    trust, inline = role.fact("policies")
    assert trust.policy_type == "trust"
    # URL-encoded documents (as some exports carry them) are decoded.
    assert inline.statements[0].actions == ("iam:*",)
    group = by_address["iam/authorization_details.json:group/ops"]
    ((arn, loc),) = group.fact("managed_policy_arns")
    assert arn == "arn:aws:iam::aws:policy/PowerUserAccess"
    assert loc.start_line == line_of(IAM / "authorization_details.json", "PowerUserAccess\"}")
    legacy = by_address["iam/authorization_details.json:policy/legacy"]
    assert [s.actions for d in legacy.fact("policies") for s in d.statements] == [("sqs:*",)]
