"""Shared reporter helpers, plus the hand-built scan result every reporter test uses.

The result is built by hand (no loaders or adapters) over real files in a temporary
directory, so snippets are read from disk as they are in a real scan.
"""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import ClassVar

import pytest

import linter
from linter.discovery import Format, Skipped, SourceFile
from linter.model import Graph, Location, Node, ParseError, Related, Severity, Source
from linter.reporters import common
from linter.rule import PARSE_ERROR_RULE, Rule
from linter.runner import ScanResult

SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
UPDATE = os.environ.get("IACLINT_UPDATE_SNAPSHOTS") == "1"
PINNED_VERSION = "9.9.9"

MAIN_TF = """\
resource "aws_security_group" "web" {
  name = "web"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  ingress {
    from_port   = 8080
    to_port     = 8080
    cidr_blocks = ["0.0.0.0/0"]
  }
}
"""

DB_TF = "".join(f"  line_{n} = {n}\n" for n in range(2, 12)).join(
    ['resource "aws_db_instance" "this" {\n', "}\n"]
)

TEMPLATE = """\
AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Bucket:
    Type: AWS::S3::Bucket
"""

POLICY = """\
{
  "Version": "2012-10-17",
  "Statement": [
    {"Effect": "Allow", "Action": "*", "Resource": "*"}
  ]
}
"""


class OpenIngress(Rule):
    id = "IAC001"
    title = "Security group allows ingress from the internet"
    category = "open-ingress"
    severity = Severity.CRITICAL
    description = "A port open to 0.0.0.0/0 can be reached by anyone.\nClose it."
    remediation: ClassVar = {
        "terraform": "Restrict `cidr_blocks` to known ranges.",
        "cloudformation": "Restrict `CidrIp` to known ranges.",
    }
    links = ("https://docs.aws.amazon.com/vpc/latest/userguide/vpc-security-groups.html",)
    tags = ("network",)
    # The built-in rules' shape (rules/_base.py): language -> {"bad": text, "good": text}.
    examples: ClassVar = {
        "terraform": {
            "bad": 'cidr_blocks = ["0.0.0.0/0"]',
            "good": 'cidr_blocks = ["10.0.0.0/8"]',
        },
        "cloudformation": {"bad": '{"CidrIp": "0.0.0.0/0"}'},
    }


class SingleAz(Rule):
    id = "IAC003"
    title = "RDS instance is not Multi-AZ"
    category = "multi-az"
    severity = Severity.HIGH
    description = "A single-AZ database goes down with its zone."
    remediation: ClassVar = {"terraform": "Set `multi_az = true`."}


class Unencrypted(Rule):
    id = "IAC004"
    title = "S3 bucket without encryption configuration"
    category = "encryption"
    severity = Severity.MEDIUM
    description = "Buckets should declare their encryption."
    links = ("https://docs.aws.amazon.com/AmazonS3/latest/userguide/serv-side-encryption.html",)


class Wildcard(Rule):
    id = "IAC005"
    title = "IAM policy allows all actions"
    category = "iam-wildcard"
    severity = Severity.CRITICAL
    description = "Action * grants every permission."
    remediation: ClassVar = {"iam": "List the actions the principal needs."}


class Untagged(Rule):
    id = "IAC006"
    title = "Resource has no tags"
    category = "tagging"
    severity = Severity.LOW
    description = "Untagged resources have no owner."


RULES: list[Rule] = [OpenIngress(), SingleAz(), Unencrypted(), Wildcard(), Untagged()]


def write(path: Path, text: str) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return str(path)


