"""Progress on stderr: for a person at a terminal only, after a second, erased at the end."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

from linter.progress import Progress, wanted


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_only_a_terminal_outside_ci_gets_progress() -> None:
    assert wanted(Tty(), {"TERM": "xterm"})
    assert not wanted(Tty(), {"TERM": "xterm", "CI": "true"})
    assert not wanted(Tty(), {"TERM": "dumb"})
    assert not wanted(io.StringIO(), {"TERM": "xterm"})  # a pipe or a file


def test_nothing_in_the_first_second_then_counts_then_erased() -> None:
    now = [0.0]
    stream = Tty()
    progress = Progress(stream, clock=lambda: now[0])
    progress(1, 10)
    assert stream.getvalue() == ""  # a fast scan never flickers
    now[0] = 1.5
    progress(3, 10)
    now[0] = 1.52
    progress(4, 10)  # within the redraw interval: skipped
    now[0] = 1.7
    progress(10, 10)
    assert stream.getvalue() == ("\r\x1b[Kiaclint: parsed 3/10 files"
                                 "\r\x1b[Kiaclint: parsed 10/10 files")
    progress.finish()
    assert stream.getvalue().endswith("\r\x1b[K")


def test_a_quick_scan_erases_nothing() -> None:
    stream = Tty()
    progress = Progress(stream, clock=lambda: 0.0)
    progress(1, 1)
    progress.finish()
    assert stream.getvalue() == ""


def test_piped_scans_print_no_progress(tmp_path: Path) -> None:
    """A CI log or a redirected report (stderr not a terminal) never holds it."""
    (tmp_path / "main.tf").write_text('resource "aws_ebs_volume" "v" {\n  size = 1\n}\n')
    proc = subprocess.run([sys.executable, "-m", "linter.cli", "scan", str(tmp_path),
                           "-f", "json"], capture_output=True, text=True, timeout=120)
    assert "parsed" not in proc.stderr and "\x1b[K" not in proc.stderr
