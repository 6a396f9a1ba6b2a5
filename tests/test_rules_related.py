"""Rules record the places behind a finding (Finding.related) with exact lines: the
public path of a subnet, the attachment of a policy, the provider default_tags, the
separate encryption configuration, the subnets of a single-AZ group."""

from __future__ import annotations

from pathlib import Path

from linter.config import Config
from linter.model import Finding
from linter.registry import load_rules
from linter.runner import ScanOptions, scan

from .conftest import FIXTURES


def findings(path: Path, config: Config | None = None) -> list[Finding]:
    result = scan(ScanOptions(paths=[str(path)], config=config or Config(), root=str(path),
                              rules=load_rules()))
    return result.findings


def related(f: Finding) -> list[tuple[str, str, int, int, str]]:
    """(file name, address, start, end, role) of each related place, in order."""
    return [(Path(r.location.path).name, r.address, r.location.start_line, r.location.end_line,
             r.role) for r in f.related]


def one(found: list[Finding], rule: str, address: str) -> Finding:
    (f,) = (f for f in found if f.rule_id == rule and f.address == address)
    return f


def test_public_subnet_terraform_path_hop_by_hop() -> None:
    f = one(findings(FIXTURES / "rules/IAC010/terraform/bad"), "IAC010", "aws_instance.app")
    assert related(f) == [
        ("network.tf", "aws_subnet.public", 9, 14, "subnet"),
        ("network.tf", "aws_route_table_association.public", 37, 40, "route table association"),
        ("network.tf", "aws_route_table.public", 28, 35, "route table"),
        ("network.tf", "aws_route_table.public", 32, 32, "route 0.0.0.0/0 to internet gateway"),
        ("network.tf", "aws_internet_gateway.gw", 5, 7, "internet gateway"),
    ]


def test_public_subnet_cloudformation_path_and_launch_template() -> None:
    found = findings(FIXTURES / "rules/IAC010/cloudformation/bad")
    path = [
        ("template.yaml", "PublicSubnet", 14, 20, "subnet"),
        ("template.yaml", "PublicSubnetRouteTableAssociation", 50, 54, "route table association"),
        ("template.yaml", "PublicRouteTable", 39, 42, "route table"),
        ("template.yaml", "PublicDefaultRoute", 48, 49, "route 0.0.0.0/0 to internet gateway"),
        ("template.yaml", "InternetGateway", 7, 8, "internet gateway"),
    ]
    assert related(one(found, "IAC010", "AppInstance")) == path
    assert related(one(found, "IAC010", "AppGroup")) == [
        ("template.yaml", "LaunchTemplate", 96, 101, "launch template"),
        *path,
        ("template.yaml", "PublicSubnetB", 21, 26, "another public subnet"),
    ]


def test_main_route_table_and_separate_route_resource() -> None:
    f = one(findings(FIXTURES / "rules/IAC010/terraform/bad-main-association"), "IAC010",
            "aws_instance.app")
    roles = [r.role for r in f.related]
    assert roles[1:3] == ["main route table association", "main route table"]
    f = one(findings(FIXTURES / "rules/IAC010/terraform/bad-main-route-table"), "IAC010",
            "aws_instance.app")
    route = next(r for r in f.related if r.role.startswith("route "))
    assert (route.address, route.location.start_line) == ("aws_route.internet", 15)


def test_data_store_names_its_subnet_group_first() -> None:
    f = one(findings(FIXTURES / "rules/IAC011/terraform"), "IAC011", "aws_db_instance.db")
    assert related(f)[0] == ("main.tf", "aws_db_subnet_group.db", 1, 4, "subnet group")
    assert related(f)[1][4] == "subnet"


def test_single_az_group_points_at_each_subnets_zone() -> None:
    f = one(findings(FIXTURES / "rules/IAC023/terraform/bad"), "IAC023",
            "aws_autoscaling_group.app")
    assert related(f) == [
        ("main.tf", "aws_subnet.a1", 8, 8, "subnet in us-east-1a"),
        ("main.tf", "aws_subnet.a2", 14, 14, "subnet in us-east-1a"),
    ]