def make_result(tmp_path: Path, *, findings: bool = True) -> ScanResult:
    """A scan of five files (one broken) and one finding outside the root."""
    root = tmp_path / "repo"
    main_tf = write(root / "main.tf", MAIN_TF)
    db_tf = write(root / "modules" / "db" / "main.tf", DB_TF)
    template = write(root / "cfn" / "template.yaml", TEMPLATE)
    policy = write(root / "policies" / "admin.json", POLICY)
    broken = write(root / "broken.tf", 'resource "aws_s3_bucket" "b" {\n  bucket = \n}\n')
    outside = write(tmp_path / "elsewhere" / "extra.tf", 'resource "aws_sqs_queue" "q" {}\n')
    write(root / "README.md", "# not scanned\n")

    graph = Graph()
    sg = Node(
        id=f"{root}::aws_security_group.web",
        address="aws_security_group.web",
        native_type="aws_security_group",
        kind="ec2.security_group",
        source=Source.TERRAFORM,
        location=Location(main_tf, 1, 14),
    )
    graph.add(sg)
    db = Node(
        id=f"{root}::module.db[\"x\"].aws_db_instance.this[0]",
        address='module.db["x"].aws_db_instance.this[0]',
        native_type="aws_db_instance",
        kind="rds.instance",
        source=Source.TERRAFORM,
        location=Location(db_tf, 1, 12),
        module='module.db["x"]',
    )
    graph.add(db)
    bucket = Node(
        id=f"{template}::Bucket",
        address="Bucket",
        native_type="AWS::S3::Bucket",
        kind="s3.bucket",
        source=Source.CLOUDFORMATION,
        location=Location(template, 3, 4),
    )
    graph.add(bucket)
    doc = Node(
        id=f"{policy}::{policy}",
        address=policy,
        native_type="iam_policy_document",
        kind="iam.policy_document",
        source=Source.IAM,
        location=Location(policy, 1, 6),
    )
    graph.add(doc)
    queue = Node(
        id=f"{outside}::aws_sqs_queue.q",
        address="aws_sqs_queue.q",
        native_type="aws_sqs_queue",
        kind="sqs.queue",
        source=Source.TERRAFORM,
        location=Location(outside, 1, 1),
    )
    graph.add(queue)

    open_ingress, single_az, unencrypted, wildcard, untagged = RULES
    error = ParseError(broken, 2, "Invalid expression: expected a value", column=12)
    found = [
        # Deliberately out of order: reporters sort.
        wildcard.finding(doc, "Allow * on * grants full administrator access",
                         Location(policy, 4, 4)),
        open_ingress.finding(sg, "SSH (22/tcp) open to 0.0.0.0/0", Location(main_tf, 3, 8)),
        open_ingress.finding(sg, "Port 8080/tcp open to 0.0.0.0/0", Location(main_tf, 9, 13),
                             severity=Severity.MEDIUM),
        single_az.finding(db, "RDS instance is not Multi-AZ", related=[
            Related(Location(main_tf, 1, 14), "aws_security_group.web", "security group"),
        ]),
        unencrypted.finding(bucket, "S3 bucket has no server-side encryption configuration"),
        untagged.finding(queue, "aws_sqs_queue.q has no tags"),
        PARSE_ERROR_RULE.from_error(error.path, error.line, error.message),
    ]
    files = [
        SourceFile(broken, Format.TERRAFORM),
        SourceFile(template, Format.CLOUDFORMATION),
        SourceFile(main_tf, Format.TERRAFORM),
        SourceFile(db_tf, Format.TERRAFORM),
        SourceFile(policy, Format.IAM_POLICY),
        SourceFile(outside, Format.TERRAFORM),
    ]
    return ScanResult(
        root=str(root),
        findings=found if findings else [],
        files=files,
        skipped=[Skipped(str(root / "README.md"), "not an infrastructure file extension")],
        errors=[error] if findings else [],
        rules=[PARSE_ERROR_RULE, *RULES],
        graph=graph,
    )


def inside_only(result: ScanResult) -> ScanResult:
    """Drop the finding outside the root: its fingerprint hashes an absolute temporary path."""
    result.findings = [f for f in result.findings if f.location.path.startswith(result.root)]
    return result


def normalize(text: str, tmp_path: Path) -> str:
    return text.replace(str(tmp_path), "/TMP")


def check_snapshot(name: str, text: str) -> None:
    """Compare with tests/snapshots/<name>; IACLINT_UPDATE_SNAPSHOTS=1 rewrites it."""
    path = SNAPSHOTS / name
    if UPDATE or not path.exists():
        if not UPDATE:
            pytest.fail(f"snapshot {path} missing; run with IACLINT_UPDATE_SNAPSHOTS=1")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8")


