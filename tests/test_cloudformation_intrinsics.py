"""Parameters, pseudo parameters and every intrinsic function the evaluator knows."""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

import pytest

from linter.adapters import AdaptContext
from linter.adapters.cloudformation import adapt, parse_parameter_file
from linter.config import Config
from linter.loaders.cloudformation import CfnTemplate, load_cloudformation
from linter.model import Choice, Node, Ref, Unknown, is_known

HEAD = """\
AWSTemplateFormatVersion: "2010-09-09"
Parameters:
  Env: {Type: String, Default: dev}
  Names: {Type: CommaDelimitedList, Default: "a, b,c"}
  Subnets: {Type: "List<AWS::EC2::Subnet::Id>", Default: "subnet-1,subnet-2"}
  NoDefault: {Type: String}
  Only: {Type: String, AllowedValues: [solo]}
  Ami: {Type: "AWS::SSM::Parameter::Value<String>", Default: /aws/ami/latest}
Mappings:
  Sizes:
    dev: {Instance: t3.micro, Disk: 10}
    prod: {Instance: m5.large, Disk: 100}
  Same:
    us-east-1: {Port: 443}
    eu-west-1: {Port: 443}
Conditions:
  Unknowable: !Equals [!Ref NoDefault, x]
Resources:
  Bucket:
    Type: AWS::S3::Bucket
"""


def value_of(tmp_path: Path, expr: str, params: dict[str, str] | None = None,
             files: list[str] | None = None) -> Any:
    """Evaluate `expr` (YAML) as the Value property of a resource."""
    body = HEAD + "  Probe:\n    Type: AWS::SSM::Parameter\n    Properties:\n      Value: " + \
        textwrap.indent(expr, "        ").lstrip() + "\n"
    node = nodes(tmp_path, body, params, files)["Probe"]
    return node.attrs.get("Value", "<removed>")


def nodes(tmp_path: Path, text: str, params: dict[str, str] | None = None,
          files: list[str] | None = None) -> dict[str, Node]:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    doc = load_cloudformation(str(path), path.read_bytes())
    assert isinstance(doc, CfnTemplate), doc
    ctx = AdaptContext(config=Config(), root=str(tmp_path), cfn_params=params or {},
                       cfn_param_files=files or [])
    result = adapt([doc], ctx)
    assert result.errors == []
    return {n.address: n for n in result.nodes}


def bucket_ref(tmp_path: Path, attr: str | None = None) -> Ref:
    return Ref(f"{tmp_path / 't.yaml'}::Bucket", attr)


# ------------------------------------------------------------------ parameters


def test_parameter_defaults_and_types(tmp_path: Path) -> None:
    assert value_of(tmp_path, "!Ref Env") == "dev"
    assert value_of(tmp_path, "!Ref Names") == ["a", "b", "c"]
    assert value_of(tmp_path, "!Ref Subnets") == ["subnet-1", "subnet-2"]
    assert value_of(tmp_path, "!Ref Only") == "solo"  # a single allowed value
    assert not is_known(value_of(tmp_path, "!Ref NoDefault"))
    # An SSM parameter type's default is a parameter *name*, not the value.
    assert not is_known(value_of(tmp_path, "!Ref Ami"))


def test_cli_parameters_override_defaults(tmp_path: Path) -> None:
    assert value_of(tmp_path, "!Ref Env", {"Env": "prod"}) == "prod"
    assert value_of(tmp_path, "!Ref NoDefault", {"NoDefault": "given"}) == "given"
    assert value_of(tmp_path, "!Ref Names", {"Names": "x,y"}) == ["x", "y"]


