"""The GitHub Actions job summary: its markdown, its caps, and when `iaclint scan`
appends it to `$GITHUB_STEP_SUMMARY` (always a temporary file here)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from linter.model import Location, Severity, Suppression
from linter.reporters import step_summary
from linter.reporters.step_summary import MAX_ROWS, code_cell, escape_cell
from linter.runner import ScanResult

from .test_cli import run
from .test_reporters_common import RULES, check_snapshot, make_result, normalize

GITHUB = {"GITHUB_SERVER_URL": "https://github.com", "GITHUB_REPOSITORY": "acme/infra",
          "GITHUB_SHA": "0123abcd"}


def _env(result: ScanResult) -> dict[str, str]:
    return {**GITHUB, "GITHUB_WORKSPACE": result.root}


def _many(tmp_path: Path, count: int, message: str = "finding") -> ScanResult:
    result = make_result(tmp_path)
    node = next(n for n in result.graph if n.address == "aws_security_group.web")
    path = str(tmp_path / "repo" / "main.tf")
    result.findings = [RULES[0].finding(node, f"{message} {n}", Location(path, n, n))
                       for n in range(1, count + 1)]
    return result


def _rows(text: str) -> list[str]:
    table = text.split("| Severity | Location |")[1]
    return [line for line in table.splitlines()[2:] if line.startswith("| ")]


def test_snapshot(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    ssh, untagged = result.findings.pop(1), result.findings.pop(4)
    result.suppressed = [
        replace(ssh, suppression=Suppression("inSource", "comment", "bastion")),
        replace(untagged, suppression=Suppression("external", "baseline")),
    ]
    text = step_summary.render(result, env=_env(result))
    check_snapshot("reporters-step-summary.md", normalize(text, tmp_path))


def test_most_severe_first_with_links_to_the_commit(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    rows = _rows(step_summary.render(result, env=_env(result)))
    assert [r.split(" | ")[0] for r in rows] == ["| critical"] * 2 + ["| high"] * 2 + \
        ["| medium"] * 2 + ["| low"]
    assert rows[0].startswith(
        "| critical | [main.tf:3-8](https://github.com/acme/infra/blob/0123abcd/main.tf#L3-L8)"
        " | IAC001 | `aws_security_group.web` | SSH (22/tcp) open to 0.0.0.0/0 |")
    # A one-line finding links one line; a file outside the checkout is plain text;
    # IAC000 is listed like any finding.
    assert "[broken.tf:2](https://github.com/acme/infra/blob/0123abcd/broken.tf#L2)" in rows[2]
    assert "IAC000" in rows[2]
    outside = escape_cell(str(tmp_path / "elsewhere" / "extra.tf"))
    assert rows[-1].startswith(f"| low | {outside}:1 | IAC006 |")


@pytest.mark.parametrize("missing", ["GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"])
def test_plain_locations_without_the_runner_variables(tmp_path: Path, missing: str) -> None:
    result = make_result(tmp_path)
    env = {k: v for k, v in _env(result).items() if k != missing}
    text = step_summary.render(result, env=env)
    assert "](" not in text
    assert "| critical | main.tf:3-8 | IAC001 |" in text


def test_link_paths_are_relative_to_the_workspace_and_encoded(tmp_path: Path) -> None:
    result = _many(tmp_path, 1)
    spaced = tmp_path / "repo" / "my stacks" / "a(1).tf"
    result.findings = [replace(result.findings[0], location=Location(str(spaced), 4, 4))]
    env = {**GITHUB, "GITHUB_SERVER_URL": "https://ghe.example.com/",
           "GITHUB_WORKSPACE": str(tmp_path)}  # the checkout is above the scan root
    row = _rows(step_summary.render(result, env=env))[0]
    assert ("[my stacks/a(1).tf:4](https://ghe.example.com/acme/infra/blob/0123abcd/"
            "repo/my%20stacks/a%281%29.tf#L4)") in row


def test_cells_escape_markdown_html_and_pipes(tmp_path: Path) -> None:
    hostile = "a | b <img src=x onerror=alert(1)> *em* _u_ [l](http://x) `c` &amp; \\ ~s~\nnext"
    result = _many(tmp_path, 1, message=hostile)
    result.findings = [replace(result.findings[0], message=hostile,
                               address="aws_s3_bucket.b[\"x|y`z\"]")]
    row = _rows(step_summary.render(result))[0]
    assert row.endswith(
        "| a \\| b \\<img src=x onerror=alert(1)\\> \\*em\\* \\_u\\_ \\[l\\](http://x) "
        "\\`c\\` \\&amp; \\\\ \\~s\\~ next |")
    assert '| ``aws_s3_bucket.b["x\\|y`z"]`` |' in row
    assert row.count(" | ") == 4  # five cells: no pipe inside a cell splits it


def test_escape_helpers() -> None:
    assert escape_cell("x" * 400, limit=10) == "x" * 9 + "…"
    assert escape_cell("tab\there\x1b[31m") == "tab here\\\\x1b\\[31m"
    assert code_cell("") == ""
    assert code_cell("`a`") == "`` `a` ``"


def test_rows_are_capped_and_the_rest_counted(tmp_path: Path) -> None:
    text = step_summary.render(_many(tmp_path, MAX_ROWS + 50))
    assert len(_rows(text)) == MAX_ROWS
    assert text.endswith("\n…and 50 more findings not listed here: the log and the SARIF "
                         "report have every finding.\n")


def test_budget_is_never_exceeded(tmp_path: Path) -> None:
    result = _many(tmp_path, 80, message="m" * 250)
    full = step_summary.render(result)
    budget = len(full.encode()) // 2
    text = step_summary.render(result, budget=budget)
    assert len(text.encode()) <= budget
    assert 0 < len(_rows(text)) < 80
    assert f"…and {80 - len(_rows(text))} more findings not listed here" in text
    assert step_summary.render(result, budget=50) == ""  # not even the counts fit


def test_clean_scan_has_no_tables(tmp_path: Path) -> None:
    assert step_summary.render(make_result(tmp_path, findings=False)) == (
        "## iaclint\n\nNo findings in 6 files scanned.\n\n"
    )


# -- the CLI appends it --------------------------------------------------------


def test_scan_appends_to_the_step_summary(
    infra: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = tmp_path / "step_summary.md"
    summary.write_text("## Tests\n\nall passed", encoding="utf-8")
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, err = run(["scan", str(infra), "-f", "github"], capsys)
    assert code == 1 and err == ""
    assert out.startswith("::error file=sg.tf,line=7,")
    text = summary.read_text("utf-8")
    assert text.startswith("## Tests\n\nall passed\n## iaclint\n\n1 finding (1 critical)")
    assert "| critical | sg.tf:7 | IAC001 | `aws_security_group.ssh` |" in text
    # A second run in the same step adds its own summary after the first.
    run(["scan", str(infra), "-f", "github"], capsys)
    assert summary.read_text("utf-8").count("## iaclint") == 2


def test_github_output_file_also_writes_the_summary(
    infra: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, out, _ = run(["scan", str(infra), "--no-color",
                        "--github-output", str(tmp_path / "a.github")], capsys)
    assert code == 1 and "sg.tf:7" in out
    assert summary.read_text("utf-8").startswith("## iaclint\n")


@pytest.mark.parametrize("value", [None, ""])
def test_no_summary_without_the_variable(
    infra: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], value: str | None,
) -> None:
    if value is not None:
        monkeypatch.setenv("GITHUB_STEP_SUMMARY", value)
    monkeypatch.chdir(tmp_path)
    code, _, err = run(["scan", str(infra), "-f", "github"], capsys)
    assert code == 1 and err == ""
    assert sorted(p.name for p in tmp_path.iterdir()) == ["infra"]


def test_no_summary_without_the_github_format(
    infra: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    run(["scan", str(infra), "-f", "json", "--sarif-output", str(tmp_path / "a.sarif")], capsys)
    assert not summary.exists()


@pytest.mark.parametrize("where", ["directory", "missing parent"])
def test_unwritable_summary_is_a_warning_not_a_failure(
    infra: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], where: str,
) -> None:
    target = tmp_path / ("summary-dir" if where == "directory" else "nope/summary.md")
    if where == "directory":
        target.mkdir()
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(target))
    code, out, err = run(["scan", str(infra), "-f", "github"], capsys)
    assert code == 1  # the findings decide, not the summary
    assert out.startswith("::error ")
    assert err.startswith(f"iaclint: warning: no job summary: cannot append to {target}: ")
    assert not (tmp_path / "nope").exists()


def test_full_summary_file_gets_a_warning_and_stays_under_the_limit(
    infra: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_bytes(b"x" * (step_summary.SUMMARY_LIMIT - 100))
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    code, _, err = run(["scan", str(infra), "-f", "github"], capsys)
    assert code == 1
    assert "no room for iaclint's" in err
    assert summary.stat().st_size == step_summary.SUMMARY_LIMIT - 100


def test_severity_counts_include_every_level(tmp_path: Path) -> None:
    result = _many(tmp_path, 2)
    result.findings[1] = replace(result.findings[1], severity=Severity.LOW, category="tagging")
    text = step_summary.render(result)
    assert "| critical | 1 |\n| high | 0 |\n| medium | 0 |\n| low | 1 |\n" in text
    assert "| open\\-ingress |" not in text and "| open-ingress | 1 |\n| tagging | 1 |" in text
