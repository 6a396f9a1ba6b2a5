"""The hooks of .pre-commit-hooks.yaml run by the real pre-commit on real commits.

Each test installs pre-commit's git hook in a temporary repository and runs
`git commit`: pre-commit selects the staged files, stashes unstaged edits and
runs the hook's entry, exactly as on a developer's machine. The hook is declared
`repo: local` with the entry, files and stages of .pre-commit-hooks.yaml (the
interpreter running the tests stands in for the `iaclint` console script), so no
network is needed to build a hook environment.
"""

from __future__ import annotations

import re
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from pre_commit.all_languages import languages

from .conftest import REPO
from .gitrepo import BROKEN_TF, CLEAN_SG, NEW_SG, Repo, module_repo

HOOKS = {h["id"]: h for h in yaml.safe_load(
    (REPO / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))}
#: pre-commit 4.4 renamed `system` (a command already installed) to `unsupported`.
_LANGUAGE = "unsupported" if "unsupported" in languages else "system"


def _local_hook(hook_id: str, args: list[str]) -> dict[str, Any]:
    hook = HOOKS[hook_id]
    entry = shlex.split(hook["entry"])
    assert entry[0] == "iaclint"
    local = {k: hook[k] for k in ("id", "name", "files", "require_serial", "stages") if k in hook}
    local.update(entry=shlex.join([sys.executable, "-m", "linter.cli", *entry[1:]]),
                 language=_LANGUAGE, args=args)
    return local


def _install(repo: Repo, hook_id: str = "iaclint", args: tuple[str, ...] = ()) -> None:
    config = {"repos": [{"repo": "local", "hooks": [_local_hook(hook_id, list(args))]}]}
    repo.write(".pre-commit-config.yaml", yaml.safe_dump(config, sort_keys=False))
    repo.git("add", ".pre-commit-config.yaml")
    repo.git("commit", "-q", "-m", "pre-commit", "--no-verify")
    subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=repo.path,
                   env=repo.env, check=True, capture_output=True)


def _commit(repo: Repo) -> tuple[int, str]:
    proc = repo.commit("change under test")
    return proc.returncode, proc.stdout + proc.stderr


@pytest.fixture
def repo(tmp_path: Path) -> Repo:
    repo = module_repo(tmp_path / "r")
    _install(repo)
    return repo


def test_module_input_change_fails_the_commit(repo: Repo) -> None:
    main = repo.path / "main.tf"
    repo.write("main.tf", main.read_text().replace("10.0.0.0/8", "0.0.0.0/0"))
    repo.git("add", "main.tf")
    code, output = _commit(repo)
    assert code != 0, output
    assert "modules/sg/main.tf:7" in output and "IAC001" in output
    assert "module.sg.aws_security_group.this" in output
    assert "legacy.tf" not in output  # present before the change
    assert repo.git("rev-list", "--count", "HEAD").stdout.strip() == "2"  # nothing committed


def test_variable_default_change_fails_the_commit(tmp_path: Path) -> None:
    repo = module_repo(tmp_path / "r", pass_cidr=False)
    _install(repo)
    variables = repo.path / "modules/sg/variables.tf"
    repo.write("modules/sg/variables.tf", variables.read_text().replace("10.0.0.0/8", "0.0.0.0/0"))
    repo.git("add", "modules/sg/variables.tf")
    code, output = _commit(repo)
    assert code != 0, output
    assert "modules/sg/main.tf:7" in output and "module.sg.aws_security_group.this" in output


def test_old_finding_in_an_untouched_file_does_not_block(repo: Repo) -> None:
    repo.write("internal.tf", CLEAN_SG)
    repo.git("add", "internal.tf")
    code, output = _commit(repo)
    assert code == 0, output
    assert "legacy.tf" not in output


def test_new_finding_in_the_staged_file_fails_the_commit(repo: Repo) -> None:
    repo.write("web.tf", NEW_SG)
    repo.git("add", "web.tf")
    code, output = _commit(repo)
    assert code != 0, output
    assert "web.tf:7" in output and "aws_security_group.web" in output
    assert "legacy.tf" not in output


def test_broken_unstaged_file_does_not_block(repo: Repo) -> None:
    repo.write("internal.tf", CLEAN_SG)
    repo.git("add", "internal.tf")
    repo.write("scratch.tf", BROKEN_TF)  # untracked, next to the staged file
    # ...and an unstaged broken edit to a tracked file of the same module.
    legacy = repo.path / "legacy.tf"
    legacy.write_text(legacy.read_text() + BROKEN_TF, encoding="utf-8")
    code, output = _commit(repo)
    assert code == 0, output
    assert "IAC000" not in output
    assert (repo.path / "scratch.tf").read_text() == BROKEN_TF  # left as it was
    assert BROKEN_TF in legacy.read_text()  # pre-commit restored the unstaged edit


def test_all_findings_hook_for_ci(tmp_path: Path) -> None:
    """`iaclint-all` with `pre-commit run --all-files`: old findings count too."""
    repo = module_repo(tmp_path / "r")
    _install(repo, "iaclint-all", ("--fail-on", "high"))
    proc = subprocess.run([sys.executable, "-m", "pre_commit", "run", "--all-files"],
                          cwd=repo.path, env=repo.env, capture_output=True, text=True,
                          check=False)
    assert proc.returncode != 0
    assert "legacy.tf:7" in proc.stdout


def test_readme_example_is_a_working_pre_commit_config(tmp_path: Path) -> None:
    """The README's snippet: valid for pre-commit, names hooks that exist, a `rev`
    this repository has, and arguments the hook accepts."""
    from pre_commit.clientlib import load_config

    readme = (REPO / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## pre-commit\n.*?```yaml\n(.*?)```", readme, re.S | re.M)
    assert match, "README has no pre-commit example"
    path = tmp_path / ".pre-commit-config.yaml"
    path.write_text(match.group(1), encoding="utf-8")
    (declared,) = load_config(str(path))["repos"]
    if (REPO / ".git").exists():
        # A branch name is a local branch in a clone of it, else its origin's branch (a
        # clone of another branch, a CI checkout).
        found = [subprocess.run(["git", "rev-parse", "--verify", "--quiet", f"{rev}^{{commit}}"],
                                cwd=REPO, capture_output=True, check=False).returncode
                 for rev in (declared["rev"], f"origin/{declared['rev']}")]
        assert 0 in found, f"rev {declared['rev']!r} does not exist here"
    repo = module_repo(tmp_path / "r")
    repo.write("web.tf", NEW_SG)
    repo.git("add", "web.tf")
    for hook in declared["hooks"]:
        assert hook["id"] in HOOKS
        entry = shlex.split(HOOKS[hook["id"]]["entry"])
        proc = repo.iaclint(*entry[1:], *hook.get("args", []), "web.tf")
        assert proc.returncode == 1, proc.stderr  # accepted, and finds the new port
