"""A report file is replaced whole or not at all: a full disk or a `kill -9` while
the report is written leaves the previous file as it was (issue 12)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from tests.conftest import REPO

from .test_cli import run

#: a security group with SSH open to the world; repeated, a report of many findings
SG = """resource "aws_security_group" "sg{n}" {{
  name = "sg{n}"
  ingress {{
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }}
}}
"""

#: the child: scans, and when the report's temporary file is half written, says so
#: and waits to be killed
CHILD = textwrap.dedent("""
    import os, sys, time
    from linter.cli import main

    real_fdopen = os.fdopen

    class HalfThenWait:
        def __init__(self, fh):
            self.fh = fh
        def write(self, data):
            self.fh.write(data[: len(data) // 2])
            self.fh.flush()
            print("half", len(data), flush=True)
            time.sleep(120)
            return self.fh.write(data[len(data) // 2:])
        def __getattr__(self, name):
            return getattr(self.fh, name)
        def __enter__(self):
            return self
        def __exit__(self, *exc):
            return self.fh.__exit__(*exc)

    def fdopen(fd, mode="r", *args, **kwargs):
        fh = real_fdopen(fd, mode, *args, **kwargs)
        return HalfThenWait(fh) if "w" in mode else fh

    os.fdopen = fdopen
    sys.exit(main(sys.argv[1:]))
""")


@pytest.fixture(scope="module")
def many(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("many")
    (root / "main.tf").write_text("".join(SG.format(n=n) for n in range(400)), "utf-8")
    return root


def test_kill_9_while_writing_keeps_the_previous_report(many: Path, tmp_path: Path) -> None:
    target = tmp_path / "reports" / "iaclint.sarif"
    target.parent.mkdir()
    target.write_text("previous report", encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=str(REPO), IACLINT_NO_CACHE="1")
    child = subprocess.Popen(
        [sys.executable, "-c", CHILD, "scan", str(many), "-o", str(target), "-f", "sarif"],
        cwd=REPO, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert child.stdout is not None
        line = child.stdout.readline()
        assert line.startswith("half"), child.stderr.read() if child.stderr else line
        size = int(line.split()[1])
        assert size > 500_000  # a large report, killed half way through
        os.kill(child.pid, signal.SIGKILL)
        assert child.wait(timeout=60) == -signal.SIGKILL
    finally:
        if child.poll() is None:
            child.kill()
            child.wait()
        for stream in (child.stdout, child.stderr):
            if stream is not None:
                stream.close()
    assert target.read_text("utf-8") == "previous report"
    (temporary,) = [p for p in target.parent.iterdir() if p != target]  # the half file
    assert temporary.name.startswith(".iaclint.sarif.") and temporary.name.endswith(".tmp")
    assert 0 < temporary.stat().st_size < size

    # the same scan left alone replaces the report with a whole one
    done = subprocess.run(
        [sys.executable, "-c", "import sys; from linter.cli import main; "
         "sys.exit(main(sys.argv[1:]))", "scan", str(many), "-o", str(target), "-f", "sarif"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode == 1, done.stderr
    assert len(json.loads(target.read_text("utf-8"))["runs"][0]["results"]) == 400


def test_a_disk_full_while_writing_keeps_the_old_file(
    infra: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """ENOSPC from the write itself (flushed by fsync), not only from the rename."""
    target = tmp_path / "out" / "report.json"
    target.parent.mkdir()
    target.write_text("previous", encoding="utf-8")

    def full(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", full)
    code, _, err = run(["scan", str(infra), "-o", str(target), "-f", "json"], capsys)
    assert code == 2
    assert f"cannot write {target}: No space left on device" in err
    assert "Traceback" not in err
    assert target.read_text("utf-8") == "previous"
    assert os.listdir(target.parent) == ["report.json"]


def test_missing_directories_are_created(
    infra: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "a" / "b" / "c" / "report.json"
    code, _, _ = run(["scan", str(infra), "-o", str(target), "-f", "json"], capsys)
    assert code == 1
    assert json.loads(target.read_text("utf-8"))["findings"]
