"""CloudFormation loading: cfn-lint decoding, plain values, line maps, errors."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest

from linter.loaders.cloudformation import CfnTemplate, load_cloudformation
from linter.model import ParseError
from tests.conftest import FIXTURES

CFN = FIXTURES / "cloudformation"


def load(path: Path) -> object:
    return load_cloudformation(str(path), path.read_bytes())


def line_of(path: Path, needle: str, start: int = 1) -> int:
    for number, text in enumerate(path.read_text().splitlines(), 1):
        if number >= start and needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def plain_types(value: object) -> set[type]:
    if isinstance(value, dict):
        out = {type(value)}
        for k, v in value.items():
            out |= {type(k)} | plain_types(v)
        return out
    if isinstance(value, list):
        out = {type(value)}
        for v in value:
            out |= plain_types(v)
        return out
    return {type(value)}


@pytest.mark.parametrize("name", ["network.yaml", "iam.json"])
def test_templates_load_as_plain_values(name: str) -> None:
    doc = load(CFN / name)
    assert isinstance(doc, CfnTemplate)
    assert doc.language == "cloudformation"
    # No cfn-lint node type escapes the loader.
    assert plain_types(doc.template) <= {dict, list, str, int, float, bool, type(None)}


def test_yaml_short_forms_become_long_forms() -> None:
    doc = load(CFN / "network.yaml")
    assert isinstance(doc, CfnTemplate)
    res = doc.template["Resources"]
    assert res["WebSG"]["Properties"]["VpcId"] == {"Ref": "Vpc"}
    assert res["PublicSubnet"]["Properties"]["AvailabilityZone"] == {
        "Fn::Select": [0, {"Fn::GetAZs": ""}]
    }
    assert res["Data"]["Properties"]["AvailabilityZone"] == {
        "Fn::GetAtt": ["Web", "AvailabilityZone"]
    }
    tag = res["WebSG"]["Properties"]["Tags"][0]["Value"]
    assert tag == {"Fn::Sub": "${EnvName}-web"}


def test_yaml_locations_span_key_to_last_content_line() -> None:
    path = CFN / "network.yaml"
    doc = load(path)
    assert isinstance(doc, CfnTemplate)
    web = doc.location(("Resources", "Web"))
    assert web.start_line == line_of(path, "  Web:")
    # Ends on the last line of the resource, not on the next resource's key.
    assert web.end_line == line_of(path, "VirtualName: ephemeral0")
    cidr = doc.location(("Resources", "WebSG", "Properties", "SecurityGroupIngress", 0, "CidrIp"))
    assert cidr.start_line == cidr.end_line == line_of(path, "CidrIp: !Ref AdminCidr")
    # A path that is not written falls back to its nearest written ancestor.
    missing = doc.location(("Resources", "Plain", "Properties", "BucketEncryption"))
    assert missing.start_line == line_of(path, "  Plain:")


def test_json_locations_are_exact() -> None:
    path = CFN / "iam.json"
    doc = load(path)
    assert isinstance(doc, CfnTemplate)
    role = doc.location(("Resources", "AppRole"))
    assert role.start_line == line_of(path, '"AppRole": {')
    assert role.end_line == line_of(path, '"Bucket": {') - 1
    arn = doc.location(("Resources", "AppRole", "Properties", "ManagedPolicyArns", 0))
    assert arn.start_line == line_of(path, "policy/AdministratorAccess")
    action = doc.location(
        ("Resources", "AppRole", "Properties", "Policies", 0, "PolicyDocument", "Statement",
         "Action")
    )
    assert action.start_line == line_of(path, '"Action": "s3:*"')


def _random_json(rng: random.Random, depth: int = 0) -> object:
    if depth > 3 or rng.random() < 0.3:
        return rng.choice(["x", 1, True, None, "a\\nb", 2.5])
    if rng.random() < 0.5:
        return [_random_json(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return {f"k{i}": _random_json(rng, depth + 1) for i in range(rng.randint(0, 3))}


@pytest.mark.parametrize("seed", range(25))
def test_json_container_lines_match_the_text(seed: int) -> None:
    """Every object/array's recorded span starts at its key and ends at its bracket."""
    from cfnlint.decode import cfn_json

    from linter.loaders.marked import to_plain

    rng = random.Random(seed)
    value = {"Root": _random_json(rng), "Tail": [_random_json(rng), {"z": 1}]}
    text = json.dumps(value, indent=rng.choice([1, 2, 4]))
    plain, locs = to_plain(cfn_json.loads(text), text, is_json=True)
    assert plain == value
    lines = text.splitlines()
    for path, (start, end) in locs.items():
        assert 1 <= start <= end <= len(lines)
        if path and isinstance(path[-1], str):
            assert f'"{path[-1]}"' in lines[start - 1]
        if path and start != end:
            assert lines[end - 1].strip().rstrip(",") in ("}", "]")


