"""Configuration through the command line: discovery, exclude, rule selection by ID
or category, severity overrides in every output, unknown names, the schema command."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from linter.cli import main

OPEN_SSH_TF = """resource "aws_security_group" "ssh" {
  name = "ssh"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group" "tagged" {
  name = "tagged"
  tags = { Owner = "platform" }  # a tagged sibling: the untagged one was forgotten
}
"""
BROKEN_TF = 'resource "aws_s3_bucket" "b" {\n  bucket = \n}\n'


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


def write(path: Path, text: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def findings(args: list[str], capsys: pytest.CaptureFixture[str]) -> list[dict[str, Any]]:
    code, out, err = run([*args, "--format", "json"], capsys)
    assert code in (0, 1), err
    return list(json.loads(out)["findings"])


@pytest.fixture
def infra(tmp_path: Path) -> Path:
    root = tmp_path / "repo" / "infra"
    write(root / "sg.tf", OPEN_SSH_TF)  # IAC001 (open-ingress) and IAC051 (tagging)
    (tmp_path / "repo" / ".git").mkdir()  # configuration is searched up to here
    return root


def rule_ids(items: list[dict[str, Any]]) -> set[str]:
    return {f["rule_id"] for f in items}


# -- discovery -----------------------------------------------------------------


def test_yml_config_is_found(infra: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(infra / ".iaclint.yml", "disable: [tagging]\n")
    assert rule_ids(findings(["scan", str(infra)], capsys)) == {"IAC001"}


def test_pyproject_table_is_found_and_reported_by_verbose(
    infra: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pyproject = write(infra.parent / "pyproject.toml",
                      '[project]\nname = "x"\n\n[tool.iaclint]\ndisable = ["IAC051"]\n')
    code, _, err = run(["scan", str(infra), "-v"], capsys)
    assert code == 1
    assert f"using configuration {pyproject} [tool.iaclint]" in err
    assert rule_ids(findings(["scan", str(infra)], capsys)) == {"IAC001"}


def test_pyproject_without_table_does_not_count(
    infra: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    outer = write(infra.parent / ".iaclint.yaml", "disable: [IAC001]\n")
    write(infra / "pyproject.toml", '[project]\nname = "iaclint-infra"\n')
    _, _, err = run(["scan", str(infra), "-v"], capsys)
    assert f"using configuration {outer}" in err
    assert rule_ids(findings(["scan", str(infra)], capsys)) == {"IAC051"}


def test_nearest_directory_wins_then_yaml_before_yml_before_pyproject(
    infra: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(infra.parent / ".iaclint.yaml", "disable: [IAC001, IAC051]\n")
    write(infra / "pyproject.toml", "[tool.iaclint]\ndisable = ['IAC001']\n")
    assert rule_ids(findings(["scan", str(infra)], capsys)) == {"IAC051"}
    write(infra / ".iaclint.yml", "disable: [IAC051]\n")
    assert rule_ids(findings(["scan", str(infra)], capsys)) == {"IAC001"}
    write(infra / ".iaclint.yaml", "fail_on: low\n")
    assert rule_ids(findings(["scan", str(infra)], capsys)) == {"IAC001", "IAC051"}


def test_verbose_without_config(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    # tmp_path's parents are outside the repository; nothing above it configures iaclint.
    code, _, err = run(["scan", str(tmp_path), "-v"], capsys)
    assert code == 0
    assert "no configuration file found; using defaults" in err


def test_explicit_config_yaml_or_pyproject(
    infra: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(infra / ".iaclint.yaml", "disable: [IAC001]\n")  # ignored: --config wins
    conf = write(tmp_path / "conf" / "lint.yaml", "disable: [open-ingress]\n")
    code, _, err = run(["scan", str(infra), "--config", str(conf), "-v"], capsys)
    assert f"using configuration {conf} (from --config)" in err
    assert rule_ids(findings(["scan", str(infra), "--config", str(conf)], capsys)) == {"IAC051"}
    toml = write(tmp_path / "conf" / "pyproject.toml", "[tool.iaclint]\ndisable = ['tagging']\n")
    assert rule_ids(findings(["scan", str(infra), "-c", str(toml)], capsys)) == {"IAC001"}
    other = write(tmp_path / "conf" / "other.toml", "[tool.black]\n")
    code, _, err = run(["scan", str(infra), "-c", str(other)], capsys)
    assert code == 2 and "no [tool.iaclint] table" in err


def test_invalid_pyproject_config_exit_2(infra: Path, capsys: pytest.CaptureFixture[str]) -> None:
    write(infra / "pyproject.toml", "[tool.iaclint]\nfail_on = 'sometimes'\n")
    code, _, err = run(["scan", str(infra)], capsys)
    assert code == 2
    assert "fail_on" in err and "Traceback" not in err


# -- exclude -------------------------------------------------------------------


def test_exclude_from_config_and_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "proj"
    for rel in ("main.tf", "build/out.tf", "gen/generated/x.tf", "tests/fixtures/f.tf",
                "envs/dev/dev.tf"):
        write(root / rel, OPEN_SSH_TF)
    write(root / ".iaclint.yaml", "exclude: [build/, '**/generated/*.tf']\n")
    args = ["scan", str(root), "--root", str(root), "--exclude", "tests/fixtures"]
    files = {f["file"] for f in findings(args, capsys)}
    assert files == {"main.tf", "envs/dev/dev.tf"}
    code, _, err = run([*args, "-v"], capsys)
    assert code == 1
    assert "skipped build/: excluded by pattern 'build/'" in err
    assert "skipped gen/generated/x.tf: excluded by pattern '**/generated/*.tf'" in err
    assert "skipped tests/fixtures/: excluded by pattern 'tests/fixtures'" in err
    assert "out.tf" not in err  # an excluded directory is not walked


def test_named_file_is_still_excluded(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "proj"
    write(root / "build" / "out.tf", OPEN_SSH_TF)
    write(root / "main.tf", 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n}\n')
    write(root / ".iaclint.yaml", "exclude: [build/]\n")
    named = [str(root / "build" / "out.tf"), str(root / "main.tf")]
    code, out, err = run(["scan", *named, "--root", str(root), "-f", "json", "-v"], capsys)
    assert code == 1
    assert {f["file"] for f in json.loads(out)["findings"]} == {"main.tf"}
    assert "skipped build/out.tf: excluded by pattern 'build/'" in err


def test_excluded_module_source_reports_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = tmp_path / "proj"
    write(root / "main.tf", 'module "sg" {\n  source = "./modules/sg"\n}\n')
    write(root / "modules" / "sg" / "main.tf", OPEN_SSH_TF)
    args = ["scan", str(root), "--root", str(root)]
    assert "modules/sg/main.tf" in {f["file"] for f in findings(args, capsys)}
    assert findings([*args, "--exclude", "modules/"], capsys) == []


# -- enable / disable / severity overrides --------------------------------------


def test_enable_and_disable_take_rule_ids_and_categories(
    infra: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ["scan", str(infra)]
    assert rule_ids(findings(args, capsys)) == {"IAC001", "IAC051"}
    assert rule_ids(findings([*args, "--enable", "tagging"], capsys)) == {"IAC051"}
    assert rule_ids(findings([*args, "--enable", "iac001"], capsys)) == {"IAC001"}
    assert rule_ids(findings([*args, "--disable", "open-ingress"], capsys)) == {"IAC051"}
    write(infra / ".iaclint.yaml", "enable: [open-ingress, tagging]\ndisable: [IAC051]\n")
    assert rule_ids(findings(args, capsys)) == {"IAC001"}
    # --enable replaces the configuration's list; disable still applies afterwards.
    assert rule_ids(findings([*args, "--enable", "tagging"], capsys)) == set()


def test_enable_keeps_parse_errors_unless_disabled(
    infra: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(infra / "broken" / "main.tf", BROKEN_TF)
    args = ["scan", str(infra), "--enable", "tagging"]
    assert rule_ids(findings(args, capsys)) == {"IAC000", "IAC051"}
    assert rule_ids(findings([*args, "--disable", "parse-error"], capsys)) == {"IAC051"}


def test_severity_overrides_by_category_and_rule_id(
    infra: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(infra / ".iaclint.yaml",
          "severity_overrides: {open-ingress: medium, IAC001: low, tagging: high}\n")
    got = {f["rule_id"]: f["severity"] for f in findings(["scan", str(infra)], capsys)}
    assert got == {"IAC001": "low", "IAC051": "high"}  # the rule ID beats its category
    code, out, _ = run(["scan", str(infra), "--no-color"], capsys)
    assert code == 1
    assert "LOW       IAC001" in out and "HIGH      IAC051" in out
    assert "(1 high, 1 low)" in out
    assert run(["scan", str(infra), "--fail-on", "critical"], capsys)[0] == 0


def test_severity_override_reaches_sarif_rule_descriptors(
    infra: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(infra / ".iaclint.yaml", "severity_overrides: {IAC001: low, multi-az: critical}\n")
    target = tmp_path / "out.sarif"
    assert run(["scan", str(infra), "--sarif-output", str(target)], capsys)[0] == 1
    run_ = json.loads(target.read_text(encoding="utf-8"))["runs"][0]
    rules = {r["id"]: r for r in run_["tool"]["driver"]["rules"]}
    assert rules["IAC001"]["properties"]["security-severity"] == "3.0"
    assert rules["IAC001"]["defaultConfiguration"]["level"] == "note"
    # Without a finding of its own, a raised category still shows in its descriptors.
    assert rules["IAC020"]["properties"]["security-severity"] == "9.5"
    assert rules["IAC020"]["defaultConfiguration"]["level"] == "error"
    # Untouched rules keep their own severity.
    assert rules["IAC002"]["properties"]["security-severity"] == "8.0"
    results = {r["ruleId"]: r["level"] for r in run_["results"]}
    assert results["IAC001"] == "note"


# -- unknown rule IDs and categories -------------------------------------------


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("enable: [IAC01]\n", "enable: unknown rule or category 'IAC01'; did you mean 'IAC001'?"),
        ("disable: [taging]\n", "disable: unknown rule or category 'taging'; "
                                "did you mean 'tagging'?"),
        ("severity_overrides: {IAC0020: low}\n",
         "severity_overrides: unknown rule or category 'IAC0020'; did you mean 'IAC020'?"),
        ("ignore: [{id: [IAC001, open-ingres]}]\n",
         "ignore[0].id: unknown rule or category 'open-ingres'; did you mean 'open-ingress'?"),
        ("disable: [XYZ999]\n", "unknown rule or category 'XYZ999'; `iaclint rules` lists them"),
        ("disable: [IAC999]\n", "disable: 'IAC999' reports bugs in iaclint itself; it cannot "
                                "be enabled, disabled"),
        ("severity_overrides: {internal-error: low}\n", "'internal-error' reports bugs in iaclint"),
    ],
)
def test_unknown_names_in_config_exit_2(
    infra: Path, capsys: pytest.CaptureFixture[str], text: str, needle: str
) -> None:
    config = write(infra / ".iaclint.yaml", text)
    code, _, err = run(["scan", str(infra)], capsys)
    assert code == 2
    assert str(config) in err
    assert needle in err


@pytest.mark.parametrize("flag", ["--enable", "--disable"])
def test_unknown_names_on_command_line_exit_2(
    infra: Path, capsys: pytest.CaptureFixture[str], flag: str
) -> None:
    code, _, err = run(["scan", str(infra), flag, "IAC0001"], capsys)
    assert code == 2
    assert f"{flag}: unknown rule or category 'IAC0001'; did you mean 'IAC001'?" in err


def test_rules_dir_rules_and_iac000_are_known(
    infra: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rules_dir = write(tmp_path / "myrules" / "team.py", '''
from linter.model import Severity
from linter.rule import Rule


class NoBuckets(Rule):
    id = "TEAM001"
    title = "No buckets"
    category = "team-policy"
    severity = Severity.LOW
    description = "Test rule."

    def check(self, graph, config):
        return ()
''').parent
    write(infra / ".iaclint.yaml", "disable: [team-policy, IAC000]\nseverity_overrides: "
                                   "{TEAM001: high, parse-error: low}\n")
    assert run(["scan", str(infra), "--rules-dir", str(rules_dir)], capsys)[0] == 1
    code, _, err = run(["scan", str(infra)], capsys)  # without the pack: unknown
    assert code == 2 and "'team-policy'" in err


# -- ignore and baseline: accepted and validated here, applied elsewhere -------------


def test_ignore_and_baseline_keys_are_accepted(
    infra: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    write(infra / ".iaclint.yaml", """
baseline: .iaclint-baseline.json
ignore:
  - id: IAC001
    path: "*.tf"
    address: aws_security_group.ssh
    reason: reviewed
    until: 2031-12-31
""")
    assert run(["scan", str(infra)], capsys)[0] in (0, 1)
    write(infra / ".iaclint.yaml", "ignore:\n  - id: IAC001\n    until: tomorrow\n")
    code, _, err = run(["scan", str(infra)], capsys)
    assert code == 2 and "ignore.0.until" in err


# -- the schema ----------------------------------------------------------------


def test_config_schema_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(["config", "schema"], capsys)
    assert code == 0
    data = json.loads(out)
    assert data["$schema"] == "http://json-schema.org/draft-07/schema#"
    assert {"exclude", "enable", "disable", "severity_overrides", "ignore",
            "baseline"} <= set(data["properties"])
    shipped = Path(__file__).resolve().parents[1] / "linter" / "data" / "config-schema.json"
    assert data == json.loads(shipped.read_text(encoding="utf-8"))
