"""The pipeline's own guarantees: scope of named files, suppressions, crash isolation."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from linter.config import Config
from linter.model import Finding, Graph, Severity
from linter.registry import load_rules
from linter.rule import Rule
from linter.runner import ScanOptions, scan

VARS_TF = 'variable "cidr" {\n  default = "0.0.0.0/0"\n}\n'
SG_TF = """resource "aws_security_group" "ssh" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.cidr]
  }
  tags = { Owner = "me" }
}
"""
BUCKET_TF = 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'


def tree(tmp_path: Path) -> Path:
    root = tmp_path / "infra"
    root.mkdir()
    (root / "variables.tf").write_text(VARS_TF, encoding="utf-8")
    (root / "sg.tf").write_text(SG_TF, encoding="utf-8")
    (root / "bucket.tf").write_text(BUCKET_TF, encoding="utf-8")
    return root


def run(paths: list[Path], rules: Iterable[Rule] | None = None) -> list[Finding]:
    return scan(ScanOptions(paths=[str(p) for p in paths], config=Config(),
                            rules=list(rules) if rules is not None else load_rules())).findings


def test_named_file_is_evaluated_with_its_module_but_only_it_is_reported(tmp_path: Path) -> None:
    root = tree(tmp_path)
    findings = run([root / "sg.tf"])
    # var.cidr lives in variables.tf: the rule still sees 0.0.0.0/0 ...
    assert any(f.category == "open-ingress" and f.location.start_line == 6 for f in findings)
    # ... but the bucket in bucket.tf (untagged, unencrypted) is not reported.
    assert {Path(f.location.path).name for f in findings} == {"sg.tf"}
    everything = run([root])
    assert "bucket.tf" in {Path(f.location.path).name for f in everything}


def test_inline_suppression(tmp_path: Path) -> None:
    root = tree(tmp_path)
    before = [f for f in run([root]) if f.category == "open-ingress"]
    assert before
    rule_id = before[0].rule_id
    sg = (root / "sg.tf").read_text().replace(
        "cidr_blocks = [var.cidr]", f"cidr_blocks = [var.cidr] # iaclint:ignore {rule_id}")
    (root / "sg.tf").write_text(sg, encoding="utf-8")
    assert not [f for f in run([root]) if f.rule_id == rule_id]
    other = sg.replace(f"iaclint:ignore {rule_id}", "iaclint:ignore IAC999")
    (root / "sg.tf").write_text(other, encoding="utf-8")
    assert [f for f in run([root]) if f.rule_id == rule_id]


class Boom(Rule):
    id = "TST001"
    title = "always crashes"
    category = "encryption"
    severity = Severity.LOW
    description = "test"

    def check(self, graph: Graph, config: Config) -> Iterable[Finding]:
        raise RuntimeError("boom")


def test_crashing_rule_does_not_hide_others(tmp_path: Path) -> None:
    root = tree(tmp_path)
    result = scan(ScanOptions(paths=[str(root)], config=Config(),
                              rules=[Boom(), *load_rules()]))
    assert [rule_id for rule_id, _ in result.rule_crashes] == ["TST001"]
    assert "RuntimeError: boom" in result.rule_crashes[0][1]
    assert any(f.category == "open-ingress" for f in result.findings)


def test_disable_and_severity_override(tmp_path: Path) -> None:
    root = tree(tmp_path)
    first = next(f for f in run([root]) if f.category == "open-ingress")
    cfg = Config(disable={first.rule_id})
    result = scan(ScanOptions(paths=[str(root)], config=cfg, rules=load_rules()))
    assert first.rule_id not in {f.rule_id for f in result.findings}
    cfg = Config(severity_overrides={first.rule_id: Severity.LOW})
    result = scan(ScanOptions(paths=[str(root)], config=cfg, rules=load_rules()))
    assert {f.severity for f in result.findings if f.rule_id == first.rule_id} == {Severity.LOW}


def test_named_variables_file_scans_its_module_with_those_values(tmp_path: Path) -> None:
    root = tree(tmp_path)
    (root / "variables.tf").write_text('variable "cidr" {\n  default = "10.0.0.0/8"\n}\n',
                                       encoding="utf-8")
    assert not [f for f in run([root / "sg.tf"]) if f.category == "open-ingress"]
    prod = root / "prod.tfvars"
    prod.write_text('cidr = "0.0.0.0/0"\n', encoding="utf-8")
    findings = run([prod])
    assert [(Path(f.location.path).name, f.location.start_line)
            for f in findings if f.category == "open-ingress"] == [("sg.tf", 6)]
    auto = root / "terraform.tfvars"
    auto.write_text('cidr = "0.0.0.0/0"\n', encoding="utf-8")
    prod.unlink()
    assert [f for f in run([auto]) if f.category == "open-ingress"]