@pytest.fixture
def pinned_version(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setattr(linter, "__version__", PINNED_VERSION)
    return PINNED_VERSION


# -- tests of linter.reporters.common ---------------------------------------


def test_relpath_inside_root_uses_forward_slashes(tmp_path: Path) -> None:
    assert common.relpath(str(tmp_path / "a" / "b.tf"), str(tmp_path)) == "a/b.tf"


def test_relpath_outside_root_stays_absolute(tmp_path: Path) -> None:
    outside = str(tmp_path / "x.tf")
    assert common.relpath(outside, str(tmp_path / "repo")) == outside


def test_relpath_does_not_treat_a_sibling_prefix_as_inside(tmp_path: Path) -> None:
    sibling = str(tmp_path / "repo-old" / "a.tf")
    assert common.relpath(sibling, str(tmp_path / "repo")) == sibling


def test_reported_order_is_file_line_rule(tmp_path: Path) -> None:
    rows = common.reported(make_result(tmp_path))
    keys = [(r.file, r.finding.location.start_line, r.finding.rule_id) for r in rows]
    inside = [k for k in keys if not k[0].startswith("/")]
    assert inside == sorted(inside)
    assert [k[0] for k in inside] == [
        "broken.tf", "cfn/template.yaml", "main.tf", "main.tf",
        "modules/db/main.tf", "policies/admin.json",
    ]


def test_reported_relativizes_file_path_addresses_and_knows_languages(tmp_path: Path) -> None:
    rows = {r.finding.rule_id: r for r in common.reported(make_result(tmp_path))}
    assert rows["IAC005"].address == "policies/admin.json"
    assert rows["IAC000"].address == "broken.tf"
    assert rows["IAC000"].language == "terraform"  # from the file list: parse errors have none
    assert rows["IAC004"].language == "cloudformation"
    assert rows["IAC003"].address == 'module.db["x"].aws_db_instance.this[0]'


def test_same_fingerprint_twice_gets_distinct_occurrence_numbers(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    f = result.findings[1]
    moved = replace(f, location=Location(f.location.path, 20, 20))
    result.findings.append(moved)
    same = [r.fingerprint for r in common.reported(result)
            if (r.finding.rule_id, r.finding.address, r.file) == (f.rule_id, f.address,
                                                                   common.relpath(
                                                                       f.location.path,
                                                                       result.root))]
    assert len(same) >= 2
    assert len({p.split(":")[0] for p in same}) == 1
    assert sorted(p.split(":")[1] for p in same) == [str(n) for n in range(1, len(same) + 1)]


def test_summary_line_counts_by_severity_and_files(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    assert common.summary_line(result) == (
        "7 findings (2 critical, 2 high, 2 medium, 1 low) in 6 files scanned"
    )
    result.findings = result.findings[:1]
    result.files = result.files[:1]
    assert common.summary_line(result) == "1 finding (1 critical) in 1 file scanned"


def test_summary_line_when_clean(tmp_path: Path) -> None:
    assert common.summary_line(make_result(tmp_path, findings=False)) == (
        "No findings in 6 files scanned."
    )


def test_snippet_caps_long_ranges(tmp_path: Path) -> None:
    path = write(tmp_path / "f.tf", "".join(f"line {n}\n" for n in range(1, 21)))
    snip = common.SourceCache().snippet(path, 3, 15, max_lines=4)
    assert snip is not None
    assert [n for n, _ in snip.lines] == [3, 4, 5, 6]
    assert snip.lines[0][1] == "line 3"
    assert snip.omitted == 9


def test_snippet_of_missing_file_or_line_is_none(tmp_path: Path) -> None:
    cache = common.SourceCache()
    assert cache.snippet(str(tmp_path / "nope.tf"), 1, 1) is None
    path = write(tmp_path / "f.tf", "one\n")
    assert cache.snippet(path, 5, 5) is None


def test_snippet_escapes_terminal_control_characters(tmp_path: Path) -> None:
    path = write(tmp_path / "f.tf", 'name = "\x1b[31mred\u202e"\n')
    snip = common.SourceCache().snippet(path, 1, 1)
    assert snip is not None
    text = snip.lines[0][1]
    assert "\x1b" not in text and "\u202e" not in text
    assert "\\x1b[31mred\\u202e" in text
