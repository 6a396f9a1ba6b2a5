"""The error contract: a bug in iaclint is never a parse error, never "clean", never
"findings". A rule that raises is a rule crash; a loader, adapter unit or linking
step that raises is an internal error (IAC999 at the file whose resources were
lost); either way the rest of the scan is reported and the exit code is 3, even
with --soft-fail. Anything else that escapes is caught in `main()`: one line, the
traceback, exit 3. `--debug` logs why values stayed unknown; nothing is logged
without it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from linter.cli import main

from .conftest import OPEN_SSH_TF, REPO, SARIF_SCHEMA
from .gitrepo import module_repo
from .sarif_github import github_problems

UNENCRYPTED_EBS_TF = """resource "aws_ebs_volume" "data" {
  availability_zone = "eu-west-1a"
  size              = 10
  encrypted         = false
  tags              = { Owner = "me" }
}
"""
OPEN_SSH_CFN = """AWSTemplateFormatVersion: "2010-09-09"
Resources:
  Ssh:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: ssh
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: 22
          ToPort: 22
          CidrIp: 0.0.0.0/0
"""
ADMIN_POLICY = '{"Version": "2012-10-17", "Statement": [{"Effect": "Allow", ' \
               '"Action": "*", "Resource": "*"}]}\n'
CRASHING_RULE = '''
from linter.rule import Rule
from linter.model import Severity


class Crashes(Rule):
    id = "EXT900"
    title = "Always crashes"
    category = "open-ingress"
    severity = Severity.LOW
    description = "A third-party rule with a bug."

    def check(self, graph, config):
        for node in graph:
            raise ZeroDivisionError("third-party rule bug")
        return ()
'''


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Two units per language, each with its own finding: tf/a, tf/b (root modules),
    cfn/one.yaml, cfn/two.yaml, iam/one.json, iam/two.json. The working directory,
    so reported paths are relative to it."""
    root = tmp_path / "tree"
    files = {
        "tf/a/main.tf": OPEN_SSH_TF,
        "tf/b/main.tf": UNENCRYPTED_EBS_TF,
        "cfn/one.yaml": OPEN_SSH_CFN,
        "cfn/two.yaml": OPEN_SSH_CFN,
        "iam/one.json": ADMIN_POLICY,
        "iam/two.json": ADMIN_POLICY,
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    monkeypatch.chdir(root)
    return root


def _raising_for(target: str, real: Callable[..., Any], path_of: Callable[..., str]
                 ) -> Callable[..., Any]:
    """`real`, except that it raises for the unit whose path ends with `target`."""

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if path_of(*args).replace(os.sep, "/").endswith(target):
            raise RuntimeError(f"injected bug for {target}")
        return real(*args, **kwargs)

    return wrapper


def _break_adapter(language: str, monkeypatch: pytest.MonkeyPatch) -> tuple[str, str, str]:
    """Make one unit of `language`'s adapter raise; (broken file, its stage, a file of
    the same language whose finding must survive)."""
    if language == "terraform":
        from linter.adapters.terraform.project import Project

        monkeypatch.setattr(Project, "run", _raising_for(
            "tf/a", Project.run, lambda self, config: self.root_dir))
        return "tf/a/main.tf", "the Terraform adapter", "tf/b/main.tf"
    if language == "cloudformation":
        import linter.adapters.cloudformation as cfn

        monkeypatch.setattr(cfn, "adapt_template", _raising_for(
            "cfn/one.yaml", cfn.adapt_template, lambda template, *_: template.path))
        return "cfn/one.yaml", "the CloudFormation adapter", "cfn/two.yaml"
    import linter.adapters.iam as iam

    monkeypatch.setattr(iam, "nodes_for", _raising_for(
        "iam/one.json", iam.nodes_for, lambda doc, *_: doc.path))
    return "iam/one.json", "the IAM policy adapter", "iam/two.json"


# -- adapters --------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["terraform", "cloudformation", "iam"])
def test_adapter_bug_is_an_internal_error_and_the_scan_goes_on(
    language: str, tree: Path, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    broken, stage, sibling = _break_adapter(language, monkeypatch)
    code, out, err = run(["scan", ".", "-f", "json", "--disable", "tagging"], capsys)
    assert code == 3, err
    report = json.loads(out)
    internal = [f for f in report["findings"] if f["rule_id"] == "IAC999"]
    assert [(f["file"], f["category"], f["start_line"]) for f in internal] == [
        (broken, "internal-error", 1)]
    assert f"internal error in {stage}" in internal[0]["message"]
    assert "RuntimeError: injected bug" in internal[0]["message"]
    assert not any(f["rule_id"] == "IAC000" for f in report["findings"])  # not a parse error
    files = {f["file"] for f in report["findings"] if f["rule_id"] != "IAC999"}
    assert sibling in files  # the other unit of the same language
    assert {"tf/a/main.tf", "tf/b/main.tf", "cfn/one.yaml", "cfn/two.yaml", "iam/one.json",
            "iam/two.json"} - {broken} <= files  # and every other language
    assert report["internal_errors"] == [{
        "file": broken, "stage": stage, "message": f"RuntimeError: injected bug for "
        f"{broken.rsplit('/main.tf', 1)[0]}", "lost": report["internal_errors"][0]["lost"]}]
    assert report["incomplete"] is True
    assert f"iaclint: internal error in {stage} at {broken}" in err
    assert "Traceback (most recent call last)" in err


def test_adapter_bug_exits_3_even_with_soft_fail(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _break_adapter("cloudformation", monkeypatch)
    code, out, err = run(["scan", ".", "--soft-fail", "--no-color", "-q"], capsys)
    assert code == 3
    assert "IAC999" in out and "IAC001" in out
    assert "internal error in the CloudFormation adapter" in err  # -q does not hide it


def test_adapter_bug_in_every_report_format(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _break_adapter("terraform", monkeypatch)
    code, out, _ = run(["scan", ".", "--no-color", "--disable", "tagging",
                        "--sarif-output", "r.sarif", "--github-output", "r.github"], capsys)
    assert code == 3
    assert "tf/a/main.tf:1  HIGH      IAC999" in out
    assert "INCOMPLETE: 1 internal error" in out.splitlines()[-1]

    sarif = json.loads((tree / "r.sarif").read_text("utf-8"))
    jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text("utf-8"))).validate(sarif)
    assert github_problems(sarif) == []
    (run_,) = sarif["runs"]
    results = [r for r in run_["results"] if r["ruleId"] == "IAC999"]
    assert len(results) == 1 and results[0]["level"] == "error"
    assert any(r["ruleId"] == "IAC030" for r in run_["results"])  # tf/b still checked
    (invocation,) = run_["invocations"]
    assert invocation["executionSuccessful"] is False
    (note,) = [n for n in invocation["toolExecutionNotifications"]
               if "internal error" in n["message"]["text"]]
    assert note["level"] == "error"
    assert note["associatedRule"]["id"] == "IAC999"
    uri = note["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == "tf/a/main.tf"

    github = (tree / "r.github").read_text("utf-8")
    assert "::error file=tf/a/main.tf,line=1" in github and "IAC999" in github


def test_adapter_bug_outside_its_units_loses_that_language_only(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(ctx: object) -> None:
        raise KeyError("parameters")

    monkeypatch.setattr("linter.adapters.cloudformation.load_parameter_overrides", broken)
    code, out, _ = run(["scan", ".", "-f", "json"], capsys)
    assert code == 3
    report = json.loads(out)
    (internal,) = [f for f in report["findings"] if f["rule_id"] == "IAC999"]
    assert internal["file"] == "cfn/one.yaml"
    assert "no CloudFormation file was checked" in internal["message"]
    assert not any(f["file"].startswith("cfn/") and f["rule_id"] != "IAC999"
                   for f in report["findings"])
    assert any(f["file"] == "tf/a/main.tf" for f in report["findings"])


def test_loader_bug_is_an_internal_error(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from linter.loaders import load

    monkeypatch.setattr("linter.runner.load", _raising_for(
        "tf/b/main.tf", load, lambda source, *_: source.path))
    code, out, _ = run(["scan", ".", "-f", "json"], capsys)
    assert code == 3
    report = json.loads(out)
    assert report["internal_errors"][0]["stage"] == "the Terraform loader"
    assert report["internal_errors"][0]["file"] == "tf/b/main.tf"
    assert any(f["file"] == "tf/a/main.tf" and f["rule_id"] == "IAC001"
               for f in report["findings"])


def test_linking_bug_is_an_internal_error_without_a_file(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(graph: object) -> None:
        raise AttributeError("linking bug")

    monkeypatch.setattr("linter.runner.link", broken)
    code, out, err = run(["scan", ".", "--no-color"], capsys)
    assert code == 3
    assert "error: internal error in linking (AttributeError: linking bug)" in out
    assert "IAC001" in out and "IAC999" not in out
    assert "iaclint: internal error in linking: AttributeError: linking bug" in err


def test_internal_errors_cannot_be_configured_away(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _break_adapter("iam", monkeypatch)
    (tree / ".iaclint.yaml").write_text("disable: [IAC999]\n", encoding="utf-8")
    code, _, err = run(["scan", "."], capsys)
    assert code == 2 and "reports bugs in iaclint itself" in err
    (tree / ".iaclint.yaml").write_text("enable: [IAC001]\n", encoding="utf-8")
    code, out, _ = run(["scan", ".", "-f", "json"], capsys)
    assert code == 3  # `enable` selects rules, it never hides an internal error
    assert [f["file"] for f in json.loads(out)["findings"] if f["rule_id"] == "IAC999"] == [
        "iam/one.json"]


# -- rules -----------------------------------------------------------------------------


def test_rule_crash_exits_3_names_the_rule_and_keeps_the_others(
    tree: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules_dir = tmp_path / "rules"
    rules_dir.mkdir()
    (rules_dir / "crashes.py").write_text(CRASHING_RULE, encoding="utf-8")
    for extra in ([], ["--soft-fail"]):
        code, out, err = run(["scan", ".", "-f", "json", "--rules-dir", str(rules_dir),
                              *extra], capsys)
        assert code == 3, extra
        report = json.loads(out)
        assert report["rule_crashes"] == ["EXT900"]
        assert report["incomplete"] is True
        assert {"IAC001", "IAC030", "IAC040"} <= {f["rule_id"] for f in report["findings"]}
        assert "iaclint: internal error in rule EXT900" in err
        assert "ZeroDivisionError: third-party rule bug" in err


@pytest.fixture
def iac001_crashes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A directory whose only finding would be IAC001's, with IAC001 raising."""
    from rules.open_ingress import RULES

    def crash(self: object, graph: object, config: object) -> None:
        raise RuntimeError("built-in rule bug")

    monkeypatch.setattr(RULES[0], "check", crash)
    (tmp_path / "main.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
    return tmp_path


def test_built_in_rule_crash_on_a_clean_tree_is_not_clean(
    iac001_crashes: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The reported bug: a crashing rule exited 0 with "No findings"."""
    code, out, err = run(["scan", str(iac001_crashes), "--no-color", "--enable", "IAC001"],
                         capsys)
    assert code == 3
    assert "No findings in 1 file scanned; INCOMPLETE: rule IAC001 crashed." in out
    assert "error: rule IAC001 crashed" in out
    assert "iaclint: internal error in rule IAC001" in err


def test_rule_crash_in_github_format_is_an_error_annotation(
    iac001_crashes: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = run(["scan", str(iac001_crashes), "-f", "github"], capsys)
    assert code == 3
    assert "::error title=iaclint internal error::rule IAC001 crashed" in out


def test_baseline_is_not_written_from_an_incomplete_scan(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(["baseline", "create", "."], capsys)[0] == 0
    before = (tree / ".iaclint-baseline.json").read_text("utf-8")
    _break_adapter("terraform", monkeypatch)
    for command in (["baseline", "create", "."], ["baseline", "prune", "."]):
        code, _, err = run(command, capsys)
        assert code == 3, command
        assert "not written: the scan is incomplete" in err
        assert (tree / ".iaclint-baseline.json").read_text("utf-8") == before


# -- main() ----------------------------------------------------------------------------


def test_main_turns_an_unexpected_exception_into_exit_3(
    tree: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def broken(options: object) -> None:
        raise RuntimeError("escaped every guard")

    monkeypatch.setattr("linter.runner.scan", broken)
    code, out, err = run(["scan", "."], capsys)
    assert code == 3
    assert out == ""
    first, *rest = err.splitlines()
    assert first == ("iaclint: internal error: RuntimeError: escaped every guard (a bug in "
                     "iaclint; please report it with the traceback below)")
    assert rest[0] == "Traceback (most recent call last):"
    assert rest[-1] == "RuntimeError: escaped every guard"


def test_usage_errors_stay_2(capsys: pytest.CaptureFixture[str]) -> None:
    assert run(["scan"], capsys)[0] == 2
    assert run(["scan", "--no-such-option", "."], capsys)[0] == 2


LAUNCHER = """
import sys
{patch}
from linter.cli import main
sys.exit(main(sys.argv[1:]))
"""


def _iaclint_patched(patch: str, *args: str, cwd: Path,
                     env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """iaclint in a real process, with `patch` (Python) run first to inject a bug."""
    env = dict(env if env is not None else os.environ, PYTHONPATH=str(REPO))
    code = LAUNCHER.format(patch=textwrap.dedent(patch))
    return subprocess.run([sys.executable, "-c", code, *args], cwd=cwd, env=env,
                          capture_output=True, text=True, check=False)


def test_process_exit_code_is_3_for_an_escaped_exception(tree: Path) -> None:
    """The reported bug: a CloudFormation builder error escaped `main()` and Python
    exited 1, which reads as "findings"."""
    patch = """
    import linter.runner
    def broken(options):
        raise RuntimeError("escaped every guard")
    linter.runner.scan = broken
    """
    proc = _iaclint_patched(patch, "scan", ".", cwd=tree)
    assert proc.returncode == 3, proc.stderr
    assert proc.stderr.startswith("iaclint: internal error: RuntimeError: escaped every guard")


def test_process_exit_code_is_3_for_a_cloudformation_builder_bug(tree: Path) -> None:
    patch = """
    import linter.adapters.cloudformation as cfn
    def broken(*args, **kwargs):
        raise KeyError("Properties")
    cfn.build_node = broken
    """
    proc = _iaclint_patched(patch, "scan", ".", "-f", "json", cwd=tree)
    assert proc.returncode == 3, proc.stderr
    report = json.loads(proc.stdout)
    assert sorted(f["file"] for f in report["findings"] if f["rule_id"] == "IAC999") == [
        "cfn/one.yaml", "cfn/two.yaml"]
    assert "KeyError: 'Properties'" in proc.stderr


def test_new_since_always_keeps_internal_errors(tmp_path: Path) -> None:
    """The base scan hits the same bug, so the IAC999 finding has a fingerprint the base
    has too; it is reported anyway: it says that this scan is incomplete."""
    repo = module_repo(tmp_path / "r")
    patch = """
    from linter.adapters.terraform.project import Project
    def broken(self, config):
        raise RuntimeError("evaluator bug")
    Project.run = broken
    """
    proc = _iaclint_patched(patch, "scan", ".", "--new-since", "HEAD", "-f", "json",
                            cwd=repo.path, env=repo.env)
    assert proc.returncode == 3, proc.stderr
    report = json.loads(proc.stdout)
    assert [f["rule_id"] for f in report["findings"]] == ["IAC999"]
    assert report["new_since"]["ref"] == "HEAD"


# -- exit code 3 is documented ---------------------------------------------------------


def test_scan_help_documents_exit_codes_and_debug(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["scan", "--help"], capsys)
    assert code == 0
    assert "3  internal error" in out and "--debug" in out


def test_readme_documents_exit_code_3_and_debug() -> None:
    readme = (REPO / "README.md").read_text("utf-8")
    table = readme.split("### Exit codes", 1)[1].split("\n## ", 1)[0]
    assert "| 3 |" in table and "--soft-fail" in table.split("| 3 |", 1)[1]
    assert "`--debug`" in readme


# -- --debug -----------------------------------------------------------------------------


UNKNOWN_CIDR_TF = """variable "admin_cidr" {
  type = string
}

resource "aws_security_group" "admin" {
  name = "admin"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = [var.admin_cidr]
  }
}
"""


def test_debug_says_why_a_value_stayed_unknown(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "main.tf").write_text(UNKNOWN_CIDR_TF, encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    code, out, err = run(["scan", ".", "--disable", "tagging"], capsys)
    assert (code, err) == (0, "")  # nothing is logged without --debug
    monkeypatch.setattr("linter.loaders.terraform._PARSE_CACHE", {})  # read from disk
    code, out, err = run(["scan", ".", "--disable", "tagging", "--debug"], capsys)
    assert code == 0 and "No findings" in out  # the debug records never go to stdout
    lines = err.splitlines()
    assert all(line.startswith("iaclint: debug: ") for line in lines), err
    assert any("aws_security_group.admin (main.tf:5): ingress" in line
               and "unknown: variable admin_cidr has no value" in line for line in lines), err
    assert any("loaded " in line and "main.tf from the parse cache" in line for line in lines)
    assert any(line.endswith("s") and "rule IAC001: 0 findings in " in line for line in lines)
    code, _, err = run(["scan", ".", "--disable", "tagging"], capsys)
    assert err == ""  # --debug left no handler behind
