"""A directory of hostile files, built on demand (FIFOs, sockets and 50 MB files
cannot live in git): what issue 12's acceptance scan runs over, shared by
tests/test_hostile_tree.py and scripts/benchmark_hostile.py.

`build(root)` writes every case under `root/scan` (and a secret beside it, outside
the scan) and returns what each case must give: a finding of a rule at a line, a
located parse error, a stated skip, or nothing at all (a valid file).
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass
from pathlib import Path

from tests.conftest import OPEN_SSH_TF

SECRET = "hostile-tree-secret-5f2b9c"

OPEN_SSH_YAML = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
"""


@dataclass(frozen=True)
class Expect:
    """What one hostile file must give. `kind`: "finding" (rule at line), "error"
    (IAC000 in the file), "skip" (listed as skipped with a reason) or "clean"."""

    kind: str
    rule: str = ""
    line: int = 0


def _write(path: Path, data: str | bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        path.write_text(data, encoding="utf-8")
    else:
        path.write_bytes(data)


def build(root: Path, big_mb: int = 50) -> tuple[Path, dict[str, Expect], list[socket.socket]]:
    """The scan directory, each case's expectation by path relative to it, and the
    open sockets (close them when done)."""
    scan = root / "scan"
    expect: dict[str, Expect] = {}
    sockets: list[socket.socket] = []
    _write(root / "secret.txt", SECRET + "\n")

    # The normal bad file, with special files and links beside it in its module.
    _write(scan / "normal" / "main.tf", OPEN_SSH_TF)
    expect["normal/main.tf"] = Expect("finding", "IAC001", 7)
    os.mkfifo(scan / "normal" / "fifo.tf")
    expect["normal/fifo.tf"] = Expect("skip")
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(scan / "normal" / "sock.tf"))
    sockets.append(sock)
    expect["normal/sock.tf"] = Expect("skip")
    os.symlink("loop-b.tf", scan / "normal" / "loop-a.tf")
    os.symlink("loop-a.tf", scan / "normal" / "loop-b.tf")
    expect["normal/loop-a.tf"] = Expect("skip")
    expect["normal/loop-b.tf"] = Expect("skip")
    os.symlink(root / "secret.txt", scan / "normal" / "outside.tf")
    expect["normal/outside.tf"] = Expect("skip")
    os.symlink("missing.tf", scan / "normal" / "broken.tf")
    expect["normal/broken.tf"] = Expect("skip")
    (scan / "normal" / "x.tf").mkdir()
    expect["normal/x.tf"] = Expect("skip")
    _write(scan / "normal" / "empty.tf", "")
    expect["normal/empty.tf"] = Expect("clean")
    _write(scan / "normal" / "comments.tf", "# nothing but a comment\n/* and another */\n")
    expect["normal/comments.tf"] = Expect("clean")

    # Reads outside the scan: never followed, never quoted.
    _write(scan / "reads" / "main.tf", OPEN_SSH_TF.replace(
        '  name = "ssh"',
        '  name = file("../../secret.txt")\n  description = file("/etc/passwd")'))
    expect["reads/main.tf"] = Expect("finding", "IAC001", 8)

    # Size: a 50 MB .tf next to a named-module file.
    big = scan / "big" / "huge.tf"
    big.parent.mkdir(parents=True)
    block = OPEN_SSH_TF.replace('"ssh"', '"ssh_%d"')
    with big.open("w", encoding="utf-8") as fh:
        i = 0
        while fh.tell() < big_mb * 1024 * 1024:
            fh.write(block.replace("%d", str(i)))
            i += 1
    expect["big/huge.tf"] = Expect("skip")

    # Nesting 100,000 deep in each language.
    depth = 100_000
    _write(scan / "deep" / "main.tf", "locals {\n  x = " + "[" * depth + "]" * depth + "\n}\n")
    expect["deep/main.tf"] = Expect("error")
    _write(scan / "deep.json", '{"AWSTemplateFormatVersion": "2010-09-09", "Resources": '
           + '{"B": {"Type": "AWS::S3::Bucket", "Properties": {"Tags": '
           + "[" * depth + "]" * depth + "}}}}")
    expect["deep.json"] = Expect("error")
    _write(scan / "deep.yaml", 'AWSTemplateFormatVersion: "2010-09-09"\nResources:\n'
           "  B:\n    Type: AWS::S3::Bucket\n    Properties:\n      Tags: "
           + "[" * depth + "]" * depth + "\n")
    expect["deep.yaml"] = Expect("error")

    # A YAML alias bomb ("billion laughs").
    lines = ['AWSTemplateFormatVersion: "2010-09-09"', 'a0: &a0 ["lol", "lol"]']
    for n in range(1, 30):
        prev = f"*a{n - 1}"
        lines.append(f"a{n}: &a{n} [{', '.join([prev] * 10)}]")
    lines += ["Resources:", "  B:", "    Type: AWS::S3::Bucket", "    Properties:",
              "      Tags: *a29"]
    _write(scan / "bomb.yaml", "\n".join(lines) + "\n")
    expect["bomb.yaml"] = Expect("error")

    # Binary content under known names, and encodings.
    noise = bytes(range(256)) * 64
    _write(scan / "binary" / "main.tf", noise)
    expect["binary/main.tf"] = Expect("error")
    _write(scan / "binary.yaml", b"AWSTemplateFormatVersion: \x00\xff\xfe" + noise)
    expect["binary.yaml"] = Expect("error")
    _write(scan / "binary.json", b'{"Statement": \x00\xff' + noise)
    expect["binary.json"] = Expect("error")
    _write(scan / "latin1" / "main.tf",
           OPEN_SSH_TF.replace('"ssh"\n', '"caf\u00e9"\n', 1).encode("latin-1"))
    expect["latin1/main.tf"] = Expect("error")
    _write(scan / "utf16.yaml", OPEN_SSH_YAML.encode("utf-16"))
    expect["utf16.yaml"] = Expect("finding", "IAC001", 11)
    _write(scan / "bom" / "main.tf", b"\xef\xbb\xbf" + OPEN_SSH_TF.encode("utf-8"))
    expect["bom/main.tf"] = Expect("finding", "IAC001", 7)
    _write(scan / "crlf" / "main.tf", ("# first\n" + OPEN_SSH_TF).replace("\n", "\r\n"))
    expect["crlf/main.tf"] = Expect("finding", "IAC001", 8)
    _write(scan / "crlf.yaml", OPEN_SSH_YAML.replace("\n", "\r\n"))
    expect["crlf.yaml"] = Expect("finding", "IAC001", 11)

    # Modules: a source cycle, and a source escaping the scan.
    _write(scan / "cycle" / "main.tf", 'module "a" {\n  source = "./a"\n}\n')
    _write(scan / "cycle" / "a" / "main.tf", 'module "b" {\n  source = "../b"\n}\n')
    _write(scan / "cycle" / "b" / "main.tf", 'module "a" {\n  source = "../a"\n}\n')
    expect["cycle/b/main.tf"] = Expect("error")
    _write(scan / "escape" / "main.tf",
           'module "etc" {\n  source = "../../../../../../../../etc"\n}\n' + OPEN_SSH_TF)
    expect["escape/main.tf"] = Expect("finding", "IAC001", 10)

    # Fan-out: count, for_each and range far beyond any real configuration.
    _write(scan / "fanout" / "main.tf", """resource "aws_ebs_volume" "many" {
  count             = 100000000
  availability_zone = "eu-west-1a"
  size              = 1
}
resource "aws_ebs_volume" "keys" {
  for_each          = toset([for i in range(1000000) : tostring(i)])
  availability_zone = "eu-west-1a"
  size              = 1
}
""")
    # Past the bounds the instances are one unknown instance: the volume is still
    # known to be unencrypted, once, at its header.
    expect["fanout/main.tf"] = Expect("finding", "IAC030", 1)
    return scan, expect, sockets
