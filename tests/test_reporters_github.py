"""GitHub workflow commands: one annotation per finding, escaped as the runner expects."""

from __future__ import annotations

from pathlib import Path

from linter.model import Location, Severity
from linter.reporters import render
from linter.reporters.github import escape_data, escape_property

from .test_reporters_common import RULES, check_snapshot, make_result, normalize, write


def test_snapshot(tmp_path: Path) -> None:
    text = render("github", make_result(tmp_path))
    check_snapshot("reporters-github.txt", normalize(text, tmp_path))


def test_one_command_per_finding_plus_summary(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    lines = render("github", result).splitlines()
    assert len(lines) == len(result.findings) + 1
    assert all(line.startswith(("::error ", "::warning ")) for line in lines[:-1])
    assert lines[-1] == (
        "::notice::iaclint: 7 findings (2 critical, 2 high, 2 medium, 1 low) in 6 files scanned"
    )


def test_annotation_format(tmp_path: Path) -> None:
    lines = render("github", make_result(tmp_path)).splitlines()
    assert (
        "::error file=main.tf,line=3,endLine=8,title=IAC001 Security group allows ingress "
        "from the internet::SSH (22/tcp) open to 0.0.0.0/0 (aws_security_group.web)"
    ) in lines
    assert (
        '::error file=modules/db/main.tf,line=1,endLine=12,title=IAC003 RDS instance is not '
        'Multi-AZ::RDS instance is not Multi-AZ (module.db["x"].aws_db_instance.this[0])'
    ) in lines


def test_level_mapping(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    lines = render("github", result).splitlines()
    by_rule = {}
    for line in lines[:-1]:
        command = line[2 : line.index(" ")]
        by_rule.setdefault(line.split("title=")[1].split(" ")[0], set()).add(command)
    assert by_rule["IAC005"] == {"error"}  # critical
    assert by_rule["IAC003"] == {"error"}  # high
    assert by_rule["IAC001"] == {"error", "warning"}  # one critical, one medium
    assert by_rule["IAC004"] == {"warning"}  # medium
    assert by_rule["IAC006"] == {"warning"}  # low


def test_escaping_rules() -> None:
    assert escape_data("50% a\r\nb: c, d") == "50%25 a%0D%0Ab: c, d"
    assert escape_property("50% a\r\nb: c, d") == "50%25 a%0D%0Ab%3A c%2C d"


def test_hostile_path_and_message_cannot_forge_commands(tmp_path: Path) -> None:
    path = write(tmp_path / "repo" / "a,b:c.tf", "x\n")
    result = make_result(tmp_path, findings=False)
    node = next(iter(result.graph))
    result.findings = [
        RULES[0].finding(node, "line one\n::error::forged 100%", Location(path, 1, 1),
                         severity=Severity.LOW)
    ]
    lines = render("github", result).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("::warning file=a%2Cb%3Ac.tf,line=1,endLine=1,title=IAC001 ")
    assert lines[0].endswith("::line one%0A::error::forged 100%25 (aws_security_group.web)")


def test_clean_result_is_only_the_notice(tmp_path: Path) -> None:
    assert render("github", make_result(tmp_path, findings=False)) == (
        "::notice::iaclint: No findings in 6 files scanned.\n"
    )
