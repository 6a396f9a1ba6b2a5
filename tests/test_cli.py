"""The command line, through click's runner (via main(argv)) and a real subprocess."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from linter import __version__
from linter.cli import main

from .conftest import FIXTURES

BROKEN_TF = 'resource "aws_s3_bucket" "b" {\n  bucket = \n}\n'


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def test_version(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["--version"], capsys)
    assert code == 0
    assert __version__ in out


def test_findings_exit_1(infra: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["scan", str(infra), "--format", "json"], capsys)
    assert code == 1
    report = json.loads(out)
    assert any(f["category"] == "open-ingress" and f["address"] == "aws_security_group.ssh"
               for f in report["findings"])


def test_empty_directory_exit_0(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, _ = run(["scan", str(tmp_path)], capsys)
    assert code == 0


def test_missing_path_exit_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["scan", str(tmp_path / "nope")], capsys)
    assert code == 2
    assert "does not exist" in err


def test_usage_error_exit_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["scan"], capsys)[0] == 2
    assert run(["scan", ".", "--format", "xml"], capsys)[0] == 2
    assert run(["frobnicate"], capsys)[0] == 2


def test_bad_config_exit_2_names_key(infra: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (infra / ".iaclint.yaml").write_text("fail_on: sometimes\n", encoding="utf-8")
    code, _, err = run(["scan", str(infra)], capsys)
    assert code == 2
    assert "fail_on" in err


def test_fail_on_threshold(infra: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # SSH open to the world is at least high: a critical threshold may or may not trip,
    # but disabling every open-ingress rule must make the scan clean.
    assert run(["scan", str(infra), "--fail-on", "low"], capsys)[0] == 1
    ids = [line.split()[0] for line in run(["rules"], capsys)[1].splitlines()]
    ingress = [i for i in ids if i.startswith("IAC00") and i != "IAC000"]
    args = ["scan", str(infra)]
    for rule_id in ingress:
        args += ["--disable", rule_id]
    assert run(args, capsys)[0] == 0


def test_config_fail_on_is_honoured(infra: Path, capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run(["scan", str(infra), "--format", "json"], capsys)
    worst = max(["low", "medium", "high", "critical"].index(f["severity"])
                for f in json.loads(out)["findings"])
    above = ["low", "medium", "high", "critical"][worst + 1:] if worst < 3 else []
    if above:
        (infra / ".iaclint.yaml").write_text(f"fail_on: {above[0]}\n", encoding="utf-8")
        assert run(["scan", str(infra)], capsys)[0] == 0


def test_output_file(infra: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out.sarif"
    code, out, _ = run(["scan", str(infra), "-f", "sarif", "-o", str(target)], capsys)
    assert code == 1
    assert out == ""
    assert json.loads(target.read_text())["version"] == "2.1.0"


def test_unparseable_file_does_not_hide_others(
    infra: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    broken = infra / "broken"
    broken.mkdir()
    (broken / "main.tf").write_text(BROKEN_TF, encoding="utf-8")
    code, out, _ = run(["scan", str(infra), "--format", "json"], capsys)
    assert code == 1
    findings = json.loads(out)["findings"]
    parse = [f for f in findings if f["rule_id"] == "IAC000"]
    assert len(parse) == 1 and parse[0]["file"].endswith("broken/main.tf")
    assert parse[0]["start_line"] in (2, 3)
    assert any(f["category"] == "open-ingress" for f in findings)
    # A file that did not parse was not checked at all: it fails whatever the threshold.
    only_broken = ["scan", str(broken), "--fail-on", "critical"]
    assert run(only_broken, capsys)[0] == 1


def test_rules_and_explain(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["rules"], capsys)
    assert code == 0
    categories = {line.split()[1] for line in out.splitlines()}
    assert {"open-ingress", "public-subnet", "multi-az", "encryption", "iam-wildcard",
            "tagging"} <= categories
    first = out.splitlines()[0].split()[0]
    code, out, _ = run(["explain", first.lower()], capsys)
    assert code == 0 and first in out
    assert run(["explain", "IAC998"], capsys)[0] == 2
    code, out, _ = run(["explain", "IAC999"], capsys)  # the internal-error pseudo-rule
    assert code == 0 and "iaclint internal error" in out


def test_verbose_lists_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "package.json").write_text('{"name": "x"}', encoding="utf-8")
    code, _, err = run(["scan", str(tmp_path), "--verbose"], capsys)
    assert code == 0
    assert "package.json" in err


def test_fixtures_cover_all_six_categories(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["scan", str(FIXTURES / "rules"), "--format", "json"], capsys)
    assert code == 1
    categories = {f["category"] for f in json.loads(out)["findings"]}
    assert {"open-ingress", "public-subnet", "multi-az", "encryption", "iam-wildcard",
            "tagging"} <= categories


def test_real_subprocess(infra: Path, tmp_path: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-m", "linter.cli", "scan", str(infra), "--format", "github"],
        capture_output=True, text=True, check=False,
    )
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout.startswith("::")
    assert "sg.tf" in proc.stdout
    clean = subprocess.run(
        [sys.executable, "-m", "linter.cli", "scan", str(tmp_path / "infra" / "sg.tf"),
         "--disable", "IAC001", "--disable", "IAC002", "--format", "text", "--no-color"],
        capture_output=True, text=True, check=False,
    )
    assert "\x1b[" not in clean.stdout


def test_collector_after_scans(capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    """A scan leaves the cyclic collector on with its objects frozen (not walked
    again before exit); the next scan in the process unfreezes them first, so the
    garbage of many in-process scans does not pile up."""
    import gc

    seen: list[int] = []
    original = gc.disable

    def disable() -> None:
        seen.append(gc.get_freeze_count())
        original()

    monkeypatch.setattr(gc, "disable", disable)
    target = str(FIXTURES / "cloudformation" / "network.yaml")
    try:
        for _ in range(2):
            run(["scan", target, "-o", "/dev/null"], capsys)
            assert gc.isenabled() and gc.get_freeze_count() > 0
    finally:
        gc.unfreeze()
    assert seen[1] == 0
