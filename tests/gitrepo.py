"""A real git repository in a temporary directory, for the tests of `--new-since`,
`--staged` and the pre-commit hook. Nothing here reads the user's git
configuration, home or caches."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path


def clean_env(tmp: Path) -> dict[str, str]:
    """What git and every child process see: no ~/.gitconfig, no user caches."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GIT_", "PRE_COMMIT"))}
    env.update(
        GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
        GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com",
        GIT_CONFIG_GLOBAL=os.devnull, GIT_CONFIG_NOSYSTEM="1",
        HOME=str(tmp / "home"), XDG_CACHE_HOME=str(tmp / "cache"),
        PRE_COMMIT_HOME=str(tmp / "pre-commit"), NO_COLOR="1",
        # The session's private parse cache (tests/conftest.py), else one of our own.
        IACLINT_CACHE_DIR=os.environ.get("IACLINT_CACHE_DIR", str(tmp / "iaclint-cache")),
    )
    return env


class Repo:
    def __init__(self, path: Path) -> None:
        self.path = path
        path.mkdir(parents=True, exist_ok=True)
        (path.parent / "home").mkdir(exist_ok=True)
        self.env = clean_env(path.parent)
        self.git("init", "-q", "-b", "main")

    def git(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["git", *args], cwd=self.path, env=self.env, check=check,
                              capture_output=True, text=True)

    def write(self, name: str, text: str) -> Path:
        target = self.path / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
        return target

    def commit(self, message: str = "change", *extra: str) -> subprocess.CompletedProcess[str]:
        return self.git("commit", "-q", "-m", message, *extra, check=False)

    def iaclint(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "linter.cli", *args], cwd=self.path,
                              env=self.env, capture_output=True, text=True, check=False)


MODULE_CALL = """module "sg" {
  source = "./modules/sg"
  cidr   = "10.0.0.0/8"
}
"""
MODULE_VARIABLES = """variable "cidr" {
  type    = string
  default = "10.0.0.0/8"
}
"""
def security_group(name: str, port: int, cidr: str) -> str:
    """`cidr`: a CIDR, or an expression such as `var.cidr`."""
    source = cidr if cidr.startswith("var.") else f'"{cidr}"'
    return f"""resource "aws_security_group" "{name}" {{
  name = "{name}"
  ingress {{
    from_port   = {port}
    to_port     = {port}
    protocol    = "tcp"
    cidr_blocks = [{source}]
  }}
  tags = {{ Owner = "platform" }}
}}
"""


#: An open port nobody touches in the change under test.
LEGACY_SG = security_group("legacy", 3389, "0.0.0.0/0")
NEW_SG = security_group("web", 22, "0.0.0.0/0")
MODULE_SG = security_group("this", 22, "var.cidr")
CLEAN_SG = security_group("internal", 22, "10.1.0.0/16")
BROKEN_TF = 'resource "aws_security_group" "half" {\n  name = \n'


def module_repo(path: Path, *, pass_cidr: bool = True) -> Repo:
    """root main.tf → ./modules/sg (with `cidr` passed, or left to the variable's
    default), safe at the first commit; legacy.tf has an old open port."""
    repo = Repo(path)
    repo.write("main.tf", MODULE_CALL if pass_cidr else MODULE_CALL.replace(
        '  cidr   = "10.0.0.0/8"\n', ""))
    repo.write("legacy.tf", LEGACY_SG)
    repo.write("modules/sg/variables.tf", MODULE_VARIABLES)
    repo.write("modules/sg/main.tf", MODULE_SG)
    repo.git("add", "-A")
    repo.git("commit", "-q", "-m", "base", "--no-verify")
    return repo
