"""Outputs and exit behaviour of `iaclint scan`: several reports in one run, atomic
file writes, --soft-fail, NO_COLOR, --quiet."""

from __future__ import annotations

import json
import os
import stat
import sys
from pathlib import Path

import pytest

from .test_cli import BROKEN_TF, run

CLEAN_TF = 'variable "x" {\n  default = 1\n}\n'


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    root = tmp_path / "clean"
    root.mkdir()
    (root / "vars.tf").write_text(CLEAN_TF, encoding="utf-8")
    return root


# -- several outputs -----------------------------------------------------------


def test_every_format_in_one_run(
    infra: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out_dir = tmp_path / "reports"
    code, out, _ = run(["scan", str(infra), "-f", "json", "--no-color",
                        "--text-output", str(out_dir / "r.txt"),
                        "--sarif-output", str(out_dir / "r.sarif"),
                        "--github-output", str(out_dir / "r.github"),
                        "--json-output", str(out_dir / "r.json")], capsys)
    assert code == 1
    stdout_report = json.loads(out)
    assert json.loads((out_dir / "r.json").read_text("utf-8")) == stdout_report
    assert json.loads((out_dir / "r.sarif").read_text("utf-8"))["version"] == "2.1.0"
    assert (out_dir / "r.github").read_text("utf-8").startswith("::error ")
    text = (out_dir / "r.txt").read_text("utf-8")
    assert "sg.tf:7" in text and "\x1b[" not in text and "in 1 file scanned" in text


def test_primary_output_to_file_and_text_to_stdout_stays_empty(
    infra: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["scan", str(infra), "-f", "sarif", "-o", str(tmp_path / "a.sarif"),
                        "--json-output", str(tmp_path / "a.json")], capsys)
    assert code == 1 and out == ""
    assert (tmp_path / "a.sarif").is_file() and (tmp_path / "a.json").is_file()


@pytest.mark.parametrize(
    ("extra", "flag"),
    [
        (["-f", "json", "-f", "sarif"], "-f/--format"),
        (["--format", "json", "-f", "json"], "-f/--format"),
        (["-o", "a.txt", "--output", "b.txt"], "-o/--output"),
        (["--json-output", "a.json", "--json-output", "b.json"], "--json-output"),
        (["--sarif-output", "a.sarif", "--sarif-output", "b.sarif"], "--sarif-output"),
        (["--text-output", "a", "--text-output", "b"], "--text-output"),
        (["--github-output", "a", "--github-output", "b"], "--github-output"),
    ],
)
def test_repeated_output_option_is_an_error(
    infra: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str], extra: list[str], flag: str
) -> None:
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["scan", str(infra), *extra], capsys)
    assert code == 2
    assert f"{flag} given more than once" in err
    assert out == ""
    assert not list(tmp_path.glob("a*")) and not list(tmp_path.glob("b*"))


