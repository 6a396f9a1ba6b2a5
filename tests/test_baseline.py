"""Baseline workflow and config-file ignores, driven through the CLI on real files:
create → scan --baseline → code moves, messages change, a port opens → prune."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from linter.cli import main

SG = """resource "aws_security_group" "%(name)s" {
  name = "%(name)s"
  ingress {
    from_port   = %(port)d
    to_port     = %(port)d
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]%(ipv6)s
  }
  tags = { Owner = "me" }
}
"""


def sg(name: str, port: int = 22, ipv6: bool = False) -> str:
    return SG % {"name": name, "port": port,
                 "ipv6": '\n    ipv6_cidr_blocks = ["::/0"]' if ipv6 else ""}


def scan_json(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any]]:
    code = main(["scan", *args, "--format", "json"])
    return code, json.loads(capsys.readouterr().out)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "main.tf").write_text(sg("web") + "\n" + sg("admin", 3389), encoding="utf-8")
    return root


def create(capsys: pytest.CaptureFixture[str], repo: Path) -> Path:
    target = repo / ".iaclint-baseline.json"
    assert main(["baseline", "create", str(repo), "--output", str(target)]) == 0
    assert f"wrote 2 findings to {target}" in capsys.readouterr().out
    return target


def test_create_then_scan_reports_nothing_new(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = create(capsys, repo)
    data = json.loads(target.read_text())
    assert data["iaclint_baseline"] == 1
    assert sorted((e["rule_id"], e["address"], e["file"]) for e in data["findings"]) == [
        ("IAC001", "aws_security_group.admin", "main.tf"),
        ("IAC001", "aws_security_group.web", "main.tf"),
    ]
    code, report = scan_json(capsys, str(repo), "--baseline", str(target))
    assert code == 0
    assert report["findings"] == []
    assert [f["suppression"]["origin"] for f in report["suppressed"]] == ["baseline"] * 2
    assert main(["scan", str(repo), "--baseline", str(target)]) == 0
    assert "No findings in 1 file scanned; 2 in the baseline." in capsys.readouterr().out


def test_moved_and_reworded_still_match_a_new_port_does_not(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = create(capsys, repo)
    main_tf = repo / "main.tf"
    # web moves 10 lines down and gains ::/0 (its message changes); admin is untouched.
    main_tf.write_text(sg("admin", 3389) + "\n" * 10 + sg("web", ipv6=True), encoding="utf-8")
    code, report = scan_json(capsys, str(repo), "--baseline", str(target))
    assert (code, report["findings"]) == (0, [])
    main_tf.write_text(main_tf.read_text() + "\n" + sg("db", 5432), encoding="utf-8")
    code, report = scan_json(capsys, str(repo), "--baseline", str(target))
    assert code == 1
    assert [(f["rule_id"], f["address"]) for f in report["findings"]] == [
        ("IAC001", "aws_security_group.db")]


def test_a_renamed_resource_is_new(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = create(capsys, repo)
    main_tf = repo / "main.tf"
    main_tf.write_text(main_tf.read_text().replace('"web" {', '"frontend" {'), encoding="utf-8")
    code, report = scan_json(capsys, str(repo), "--baseline", str(target))
    assert code == 1
    assert [f["address"] for f in report["findings"]] == ["aws_security_group.frontend"]
    assert len(report["stale_baseline"]) == 1


def test_prune_drops_what_was_fixed(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = create(capsys, repo)
    (repo / "main.tf").write_text(sg("web"), encoding="utf-8")  # admin removed
    assert main(["scan", str(repo), "--baseline", str(target)]) == 0
    out = capsys.readouterr().out
    assert "1 baseline entry no longer match any finding" in out
    assert main(["baseline", "prune", str(repo), "--baseline", str(target), "-v"]) == 0
    captured = capsys.readouterr()
    assert f"removed 1 of 2 entries from {target}" in captured.out
    assert "removed IAC001 main.tf aws_security_group.admin" in captured.err
    assert [e["address"] for e in json.loads(target.read_text())["findings"]] == [
        "aws_security_group.web"]
    code, report = scan_json(capsys, str(repo), "--baseline", str(target))
    assert (code, report["stale_baseline"]) == (0, [])


def test_prune_refuses_a_partial_scan(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = create(capsys, repo)
    code = main(["baseline", "prune", str(repo / "main.tf"), "--baseline", str(target)])
    assert code == 2
    assert "baseline prune needs directories" in capsys.readouterr().err


def test_baseline_from_the_configuration(
    repo: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (repo / ".iaclint.yaml").write_text("baseline: .iaclint-baseline.json\n", encoding="utf-8")
    monkeypatch.chdir(repo)
    assert main(["scan", "."]) == 1
    assert ".iaclint-baseline.json does not exist yet" in capsys.readouterr().err
    assert main(["baseline", "create"]) == 0
    assert "wrote 2 findings to" in capsys.readouterr().out
    assert (repo / ".iaclint-baseline.json").is_file()
    assert main(["scan", "."]) == 0


def test_sarif_marks_baselined_results_external(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = create(capsys, repo)
    assert main(["scan", str(repo), "--baseline", str(target), "--format", "sarif"]) == 0
    results = json.loads(capsys.readouterr().out)["runs"][0]["results"]
    assert [r["suppressions"][0]["kind"] for r in results] == ["external", "external"]


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("not json", "the baseline is not valid JSON"),
        ('{"findings": []}', "not an iaclint baseline"),
        ('{"iaclint_baseline": 1, "fingerprint_scheme": "iaclint/1", "findings": []}',
         "recreate it with `iaclint baseline create`"),
        ('{"iaclint_baseline": 1, "fingerprint_scheme": "iaclint/2", "findings": [{}]}',
         'findings[0] has no "fingerprint" string'),
    ],
)
def test_a_bad_baseline_is_a_usage_error(
    repo: Path, capsys: pytest.CaptureFixture[str], content: str, message: str
) -> None:
    bad = repo / "bad.json"
    bad.write_text(content, encoding="utf-8")
    assert main(["scan", str(repo), "--baseline", str(bad)]) == 2
    assert message in capsys.readouterr().err


def test_missing_baseline_named_on_the_command_line(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["scan", str(repo), "--baseline", str(repo / "nope.json")]) == 2
    assert "cannot read the baseline" in capsys.readouterr().err


POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "*", ' \
         '"Resource": "*"}]}\n'


def test_config_ignore_covers_iam_json_by_path_and_address(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "policies").mkdir()
    (tmp_path / "policies" / "breakglass.json").write_text(POLICY, encoding="utf-8")
    (tmp_path / "policies" / "app.json").write_text(POLICY, encoding="utf-8")
    (tmp_path / "main.tf").write_text(sg("web") + sg("bastion"), encoding="utf-8")
    (tmp_path / ".iaclint.yaml").write_text(
        "ignore:\n"
        "  - id: IAC040\n"
        "    path: policies/breakglass.json\n"
        "    reason: break-glass role, reviewed by security\n"
        "  - id: open-ingress\n"
        "    address: aws_security_group.bast*\n"
        "    reason: bastion\n"
        "    until: 2999-12-31\n"
        "  - id: IAC030\n"
        "    path: '**/*.tf'\n"
        "    reason: no volumes yet\n",
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    code, report = scan_json(capsys, ".", "--report-unused-ignores")
    assert sorted((f["rule_id"], f["address"]) for f in report["findings"]) == [
        ("IAC001", "aws_security_group.web"), ("IAC040", "policies/app.json")]
    accepted = {(f["rule_id"], f["address"]): f["suppression"] for f in report["suppressed"]}
    assert accepted[("IAC040", "policies/breakglass.json")]["kind"] == "external"
    assert accepted[("IAC040", "policies/breakglass.json")]["origin"] == "config"
    assert accepted[("IAC001", "aws_security_group.bastion")]["until"] == "2999-12-31"
    assert [(u["origin"], u["rules"]) for u in report["unused_ignores"]] == [
        ("config", ["IAC030"])]
    assert code == 1
    assert main(["scan", ".", "--report-unused-ignores"]) == 1
    assert "ignore[2] id=IAC030 path=**/*.tf matched no finding" in capsys.readouterr().out
