"""`iaclint graph`: DOT that Graphviz reads, a Mermaid snapshot, --focus and
--findings-only selecting the right nodes, hostile names escaped, usage errors exit 2;
and the paths it draws come from the rules (Related.node_id, SARIF codeFlows)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path

import jsonschema
import pytest

from linter.cli import main
from linter.config import Config
from linter.graph_export import on_paths, select
from linter.registry import load_rules
from linter.reporters import render
from linter.runner import ScanOptions, ScanResult, scan

from .conftest import FIXTURES, REPO, SARIF_SCHEMA
from .sarif_github import github_problems
from .test_reporters_common import check_snapshot

SMALL = FIXTURES / "rules/IAC010/terraform/bad"
DOT = shutil.which("dot")
needs_dot = pytest.mark.skipif(DOT is None, reason="Graphviz `dot` is not installed "
                               "(CI installs it in .ci/run)")
#: A Mermaid node line: id, opening shape, label (up to the first line break).
NODE = re.compile(r'^\s+(n\d+)(\[|\{\{)"([^"]*)"(\]|\}\})$')


def run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    code = main(["graph", *args])
    out = capsys.readouterr()
    return code, out.out, out.err


def scanned(path: Path) -> ScanResult:
    return scan(ScanOptions(paths=[str(path)], config=Config(), root=str(path),
                            rules=load_rules()))


def drawn_addresses(mermaid: str) -> list[str]:
    """The address line of each node, Mermaid entity codes undone."""
    out = []
    for line in mermaid.splitlines():
        match = NODE.match(line)
        if match:
            first = match.group(3).split("<br>")[0]
            out.append(re.sub(r"#(\d+);", lambda m: chr(int(m.group(1))), first))
    return out


def graphviz(dot_text: str) -> str:
    assert DOT is not None
    done = subprocess.run([DOT, "-Tsvg"], input=dot_text, capture_output=True, text=True,
                          timeout=120, check=False)
    assert done.returncode == 0, done.stderr
    assert "Warning" not in done.stderr and "Error" not in done.stderr, done.stderr
    return done.stdout


@needs_dot
@pytest.mark.parametrize("target", [SMALL, FIXTURES], ids=["small", "fixtures"])
def test_dot_output_parses_with_graphviz(target: Path,
                                         capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _err = run([str(target), "--format", "dot"], capsys)
    assert code == 0
    assert out.startswith("digraph iaclint {")
    assert "<svg" in graphviz(out)


def test_mermaid_snapshot(capsys: pytest.CaptureFixture[str],
                          monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    code, out, err = run([os.path.relpath(SMALL, REPO), "--disable", "tagging"], capsys)
    assert (code, err) == (0, "")
    assert out.startswith("flowchart LR\n")
    check_snapshot("graph-iac010.mmd", out)


def test_fence_wraps_mermaid_and_is_refused_for_dot(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(SMALL), "--fence"], capsys)
    assert code == 0
    assert out.startswith("```mermaid\nflowchart LR\n") and out.endswith("```\n")
    code, _, err = run([str(SMALL), "--fence", "--format", "dot"], capsys)
    assert code == 2 and "--fence" in err


def test_edges_go_from_referrer_to_referenced_with_the_attribute(
        capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run([str(SMALL), "--format", "dot"], capsys)
    ids = dict(re.findall(r'^    "(n\d+)" \[label="([^\\"]+)', out, re.M))
    by_address = {address: n for n, address in ids.items()}
    edge = f'"{by_address["aws_instance.app"]}" -> "{by_address["aws_subnet.public"]}"'
    assert f'{edge} [label="subnet_id"];' in out


def test_focus_draws_the_node_and_its_neighbours(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(SMALL), "--focus", "aws_subnet.public"], capsys)
    assert code == 0
    assert sorted(drawn_addresses(out)) == [
        "aws_instance.app", "aws_nat_gateway.nat", "aws_route_table_association.public",
        "aws_subnet.public", "aws_vpc.main",
    ]
    _, out, _ = run([str(SMALL), "--focus", "aws_subnet.public", "--depth", "0"], capsys)
    assert drawn_addresses(out) == ["aws_subnet.public"]
    _, out, _ = run([str(SMALL), "--focus", "aws_instance.app", "--depth", "2"], capsys)
    assert "aws_vpc.main" in drawn_addresses(out)
    assert "aws_eip.nat" not in drawn_addresses(out)


def test_focus_includes_every_root_with_that_address(
        tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    for root in ("one", "two"):
        (tmp_path / root).mkdir()
        (tmp_path / root / "main.tf").write_text(
            'resource "aws_sqs_queue" "q" {}\nresource "aws_sqs_queue" "other" {}\n')
    _, out, _ = run([str(tmp_path), "--focus", "aws_sqs_queue.q"], capsys)
    assert drawn_addresses(out) == ["aws_sqs_queue.q", "aws_sqs_queue.q"]


def test_unknown_focus_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([str(SMALL), "--focus", "aws_subnet.publik"], capsys)
    assert code == 2 and out == ""
    assert "no resource has the address 'aws_subnet.publik'" in err
    assert "aws_subnet.public" in err  # the suggestion


def test_findings_only_draws_exactly_the_findings_paths(
        capsys: pytest.CaptureFixture[str]) -> None:
    result = scanned(SMALL)
    expected = {f.node_id for f in result.findings}
    for f in result.findings:
        expected |= {r.node_id for r in f.related if r.node_id}
    drawing = select(result.graph, result.findings, result.root, findings_only=True)
    assert {n.id for n in drawing.nodes} == expected == on_paths(result.graph, result.findings)
    assert all(e.source in expected and e.target in expected for e in drawing.edges)
    assert {n.id for n in drawing.nodes if n.marks} == {f.node_id for f in result.findings}
    _, out, _ = run([str(SMALL), "--findings-only"], capsys)
    addresses = drawn_addresses(out)
    assert "aws_internet_gateway.gw" in addresses  # the end of the public path
    assert "aws_vpc.main" not in addresses and "aws_eip.nat" not in addresses  # on no path
    assert len(addresses) == len(expected)


def test_finding_nodes_are_marked(capsys: pytest.CaptureFixture[str]) -> None:
    _, out, _ = run([str(SMALL), "--disable", "tagging"], capsys)
    line = next(line for line in out.splitlines() if "aws_instance.app" in line)
    assert "{{" in line and "IAC010 medium" in line
    assert re.search(r"^  class (n\d+,)*n\d+ finding;$", out, re.M)
    _, dot_out, _ = run([str(SMALL), "--format", "dot", "--disable", "tagging"], capsys)
    line = next(line for line in dot_out.splitlines() if "aws_instance.app" in line)
    assert "IAC010 medium" in line and "penwidth=2" in line


HOSTILE_TF = '''resource "aws_sqs_queue" "q" {
  for_each = toset(["<script>alert(1)</script>", "q\\"uote", "a]b{c}#d;e|f\\\\g"])
}
'''
HOSTILE_CFN = '''AWSTemplateFormatVersion: "2010-09-09"
Resources:
  "Bad\\"<img src=x onerror=alert(1)>\\n</script>end":
    Type: AWS::SQS::Queue
  Topic:
    Type: AWS::SNS::Topic
    Properties:
      TopicName: !GetAtt ["Bad\\"<img src=x onerror=alert(1)>\\n</script>end", QueueName]
'''


@pytest.fixture()
def hostile(tmp_path: Path) -> Path:
    (tmp_path / "tf").mkdir()
    (tmp_path / "tf" / "main.tf").write_text(HOSTILE_TF)
    (tmp_path / "cfn").mkdir()
    (tmp_path / "cfn" / "template.yaml").write_text(HOSTILE_CFN)
    return tmp_path


def test_hostile_names_are_escaped_in_mermaid(hostile: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(hostile)], capsys)
    assert code == 0
    for bad in ("<script", "<img", "</", "\\\"", "onerror=alert(1)>"):
        assert bad not in out
    body = [line for line in out.splitlines() if line.startswith("    n")]
    assert len(body) == 5
    assert all(NODE.match(line) for line in body), body  # no label broke out of its quotes
    assert "<br>" in out and out.count("\n") == len(out.splitlines())
    addresses = drawn_addresses(out)
    assert 'Bad"<img src=x onerror=alert(1)> </script>end' in addresses  # newline blanked
    assert 'aws_sqs_queue.q["q\\"uote"]' in addresses


@needs_dot
def test_hostile_names_are_escaped_in_dot(hostile: Path,
                                          capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run([str(hostile), "--format", "dot"], capsys)
    assert code == 0
    svg = graphviz(out)
    assert "<script" not in svg and "<img" not in svg
    assert "&lt;img src=x onerror=alert(1)&gt;" in svg
    assert len(re.findall(r"<g id=\"node\d+\" class=\"node\">", svg)) == 5  # nothing injected
    assert re.search(r'^  "n\d+" -> "n\d+" \[label="TopicName"\];$', out, re.M)


def test_output_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "out" / "graph.dot"
    code, out, _ = run([str(SMALL), "-f", "dot", "-o", str(target)], capsys)
    assert (code, out) == (0, "")
    assert target.read_text("utf-8").startswith("digraph iaclint {")


def test_missing_path_is_a_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = run(["/nonexistent/iaclint-graph"], capsys)
    assert code == 2 and "does not exist" in err


# -- the paths come from the rules ------------------------------------------------------

GRAPH_RULES = sorted(p for p in (FIXTURES / "rules").glob("IAC0[1-4]*/*/bad*") if p.is_dir())


@pytest.mark.parametrize("case", GRAPH_RULES, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_related_node_ids_point_at_the_graph_nodes_named(case: Path) -> None:
    result = scanned(case)
    nodes = {n.id: n for n in result.graph}
    for f in [*result.findings, *result.suppressed]:
        for r in f.related:
            if r.role in ("module call",) or r.role.startswith("provider default_tags"):
                assert r.node_id == ""  # no node: a module call, a provider block
                continue
            assert r.node_id in nodes, (f.rule_id, r)
            assert nodes[r.node_id].address == r.address


def test_public_path_nodes_in_order() -> None:
    result = scanned(SMALL)
    (f,) = (f for f in result.findings if f.rule_id == "IAC010")
    kinds = [result.graph.get(r.node_id).kind for r in f.related]  # type: ignore[union-attr]
    assert kinds == ["ec2.subnet", "ec2.route_table_association", "ec2.route_table",
                     "ec2.route_table", "ec2.internet_gateway"]


def test_sarif_code_flows_follow_related_order() -> None:
    result = scanned(SMALL)
    text = render("sarif", result)
    sarif = json.loads(text)
    validator = jsonschema.Draft7Validator(json.loads(SARIF_SCHEMA.read_text("utf-8")))
    assert not list(validator.iter_errors(sarif))
    assert github_problems(sarif, text) == []
    findings = {f.fingerprint: f for f in result.findings}
    flows = 0
    for res in sarif["runs"][0]["results"]:
        f = findings[res["partialFingerprints"][next(iter(res["partialFingerprints"]))]]
        if not f.related:
            assert "codeFlows" not in res
            continue
        flows += 1
        (flow,) = res["codeFlows"]
        (thread,) = flow["threadFlows"]
        steps = [s["location"] for s in thread["locations"]]
        assert [s["message"]["text"] for s in steps] == [
            f"{f.rule_id}: {f.address}", *(f"{r.role}: {r.address}" for r in f.related)]
        assert [s["physicalLocation"]["region"]["startLine"] for s in steps] == [
            f.location.start_line, *(r.location.start_line for r in f.related)]
        related = [r["physicalLocation"] for r in res["relatedLocations"]]
        assert [s["physicalLocation"] for s in steps[1:]] == related
    assert flows >= 2


def test_mermaid_too_large_for_github_warns(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run([str(FIXTURES)], capsys)
    assert code == 0 and out.startswith("flowchart LR")
    assert "GitHub will not render it" in err and "--focus" in err
    _, _, err = run([str(SMALL)], capsys)
    assert "GitHub" not in err


def test_an_internal_error_still_draws_and_exits_3(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    from linter.loaders import load

    def loader(source: object, *rest: object) -> object:
        if str(getattr(source, "path", "")).endswith("main.tf"):
            raise RuntimeError("injected")
        return load(source, *rest)  # type: ignore[arg-type]

    monkeypatch.setattr("linter.runner.load", loader)
    code, out, err = run([str(SMALL)], capsys)
    assert code == 3
    assert out.startswith("flowchart LR")
    assert "aws_subnet.public" in out and "aws_instance.app" not in out
    assert "RuntimeError: injected" in err and "graph is incomplete" in err


def test_readme_example_is_what_the_command_prints(
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(REPO)
    readme = (REPO / "README.md").read_text("utf-8")
    section = readme.split("## Resource graph", 1)[1]
    example = section.split("```mermaid\n", 1)[1].split("```\n", 1)[0]
    small = os.path.relpath(SMALL, REPO)
    code, out, _ = run([small, "--findings-only", "--disable", "tagging", "--root", small],
                       capsys)
    assert code == 0
    assert out == example


def test_mermaid_escape_leaves_nothing_mermaid_or_html_would_read() -> None:
    from linter.reporters.graph_mermaid import escape

    assert escape('a"b') == "a#34;b"
    assert escape("<b>&amp;</b>") == "#60;b#62;#38;amp#59;#60;/b#62;"
    assert escape("#quot;") == "#35;quot#59;"  # a literal entity stays literal
    assert escape("`**md**`|x") == "#96;#42;#42;md#42;#42;#96;#124;x"
    assert escape("fa:fa-ban") == "fa#58;fa-ban"  # no icon element
    assert escape("line\nbreak\ttab") == "line break tab"
    assert escape("main.tf:12") == "main.tf:12"


def test_dot_quote_keeps_every_name_inside_its_string() -> None:
    from linter.reporters.graph_dot import label, quote

    assert quote('a"b\\') == '"a\\"b\\\\"'
    assert quote("x\ny") == '"x y"'
    assert label(["one", 'two"']) == '"one\\ntwo\\""'


def test_scan_inputs_work_as_in_scan(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "main.tf").write_text(
        'variable "n" {\n  default = 1\n}\nresource "aws_sqs_queue" "q" {\n  count = var.n\n}\n')
    (tmp_path / "skip").mkdir()
    (tmp_path / "skip" / "main.tf").write_text('resource "aws_sns_topic" "t" {}\n')
    _, out, _ = run([str(tmp_path), "--var", "n=3", "--exclude", "skip/"], capsys)
    assert drawn_addresses(out) == [f"aws_sqs_queue.q[{i}]" for i in range(3)]
    code, _, err = run([str(tmp_path), "--var", "n"], capsys)
    assert code == 2 and "--var" in err
