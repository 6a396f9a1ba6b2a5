"""Inline suppressions, driven through the CLI on real files.

Terraform comments (`#`, `//`, `/* */`) on the offending line, the resource header,
the line above the block or a module call; CloudFormation YAML comments and
resource Metadata (YAML and JSON); reasons, expiry, unused directives; suppressed
findings kept in every report and never counted.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from linter.cli import main

OPEN_SSH = """resource "aws_security_group" "web" {%(header)s
  name = "web"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]%(attr)s
  }
  tags = { Owner = "me" }
}
"""

PAST, FUTURE = "2000-01-31", "2999-12-31"


def scan_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["scan", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


def rules_of(findings: list[dict[str, Any]]) -> list[tuple[str, str]]:
    return sorted((f["rule_id"], f["address"]) for f in findings)


def sg(tmp_path: Path, *, above: str = "", header: str = "", attr: str = "") -> Path:
    tf = tmp_path / "main.tf"
    tf.write_text(above + OPEN_SSH % {"header": header, "attr": attr}, encoding="utf-8")
    return tf


SG = ("IAC001", "aws_security_group.web")


@pytest.mark.parametrize(
    "place",
    [
        {"header": "  # iaclint:ignore IAC001 bastion, reviewed"},
        {"header": "  // iaclint:ignore IAC001 bastion, reviewed"},
        {"header": "  /* iaclint:ignore IAC001 bastion, reviewed */"},
        {"above": "# iaclint:ignore IAC001 bastion, reviewed\n"},
        {"above": "# iaclint:ignore IAC001 bastion, reviewed\n# another comment\n"},
        {"attr": "  # iaclint:ignore IAC001 bastion, reviewed"},
        {"attr": "  # iaclint:ignore open-ingress bastion, reviewed"},
        {"header": "  # iaclint:ignore IAC051, IAC001 -- bastion, reviewed"},
    ],
    ids=["header-hash", "header-slashes", "header-block", "above", "above-run", "attribute",
         "category", "list"],
)
def test_terraform_comment_suppresses_where_people_write_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], place: dict[str, str]
) -> None:
    sg(tmp_path, **place)
    code, report = scan_json(capsys, str(tmp_path))
    assert code == 0
    assert SG not in rules_of(report["findings"])
    (accepted,) = [f for f in report["suppressed"] if f["rule_id"] == "IAC001"]
    assert accepted["suppression"]["kind"] == "inSource"
    assert accepted["suppression"]["origin"] == "comment"
    assert accepted["suppression"]["reason"] == "bastion, reviewed"
    assert report["summary"]["suppressed"] == 1


@pytest.mark.parametrize(
    "place",
    [
        {"header": '\n  description = "iaclint:ignore IAC001"'},
        {"attr": '\n    description = "# iaclint:ignore IAC001"'},
        {"above": "# iaclint:ignore IAC001\n\n"},  # a blank line: not the block's comment
        {"header": "  # iaclint:ignore IAC002"},  # another rule
        {"header": "  # see iaclint:ignore docs"},  # does not start the comment
    ],
    ids=["in-string", "hash-in-string", "blank-line", "other-rule", "not-leading"],
)
def test_terraform_text_that_is_not_a_directive_suppresses_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], place: dict[str, str]
) -> None:
    sg(tmp_path, **place)
    code, report = scan_json(capsys, str(tmp_path))
    assert code == 1
    assert SG in rules_of(report["findings"])
    assert report["suppressed"] == []


def test_module_call_comment_covers_its_instances(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    module = tmp_path / "modules" / "sg"
    module.mkdir(parents=True)
    (module / "main.tf").write_text(OPEN_SSH % {"header": "", "attr": ""}, encoding="utf-8")
    (tmp_path / "main.tf").write_text(
        '# iaclint:ignore IAC001 the bastion module, reviewed 2026-11\n'
        'module "bastion" {\n  source = "./modules/sg"\n}\n\n'
        'module "web" {\n  source = "./modules/sg"\n}\n',
        encoding="utf-8",
    )
    _, report = scan_json(capsys, str(tmp_path))
    assert rules_of(report["findings"]) == [("IAC001", "module.web.aws_security_group.web")]
    assert rules_of(report["suppressed"]) == [
        ("IAC001", "module.bastion.aws_security_group.web")]


def test_until_in_the_future_suppresses_in_the_past_reports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sg(tmp_path, header=f"  # iaclint:ignore IAC001 until:{FUTURE} migrating to SSM")
    code, report = scan_json(capsys, str(tmp_path))
    assert code == 0
    (accepted,) = report["suppressed"]
    assert accepted["suppression"]["until"] == FUTURE
    assert accepted["suppression"]["reason"] == "migrating to SSM"

    sg(tmp_path, header=f"  # iaclint:ignore IAC001 until:{PAST} migrating to SSM")
    code, report = scan_json(capsys, str(tmp_path))
    assert code == 1
    (finding,) = [f for f in report["findings"] if f["rule_id"] == "IAC001"]
    assert finding["suppression"]["expired"] is True
    assert finding["suppression"]["until"] == PAST

    assert main(["scan", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"was suppressed by a comment at main.tf:1 until {PAST}; that date has passed" in out


def test_until_is_compared_with_the_scan_date(tmp_path: Path) -> None:
    """The last day is still covered; the day after is not (a fixed clock)."""
    import datetime as dt

    from linter.registry import load_rules
    from linter.runner import ScanOptions, scan

    sg(tmp_path, header="  # iaclint:ignore IAC001 until:2027-01-31 reviewed")
    rules = load_rules(())

    def counted(today: dt.date) -> list[str]:
        result = scan(ScanOptions(paths=[str(tmp_path)], rules=rules, today=today))
        return [f.rule_id for f in result.findings]

    assert "IAC001" not in counted(dt.date(2027, 1, 31))
    assert "IAC001" in counted(dt.date(2027, 2, 1))


def test_bad_until_date_is_reported_and_suppresses_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sg(tmp_path, header="  # iaclint:ignore IAC001 until:2027-02-30 reviewed")
    code = main(["scan", str(tmp_path)])
    out = capsys.readouterr().out
    assert code == 1
    assert "main.tf:1: iaclint:ignore IAC001 is not applied: invalid until date '2027-02-30'" in out


def test_text_counts_suppressed_and_lists_them_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sg(tmp_path, header="  # iaclint:ignore IAC001 bastion")
    assert main(["scan", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "IAC001" not in out
    assert "No findings in 1 file scanned; 1 suppressed." in out
    assert main(["scan", str(tmp_path), "--show-suppressed"]) == 0
    out = capsys.readouterr().out
    assert "IAC001" in out and "suppressed by a comment at main.tf:1: bastion" in out


def test_verbose_names_suppressions_without_a_reason(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sg(tmp_path, header="  # iaclint:ignore IAC001")
    assert main(["scan", str(tmp_path), "-v"]) == 0
    err = capsys.readouterr().err
    assert "suppressed without a reason: main.tf:7 IAC001 aws_security_group.web" in err


def test_unused_ignores_are_reported_and_fail_on_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "main.tf").write_text(
        '# iaclint:ignore IAC030 nothing here is a volume\n'
        'resource "aws_s3_bucket_public_access_block" "b" {\n  bucket = "x"\n}\n',
        encoding="utf-8",
    )
    assert main(["scan", str(tmp_path)]) == 0
    assert "matched no finding" not in capsys.readouterr().out
    assert main(["scan", str(tmp_path), "--report-unused-ignores"]) == 1
    out = capsys.readouterr().out
    assert "main.tf:1: iaclint:ignore IAC030 matched no finding (remove it)" in out
    code, report = scan_json(capsys, str(tmp_path), "--report-unused-ignores")
    assert code == 1
    assert report["unused_ignores"] == [
        {"file": "main.tf", "line": 1, "origin": "comment", "rules": ["IAC030"], "problem": None}
    ]


CFN_YAML = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Web:%(comment)s
    Type: AWS::EC2::SecurityGroup
%(metadata)s    Properties:
      GroupDescription: "iaclint:ignore IAC001"
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
      Tags:
        - Key: Owner
          Value: me
"""

