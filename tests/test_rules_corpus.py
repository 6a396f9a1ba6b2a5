"""All built-in rules over the shared real-world corpus: no crash, and findings a reviewer
checked by hand stay found (or stay absent). Skipped when ../shared is not there."""

from __future__ import annotations

from linter.model import Finding
from tests.conftest import corpus_scan


def _scan(language: str) -> tuple[list[Finding], list[tuple[str, str]]]:
    result = corpus_scan(language)
    return result.findings, result.rule_crashes


def _has(findings: list[Finding], rule: str, path_end: str, address: str, text: str = "") -> bool:
    return any(
        f.rule_id == rule and f.location.path.endswith(path_end) and f.address == address
        and text in f.message
        for f in findings
    )


def test_no_rule_crashes_on_the_corpus() -> None:
    for language in ("cloudformation", "terraform"):
        _findings, crashes = _scan(language)
        assert not crashes, crashes


def test_cloudformation_findings_judged_by_hand() -> None:
    findings, _ = _scan("cloudformation")
    ssh = "OperatingSystems/RHEL9_cfn-hup.json"
    assert _has(findings, "IAC001", ssh, "InstanceSecurityGroup", "SSH (22/tcp) open to 0.0.0.0/0")
    replica = "RDS/RDS_MySQL_With_Read_Replica.yaml"
    assert _has(findings, "IAC020", replica, "MainDB", "Multi-AZ is false")
    # A read replica takes encryption from its source and is a spare, not a single point.
    assert not any(f.address == "ReplicaDB" and f.rule_id in ("IAC020", "IAC033")
                   for f in findings if f.location.path.endswith(replica))
    dms = "DMS/DMSAuroraToS3FullLoadAndOngoingReplication.yaml"
    assert _has(findings, "IAC021", dms, "AuroraCluster", "has 1 instance")
    assert _has(findings, "IAC011", dms, "AuroraCluster", "routes 0.0.0.0/0 to InternetGateway")
    assert _has(findings, "IAC033", "NeptuneDB/Neptune.yaml", "NeptuneDBCluster")
    # The VPC endpoint policy and bucket policies with Deny "*" are never iam-wildcard findings.
    assert not any(f.rule_id == "IAC040" for f in findings)


def test_terraform_findings_judged_by_hand() -> None:
    findings, _ = _scan("terraform")
    assert _has(findings, "IAC001", "terraform-aws-security-group/main.tf",
                "module.mysql_sg.module.sg.aws_security_group_rule.ingress_rules[0]",
                "MySQL (3306/tcp) open to 0.0.0.0/0")
    assert _has(findings, "IAC045", "terraform-aws-iam/modules/iam-role/main.tf",
                'module.iam_roles["admin"].aws_iam_role_policy_attachment.this["AdministratorAccess"]',
                "AdministratorAccess")
    # Dynamic statements whose NotAction is unknown (maybe null) are not "Allow NotAction".
    assert not any(f.rule_id == "IAC042" for f in findings)