def test_bucket_encryption_from_a_separate_configuration() -> None:
    f = one(findings(FIXTURES / "rules/IAC032/terraform/bad-no-algorithm"), "IAC032",
            "aws_s3_bucket.data")
    assert related(f) == [
        ("main.tf", "aws_s3_bucket_server_side_encryption_configuration.data", 5, 11,
         "encryption configuration"),
        ("main.tf", "aws_s3_bucket.data", 1, 3, "bucket"),
    ]


def test_bucket_policy_points_at_its_bucket() -> None:
    f = one(findings(FIXTURES / "rules/IAC044/terraform/bad"), "IAC044",
            "aws_s3_bucket_policy.site")
    assert related(f) == [("main.tf", "aws_s3_bucket.site", 1, 3, "bucket")]


IAM_TF = """\
resource "aws_iam_role" "app" {
  name               = "app"
  assume_role_policy = "{}"
}

resource "aws_iam_policy" "admin" {
  name = "admin"
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "*", Resource = "*" }]
  })
}

resource "aws_iam_role_policy_attachment" "app_admin" {
  role       = aws_iam_role.app.name
  policy_arn = aws_iam_policy.admin.arn
}

resource "aws_iam_role_policy" "inline" {
  role = aws_iam_role.app.id
  policy = jsonencode({
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = "iam:*", Resource = "*" }]
  })
}
"""

IAM_CFN = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Role:
    Type: AWS::IAM::Role
    Properties:
      AssumeRolePolicyDocument: {}
      ManagedPolicyArns:
        - !Ref Admin
  Admin:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: "*"
            Resource: "*"
  Inline:
    Type: AWS::IAM::Policy
    Properties:
      PolicyName: inline
      Roles: [!Ref Role]
      PolicyDocument:
        Version: "2012-10-17"
        Statement:
          - Effect: Allow
            Action: "iam:*"
            Resource: "*"
"""


def test_policy_attached_elsewhere_terraform(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(IAM_TF, encoding="utf-8")
    found = findings(tmp_path)
    assert related(one(found, "IAC040", "aws_iam_policy.admin")) == [
        ("main.tf", "aws_iam_role_policy_attachment.app_admin", 16, 16, "policy attachment"),
        ("main.tf", "aws_iam_role.app", 1, 4, "role"),
    ]
    assert related(one(found, "IAC041", "aws_iam_role_policy.inline")) == [
        ("main.tf", "aws_iam_role.app", 1, 4, "role"),
    ]


def test_policy_attached_elsewhere_cloudformation(tmp_path: Path) -> None:
    (tmp_path / "template.yaml").write_text(IAM_CFN, encoding="utf-8")
    found = findings(tmp_path)
    assert related(one(found, "IAC040", "Admin")) == [("template.yaml", "Role", 8, 8, "role")]
    assert related(one(found, "IAC041", "Inline")) == [("template.yaml", "Role", 3, 8, "role")]


TAGS_TF = """\
provider "aws" {
  region = "us-east-1"
  default_tags {
    tags = {
      Environment = "staging"
      Team        = "core"
    }
  }
}

resource "aws_s3_bucket" "logs" {
  bucket = "logs"
  tags = {
    Team = "data"
  }
}
"""


def test_tags_from_provider_default_tags(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(TAGS_TF, encoding="utf-8")
    config = Config(required_tags=["Owner"],
                    tag_value_patterns={"Environment": "^(dev|prod)$", "Team": "^core$"})
    found = findings(tmp_path, config)
    missing = one(found, "IAC050", "aws_s3_bucket.logs")
    assert related(missing) == [("main.tf", "provider.aws", 4, 7, "provider default_tags")]
    values = [f for f in found if f.rule_id == "IAC052"]
    by_tag = {f.evidence: related(f) for f in values}
    # Environment comes from the provider; Team is the bucket's own and says so alone.
    assert by_tag == {
        "tag Environment": [("main.tf", "provider.aws", 5, 5,
                             "provider default_tags: Environment")],
        "tag Team": [],
    }


def test_separate_ingress_rule_names_its_security_group() -> None:
    f = one(findings(FIXTURES / "rules/IAC001/terraform/bad-rule-resources"), "IAC001",
            "aws_security_group_rule.rdp")
    assert related(f) == [("main.tf", "aws_security_group.db", 6, 9, "security group")]
    assert f.related[0].node_id.endswith("::aws_security_group.db")
