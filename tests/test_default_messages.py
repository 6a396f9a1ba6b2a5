"""IAC001 names the parameter or variable whose default opens a rule; the evidence
and the fingerprint do not change (issue 11, item 14)."""

from __future__ import annotations

from pathlib import Path

from linter.runner import ScanOptions, scan
from rules import RULES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


def _iac001(path: Path, **kw: object) -> list[tuple[int, str, str]]:
    result = scan(ScanOptions(paths=[str(path)], rules=[r() for r in RULES],
                              **kw))  # type: ignore[arg-type]
    return sorted(
        (f.location.start_line, f.message, f.fingerprint or "")
        for f in result.findings if f.rule_id == "IAC001"
    )


def test_cloudformation_parameter_default_is_named() -> None:
    found = _iac001(FIXTURES / "rules/IAC001/cloudformation/bad-ingress-resource")
    messages = {line: msg for line, msg, _ in found}
    assert messages[27] == "MySQL (3306/tcp) open to 0.0.0.0/0 (AdminCidr defaults to 0.0.0.0/0)"
    assert "defaults" not in messages[19]  # written in the rule itself


def test_terraform_variable_default_is_named_not_a_given_value() -> None:
    path = FIXTURES / "terraform/default_cidr"
    defaulted = _iac001(path)
    assert [(line, msg) for line, msg, _ in defaulted] == [
        (16, "SSH (22/tcp) open to 0.0.0.0/0 (var.admin_cidr defaults to 0.0.0.0/0)"),
        (22, "RDP (3389/tcp) open to 0.0.0.0/0 (var.cidrs defaults to 0.0.0.0/0)"),
    ]
    given = _iac001(path, tf_vars={"admin_cidr": "0.0.0.0/0"})
    assert given[0][1] == "SSH (22/tcp) open to 0.0.0.0/0"
    assert given[0][2] == defaulted[0][2]  # same fingerprint: only the words differ