def test_not_a_template_is_none() -> None:
    assert load(CFN / "workflow.yaml") is None
    assert load_cloudformation("x.yaml", b"- just\n- a list\n") is None
    assert load_cloudformation("x.json", b'{"Resources": {"A": {"Type": "k8s::Pod"}}}') is None


def test_resources_without_format_version_are_a_template() -> None:
    doc = load_cloudformation("x.yaml", b"Resources:\n  B:\n    Type: AWS::S3::Bucket\n")
    assert isinstance(doc, CfnTemplate)


@pytest.mark.parametrize(
    ("name", "needle"),
    [
        ("broken.yaml", "BucketName: [unclosed"),
        ("broken.json", '"Type": "AWS::S3::Bucket",}'),
        ("duplicate.yaml", "  Bucket:"),
    ],
)
def test_decode_errors_are_located(name: str, needle: str) -> None:
    path = CFN / name
    err = load(path)
    assert isinstance(err, ParseError)
    assert err.path == str(path)
    assert err.line == line_of(path, needle)
    assert err.message


def test_non_utf8_is_a_parse_error() -> None:
    err = load_cloudformation("x.yaml", b"AWSTemplateFormatVersion: \xff\xfe\n")
    assert isinstance(err, ParseError) and err.line == 1


def test_unquoted_dates_and_numeric_keys_become_text() -> None:
    text = b"AWSTemplateFormatVersion: 2010-09-09\nMappings:\n  M:\n    123456789012: {a: 1}\n"
    doc = load_cloudformation("x.yaml", text)
    assert isinstance(doc, CfnTemplate)
    assert doc.template["AWSTemplateFormatVersion"] == "2010-09-09"
    assert doc.template["Mappings"]["M"] == {"123456789012": {"a": 1}}


def test_a_second_yaml_document_is_located() -> None:
    err = load_cloudformation("t.yaml", b"AWSTemplateFormatVersion: x\n---\nResources: {}\n")
    assert isinstance(err, ParseError)
    assert err.line == 2 and "another document" in err.message


def test_json_fallback_locates_list_strings() -> None:
    """Tab-indented JSON is read by cfn-lint's JSON decoder; list strings are found by text."""
    text = (
        '{\n\t"AWSTemplateFormatVersion": "2010-09-09",\n\t"Resources": {\n'
        '\t\t"R": {\n\t\t\t"Type": "AWS::IAM::ManagedPolicy",\n\t\t\t"Properties": {\n'
        '\t\t\t\t"PolicyDocument": {"Statement": [{"Effect": "Allow", "Action": [\n'
        '\t\t\t\t\t"s3:GetObject",\n\t\t\t\t\t"*"\n\t\t\t\t], "Resource": "*"}]}\n'
        "\t\t\t}\n\t\t}\n\t}\n}\n"
    )
    doc = load_cloudformation("t.json", text.encode())
    assert isinstance(doc, CfnTemplate)
    lines = text.splitlines()
    base = ("Resources", "R", "Properties", "PolicyDocument", "Statement", 0, "Action")
    assert lines[doc.location((*base, 1)).start_line - 1].strip() == '"*"'
    assert lines[doc.location((*base, 0)).start_line - 1].strip() == '"s3:GetObject",'
    resource = doc.location(("Resources", "R"))
    assert (resource.start_line, resource.end_line) == (4, 12)
