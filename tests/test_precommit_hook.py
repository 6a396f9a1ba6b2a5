"""The pre-commit hook definition, exercised the way pre-commit runs it: the hook's
`entry` plus the staged files its `files` pattern selects, in a real git repository."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
import sys
from pathlib import Path

import yaml

from .conftest import REPO

HOOKS = yaml.safe_load((REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
HOOK = next(h for h in HOOKS if h["id"] == "iaclint")

VARS_TF = 'variable "admin_cidr" {\n  default = "0.0.0.0/0"\n}\n'
SG_TF = """resource "aws_security_group" "ssh" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }
  tags = { Owner = "me" }
}
"""
BUCKET_TF = 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n'


def test_hook_definition() -> None:
    assert HOOK["language"] == "python"
    assert shlex.split(HOOK["entry"])[0] == "iaclint"
    assert HOOK.get("require_serial") is True  # one process sees a whole module
    pattern = re.compile(HOOK["files"])
    for name in ("main.tf", "x.tf.json", "prod.tfvars", "stack.yaml", "stack.yml",
                 "policy.json", "legacy.template"):
        assert pattern.search(name), name
    for name in ("README.md", "main.py", "Dockerfile"):
        assert not pattern.search(name), name


def _git(repo: Path, *args: str) -> str:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    return subprocess.run(["git", *args], cwd=repo, env=env, check=True,
                          capture_output=True, text=True).stdout


def test_hook_runs_on_staged_files_in_a_git_repository(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "infra").mkdir(parents=True)
    (repo / "infra" / "variables.tf").write_text(VARS_TF, encoding="utf-8")
    (repo / "infra" / "bucket.tf").write_text(BUCKET_TF, encoding="utf-8")
    (repo / "README.md").write_text("# infra\n", encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "base")
    # The change under review: a new security group file.
    (repo / "infra" / "sg.tf").write_text(SG_TF, encoding="utf-8")
    _git(repo, "add", "infra/sg.tf")
    staged = _git(repo, "diff", "--cached", "--name-only").split()
    selected = [f for f in staged if re.search(HOOK["files"], f)]
    assert selected == ["infra/sg.tf"]

    entry = shlex.split(HOOK["entry"])
    cmd = [sys.executable, "-m", "linter.cli", *entry[1:], *selected]
    proc = subprocess.run(cmd, cwd=repo, capture_output=True, text=True, check=False,
                          env=dict(os.environ, NO_COLOR="1"))
    assert proc.returncode == 1, proc.stderr
    # The variable lives in a file that was not staged: it is still resolved...
    assert "infra/sg.tf:6" in proc.stdout
    assert "SSH (22/tcp) open to 0.0.0.0/0" in proc.stdout
    # ...but findings in unstaged files are not the commit's business.
    assert "bucket.tf" not in proc.stdout

    (repo / "infra" / "sg.tf").write_text(
        SG_TF.replace("[var.admin_cidr]", '["10.0.0.0/8"]'), encoding="utf-8")
    _git(repo, "add", "infra/sg.tf")  # the hook reads the staged state
    clean = subprocess.run(cmd, cwd=repo, capture_output=True, text=True, check=False)
    assert clean.returncode == 0, clean.stdout + clean.stderr