def test_parameter_files_in_both_shapes(tmp_path: Path) -> None:
    cli_shape = tmp_path / "cli.json"
    cli_shape.write_text('[{"ParameterKey": "Env", "ParameterValue": "prod"},'
                         ' {"ParameterKey": "NoDefault", "ParameterValue": "n"}]')
    map_shape = tmp_path / "map.json"
    map_shape.write_text('{"Parameters": {"Env": "staging"}}')
    assert value_of(tmp_path, "!Ref Env", files=[str(cli_shape)]) == "prod"
    # Later files win, and --cfn-param wins over every file.
    assert value_of(tmp_path, "!Ref Env", files=[str(cli_shape), str(map_shape)]) == "staging"
    assert value_of(tmp_path, "!Ref NoDefault", files=[str(cli_shape), str(map_shape)]) == "n"
    assert value_of(tmp_path, "!Ref Env", {"Env": "cli"}, [str(map_shape)]) == "cli"


def test_parameter_file_shapes_and_errors(tmp_path: Path) -> None:
    assert parse_parameter_file([{"ParameterKey": "A", "ParameterValue": 3}]) == {"A": "3"}
    assert parse_parameter_file({"Parameters": {"A": ["x", "y"], "B": True}}) == {
        "A": "x,y", "B": "true"}
    assert parse_parameter_file({"A": "1"}) == {"A": "1"}
    assert parse_parameter_file([{"Key": "A"}]) is None
    bad = tmp_path / "bad.json"
    bad.write_text("{oops")
    path = tmp_path / "t.yaml"
    path.write_text(HEAD)
    doc = load_cloudformation(str(path), path.read_bytes())
    result = adapt([doc], AdaptContext(config=Config(), root=str(tmp_path),
                                       cfn_param_files=[str(bad)]))
    assert [e.path for e in result.errors] == [str(bad)]
    assert [n.address for n in result.nodes] == ["Bucket"]  # the scan goes on


def test_pseudo_parameters(tmp_path: Path) -> None:
    assert value_of(tmp_path, "!Ref AWS::Partition") == "aws"
    assert value_of(tmp_path, "!Ref AWS::URLSuffix") == "amazonaws.com"
    for name in ("AWS::Region", "AWS::AccountId", "AWS::StackName", "AWS::StackId"):
        assert not is_known(value_of(tmp_path, f"!Ref {name}"))
    assert value_of(tmp_path, "!Ref AWS::Region", {"AWS::Region": "eu-west-1"}) == "eu-west-1"


def test_novalue_removes_properties_and_items(tmp_path: Path) -> None:
    assert value_of(tmp_path, "!Ref AWS::NoValue") == "<removed>"
    assert value_of(tmp_path, "[a, !Ref AWS::NoValue, b]") == ["a", "b"]
    assert value_of(tmp_path, "{k: !Ref AWS::NoValue, j: 1}") == {"j": 1}


# ------------------------------------------------------------------ functions


def test_ref_and_getatt_name_resources(tmp_path: Path) -> None:
    assert value_of(tmp_path, "!Ref Bucket") == bucket_ref(tmp_path)
    assert value_of(tmp_path, "!GetAtt Bucket.Arn") == bucket_ref(tmp_path, "Arn")
    assert value_of(tmp_path, "{'Fn::GetAtt': [Bucket, DomainName]}") == bucket_ref(
        tmp_path, "DomainName")
    assert not is_known(value_of(tmp_path, "!Ref Missing"))


def test_sub(tmp_path: Path) -> None:
    assert value_of(tmp_path, '!Sub "${Env}-${AWS::Partition}"') == "dev-aws"
    assert value_of(tmp_path, '!Sub "literal ${!NotAVar}"') == "literal ${NotAVar}"
    assert value_of(tmp_path, '!Sub ["${A}/${Env}", {A: x}]') == "x/dev"
    assert value_of(tmp_path, '!Sub "${Bucket}"') == bucket_ref(tmp_path)
    partial = value_of(tmp_path, '!Sub "arn:aws:s3:::${Bucket}/*"')
    assert isinstance(partial, Unknown) and not isinstance(partial, Ref)
    assert not is_known(value_of(tmp_path, '!Sub "${AWS::Region}"'))


