"""The default text report: grouping, snippets, colour and the summary line."""

from __future__ import annotations

import re
from pathlib import Path

from linter.model import Location
from linter.reporters import render
from linter.reporters.common import SNIPPET_MAX_LINES

from .test_reporters_common import (
    RULES,
    check_snapshot,
    make_result,
    normalize,
    pinned_version,  # noqa: F401  (fixture)
    write,
)

ANSI = re.compile(r"\x1b\[[0-9;]*m")


def test_snapshot_without_colour(tmp_path: Path, pinned_version: str) -> None:  # noqa: F811
    text = render("text", make_result(tmp_path))
    check_snapshot("reporters-text.txt", normalize(text, tmp_path))


def test_no_escape_codes_without_colour(tmp_path: Path) -> None:
    assert "\x1b" not in render("text", make_result(tmp_path), color=False)


def test_colour_adds_only_escape_codes(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    coloured = render("text", result, color=True)
    assert ANSI.search(coloured)
    assert "\x1b[1;37;41mCRITICAL\x1b[0m" in coloured
    assert ANSI.sub("", coloured) == render("text", result, color=False)


def test_groups_by_file_in_path_order_with_outside_files_last(tmp_path: Path) -> None:
    text = render("text", make_result(tmp_path))
    headers = [line for line in text.splitlines() if line and not line.startswith(" ")]
    assert headers[:-1] == [
        "broken.tf",
        "cfn/template.yaml",
        "main.tf",
        "modules/db/main.tf",
        "policies/admin.json",
        str(tmp_path / "elsewhere" / "extra.tf"),
    ]
    assert headers[-1].startswith("7 findings")


def test_finding_header_has_path_line_severity_rule_and_address(tmp_path: Path) -> None:
    lines = render("text", make_result(tmp_path)).splitlines()
    assert "  main.tf:3  CRITICAL  IAC001  aws_security_group.web" in lines
    assert "  main.tf:9  MEDIUM    IAC001  aws_security_group.web" in lines
    # For a parse error the address is the file itself: not repeated.
    assert "  broken.tf:2  HIGH      IAC000" in lines
    i = lines.index("  main.tf:3  CRITICAL  IAC001  aws_security_group.web")
    assert lines[i + 1] == "    SSH (22/tcp) open to 0.0.0.0/0"


def test_snippet_shows_the_finding_lines_with_numbers(tmp_path: Path) -> None:
    lines = render("text", make_result(tmp_path)).splitlines()
    i = lines.index("  main.tf:9  MEDIUM    IAC001  aws_security_group.web")
    assert lines[i + 2 : i + 7] == [
        "       9 |   ingress {",
        "      10 |     from_port   = 8080",
        "      11 |     to_port     = 8080",
        '      12 |     cidr_blocks = ["0.0.0.0/0"]',
        "      13 |   }",
    ]


def test_long_ranges_are_capped(tmp_path: Path) -> None:
    lines = render("text", make_result(tmp_path)).splitlines()
    i = next(n for n, line in enumerate(lines) if "IAC003" in line)
    assert lines[i + 2].strip().startswith("via ")  # its one related place, then the snippet
    shown = [line for line in lines[i + 3 : i + 13] if re.match(r"^ +\d+ \|", line)]
    assert len(shown) == SNIPPET_MAX_LINES
    assert lines[i + 3 + SNIPPET_MAX_LINES].strip() == "... 7 more lines"


def test_unreadable_source_still_reports_the_finding(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    Path(result.findings[0].location.path).unlink()  # the policy file
    text = render("text", result)
    assert "policies/admin.json:4  CRITICAL  IAC005" in text
    assert "Allow * on * grants full administrator access" in text


def test_summary_is_the_last_line(tmp_path: Path) -> None:
    text = render("text", make_result(tmp_path))
    assert text.endswith("\n7 findings (2 critical, 2 high, 2 medium, 1 low) in 6 files scanned\n")


def test_clean_result(tmp_path: Path) -> None:
    assert render("text", make_result(tmp_path, findings=False)) == (
        "No findings in 6 files scanned.\n"
    )


def test_control_characters_in_messages_are_escaped(tmp_path: Path) -> None:
    path = write(tmp_path / "x.tf", 'resource "a" "b" {}\n')
    result = make_result(tmp_path, findings=False)
    node = next(iter(result.graph))
    message = "evil \x1b]0;title\x07 message"
    result.findings = [RULES[0].finding(node, message, Location(path, 1, 1))]
    text = render("text", result, color=False)
    assert "\x1b" not in text and "\x07" not in text
    assert "evil \\x1b]0;title\\x07 message" in text


def test_multiline_message_stays_indented(tmp_path: Path) -> None:
    result = make_result(tmp_path, findings=False)
    node = next(iter(result.graph))
    result.findings = [RULES[0].finding(node, "first\nsecond")]
    lines = render("text", result).splitlines()
    i = lines.index("    first")
    assert lines[i + 1] == "    second"
