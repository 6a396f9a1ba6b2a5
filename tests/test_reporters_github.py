"""GitHub workflow commands: one annotation per finding, escaped as the runner expects."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from linter.model import Location, Severity
from linter.reporters import render
from linter.reporters.github import ANNOTATIONS_PER_LEVEL, escape_data, escape_property
from linter.runner import ScanResult

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


# -- the per-step annotation cap ---------------------------------------------------


def _many(tmp_path: Path, severities: list[Severity]) -> ScanResult:
    """One finding per severity given, on consecutive lines of main.tf."""
    result = make_result(tmp_path)
    node = next(n for n in result.graph if n.address == "aws_security_group.web")
    path = str(tmp_path / "repo" / "main.tf")
    result.findings = [
        RULES[0].finding(node, f"finding {n}", Location(path, n, n), severity=sev)
        for n, sev in enumerate(severities, start=1)
    ]
    return result


def test_at_most_ten_annotations_per_level_most_severe_first(tmp_path: Path) -> None:
    # Lines 1-12 low, 13-24 medium, 25-26 high, 27-39 critical: the reverse of severity.
    sevs = ([Severity.LOW] * 12 + [Severity.MEDIUM] * 12 + [Severity.HIGH] * 2
            + [Severity.CRITICAL] * 13)
    lines = render("github", _many(tmp_path, sevs)).splitlines()
    errors = [line for line in lines if line.startswith("::error ")]
    warnings = [line for line in lines if line.startswith("::warning ")]
    assert len(errors) == ANNOTATIONS_PER_LEVEL == len(warnings)
    # The ten most severe errors are the first ten criticals, in line order...
    assert [int(e.split("line=")[1].split(",")[0]) for e in errors] == list(range(27, 37))
    # ...and the warnings the mediums before any low.
    assert [int(w.split("line=")[1].split(",")[0]) for w in warnings] == list(range(13, 23))
    assert lines.index(errors[-1]) < lines.index(warnings[0])

    notice = lines[20]
    assert notice.startswith("::notice title=iaclint::19 more findings (3 critical, 2 high, "
                             "2 medium, 12 low) not annotated: GitHub shows at most 10 error "
                             "and 10 warning annotations per step.")
    assert "job summary" in notice and "SARIF" in notice
    assert lines[21] == "::group::iaclint: 19 findings not annotated"
    rest = lines[22:41]
    assert rest[0] == ("critical main.tf:37 IAC001 finding 37 (aws_security_group.web)")
    assert [r.split()[0] for r in rest] == ["critical"] * 3 + ["high"] * 2 + ["medium"] * 2 \
        + ["low"] * 12
    assert lines[41] == "::endgroup::"
    assert lines[42].startswith("::notice::iaclint: 39 findings (13 critical, 2 high")
    assert len(lines) == 43


def test_no_overflow_notice_at_exactly_the_limit(tmp_path: Path) -> None:
    sevs = [Severity.HIGH] * ANNOTATIONS_PER_LEVEL + [Severity.LOW] * ANNOTATIONS_PER_LEVEL
    lines = render("github", _many(tmp_path, sevs)).splitlines()
    assert len(lines) == 2 * ANNOTATIONS_PER_LEVEL + 1
    assert not any("not annotated" in line or line.startswith("::group::") for line in lines)


def test_log_lines_of_unannotated_findings_cannot_forge_commands(tmp_path: Path) -> None:
    result = _many(tmp_path, [Severity.LOW] * (ANNOTATIONS_PER_LEVEL + 1))
    result.findings[-1] = replace(result.findings[-1], message="x\n::error::forged\r")
    lines = render("github", result).splitlines()
    grouped = lines[lines.index("::endgroup::") - 1]
    assert grouped == ("low      main.tf:11 IAC001 x\\x0a::error::forged\\x0d "
                       "(aws_security_group.web)")
    assert not any(line.startswith("::error") for line in lines)
