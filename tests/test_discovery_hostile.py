"""Hostile input trees (issue 12): a pull request from a fork may hold FIFOs, sockets,
symbolic link loops, links out of the repository, huge or binary files, odd encodings
and planted configuration. Every scan here must end within seconds, never raise, and
say what it left out."""

from __future__ import annotations

import errno
import json
import os
import signal
import socket
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from linter import discovery
from linter.cli import main
from linter.discovery import Format, Limits, discover, parse_size

from .conftest import OPEN_SSH_TF
from .sarif_github import github_problems

CFN = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  SG:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
"""
CFN_LINE = 11  # CidrIp
POLICY = """{
  "Version": "2012-10-17",
  "Statement": [
    {
      "Effect": "Allow",
      "Action": "*",
      "Resource": "*"
    }
  ]
}
"""
POLICY_LINE = 6  # "Action": "*"
TF_LINE = 7  # cidr_blocks in OPEN_SSH_TF


@pytest.fixture(autouse=True)
def deadline() -> Iterator[None]:
    """A scan that blocks (on a FIFO, say) fails the test instead of hanging the suite."""
    def expired(_signum: int, _frame: Any) -> None:
        raise TimeoutError("the scan did not end within 60 seconds")

    previous = signal.signal(signal.SIGALRM, expired)
    signal.alarm(60)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def scan(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict[str, Any], str]:
    """Run `iaclint scan ARGS -f json -v`: (exit code, report, stderr)."""
    code = main(["scan", *args, "-f", "json", "-v"])
    out, err = capsys.readouterr()
    assert code != 3, err  # never an internal error
    return code, (json.loads(out) if out.strip() else {}), err


def found(report: dict[str, Any]) -> set[tuple[str, int, str]]:
    return {(f["file"], f["start_line"], f["rule_id"]) for f in report["findings"]}


def skipped(report: dict[str, Any]) -> dict[str, str]:
    return {s["file"]: s["reason"] for s in report["skipped"]}


# ---------------------------------------------------------------- special files


def test_fifo_named_tf_is_skipped_not_opened(tmp_path: Path,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "main.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
    os.mkfifo(tmp_path / "x.tf")
    os.mkfifo(tmp_path / "y.yaml")
    code, report, err = scan(capsys, str(tmp_path), "--root", str(tmp_path))
    assert code == 1
    assert found(report) == {("main.tf", TF_LINE, "IAC001")}
    assert "skipped x.tf: a named pipe (FIFO), not a regular file" in err
    assert "skipped y.yaml: a named pipe (FIFO)" in err
    # The FIFO as a sibling of a named file (module context) and named itself.
    code, report, err = scan(capsys, str(tmp_path / "main.tf"), "--root", str(tmp_path))
    assert found(report) == {("main.tf", TF_LINE, "IAC001")}
    code = main(["scan", str(tmp_path / "x.tf"), "--root", str(tmp_path)])
    _, err = capsys.readouterr()
    assert code == 0
    assert "warning: skipped x.tf: a named pipe" in err  # without -v


def test_socket_is_skipped(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        sock.bind(str(tmp_path / "s.tf"))
        (tmp_path / "main.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
        _, report, _ = scan(capsys, str(tmp_path), "--root", str(tmp_path))
        assert found(report) == {("main.tf", TF_LINE, "IAC001")}
        assert skipped(report)["s.tf"] == "a socket, not a regular file"
        _, report, _ = scan(capsys, str(tmp_path / "main.tf"), "--root", str(tmp_path))
        assert found(report) == {("main.tf", TF_LINE, "IAC001")}
    finally:
        sock.close()


def test_directory_named_tf_is_not_a_parse_error(tmp_path: Path,
                                                 capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "main.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
    (tmp_path / "x.tf").mkdir()
    (tmp_path / "y.tf.json").mkdir()
    for target in (tmp_path, tmp_path / "main.tf"):
        code, report, _ = scan(capsys, str(target), "--root", str(tmp_path))
        assert code == 1
        assert found(report) == {("main.tf", TF_LINE, "IAC001")}


def test_read_source_refuses_what_is_not_a_regular_file(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "p")
    with pytest.raises(discovery.Refused, match="named pipe"):
        discovery.read_source(str(tmp_path / "p"))
    with pytest.raises(discovery.Refused, match="directory"):
        discovery.read_source(str(tmp_path))
    with pytest.raises(discovery.Refused, match="device"):
        discovery.read_source("/dev/zero")  # would never end


# ---------------------------------------------------------------- symbolic links


def test_symlinks_stay_inside_the_scanned_roots(tmp_path: Path,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root, outside = tmp_path / "repo", tmp_path / "outside"
    (root / "sub").mkdir(parents=True)
    outside.mkdir()
    (outside / "secret.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
    (root / "sub" / "real.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
    (root / "out.tf").symlink_to(outside / "secret.tf")
    (root / "outdir").symlink_to(outside)
    (root / "inner.tf").symlink_to(root / "sub" / "real.tf")
    (root / "self").symlink_to(root)
    (root / "loop_a.tf").symlink_to(root / "loop_b.tf")
    (root / "loop_b.tf").symlink_to(root / "loop_a.tf")
    (root / "broken.tf").symlink_to(tmp_path / "nowhere.tf")
    _, report, err = scan(capsys, str(root), "--root", str(root))
    # The real file inside the root once, under its real path; nothing from outside.
    assert found(report) == {("sub/real.tf", TF_LINE, "IAC001")}
    reasons = skipped(report)
    assert "outside the scanned directories" in reasons["out.tf"]
    assert reasons["loop_a.tf"] == reasons["loop_b.tf"] == "symbolic link loop"
    assert reasons["broken.tf"].startswith("broken symbolic link")
    assert "skipped outdir/: symbolic link to" in err
    assert "skipped self/: symbolic link to the directory" in err
    assert "secret" not in json.dumps(report["findings"])


def test_file_linked_from_outside_is_scanned_once(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    root, outside = tmp_path / "repo", tmp_path / "outside"
    root.mkdir()
    outside.mkdir()
    (outside / "ext.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
    (root / "linked.tf").symlink_to(outside / "ext.tf")
    os.link(outside / "ext.tf", outside / "hard.tf")
    _, report, _ = scan(capsys, str(root), str(outside), "--root", str(tmp_path))
    assert found(report) == {("outside/ext.tf", TF_LINE, "IAC001")}
    assert len(report["findings"]) == 1


# ---------------------------------------------------------------- size limits


def write_large_tf(path: Path, size: int) -> None:
    block = OPEN_SSH_TF.encode()
    with open(path, "wb") as fh:
        fh.write(block * (size // len(block) + 1))


def test_50mb_sibling_of_a_named_file_is_skipped_fast(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "main.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
    write_large_tf(tmp_path / "huge.tf", 50 * 1024 * 1024)
    started = time.monotonic()
    code = main(["scan", str(tmp_path / "main.tf"), "--root", str(tmp_path), "-f", "json"])
    out, err = capsys.readouterr()
    assert time.monotonic() - started < 20
    assert code == 1
    assert found(json.loads(out)) == {("main.tf", TF_LINE, "IAC001")}
    assert "warning: skipped huge.tf: 50.0 MiB, over the 10 MiB file size limit" in err
    assert "over the 10 MiB file size limit" in skipped(json.loads(out))["huge.tf"]
    # Every report says so, not only stderr: the text summary and SARIF.
    main(["scan", str(tmp_path / "main.tf"), "--root", str(tmp_path), "-o",
          str(tmp_path / "report.txt")])
    capsys.readouterr()
    summary = (tmp_path / "report.txt").read_text(encoding="utf-8").splitlines()[-1]
    assert "; 1 file not scanned, huge.tf: 50.0 MiB, over the 10 MiB" in summary
    main(["scan", str(tmp_path / "main.tf"), "--root", str(tmp_path), "-f", "sarif"])
    text = capsys.readouterr().out
    sarif = json.loads(text)
    assert github_problems(sarif, text) == []
    [note] = sarif["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert note["level"] == "warning" and note["message"]["text"].startswith("huge.tf: ")


def test_file_size_limit_is_configurable(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
    (tmp_path / "big.tf").write_text(OPEN_SSH_TF.replace('"ssh"', '"big"') + "#" * 4096 + "\n",
                                     encoding="utf-8")
    (tmp_path / "big.yaml").write_text(CFN + "#" * 4096 + "\n", encoding="utf-8")
    _, report, err = scan(capsys, str(tmp_path), "--max-file-size", "2KiB")
    assert {f for f, _, _ in found(report)} == {"main.tf"}
    assert "over the 2 KiB file size limit" in err.split("warning: skipped big.tf: ")[1]
    assert "warning: skipped big.yaml" in err
    (tmp_path / ".iaclint.yaml").write_text("max_file_size: 2048\n", encoding="utf-8")
    _, report, _ = scan(capsys, str(tmp_path))
    assert {f for f, _, _ in found(report)} == {"main.tf"}
    _, report, _ = scan(capsys, str(tmp_path), "--max-file-size", "1MiB")  # CLI wins
    assert {f for f, _, _ in found(report)} == {"main.tf", "big.tf", "big.yaml"}
    assert main(["scan", str(tmp_path), "--max-file-size", "lots"]) == 2
    assert "--max-file-size: not a size" in capsys.readouterr().err


def test_total_input_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for n in range(4):
        write_large_tf(tmp_path / f"m{n}.tf", 2000)
    code = main(["scan", str(tmp_path), "--max-total-size", "4KiB"])
    _, err = capsys.readouterr()
    assert code == 2
    assert "more than the 4 KiB total input limit" in err
    assert main(["scan", str(tmp_path), "--max-total-size", "1MiB", "-q"]) == 1
    capsys.readouterr()


def test_read_source_stops_at_the_limit(tmp_path: Path) -> None:
    path = tmp_path / "f.tf"
    path.write_bytes(b"x" * 100)
    assert discovery.read_source(str(path), limit=100) == b"x" * 100
    with pytest.raises(discovery.Refused) as refused:
        discovery.read_source(str(path), limit=99)
    assert refused.value.too_large
    with discovery.limited(Limits(max_file_bytes=1000, max_total_bytes=150)) as limits:
        discovery.read_source(str(path))
        assert limits.used == 100
        with pytest.raises(discovery.Refused, match="total input limit"):
            discovery.read_source(str(path))


@pytest.mark.parametrize(("text", "size"), [
    ("10MiB", 10 * 1024 * 1024), ("10MB", 10 * 1024 * 1024), ("512k", 512 * 1024),
    ("1.5G", 3 * 512 * 1024 * 1024), ("100", 100), (2048, 2048),
])
def test_parse_size(text: str | int, size: int) -> None:
    assert parse_size(text) == size


@pytest.mark.parametrize("text", ["", "ten", "0", "5 TB", "-1"])
def test_parse_size_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        parse_size(text)


# ---------------------------------------------------------------- encodings


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-16", "utf-16-le-bom", "utf-16-be-bom",
                                      "utf-32", "crlf"])
def test_encodings_give_findings_at_the_right_lines(
        tmp_path: Path, capsys: pytest.CaptureFixture[str], encoding: str) -> None:
    def encode(text: str) -> bytes:
        if encoding == "crlf":
            return text.replace("\n", "\r\n").encode()
        if encoding.endswith("-bom"):
            name = encoding[: -len("-bom")]
            return "\ufeff".encode(name) + text.encode(name)
        return text.encode(encoding)

    (tmp_path / "stack.yaml").write_bytes(encode(CFN))
    (tmp_path / "policy.json").write_bytes(encode(POLICY))
    (tmp_path / "main.tf").write_bytes(encode(OPEN_SSH_TF))
    code, report, err = scan(capsys, str(tmp_path), "--root", str(tmp_path))
    assert code == 1, err
    got = found(report)
    assert ("stack.yaml", CFN_LINE, "IAC001") in got
    assert ("policy.json", POLICY_LINE, "IAC040") in got
    assert ("main.tf", TF_LINE, "IAC001") in got
    assert not any(rule == "IAC000" for _, _, rule in got)


def test_latin1_is_a_located_parse_error(tmp_path: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "main.tf").write_bytes(("# café\n" + OPEN_SSH_TF).encode("latin-1"))
    (tmp_path / "stack.yaml").write_bytes(("# café\n" + CFN).encode("latin-1"))
    code, report, _ = scan(capsys, str(tmp_path), "--root", str(tmp_path))
    assert code == 1
    errors = {f["file"] for f in report["findings"] if f["rule_id"] == "IAC000"}
    assert errors == {"main.tf", "stack.yaml"}


def test_binary_files_are_located_errors_or_skips(tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    noise = bytes(range(256)) * 64
    (tmp_path / "bin.tf").write_bytes(noise)
    (tmp_path / "bin.tf.json").write_bytes(noise)
    (tmp_path / "bin.yaml").write_bytes(b"AWSTemplateFormatVersion\x00" + noise)
    (tmp_path / "bin.json").write_bytes(b'"Statement": ' + noise)
    (tmp_path / "zeros.json").write_bytes(b"\x00" * 4096)
    (tmp_path / "bom.json").write_bytes(b"\xff\xfe" + noise)  # a UTF-16 mark, then noise
    _, report, _ = scan(capsys, str(tmp_path), "--root", str(tmp_path))
    accounted = {f["file"] for f in report["findings"] if f["rule_id"] == "IAC000"}
    accounted |= set(skipped(report))
    assert accounted == {"bin.tf", "bin.tf.json", "bin.yaml", "bin.json", "zeros.json",
                         "bom.json"}


def test_classification_decodes_byte_order_marks() -> None:
    text = CFN.encode("utf-16-be")
    assert discovery.classify(Path("s.yaml"), discovery.as_utf8(b"\xfe\xff" + text)) \
        is Format.CLOUDFORMATION
    # A prefix may cut a UTF-16 code unit in two: still decodable.
    head = b"\xff\xfe" + POLICY.encode("utf-16-le")[:101]
    assert discovery.classify(Path("p.json"), discovery.as_utf8(head, partial=True)) \
        is Format.IAM_POLICY


# ---------------------------------------------------------------- unreadable


def deny(monkeypatch: pytest.MonkeyPatch, victim: Path) -> None:
    """Make opening `victim` fail as chmod 000 would for a user other than root (the
    tests run as root, for whom permission bits do not block reads)."""
    real_open = os.open

    def guarded(path: Any, *args: Any, **kwargs: Any) -> int:
        if os.fspath(path) == str(victim):
            raise PermissionError(errno.EACCES, "Permission denied", str(victim))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(discovery.os, "open", guarded)


def test_unreadable_file_is_a_stated_skip_or_a_located_error(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "main.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
    (tmp_path / "locked.yaml").write_text(CFN, encoding="utf-8")
    deny(monkeypatch, tmp_path / "locked.yaml")
    code, report, err = scan(capsys, str(tmp_path), "--root", str(tmp_path))
    assert "skipped locked.yaml: cannot read: Permission denied" in err
    assert found(report) == {("main.tf", TF_LINE, "IAC001")}
    code, report, _ = scan(capsys, str(tmp_path / "locked.yaml"), "--root", str(tmp_path))
    assert code == 1
    [error] = report["findings"]
    assert (error["file"], error["start_line"], error["rule_id"]) == ("locked.yaml", 1, "IAC000")
    assert "Permission denied" in error["message"]


def test_unreadable_directory_is_a_stated_skip(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "locked").mkdir()
    (tmp_path / "locked" / "main.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
    (tmp_path / "main.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
    real_scandir = os.scandir

    def guarded(path: Any = ".") -> Any:
        if os.fspath(path) == str(tmp_path / "locked"):
            raise PermissionError(errno.EACCES, "Permission denied", os.fspath(path))
        return real_scandir(path)

    monkeypatch.setattr(os, "scandir", guarded)
    files, skips, _ = discover([tmp_path])
    assert [Path(f.path).name for f in files] == ["main.tf"]
    assert any(s.path == str(tmp_path / "locked") and "Permission denied" in s.reason
               for s in skips)
    assert not any(s.notice for s in skips)  # -v only: the directory was not named
    _, skips, _ = discover([tmp_path / "locked"])
    assert [s.notice for s in skips] == [True]  # named: a warning without -v


# ---------------------------------------------------------------- configuration


DISABLE_ALL = "disable: [open-ingress, tagging, IAC000]\n"


def test_config_planted_above_a_directory_outside_any_repository(
        tmp_path: Path, capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / ".iaclint.yaml").write_text(DISABLE_ALL, encoding="utf-8")
    work = tmp_path / "work"
    (work / "infra").mkdir(parents=True)
    (work / "infra" / "main.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
    monkeypatch.chdir(work)
    code, report, err = scan(capsys, "infra")
    assert "no configuration file found; using defaults" in err
    assert code == 1 and found(report) == {("infra/main.tf", TF_LINE, "IAC001")}
    # Inside the scan root it still applies.
    (work / ".iaclint.yaml").write_text(DISABLE_ALL, encoding="utf-8")
    code, report, err = scan(capsys, "infra")
    assert f"using configuration {work / '.iaclint.yaml'}" in err
    assert code == 0


def test_config_above_the_repository_root_is_not_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / ".iaclint.yaml").write_text(DISABLE_ALL, encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "infra").mkdir()
    (repo / "infra" / "main.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
    code, _, err = scan(capsys, str(repo / "infra"), "--root", str(tmp_path))
    assert "no configuration file found" in err and code == 1
    (repo / ".iaclint.yaml").write_text(DISABLE_ALL, encoding="utf-8")
    code, _, err = scan(capsys, str(repo / "infra"))
    assert f"using configuration {repo / '.iaclint.yaml'}" in err and code == 0


def test_new_since_caller_search_does_not_follow_a_link_to_a_device(tmp_path: Path) -> None:
    """A committed link `x.tf -> /dev/zero` must not be read by the module-caller
    search of `--new-since` (it would never end)."""
    from linter.new_since import _callers_closure

    (tmp_path / "x.tf").symlink_to("/dev/zero")
    (tmp_path / "main.tf").write_text('module "m" {\n  source = "./m"\n}\n', encoding="utf-8")
    assert _callers_closure(str(tmp_path), ["x.tf", "main.tf"], {"m"}) == {"m", "."}


def test_planted_config_or_baseline_pointing_at_a_device_does_not_hang(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A committed link `.iaclint.yaml -> /dev/zero` is not a configuration, and
    `baseline: /dev/zero` is a stated error: neither reads forever."""
    (tmp_path / ".git").mkdir()
    (tmp_path / "main.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
    (tmp_path / ".iaclint.yaml").symlink_to("/dev/zero")
    code, _, err = scan(capsys, str(tmp_path))
    assert code == 1 and "no configuration file found" in err
    (tmp_path / ".iaclint.yaml").unlink()
    (tmp_path / ".iaclint.yaml").write_text("baseline: /dev/zero\n", encoding="utf-8")
    assert main(["scan", str(tmp_path)]) == 2
    assert "cannot read the baseline: a device" in capsys.readouterr().err
    assert main(["scan", str(tmp_path), "--config", "/dev/zero"]) == 2
    assert "cannot read configuration: a device" in capsys.readouterr().err


def test_config_linked_from_outside_the_repository_is_not_read(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    secret = tmp_path / "secret"
    secret.write_text("token: [unclosed\n", encoding="utf-8")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / "main.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
    (repo / ".iaclint.yaml").symlink_to(secret)
    code, _, err = scan(capsys, str(repo))
    assert code == 1 and "no configuration file found" in err and "unclosed" not in err


def test_very_deep_tree_is_walked_without_recursion(tmp_path: Path,
                                                    capsys: pytest.CaptureFixture[str]) -> None:
    """1,200 nested directories: os.walk would raise RecursionError (exit code 3). The
    test removes its tree itself: pytest's recursive clean-up of old temporary
    directories would fail on it, in this and every later run."""
    chain = [tmp_path / "deep"]
    for _ in range(1200):  # one level at a time: mkdir(parents=True) recurses too
        chain.append(chain[-1] / "a")
    try:
        for directory in chain:
            directory.mkdir()
        (chain[-1] / "main.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
        code, report, _ = scan(capsys, str(chain[0]), "--root", str(chain[0]))
        assert code == 1
        assert {(f["rule_id"], f["start_line"]) for f in report["findings"]} == {
            ("IAC001", TF_LINE)}
    finally:
        (chain[-1] / "main.tf").unlink(missing_ok=True)
        for directory in reversed(chain):
            if directory.is_dir():
                directory.rmdir()