def test_join_select_split(tmp_path: Path) -> None:
    assert value_of(tmp_path, '!Join ["-", [a, !Ref Env, 3]]') == "a-dev-3"
    assert not is_known(value_of(tmp_path, '!Join ["-", [a, !Ref AWS::Region]]'))
    assert value_of(tmp_path, "!Select [1, [x, y, z]]") == "y"
    assert value_of(tmp_path, '!Select ["0", !Ref Names]') == "a"
    assert not is_known(value_of(tmp_path, "!Select [5, [x]]"))
    assert value_of(tmp_path, '!Split [",", "a,b"]') == ["a", "b"]
    assert value_of(tmp_path, '!Select [2, !Split ["/", "a/b/c"]]') == "c"


def test_find_in_map(tmp_path: Path) -> None:
    assert value_of(tmp_path, "!FindInMap [Sizes, !Ref Env, Instance]") == "t3.micro"
    assert value_of(tmp_path, "!FindInMap [Sizes, prod, Disk]", {"Env": "prod"}) == 100
    assert not is_known(value_of(tmp_path, "!FindInMap [Sizes, nope, Disk]"))
    assert value_of(tmp_path, "!FindInMap [Sizes, nope, Disk, {DefaultValue: 5}]") == 5
    # An unknown region still decides the value when every region agrees.
    assert value_of(tmp_path, "!FindInMap [Same, !Ref AWS::Region, Port]") == 443
    assert not is_known(value_of(tmp_path, "!FindInMap [Sizes, !Ref AWS::Region, Disk]"))


def test_condition_functions(tmp_path: Path) -> None:
    assert value_of(tmp_path, "!Equals [!Ref Env, dev]") is True
    assert value_of(tmp_path, "!Not [!Equals [!Ref Env, dev]]") is False
    assert value_of(tmp_path, "!And [!Equals [a, a], !Equals [1, '1']]") is True
    assert value_of(tmp_path, "!Or [!Equals [a, b], !Equals [b, b]]") is True
    assert not is_known(value_of(tmp_path, "!Equals [!Ref NoDefault, x]"))
    # False decides an And, True an Or, even next to an unknown.
    assert value_of(tmp_path, "!And [!Equals [a, b], !Condition Unknowable]") is False
    assert value_of(tmp_path, "!Or [!Equals [a, a], !Condition Unknowable]") is True


def test_if(tmp_path: Path) -> None:
    text = HEAD.replace("Conditions:\n", "Conditions:\n  Dev: !Equals [!Ref Env, dev]\n")
    path = tmp_path / "if.yaml"
    path.write_text(text + "  P:\n    Type: AWS::SSM::Parameter\n    Properties:\n"
                    "      A: !If [Dev, yes-dev, no-dev]\n"
                    "      B: !If [Unknowable, open, closed]\n"
                    "      C: !Sub ['x-${V}', {V: !If [Unknowable, 1, 2]}]\n"
                    "      D: !If [Unknowable, same, same]\n")
    doc = load_cloudformation(str(path), path.read_bytes())
    (probe,) = [n for n in adapt([doc], AdaptContext(config=Config(), root=str(tmp_path))).nodes
                if n.address == "P"]
    assert probe.attrs["A"] == "yes-dev"
    b = probe.attrs["B"]
    assert isinstance(b, Choice) and not is_known(b)
    assert b.options == (("when condition Unknowable is true", "open"),
                         ("when condition Unknowable is false", "closed"))
    # An undecided branch inside another function is carried through it.
    assert probe.attrs["C"].options == (("when condition Unknowable is true", "x-1"),
                                        ("when condition Unknowable is false", "x-2"))
    assert probe.attrs["D"] == "same"


