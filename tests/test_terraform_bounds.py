"""Untrusted Terraform never reads outside the scan, never hangs, never grows without
bound (issue 12): the confinement of file functions and module sources, and every
evaluation limit of linter/adapters/terraform/limits.py. Each hostile input here must
be refused quickly; nothing asserts about time, the inputs are only kept small."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from linter import limits
from linter.adapters.terraform import evaluator as tf_evaluator
from linter.adapters.terraform import limits as tf_limits
from linter.adapters.terraform import project as tf_project
from linter.adapters.terraform.evaluator import NO_NAMES, Evaluator, Scope
from linter.adapters.terraform.limits import Confinement
from linter.cli import main
from linter.config import Config, ConfigError
from linter.loaders.hcl_lark import parse_expression
from linter.model import Location, Node, ParseError, Severity, Source, Unknown, is_known
from linter.rule import Rule
from tests.test_terraform_helpers import adapt_paths

SECRET = "TOPSECRET-7f3a9c"


def ev(text: str, evaluator: Evaluator | None = None, path: str = "/x/main.tf",
       **bindings: Any) -> Any:
    return (evaluator or Evaluator()).ev(parse_expression(text), Scope(NO_NAMES, path, bindings))


def reason(value: Any) -> str:
    assert isinstance(value, Unknown), value
    return value.reason


# confinement -------------------------------------------------------------------------


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    """tmp_path/proj (the scanned directory) reading secrets from tmp_path, its parent,
    in every way the evaluator offers, plus one file inside that it may read."""
    (tmp_path / "secret.txt").write_text(f"{SECRET}\nsecond-line-{SECRET}\n")
    sid = SECRET.replace("-", "")
    (tmp_path / "secret.json").write_text(
        f'{{"Version": "2012-10-17", "Statement": [{{"Sid": "{sid}", "Effect": "Allow", '
        '"Action": "*", "Resource": "*"}]}'
    )
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "inside.txt").write_text("INSIDE-VALUE")
    os.symlink(tmp_path / "secret.txt", proj / "link.txt")
    (proj / ".git").mkdir()
    (proj / ".git" / "config").write_text(f"token = {SECRET}\n")
    (proj / "main.tf").write_text(f"""
resource "aws_s3_bucket" "b" {{
  bucket = "b"
  tags = {{
    Env   = file("../secret.txt")
    Owner = templatefile("../secret.txt", {{}})
    Probe = fileexists("../secret.txt") ? "yes" : "no"
    Abs   = file("{tmp_path}/secret.txt")
    Link  = file("link.txt")
    Git   = file(".git/config")
    Dots  = file("${{path.module}}/../proj/../secret.txt")
    In    = file("inside.txt")
  }}
}}

resource "aws_sqs_queue" "q" {{
  for_each = toset(split("\\n", file("../secret.txt")))
  name     = each.key
}}

