"""Standalone IAM policy JSON: which files are policies, in which shapes."""

from __future__ import annotations

import pytest

from linter.loaders.iam_json import PolicyFile, find_policies, load_iam_policy, policy_type_of
from linter.model import ParseError
from tests.conftest import FIXTURES

IAM = FIXTURES / "iam"


def load(name: str) -> object:
    path = IAM / name
    return load_iam_policy(str(path), path.read_bytes())


@pytest.mark.parametrize(
    ("name", "shape", "count"),
    [
        ("admin_policy.json", "policy", 1),
        ("statement_object.json", "policy", 1),
        ("trust_policy.json", "policy", 1),
        ("policy_list.json", "policy_list", 2),
        ("authorization_details.json", "authorization_details", 4),
    ],
)
def test_policy_shapes(name: str, shape: str, count: int) -> None:
    doc = load(name)
    assert isinstance(doc, PolicyFile)
    assert doc.language == "iam"
    assert doc.shape == shape
    assert len(doc.entries) == count


@pytest.mark.parametrize("name", ["package.json", "plan.json"])
def test_json_that_is_not_a_policy_is_none(name: str) -> None:
    assert load(name) is None


def test_other_non_policies_are_none() -> None:
    for text in (b'{"compilerOptions": {"strict": true}}', b"[1, 2]", b'"Statement"',
                 b'{"Statement": []}', b'{"Statement": [{"foo": 1}]}', b"not json"):
        assert load_iam_policy("x.json", text) is None, text


def test_broken_policy_json_is_a_located_error() -> None:
    err = load("broken_policy.json")
    assert isinstance(err, ParseError)
    assert err.line == 4


def test_trust_and_resource_policies_are_told_apart() -> None:
    assert policy_type_of({"Statement": [{"Effect": "Allow", "Action": "s3:*"}]}) == "identity"
    assert policy_type_of({"Statement": {"Principal": "*", "Action": "s3:GetObject"}}) == (
        "resource"
    )
    assert policy_type_of({"Statement": [{"Principal": {"Service": "x"},
                                          "Action": ["sts:AssumeRole"]}]}) == "trust"


def test_only_the_default_managed_policy_version_counts() -> None:
    doc = load("authorization_details.json")
    assert isinstance(doc, PolicyFile)
    versions = [e for e in doc.entries if e.owner == "policy/legacy"]
    assert [e.name for e in versions] == ["version v2"]
    assert [a.arn for a in doc.attachments] == ["arn:aws:iam::aws:policy/PowerUserAccess"]


def test_cli_wrappers() -> None:
    found = find_policies({"PolicyVersion": {"Document": {"Statement": [
        {"Effect": "Allow", "Action": "*", "Resource": "*"}]}, "VersionId": "v1"}})
    assert found is not None and found[1][0].path == ("PolicyVersion", "Document")
    found = find_policies({"Role": {"RoleName": "r", "AssumeRolePolicyDocument": {
        "Statement": [{"Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "sts:AssumeRole"}]
    }}})
    assert found is not None and found[1][0].policy_type == "trust"


def test_line_map_points_into_the_file() -> None:
    doc = load("admin_policy.json")
    assert isinstance(doc, PolicyFile)
    text = (IAM / "admin_policy.json").read_text().splitlines()
    start, _ = doc.locations[("Statement", 0, "Action", 1)]
    assert text[start - 1].strip() == '"*"'


def test_export_filtered_to_managed_policies() -> None:
    found = find_policies({"Policies": [{"PolicyName": "p", "PolicyVersionList": [
        {"Document": {"Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}]},
         "IsDefaultVersion": True, "VersionId": "v1"}]}]})
    assert found is not None
    shape, entries, _ = found
    assert shape == "authorization_details" and entries[0].owner == "policy/p"
    assert find_policies({"Policies": [{"PolicyName": "p"}]}) is None
