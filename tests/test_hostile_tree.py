"""Issue 12's acceptance scan: every hostile file at once, next to a normal bad file.

One `iaclint scan` over tests/hostile_tree.py's directory must report the normal
finding, give every hostile file a located finding or a stated skip, print no
traceback, and leak nothing read from outside the scan. Time and memory are
measured by scripts/benchmark_hostile.py, not asserted here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.hostile_tree import SECRET, Expect, build


class HostileScan(NamedTuple):
    report: dict[str, Any]
    stderr: str
    scan: Path
    expect: dict[str, Expect]


@pytest.fixture(scope="module")
def hostile_scan(tmp_path_factory: pytest.TempPathFactory) -> HostileScan:
    root = tmp_path_factory.mktemp("hostile")
    scan, expect, sockets = build(root)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "linter.cli", "scan", str(scan), "-f", "json", "-v"],
            capture_output=True, text=True, timeout=600, cwd=root,
        )
    finally:
        for sock in sockets:
            sock.close()
    assert proc.returncode == 1, proc.stderr
    return HostileScan(json.loads(proc.stdout), proc.stderr, scan, expect)


def _rel(report: dict[str, Any], scan: Path, path: str) -> str:
    absolute = path if os.path.isabs(path) else os.path.join(str(report["root"]), path)
    return os.path.relpath(absolute, scan)


def test_every_hostile_file_is_found_refused_or_skipped_with_a_reason(
        hostile_scan: HostileScan) -> None:
    report, stderr, scan, expect = hostile_scan
    findings: dict[str, list[tuple[str, int]]] = {}
    for f in report["findings"]:
        findings.setdefault(_rel(report, scan, f["file"]), []).append(
            (f["rule_id"], f["start_line"]))
    skipped = {_rel(report, scan, s["file"]): s["reason"] for s in report["skipped"]}
    wrong = []
    for name, want in sorted(expect.items()):
        got = findings.get(name, [])
        kind, rule, line = want.kind, want.rule, want.line
        ok = {
            "finding": (rule, line) in got,
            "error": any(r == "IAC000" for r, _ in got),
            "skip": bool(skipped.get(name)),
            "clean": not got and name not in skipped,
        }[kind]
        if not ok:
            wrong.append(f"{name}: expected {kind} {rule} {line}, got {got} {skipped.get(name)}")
    assert not wrong, "\n".join(wrong)
    # Nothing else appeared, and iaclint itself did not break.
    assert set(findings) <= set(expect), set(findings) - set(expect)
    assert not report["internal_errors"] and not report["rule_crashes"]
    assert report["incomplete"] is False
    assert "Traceback" not in stderr


def test_nothing_outside_the_scan_is_quoted(hostile_scan: HostileScan) -> None:
    report, stderr, _, _ = hostile_scan
    text = json.dumps(report) + stderr
    assert SECRET not in text
    assert "root:x:0:0" not in text
