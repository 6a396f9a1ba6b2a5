"""The GitHub Action (action.yml), run the way the runner runs a composite action:
each step's `run` in `bash --noprofile --norc -eo pipefail`, its `env` evaluated
from the inputs, fresh GITHUB_OUTPUT and GITHUB_STEP_SUMMARY files per step, in a
git repository. IACLINT_ACTION_PYTHON makes the install step use an interpreter
that already has iaclint (this checkout, via PYTHONPATH) instead of pip: no network."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import OPEN_SSH_TF, REPO

ACTION: dict[str, Any] = yaml.safe_load((REPO / "action.yml").read_text(encoding="utf-8"))
STEPS: list[dict[str, Any]] = ACTION["runs"]["steps"]
EXPRESSION = re.compile(r"\$\{\{\s*(.*?)\s*\}\}")
SHA = "0123456789abcdef0123456789abcdef01234567"


@dataclass
class Run:
    code: int
    stdout: str
    stderr: str
    outputs: dict[str, str]
    summary: str
    steps_run: list[str] = field(default_factory=list)


def _read_outputs(path: Path) -> dict[str, str]:
    """GITHUB_OUTPUT as the runner reads it: `name=value` or `name<<DELIM` … `DELIM`."""
    out: dict[str, str] = {}
    lines = path.read_text(encoding="utf-8").splitlines() if path.exists() else []
    i = 0
    while i < len(lines):
        name, sep, value = lines[i].partition("<<")
        if sep and "=" not in name:
            end = lines.index(value, i + 1)
            out[name] = "\n".join(lines[i + 1:end])
            i = end + 1
            continue
        name, _, value = lines[i].partition("=")
        out[name] = value
        i += 1
    return out


def _evaluate(text: str, context: dict[str, Any]) -> str:
    """The few expressions action.yml may use; anything else fails the test."""

    def value(match: re.Match[str]) -> str:
        parts = match.group(1).split(".")
        if parts[0] == "inputs" and len(parts) == 2:
            return str(context["inputs"][parts[1]])
        if parts[0] == "steps" and len(parts) == 4 and parts[2] == "outputs":
            return context["steps"].get(parts[1], {}).get(parts[3], "")
        raise AssertionError(f"action.yml uses an expression the test cannot evaluate: "
                             f"{match.group(0)}")

    return EXPRESSION.sub(value, text)


def run_action(workspace: Path, tmp_path: Path, inputs: dict[str, str],
               python: str = sys.executable) -> Run:
    given = {name: spec.get("default", "") for name, spec in ACTION["inputs"].items()}
    unknown = set(inputs) - set(given)
    assert not unknown, f"not inputs of the action: {unknown}"
    context: dict[str, Any] = {"inputs": {**given, **inputs}, "steps": {}}
    base = {k: v for k, v in os.environ.items()
            if not k.startswith(("GITHUB_", "INPUT_", "RUNNER_", "IACLINT_"))}
    base.update({
        "GITHUB_ACTION_PATH": str(REPO), "GITHUB_WORKSPACE": str(workspace),
        "RUNNER_TEMP": str(tmp_path / "runner-temp"), "GITHUB_SERVER_URL": "https://github.com",
        "GITHUB_REPOSITORY": "acme/infra", "GITHUB_SHA": SHA, "GITHUB_ACTIONS": "true",
        "IACLINT_ACTION_PYTHON": python, "PYTHONPATH": str(REPO), "IACLINT_NO_CACHE": "1",
        "NO_COLOR": "1",
    })
    (tmp_path / "runner-temp").mkdir(exist_ok=True)
    stdout, stderr, summary, done = [], [], [], []
    code = 0
    for n, step in enumerate(STEPS):
        output_file = tmp_path / f"output-{n}"
        summary_file = tmp_path / f"summary-{n}.md"
        script = tmp_path / f"step-{n}.sh"
        script.write_text(step["run"], encoding="utf-8")
        env = {**base, "GITHUB_OUTPUT": str(output_file),
               "GITHUB_STEP_SUMMARY": str(summary_file)}
        env.update({k: _evaluate(str(v), context) for k, v in step.get("env", {}).items()})
        proc = subprocess.run(["bash", "--noprofile", "--norc", "-eo", "pipefail", str(script)],
                              cwd=workspace, env=env, capture_output=True, text=True,
                              check=False, timeout=120)
        stdout.append(proc.stdout)
        stderr.append(proc.stderr)
        done.append(step["id"])
        context["steps"][step["id"]] = _read_outputs(output_file)
        if summary_file.exists():
            summary.append(summary_file.read_text(encoding="utf-8"))
        code = proc.returncode
        if code:  # a failed step ends a composite action
            break
    outputs = {name: _evaluate(spec["value"], context)
               for name, spec in ACTION["outputs"].items()}
    return Run(code, "".join(stdout), "".join(stderr), outputs, "".join(summary), done)


def _git(repo: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="t", GIT_AUTHOR_EMAIL="t@example.com",
               GIT_COMMITTER_NAME="t", GIT_COMMITTER_EMAIL="t@example.com")
    subprocess.run(["git", *args], cwd=repo, env=env, check=True, capture_output=True)


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    """A checkout with SSH open to the world in 'my infra/sg.tf' (IAC001, line 7)."""
    repo = tmp_path / "workspace"
    (repo / "my infra").mkdir(parents=True)
    (repo / "my infra" / "sg.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
    (repo / "docs").mkdir()
    (repo / "docs" / "README.md").write_text("# infra\n", encoding="utf-8")
    _git(repo, "init", "-q")
    _git(repo, "add", "-A")
    _git(repo, "commit", "-qm", "infra")
    return repo


@pytest.fixture
def recorder(tmp_path: Path) -> Path:
    """A stand-in interpreter that records its arguments, for the command-line tests."""
    path = tmp_path / "fake-python"
    path.write_text(
        f"#!{sys.executable}\n"
        "import json, os, sys\n"
        "with open(os.environ['RECORD'], 'a') as fh:\n"
        "    fh.write(json.dumps(sys.argv[1:]) + '\\n')\n"
        "sys.exit(int(os.environ.get('FAKE_EXIT', '0')))\n",
        encoding="utf-8",
    )
    path.chmod(0o755)
    return path


def _recorded(tmp_path: Path) -> list[list[str]]:
    lines = (tmp_path / "record.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


# -- the definition ---------------------------------------------------------------


def test_action_definition() -> None:
    assert ACTION["runs"]["using"] == "composite"
    assert ACTION["name"] == "iaclint" and ACTION["description"].strip()
    for name, spec in ACTION["inputs"].items():
        assert spec.get("description", "").strip(), f"input {name} has no description"
        assert spec.get("required") is False, name
    for name, spec in ACTION["outputs"].items():
        assert spec.get("description", "").strip(), f"output {name} has no description"
    scan = next(s for s in STEPS if s["id"] == "scan")
    env = {**scan["env"], **STEPS[0]["env"]}
    for name in ACTION["inputs"]:  # every input reaches a script, as INPUT_NAME
        variable = "INPUT_" + name.upper().replace("-", "_")
        assert env.get(variable) == f"${{{{ inputs.{name} }}}}", variable
    for step in STEPS:
        # Expressions in `run` would paste input text into the script: env only.
        assert "${{" not in step["run"], step["name"]
        assert step["shell"] == "bash"


def test_readme_documents_every_input_and_output() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    section = readme.split("## In CI (GitHub Actions)")[1].split("\n## ")[0]
    for name in [*ACTION["inputs"], *ACTION["outputs"]]:
        assert f"`{name}`" in section, name


# -- running it ---------------------------------------------------------------------


def test_findings_fail_the_step_with_annotations_summary_and_sarif(
    workspace: Path, tmp_path: Path
) -> None:
    run = run_action(workspace, tmp_path, {"paths": "my infra\n",
                                           "sarif-file": "reports/iaclint.sarif"})
    assert run.steps_run == ["install", "scan"]
    assert run.code == 1, run.stderr
    assert "::error file=my infra/sg.tf,line=7,endLine=7,title=IAC001 " in run.stdout
    assert "::notice::iaclint: 1 finding (1 critical) in 1 file scanned" in run.stdout
    assert run.outputs == {"exit-code": "1", "sarif-file": "reports/iaclint.sarif"}
    sarif = json.loads((workspace / "reports" / "iaclint.sarif").read_text("utf-8"))
    results = sarif["runs"][0]["results"]
    assert [r["ruleId"] for r in results] == ["IAC001"]
    uri = results[0]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "my%20infra/sg.tf"
    assert run.summary.startswith("## iaclint\n\n1 finding (1 critical) in 1 file scanned")
    assert (f"| critical | [my infra/sg.tf:7](https://github.com/acme/infra/blob/{SHA}/"
            "my%20infra/sg.tf#L7) | IAC001 |") in run.summary


def test_soft_fail_passes_the_step_and_still_reports(workspace: Path, tmp_path: Path) -> None:
    run = run_action(workspace, tmp_path, {"soft-fail": "true"})
    assert run.code == 0, run.stderr
    assert run.outputs == {"exit-code": "0", "sarif-file": ""}
    assert "::error file=my infra/sg.tf,line=7," in run.stdout
    assert "## iaclint" in run.summary


def test_fail_on_above_every_finding_passes(workspace: Path, tmp_path: Path) -> None:
    (workspace / "my infra" / "sg.tf").write_text(
        'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n', encoding="utf-8")
    run = run_action(workspace, tmp_path, {"fail-on": "critical", "format": "text"})
    assert run.code == 0, run.stderr
    assert "my infra/sg.tf:1" in run.stdout and "::" not in run.stdout
    assert run.summary == ""  # no github format, no job summary


def test_command_line_from_every_input(
    workspace: Path, tmp_path: Path, recorder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECORD", str(tmp_path / "record.jsonl"))
    hostile = "$(touch pwned); `touch pwned` 'q\" *"
    run = run_action(workspace, tmp_path, {
        "paths": "  my infra  \n\n-odd dir\r\n" + hostile,
        "format": "sarif", "fail-on": "high", "soft-fail": "TRUE",
        "config": "ci/iaclint config.yaml", "baseline": "b line.json",
        "sarif-file": "out/x y.sarif", "sarif-category": "infra/prod",
        "new-since": "origin/main", "args": "--exclude=**/test data/**\n  --verbose  \n",
    }, python=str(recorder))
    assert run.code == 0, run.stderr
    install, scan = _recorded(tmp_path)
    assert install[2:] == ["--version"]
    assert scan[2:] == [
        "scan", "--format", "sarif", "--soft-fail", "--fail-on", "high",
        "--config", "ci/iaclint config.yaml", "--baseline", "b line.json",
        "--sarif-output", "out/x y.sarif", "--sarif-category", "infra/prod",
        "--new-since", "origin/main", "--exclude=**/test data/**", "--verbose",
        "--", "my infra", "-odd dir", hostile,
    ]
    assert not list(workspace.rglob("pwned")) and not (tmp_path / "pwned").exists()
    assert "iaclint scan --format sarif" in run.stdout  # the command, shell-quoted
    # The launcher never imports from the scanned directory (a `linter/` there).
    assert scan[0] == install[0] == "-c" and "sys.path[:]" in scan[1]


def test_empty_inputs_add_no_options(
    workspace: Path, tmp_path: Path, recorder: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("RECORD", str(tmp_path / "record.jsonl"))
    run_action(workspace, tmp_path, {"paths": "\n  \n"}, python=str(recorder))
    assert _recorded(tmp_path)[1][2:] == ["scan", "--format", "github", "--", "."]


@pytest.mark.parametrize("exit_code", [1, 2, 3])
def test_iaclint_failure_fails_the_step_with_its_code(
    workspace: Path, tmp_path: Path, recorder: Path, monkeypatch: pytest.MonkeyPatch,
    exit_code: int,
) -> None:
    monkeypatch.setenv("RECORD", str(tmp_path / "record.jsonl"))
    script = recorder.read_text(encoding="utf-8").replace(
        "int(os.environ.get('FAKE_EXIT', '0'))",
        f"0 if sys.argv[3:] == ['--version'] else {exit_code}")
    recorder.write_text(script, encoding="utf-8")
    run = run_action(workspace, tmp_path, {}, python=str(recorder))
    assert run.code == exit_code
    assert run.outputs["exit-code"] == str(exit_code)


def test_bad_soft_fail_value_is_an_error(workspace: Path, tmp_path: Path) -> None:
    run = run_action(workspace, tmp_path, {"soft-fail": "yes please"})
    assert run.code == 2
    assert "::error title=iaclint action::soft-fail must be true or false" in run.stdout


def test_install_refuses_an_old_python(tmp_path: Path, workspace: Path) -> None:
    old = tmp_path / "python3.8"
    old.write_text("#!/bin/sh\nexit 1\n", encoding="utf-8")
    old.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "INPUT_"))}
    env.pop("IACLINT_ACTION_PYTHON", None)
    env.update(INPUT_PYTHON=str(old), RUNNER_TEMP=str(tmp_path),
               GITHUB_OUTPUT=str(tmp_path / "out"), GITHUB_ACTION_PATH=str(REPO))
    proc = subprocess.run(["bash", str(REPO / "scripts" / "github-action.sh"), "install"],
                          cwd=workspace, env=env, capture_output=True, text=True, check=False)
    assert proc.returncode == 2
    assert "iaclint needs Python 3.10 or later" in proc.stdout
    assert not (tmp_path / "iaclint-venv").exists()