resource "aws_iam_policy" "p" {{
  policy = file("../secret.json")
}}
""")
    keys = ("Env", "Owner", "Probe", "Abs", "Link", "Git", "Dots", "In")
    (proj / ".iaclint.yaml").write_text(
        "tag_value_patterns:\n" + "".join(f"  {k}: '^never$'\n" for k in keys)
    )
    return proj


@pytest.mark.parametrize("fmt", ["text", "json", "sarif", "github", "html"])
def test_no_secret_outside_the_scan_in_any_format(
    hostile: Path, fmt: str, monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(hostile)
    code = main(["scan", "--format", fmt, "."])
    out, err = capsys.readouterr()
    assert code == 1, err
    assert SECRET not in out + err and SECRET.replace("-", "") not in out + err
    assert "'yes'" not in out  # fileexists() probes nothing outside
    # the file inside the scanned directory is read: the scan did evaluate the tags
    assert "INSIDE-VALUE" in out


def test_confinement_refuses_what_it_must(tmp_path: Path) -> None:
    root = tmp_path / "root"
    root.mkdir()
    (root / "ok.txt").write_text("fine")
    (root / "big.txt").write_text("x" * (tf_limits.MAX_FILE_BYTES + 1))
    os.mkfifo(root / "pipe")
    (root / ".git").mkdir()
    (root / ".git" / "config").write_text("secret")
    box = Confinement([str(root)])
    assert box.read_text(str(root / "ok.txt")) == "fine"
    refused = {
        "pipe": str(root / "pipe"),  # would block for ever
        "big": str(root / "big.txt"),
        "git": str(root / ".git" / "config"),
        "outside": "/etc/hostname",
        "proc": "/proc/self/environ",
        "device": "/dev/zero",  # its size is 0, its content endless
        "escape": str(root / ".." / "root" / ".." / "x"),
    }
    for what, path in refused.items():
        assert isinstance(box.read_text(path), Unknown), what
    assert not isinstance(tf_limits.read_regular("/dev/zero", 10), str)


def test_an_evaluator_without_a_scan_root_reads_nothing(tmp_path: Path) -> None:
    (tmp_path / "a.txt").write_text("text")
    path = str(tmp_path / "main.tf")
    assert "outside the scanned" in reason(ev('file("a.txt")', Evaluator(), path))
    box = Confinement([str(tmp_path)])
    assert ev(f'file("{tmp_path}/a.txt")', Evaluator(box), path) == "text"
    assert "outside" in reason(ev('fileexists("/etc/passwd")', Evaluator(), path))
    for name in ("filebase64", "filemd5", "filesha256", "fileset", "pathexpand"):
        assert not is_known(ev(f'{name}("/etc/passwd")', Evaluator(Confinement(["/"]))))


def test_module_sources_stay_inside_the_scan(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "main.tf").write_text('resource "aws_s3_bucket" "leak" { bucket = "x" }\n')
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "main.tf").write_text(
        'module "out" {\n  source = "../outside"\n}\n'
        'module "etc" {\n  source = "../../../../../../../../../../etc"\n}\n'
        'resource "aws_s3_bucket" "own" { bucket = "y" }\n'
    )
    errors: list[ParseError] = []
    old = os.getcwd()
    os.chdir(proj)  # the scan root is the working directory, as in CI
    try:
        nodes, _ = adapt_paths(proj, errors=errors)
    finally:
        os.chdir(old)
    assert set(nodes) == {"aws_s3_bucket.own"}
    assert not errors


# evaluation bounds ---------------------------------------------------------------------


def test_numbers_are_bounded() -> None:
    assert "bits" in reason(ev("pow(10, 100000000)"))
    assert ev("pow(2, 10)") == 1024
    assert "digits" in reason(ev("parseint(d, 10)", d="9" * 5000))
    assert ev('parseint("ff", 16)') == 255
    big = 10**1000
    assert "bits" in reason(ev("x * x * x * x * x", x=big))


@pytest.mark.parametrize("expr", [
    'format("%s%s", s, s)',
    'join(s, [s, s, s])',
    'replace(s, "a", "bb")',
    'replace(s, "", "b")',
    'indent(100000, t)',
    '"${s}${s}"',
    'formatlist("%s%s", [s, s, s], s)',
    'jsonencode([s, s, s, s])',
    'base64encode(s)',
    '"%{for i in range(1000)}${s}%{endfor}"',
])
def test_strings_are_bounded(expr: str) -> None:
    s = "a" * (tf_limits.MAX_STRING // 2 + 10)
    t = "\n" * 1000
    value = ev(expr, s=s, t=t)
    assert not is_known(value), expr


def test_shared_parts_count_as_often_as_they_appear() -> None:
    tower: Any = ["x" * 10, "y" * 10]
    for _ in range(30):  # 2**30 leaves, 31 lists in memory
        tower = [tower, tower]
    for expr in ("jsonencode(t)", "length(flatten(t))", "[t]", "{ a = t }"):
        evaluator = Evaluator()
        value = ev(expr, evaluator, t=tower)
        assert evaluator.functions.weight(value) <= tf_limits.MAX_WEIGHT, expr


@pytest.fixture
def few_steps(monkeypatch: pytest.MonkeyPatch) -> int:
    """A small step budget: the runaway inputs below stop as they would at MAX_STEPS,
    only sooner (the test suite shares its machine)."""
    monkeypatch.setattr(tf_evaluator, "MAX_STEPS", 20_000)
    monkeypatch.setattr(tf_project, "MAX_STEPS", 20_000)
    return 20_000


def test_steps_are_bounded(few_steps: int) -> None:
    evaluator = Evaluator()
    value = ev('"%{for a in range(1000)}%{for b in range(1000)}%{for c in range(1000)}'
               '%{endfor}%{endfor}%{endfor}"', evaluator)
    assert not is_known(value)
    assert evaluator.exhausted
    evaluator = Evaluator()
    assert not is_known(ev("[for a in range(1000) : [for b in range(1000) : b]]", evaluator))
    assert evaluator.exhausted


def test_range_keeps_terraforms_limit() -> None:
    assert not is_known(ev("range(2000)"))
    assert len(ev("range(1024)")) == 1024


@pytest.mark.parametrize("expr", [
    'regex("^(a+)+$", s)',
    'regexall("(a|aa)*$", s)',
    'replace(s, "/^(a+)+$/", "x")',
    'regex("a{5000}", s)',
])
def test_backtracking_patterns_are_not_run(expr: str) -> None:
    value = ev(expr, s="a" * 40 + "!")
    assert "regular expression not run" in reason(value), expr


def test_regex_input_is_bounded() -> None:
    assert "longer" in reason(ev('regex("b", s)', s="a" * (limits.MAX_REGEX_INPUT + 1)))
    assert ev('regex("[0-9]+", "ab12")') == "12"
    assert ev('replace("a-b", "/(a)-(b)/", "$2$1")') == "ba"


def write(tmp_path: Path, text: str) -> Path:
    proj = tmp_path / "proj"
    proj.mkdir()
    (proj / "main.tf").write_text(text)
    return proj


def test_instances_are_bounded(tmp_path: Path) -> None:
    proj = write(tmp_path, """