METADATA_YAML = f"""    Metadata:
      iaclint:
        ignore:
          - id: IAC001
            reason: bastion host, reviewed
            until: {FUTURE}
"""


@pytest.mark.parametrize(
    ("comment", "metadata", "origin"),
    [
        ("  # iaclint:ignore IAC001 bastion host, reviewed", "", "comment"),
        ("", METADATA_YAML, "metadata"),
    ],
    ids=["comment", "metadata"],
)
def test_cloudformation_yaml(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], comment: str, metadata: str,
    origin: str,
) -> None:
    (tmp_path / "template.yaml").write_text(
        CFN_YAML % {"comment": comment, "metadata": metadata}, encoding="utf-8")
    code, report = scan_json(capsys, str(tmp_path))
    assert code == 0, report["findings"]
    (accepted,) = report["suppressed"]
    assert (accepted["rule_id"], accepted["address"]) == ("IAC001", "Web")
    assert accepted["suppression"]["origin"] == origin
    assert accepted["suppression"]["reason"] == "bastion host, reviewed"


def test_cloudformation_yaml_string_is_not_a_directive(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "template.yaml").write_text(
        CFN_YAML % {"comment": "", "metadata": ""}, encoding="utf-8")
    code, report = scan_json(capsys, str(tmp_path))
    assert code == 1
    assert ("IAC001", "Web") in rules_of(report["findings"])