def test_base64_getazs_importvalue_cidr(tmp_path: Path) -> None:
    assert value_of(tmp_path, '!Base64 {"Fn::Sub": "echo ${Env}"}') == "echo dev"
    assert not is_known(value_of(tmp_path, "!GetAZs ''"))
    assert value_of(tmp_path, "!Select [0, !GetAZs '']") == "Fn::GetAZs[0]"
    assert not is_known(value_of(tmp_path, "!ImportValue shared-vpc"))
    assert value_of(tmp_path, '!Cidr ["10.0.0.0/16", 3, 8]') == [
        "10.0.0.0/24", "10.0.1.0/24", "10.0.2.0/24"]
    assert value_of(tmp_path, '!Select [1, !Cidr ["10.0.0.0/16", 2, 12]]') == "10.0.16.0/20"
    assert not is_known(value_of(tmp_path, '!Cidr [!Ref AWS::Region, 2, 8]'))


def test_selected_azs_are_named_by_index(tmp_path: Path) -> None:
    """Distinct indexes of one region's AZ list are distinct zones, equal ones equal."""
    azs = ("!GetAZs ''", "!GetAZs ''", "!GetAZs {Ref: 'AWS::Region'}", "!GetAZs eu-west-1")
    text = HEAD + "".join(
        f"  S{i}:\n    Type: AWS::EC2::Subnet\n    Properties:\n      VpcId: vpc-1\n"
        f"      CidrBlock: 10.0.{i}.0/24\n      AvailabilityZone: !Select [{index}, {getazs}]\n"
        for i, (index, getazs) in enumerate(zip((0, 1, 0, 0), azs, strict=True))
    )
    found = nodes(tmp_path, text)
    zones = [found[f"S{i}"].fact("availability_zone") for i in range(4)]
    assert zones == ["Fn::GetAZs[0]", "Fn::GetAZs[1]", "Fn::GetAZs[0]", "Fn::GetAZs(eu-west-1)[0]"]
    assert not is_known(value_of(tmp_path, "!Select [0, !GetAZs {Ref: NoDefault}]"))


@pytest.mark.parametrize("expr", ["!Join [1]", "!Select [a, b]", "!Split [1]",
                                  "!FindInMap [x]", "!Cidr [1]", "{'Fn::GetAtt': 3}",
                                  "{'Fn::Transform': {Name: x}}", "!If [a]"])
def test_malformed_intrinsics_are_unknown_not_errors(tmp_path: Path, expr: str) -> None:
    assert not is_known(value_of(tmp_path, expr))


FOREACH = """\
AWSTemplateFormatVersion: "2010-09-09"
Transform: AWS::LanguageExtensions
Parameters:
  Envs: {Type: CommaDelimitedList, Default: "dev,prod"}
  Later: {Type: CommaDelimitedList}
Resources:
  Fn::ForEach::Buckets:
    - Env
    - !Ref Envs
    - Bucket${Env}:
        Type: AWS::S3::Bucket
        Properties:
          BucketName: !Sub "data-${Env}"
          Tags: [{Key: Env, Value: !Ref Env}]
      Fn::ForEach::Queues:
        - Kind
        - [a-b, c]
        - Queue${Env}&{Kind}:
            Type: AWS::SQS::Queue
  Fn::ForEach::Unknown:
    - Item
    - !Ref Later
    - Topic${Item}:
        Type: AWS::SNS::Topic
"""


def test_foreach_stamps_out_resources(tmp_path: Path) -> None:
    found = nodes(tmp_path, FOREACH)
    assert set(found) == {"Bucketdev", "Bucketprod", "Queuedevab", "Queuedevc", "Queueprodab",
                          "Queueprodc", "Topic${Item}"}
    bucket = found["Bucketprod"]
    assert bucket.attrs["BucketName"] == "data-prod"
    assert bucket.tags == {"Env": "prod"}
    lines = FOREACH.splitlines()
    assert lines[bucket.location.start_line - 1].strip() == "- Bucket${Env}:"
    assert lines[found["Queuedevc"].location.start_line - 1].strip() == "- Queue${Env}&{Kind}:"
    assert found["Topic${Item}"].kind == "sns.topic"  # unknown collection: one instance