resource "aws_sqs_queue" "many" {
  for_each = toset(flatten([for i in range(200) : [for j in range(60) : "${i}-${j}"]]))
  name     = each.key
}
resource "aws_sqs_queue" "counted" {
  count = 20000
  name  = "c"
}
resource "aws_sqs_queue" "long" {
  for_each = toset([join("", [for i in range(300) : "k"])])
  name     = each.key
}
""")
    nodes, _ = adapt_paths(proj)
    assert set(nodes) == {"aws_sqs_queue.many", "aws_sqs_queue.counted", "aws_sqs_queue.long"}
    assert all(node.fact("count_unknown") for node in nodes.values())


def test_runaway_evaluation_is_a_located_error(tmp_path: Path, few_steps: int) -> None:
    proj = write(tmp_path, """
locals {
  big = [for a in range(1000) : [for b in range(1000) : [for c in range(1000) : c]]]
}
resource "aws_s3_bucket" "b" {
  bucket = "b"
  tags   = { N = length(local.big) }
}
""")
    errors: list[ParseError] = []
    nodes, _ = adapt_paths(proj, errors=errors)
    (error,) = errors
    assert error.path == str(proj / "main.tf")
    assert f"more than {few_steps} steps" in error.message
    assert not is_known(nodes["aws_s3_bucket.b"].tags["N"])  # type: ignore[index]


def test_too_many_nodes_is_a_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(tf_project, "MAX_NODES", 50)
    proj = write(tmp_path, 'resource "aws_sqs_queue" "q" {\n  count = 100\n  name = "q"\n}\n')
    errors: list[ParseError] = []
    nodes, _ = adapt_paths(proj, errors=errors)
    assert len(nodes) < 50
    (error,) = errors
    assert "more than 50" in error.message


# messages and tag patterns -------------------------------------------------------------


def test_quoted_values_are_short() -> None:
    assert limits.quoted("abc") == "'abc'"
    assert limits.quoted("a" * 500 + "[1]") == repr("a" * 60 + "…" + "a" * 16 + "[1]")
    assert len(limits.shorten("b" * 10_000)) == limits.MAX_QUOTED


def test_finding_messages_are_capped() -> None:
    class Probe(Rule):
        id = "T001"
        title = "probe"
        category = "tagging"
        severity = Severity.LOW
        description = "probe"

    node = Node(id="n", address="a", native_type="t", kind=None, source=Source.TERRAFORM,
                location=Location("f", 1, 1))
    finding = Probe().finding(node, "m" * 100_000)
    assert len(finding.message) == limits.MAX_MESSAGE


def test_catastrophic_tag_pattern_is_a_config_error() -> None:
    with pytest.raises(ConfigError, match=r"tag_value_patterns\.Env"):
        Config.from_mapping({"tag_value_patterns": {"Env": "^(a+)+$"}}, "x.yaml")
    with pytest.raises(ConfigError, match=r"tag_value_patterns\.Env"):
        Config.from_mapping({"tag_value_patterns": {"Env": "^(a|aa)*$"}}, "x.yaml")
    ok = Config.from_mapping({"tag_value_patterns": {"Env": "^(dev|prod)$"}})
    assert ok.tag_value_patterns == {"Env": "^(dev|prod)$"}


def test_long_tag_values_are_quoted_short(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    proj = write(tmp_path, 'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n'
                           '  tags = { Env = join("", [for i in range(1000) : "abcdefgh"]) }\n}\n')
    (proj / ".iaclint.yaml").write_text("tag_value_patterns:\n  Env: '^(dev|prod)$'\n")
    monkeypatch.chdir(proj)
    assert main(["scan", "--format", "json", "."]) == 1
    out = capsys.readouterr().out
    assert "abcdefgh" * 7 in out and "abcdefgh" * 11 not in out


def test_a_repository_scanned_in_part_reads_its_own_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    (repo / ".git" / "config").write_text(f"token = {SECRET}\n")
    (repo / "shared").mkdir()
    (repo / "shared" / "owner.txt").write_text("SHARED-OWNER")
    prod = repo / "envs" / "prod"
    prod.mkdir(parents=True)
    (prod / "main.tf").write_text(
        'resource "aws_s3_bucket" "b" {\n  bucket = "b"\n  tags = {\n'
        '    Owner = file("../../shared/owner.txt")\n    Git = file("../../.git/config")\n'
        '  }\n}\n'
    )
    (prod / ".iaclint.yaml").write_text(
        "tag_value_patterns:\n  Owner: '^never$'\n  Git: '^never$'\n"
    )
    monkeypatch.chdir(prod)  # the scan root is envs/prod; the repository holds it
    main(["scan", "--format", "json", "."])
    out = capsys.readouterr().out
    assert "SHARED-OWNER" in out and SECRET not in out


def test_a_for_expression_stops_growing_at_the_limit() -> None:
    big = ["x" * 100] * 20_000  # 2 Mi characters: at the limit itself
    evaluator = Evaluator()
    value = ev("[for i in range(1000) : concat(big, [i])]", evaluator, big=big[:10_000])
    assert reason(value).startswith("value larger than the evaluation limit")
    assert not evaluator.exhausted  # stopped by size, long before the step budget


def test_templates_calling_templates_end(tmp_path: Path, few_steps: int) -> None:
    (tmp_path / "self.tpl").write_text(
        '${templatefile("self.tpl", {})}${templatefile("self.tpl", {})}'
    )
    box = Evaluator(Confinement([str(tmp_path)]))
    path = str(tmp_path / "main.tf")
    # Terraform refuses templatefile() inside a template
    assert not is_known(ev(f'templatefile("{tmp_path}/self.tpl", {{}})', box, path))
    # texts with unknown parts that double at every level stop at the size limit
    evaluator = Evaluator()
    value = ev('"${x}${x}"', evaluator, x=Unknown("x"))
    for _ in range(30):
        value = ev('"${x}${x}"', evaluator, x=value)
    assert evaluator.functions.weight(value) <= tf_limits.MAX_WEIGHT


def test_a_home_directory_is_not_a_scan_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    home = tmp_path / "home"
    (home / "pr").mkdir(parents=True)
    (home / ".aws").mkdir()
    (home / "pr" / "main.tf").write_text("")
    monkeypatch.setattr(tf_limits, "_BROAD", frozenset({str(home.resolve()), "/"}))
    box = Confinement.of_scan(str(home), [str(home / "pr")])
    assert box.inside(str(home / "pr" / "x.json"))
    assert not box.inside(str(home / ".aws" / "credentials"))
    assert Confinement.of_scan(str(tmp_path), [str(home / "pr")]).inside(str(home / ".aws"))