def test_cloudformation_json_metadata(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    template = {
        "Resources": {
            "Web": {
                "Type": "AWS::EC2::SecurityGroup",
                "Metadata": {"iaclint": {"ignore": [
                    {"id": "IAC001", "reason": "bastion", "until": PAST},
                    {"id": ["IAC051"], "reason": "tags come from the stack"},
                ]}},
                "Properties": {
                    "GroupDescription": "web",
                    "SecurityGroupIngress": [
                        {"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
                         "CidrIp": "0.0.0.0/0"},
                    ],
                },
            },
            "Tagged": {  # a tagged sibling of the same kind, so Web is reported (IAC051)
                "Type": "AWS::EC2::SecurityGroup",
                "Properties": {"GroupDescription": "tagged",
                               "Tags": [{"Key": "Owner", "Value": "platform"}]},
            },
        }
    }
    (tmp_path / "template.json").write_text(json.dumps(template, indent=2), encoding="utf-8")
    code, report = scan_json(capsys, str(tmp_path))
    assert code == 1  # the IAC001 suppression has expired
    assert rules_of(report["findings"]) == [("IAC001", "Web")]
    assert report["findings"][0]["suppression"]["expired"] is True
    assert rules_of(report["suppressed"]) == [("IAC051", "Web")]


def test_sarif_keeps_suppressed_results_with_their_justification(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sg(tmp_path, header="  # iaclint:ignore IAC001 bastion")
    assert main(["scan", str(tmp_path), "--format", "sarif"]) == 0
    sarif = json.loads(capsys.readouterr().out)
    (result,) = [r for r in sarif["runs"][0]["results"] if r["ruleId"] == "IAC001"]
    (suppression,) = result["suppressions"]
    assert suppression["kind"] == "inSource"
    assert suppression["status"] == "accepted"
    assert suppression["justification"] == "bastion"
    assert suppression["location"]["physicalLocation"]["region"]["startLine"] == 1


def test_suppressions_never_hide_parse_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "main.tf").write_text(
        '# iaclint:ignore\nresource "aws_s3_bucket" "b" {\n  bucket = \n}\n', encoding="utf-8")
    code, report = scan_json(capsys, str(tmp_path))
    assert code == 1
    assert [f["rule_id"] for f in report["findings"]] == ["IAC000"]


def test_sarif_with_suppressions_is_valid(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    import jsonschema

    from .conftest import SARIF_SCHEMA

    sg(tmp_path, header=f"  # iaclint:ignore IAC001 until:{PAST} expired")
    (tmp_path / "other.tf").write_text(
        '# iaclint:ignore IAC051 tags come from the pipeline\n'
        'resource "aws_sqs_queue" "q" {\n  name = "q"\n}\n'
        'resource "aws_sqs_queue" "tagged" {\n  tags = { Owner = "platform" }\n}\n',
        encoding="utf-8")
    main(["scan", str(tmp_path), "--format", "sarif"])
    sarif = json.loads(capsys.readouterr().out)
    jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text("utf-8"))).validate(sarif)
    by_rule = {r["ruleId"]: r for r in sarif["runs"][0]["results"]}
    assert "suppressions" not in by_rule["IAC001"]  # expired: an open alert again
    assert "that date has passed" in by_rule["IAC001"]["properties"]["suppression"]
    assert by_rule["IAC051"]["suppressions"][0]["justification"] == "tags come from the pipeline"