def test_two_outputs_to_one_file_is_an_error(
    infra: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "same.json"
    code, _, err = run(["scan", str(infra), "-o", str(target),
                        "--json-output", str(tmp_path / "." / "same.json")], capsys)
    assert code == 2
    assert "-o/--output and --json-output both write" in err
    code, _, err = run(["scan", str(infra), "--text-output", str(target),
                        "--json-output", str(target)], capsys)
    assert code == 2 and "--text-output and --json-output both write" in err
    assert not target.exists()


# -- file writing ----------------------------------------------------------------


def test_missing_directories_are_created(
    infra: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "missing" / "dir" / "x.sarif"
    code, _, err = run(["scan", str(infra), "-f", "sarif", "-o", str(target)], capsys)
    assert code == 1, err
    assert json.loads(target.read_text("utf-8"))["version"] == "2.1.0"
    assert os.listdir(target.parent) == ["x.sarif"]  # no temporary file left behind


def test_existing_file_is_replaced_and_keeps_its_mode(
    infra: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.json"
    target.write_text("old and much longer than the new report " * 500, encoding="utf-8")
    target.chmod(0o640)
    assert run(["scan", str(infra), "--json-output", str(target)], capsys)[0] == 1
    assert json.loads(target.read_text("utf-8"))["summary"]["findings"] >= 1
    if sys.platform != "win32":
        assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert os.listdir(tmp_path / "infra") == ["sg.tf"]


def test_a_pipe_is_written_to_not_replaced(
    infra: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`-o /dev/null` or a named pipe: renaming a temporary file over it (as root)
    would turn the device or pipe into a regular file."""
    import threading

    fifo = tmp_path / "report.fifo"
    os.mkfifo(fifo)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_bytes()), daemon=True)
    reader.start()
    code, _, err = run(["scan", str(infra), "-f", "json", "-o", str(fifo)], capsys)
    reader.join(timeout=30)
    assert code == 1, err
    assert stat.S_ISFIFO(fifo.stat().st_mode)
    assert json.loads(received[0])["summary"]["findings"] >= 1
    assert sorted(os.listdir(tmp_path)) == ["infra", "report.fifo"]


@pytest.mark.parametrize("flag", ["-o", "--sarif-output"])
def test_unwritable_destination_is_a_clear_error(
    infra: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    code, out, err = run(["scan", str(infra), flag, str(blocker / "sub" / "x.sarif")], capsys)
    assert code == 2
    assert f"cannot write {blocker / 'sub' / 'x.sarif'}: {blocker} is not a directory" in err
    assert "Traceback" not in err and out == ""


def test_directory_as_destination_is_a_clear_error(
    infra: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = run(["scan", str(infra), "--json-output", str(tmp_path)], capsys)
    assert code == 2
    assert "is a directory" in err and "Traceback" not in err


def test_failed_write_keeps_the_old_file_and_leaves_no_temporary(
    infra: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "out" / "report.sarif"
    target.parent.mkdir()
    target.write_text("previous", encoding="utf-8")

    def full_disk(src: object, dst: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    code, _, err = run(["scan", str(infra), "--sarif-output", str(target)], capsys)
    assert code == 2
    assert f"cannot write {target}: No space left on device" in err
    assert "Traceback" not in err
    assert target.read_text("utf-8") == "previous"
    assert os.listdir(target.parent) == ["report.sarif"]


def test_read_only_directory_is_a_clear_error(
    infra: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A directory the user may not write to: exit 2 and a clear message, before the
    scan. The mode alone does not stop root (the tests may run as root), so the
    permission check also answers "no" for that directory, as it would for a user."""
    locked = tmp_path / "locked"
    locked.mkdir()
    real_access = os.access

    def access(path: object, mode: int, **kwargs: object) -> bool:
        return False if Path(str(path)) == locked else real_access(path, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "access", access)
    locked.chmod(0o500)
    try:
        code, _, err = run(["scan", str(infra), "-o", str(locked / "x.txt")], capsys)
    finally:
        locked.chmod(0o700)
    assert code == 2 and "permission denied" in err.lower()
    assert list(locked.iterdir()) == []


def test_permission_denied_while_writing_is_a_clear_error(
    infra: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The directory turned read-only between the check and the write (or a file system
    that refuses late): the write's own PermissionError is reported, exit 2."""
    target = tmp_path / "out" / "report.txt"
    real_open = os.open

    def refuse(path: object, flags: int, mode: int = 0o777, **kwargs: object) -> int:
        if Path(str(path)).parent == target.parent:
            raise PermissionError(13, "Permission denied", str(path))
        return real_open(path, flags, mode, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "open", refuse)
    code, _, err = run(["scan", str(infra), "-o", str(target)], capsys)
    assert code == 2 and f"cannot write {target}: permission denied" in err.lower()
    assert "Traceback" not in err
    assert list(target.parent.iterdir()) == []


# -- --soft-fail -------------------------------------------------------------------


def test_soft_fail(infra: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["scan", str(infra), "--soft-fail", "--no-color"], capsys)
    assert code == 0
    assert "IAC001" in out


def test_soft_fail_reports_parse_errors_with_exit_0(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "main.tf").write_text(BROKEN_TF, encoding="utf-8")
    assert run(["scan", str(tmp_path)], capsys)[0] == 1
    code, out, _ = run(["scan", str(tmp_path), "--soft-fail", "-f", "json"], capsys)
    assert code == 0
    assert [f["rule_id"] for f in json.loads(out)["findings"]] == ["IAC000"]


def test_soft_fail_keeps_usage_errors(
    infra: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["scan", str(tmp_path / "nope"), "--soft-fail"], capsys)[0] == 2
    assert run(["scan", str(infra), "--soft-fail", "-f", "json", "-f", "text"], capsys)[0] == 2
    (infra / ".iaclint.yaml").write_text("fail_on: never\n", encoding="utf-8")
    assert run(["scan", str(infra), "--soft-fail"], capsys)[0] == 2


# -- colour and quiet ------------------------------------------------------------


def as_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Make the captured standard output claim to be a terminal. Called in the test
    body: during fixture setup sys.stdout is not yet capsys's stream."""
    monkeypatch.setattr(sys.stdout, "isatty", lambda: True)
    monkeypatch.delenv("NO_COLOR", raising=False)


def test_no_color(infra: Path, monkeypatch: pytest.MonkeyPatch,
                  capsys: pytest.CaptureFixture[str]) -> None:
    as_terminal(monkeypatch)
    assert "\x1b[" in run(["scan", str(infra)], capsys)[1]
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[" not in run(["scan", str(infra)], capsys)[1]
    assert "\x1b[" in run(["scan", str(infra), "--color"], capsys)[1]
    monkeypatch.setenv("NO_COLOR", "")  # empty: as if unset
    assert "\x1b[" in run(["scan", str(infra)], capsys)[1]


def test_file_outputs_are_never_coloured_unless_asked(
    infra: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str]
) -> None:
    as_terminal(monkeypatch)
    target = tmp_path / "r.txt"
    _, out, _ = run(["scan", str(infra), "--text-output", str(target)], capsys)
    assert "\x1b[" in out
    assert "\x1b[" not in target.read_text("utf-8")
    # --color colours the primary output, even in a file; never the extra ones.
    primary = tmp_path / "primary.txt"
    run(["scan", str(infra), "--color", "-o", str(primary), "--text-output", str(target)],
        capsys)
    assert "\x1b[" in primary.read_text("utf-8")
    assert "\x1b[" not in target.read_text("utf-8")


def test_quiet(infra: Path, clean: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(["scan", str(clean), "-q", "-v"], capsys)
    assert (code, out, err) == (0, "", "")
    code, out, err = run(["scan", str(infra), "--quiet", "--verbose", "--no-color"], capsys)
    assert code == 1
    assert "sg.tf:7" in out and "IAC001" in out
    assert "scanned" not in out and not out.endswith("\n\n")
    assert err == ""
    full = run(["scan", str(infra), "--no-color"], capsys)[1]
    assert full.startswith(out.rstrip("\n"))


def test_quiet_does_not_shorten_file_reports(
    clean: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "r.txt"
    _, out, _ = run(["scan", str(clean), "-q", "--text-output", str(target)], capsys)
    assert out == ""
    assert target.read_text("utf-8") == "No findings in 1 file scanned.\n"


def test_verbose_mentions_written_files(
    infra: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "r.sarif"
    _, _, err = run(["scan", str(infra), "-v", "--sarif-output", str(target)], capsys)
    assert f"wrote sarif report to {target}" in err
