"""SARIF as GitHub code scanning reads it: related locations linked from the message,
the analysis category (automationDetails.id, --sarif-category), the documented
limits, and the checker of tests/sarif_github.py itself."""

from __future__ import annotations

import copy
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from linter.config import Config
from linter.model import Location, Related, Severity
from linter.registry import load_rules
from linter.reporters import render, sarif
from linter.reporters.common import ShownRelated
from linter.runner import ScanOptions, scan

from .conftest import FIXTURES
from .sarif_github import LIMITS, github_problems, message_links
from .test_cli import run
from .test_reporters_common import make_result


def run_of(text: str) -> dict[str, Any]:
    data = json.loads(text)
    assert github_problems(data, text) == []
    (only,) = data["runs"]
    return only


def fixture_run(case: str, rule: str) -> dict[str, Any]:
    path = FIXTURES / case
    result = scan(ScanOptions(paths=[str(path)], config=Config(enable={rule}), root=str(path),
                              rules=load_rules()))
    return run_of(render("sarif", result))


def related_of(result: dict[str, Any]) -> list[tuple[int, str, str, int, int]]:
    """(id, message, uri, startLine, endLine) of each related location."""
    return [
        (loc["id"], loc["message"]["text"], loc["physicalLocation"]["artifactLocation"]["uri"],
         loc["physicalLocation"]["region"]["startLine"],
         loc["physicalLocation"]["region"]["endLine"])
        for loc in result["relatedLocations"]
    ]


# -- related locations ---------------------------------------------------------


def test_public_subnet_terraform_shows_route_table_and_gateway_route() -> None:
    (result,) = fixture_run("rules/IAC010/terraform/bad", "IAC010")["results"]
    assert related_of(result) == [
        (1, "subnet: aws_subnet.public", "network.tf", 9, 14),
        (2, "route table association: aws_route_table_association.public", "network.tf", 37, 40),
        (3, "route table: aws_route_table.public", "network.tf", 28, 35),
        (4, "route 0.0.0.0/0 to internet gateway: aws_route_table.public", "network.tf", 32, 32),
        (5, "internet gateway: aws_internet_gateway.gw", "network.tf", 5, 7),
    ]
    text = result["message"]["text"]
    assert "whose route table [aws_route_table.public](3) routes 0.0.0.0/0 to " \
           "[aws_internet_gateway.gw](5)" in text
    links, stray = message_links(text)
    assert stray == []
    # Every place is linked, in path order, by the closing "Path:" sentence.
    assert links[-5:] == [("aws_subnet.public", 1), ("aws_route_table_association.public", 2),
                          ("aws_route_table.public", 3), ("aws_route_table.public", 4),
                          ("aws_internet_gateway.gw", 5)]
    assert result["relatedLocations"][3]["logicalLocations"] == [
        {"fullyQualifiedName": "aws_route_table.public", "kind": "resource"}]


def test_public_subnet_cloudformation_shows_route_table_and_gateway_route() -> None:
    results = fixture_run("rules/IAC010/cloudformation/bad", "IAC010")["results"]
    instance = next(r for r in results
                    if r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
                    == "AppInstance")
    assert related_of(instance) == [
        (1, "subnet: PublicSubnet", "template.yaml", 14, 20),
        (2, "route table association: PublicSubnetRouteTableAssociation", "template.yaml", 50,
         54),
        (3, "route table: PublicRouteTable", "template.yaml", 39, 42),
        (4, "route 0.0.0.0/0 to internet gateway: PublicDefaultRoute", "template.yaml", 48, 49),
        (5, "internet gateway: InternetGateway", "template.yaml", 7, 8),
    ]
    assert "[PublicRouteTable](3)" in instance["message"]["text"]
    assert "[PublicDefaultRoute](4)" in instance["message"]["text"]


def _shown(address: str, role: str = "route table") -> ShownRelated:
    return ShownRelated("main.tf", 3, 4, address, role)


def test_linked_message_names_whole_addresses_only() -> None:
    text = "aws_subnet.ab is not aws_subnet.a, nor aws_subnet.a[0] nor aws_subnet.a.b"
    out = sarif.linked_message(text, [_shown("aws_subnet.a", "subnet")])
    assert out.startswith(r"aws_subnet.ab is not [aws_subnet.a](1), nor aws_subnet.a\[0\] nor")
    # Every place is named in the message: no closing sentence.
    assert "Related:" not in out and "Path:" not in out


def test_linked_message_escapes_brackets_and_walks_the_path() -> None:
    module = 'module.net["a"].aws_route_table.this[0]'
    text = f"x[1] is in a subnet whose table {module} routes to the internet"
    out = sarif.linked_message(text, [_shown("aws_subnet.p", "subnet"), _shown(module)])
    assert out.startswith("x\\[1\\] is in a subnet whose table "
                          '[module.net\\["a"\\].aws_route_table.this\\[0\\]](2) routes')
    assert out.endswith('. Path: subnet [aws_subnet.p](1) → route table '
                        '[module.net\\["a"\\].aws_route_table.this\\[0\\]](2).')
    links, stray = message_links(out)
    assert stray == []
    assert links[0] == (module, 2)
    assert sarif.linked_message("a", [_shown("b")]) == "a. Related: route table [b](1)."
    subnets = [_shown("s1", "private subnet"), _shown("s2", "private subnet")]
    assert sarif.linked_message("NAT x.", subnets) == (
        "NAT x. Related: private subnet [s1](1), private subnet [s2](2).")


def test_related_locations_are_capped_to_what_github_shows(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = make_result(tmp_path)
    first = result.findings[0]
    many = tuple(Related(Location(first.location.path, n, n), f"aws_subnet.s{n}", "subnet")
                 for n in range(1, 151))
    result.findings[0] = replace(first, related=many)
    run = run_of(render("sarif", result))
    (capped,) = (r for r in run["results"] if len(r.get("relatedLocations", [])) > 1)
    assert len(capped["relatedLocations"]) == sarif.SHOWN_LOCATIONS - 1
    assert "kept only the first 99 related locations" in capsys.readouterr().err


# -- category ------------------------------------------------------------------


def test_default_category_comes_from_the_scanned_paths(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    root = Path(result.root)
    assert sarif.automation_id(result) == "iaclint/"  # a hand-made result names no paths
    result.paths = [str(root / "infra" / "tf"), str(root / "cfn") + "/", str(root / "cfn")]
    assert sarif.automation_id(result) == "iaclint/cfn,infra/tf/"
    result.paths = [str(root)]
    assert sarif.automation_id(result) == "iaclint/"
    result.sarif_category = "terraform/prod/"
    assert sarif.automation_id(result) == "terraform/prod/"
    details = json.loads(render("sarif", result))["runs"][0]["automationDetails"]
    assert details == {"id": "terraform/prod/"}


def test_sarif_category_option(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                               monkeypatch: pytest.MonkeyPatch) -> None:
    tf = tmp_path / "tf"
    cfn = tmp_path / "cfn"
    tf.mkdir()
    cfn.mkdir()
    (tf / "main.tf").write_text('resource "aws_sqs_queue" "q" {}\n', encoding="utf-8")
    (cfn / "t.yaml").write_text("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n",
                                encoding="utf-8")
    monkeypatch.chdir(tmp_path)

    def category(*args: str) -> str:
        code, out, _ = run(["scan", *args, "-f", "sarif"], capsys)
        assert code in (0, 1)
        return str(json.loads(out)["runs"][0]["automationDetails"]["id"])

    # Two jobs of one workflow, one upload each: different categories, none overwritten.
    assert category("tf") == "iaclint/tf/"
    assert category("cfn") == "iaclint/cfn/"
    assert category("tf", "--sarif-category", "terraform") == "terraform/"
    code, _, err = run(["scan", "tf", "--sarif-category", " / "], capsys)
    assert code == 2 and "--sarif-category" in err


# -- limits --------------------------------------------------------------------


def test_limits_are_githubs() -> None:
    """The reporter's constants agree with the checker's own reading of GitHub's page."""
    reporter = {
        "gzip_bytes": sarif.MAX_GZIP_BYTES, "runs": sarif.MAX_RUNS,
        "results": sarif.MAX_RESULTS, "rules": sarif.MAX_RULES,
        "tool_extensions": sarif.MAX_TOOL_EXTENSIONS,
        "thread_flow_locations": sarif.MAX_THREAD_FLOW_LOCATIONS,
        "locations": sarif.MAX_LOCATIONS, "result_locations": sarif.MAX_RESULT_LOCATIONS,
        "tags": sarif.MAX_TAGS, "rule_name": sarif.MAX_RULE_NAME,
        "description": sarif.MAX_DESCRIPTION,
    }
    assert reporter == LIMITS
    shown = (sarif.SHOWN_RESULTS, sarif.SHOWN_LOCATIONS, sarif.SHOWN_TAGS,
             sarif.SHOWN_THREAD_FLOW_LOCATIONS)
    assert shown == (5_000, 100, 10, 1_000)


def test_too_many_results_keep_the_most_severe(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sarif, "MAX_RESULTS", 4)
    monkeypatch.setattr(sarif, "SHOWN_RESULTS", 2)
    result = make_result(tmp_path)
    severities = sorted((f.severity for f in result.findings), reverse=True)
    run = json.loads(render("sarif", result))["runs"][0]
    kept = [r["properties"]["severity"] for r in run["results"]]
    assert sorted(kept) == sorted(s.label for s in severities[:4])
    err = capsys.readouterr().err
    assert "kept the 4 most severe of 7 results and dropped 3" in err
    assert err.startswith("iaclint: warning: SARIF: ")
    notes = [n["message"]["text"] for n in run["invocations"][0]["toolExecutionNotifications"]
             if n["level"] == "warning"]
    assert notes and "dropped 3" in notes[0]
    # Deterministic: the same input drops the same results.
    assert json.loads(render("sarif", result))["runs"][0]["results"] == run["results"]


def test_many_results_warn_that_github_shows_only_the_top(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(sarif, "SHOWN_RESULTS", 5)
    run = json.loads(render("sarif", make_result(tmp_path)))["runs"][0]
    assert len(run["results"]) == 7
    assert "GitHub shows only the 5 most severe" in capsys.readouterr().err


def test_oversized_file_drops_the_least_severe_results(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    result = make_result(tmp_path)
    first = result.findings[1]
    result.findings += [replace(first, severity=Severity.LOW, message=f"noise {n} " * 40,
                                location=Location(first.location.path, n, n))
                        for n in range(1, 400)]
    full = render("sarif", result)
    capsys.readouterr()
    limit = len(full.encode()) // 4
    monkeypatch.setattr(sarif, "MAX_GZIP_BYTES", limit)
    monkeypatch.setattr(sarif, "gzip_size", lambda text: len(text.encode()))
    text = render("sarif", result)
    assert len(text.encode()) <= limit
    kept = json.loads(text)["runs"][0]["results"]
    assert 0 < len(kept) < len(result.findings)
    assert any(r["properties"]["severity"] == "critical" for r in kept)
    assert "gzip-compressed" in capsys.readouterr().err


def test_rule_fields_are_cut_to_githubs_lengths(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    result = make_result(tmp_path)
    rule = result.rules[1]

    class Wordy(type(rule)):  # type: ignore[misc]
        title = "Very " * 80 + "long title"
        description = "word " * 400
        tags = tuple(f"tag{n}" for n in range(30))

    result.rules[1] = Wordy()
    run = run_of(render("sarif", result))
    descriptor = next(d for d in run["tool"]["driver"]["rules"] if d["id"] == rule.id)
    assert len(descriptor["properties"]["tags"]) == sarif.MAX_TAGS
    assert descriptor["properties"]["tags"][:2] == ["security", rule.category]
    assert len(descriptor["name"]) == sarif.MAX_RULE_NAME
    assert len(descriptor["fullDescription"]["text"]) == sarif.MAX_DESCRIPTION
    assert descriptor["fullDescription"]["text"].endswith("…")
    assert f"{rule.id} tags 32 → 20" in capsys.readouterr().err


# -- the checker -------------------------------------------------------------------


def test_checker_catches_what_github_rejects(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    result.findings[0] = replace(result.findings[0], related=(
        Related(Location(result.findings[0].location.path, 1, 1), "x", "place"),))
    good = json.loads(render("sarif", result))
    assert github_problems(good) == []

    def broken(change: Any) -> list[str]:
        data = copy.deepcopy(good)
        change(data["runs"][0])
        return github_problems(data)

    def res(run: dict[str, Any]) -> dict[str, Any]:
        return next(r for r in run["results"] if r.get("relatedLocations"))

    def rule(run: dict[str, Any]) -> dict[str, Any]:
        return run["tool"]["driver"]["rules"][1]

    def region(run: dict[str, Any]) -> dict[str, Any]:
        return res(run)["locations"][0]["physicalLocation"]["region"]

    cases = {
        "partialFingerprints": lambda run: res(run).pop("partialFingerprints"),
        "ruleId is missing": lambda run: res(run).pop("ruleId"),
        "message.text": lambda run: res(run)["message"].update(text=""),
        "security-severity": lambda run: rule(run)["properties"].update(
            {"security-severity": 9.5}),
        "tags over": lambda run: rule(run)["properties"].update(tags=["security"] * 21),
        "help.markdown": lambda run: rule(run)["help"].pop("markdown"),
        "startLine": lambda run: region(run).update(startLine=0),
        "uriBaseId": lambda run: res(run)["locations"][0]["physicalLocation"][
            "artifactLocation"].pop("uriBaseId"),
        "not a file URI": lambda run: res(run)["locations"][0]["physicalLocation"][
            "artifactLocation"].update(uri="https://example.com/x.tf"),
        "to no related location": lambda run: res(run)["relatedLocations"][0].update(id=7),
        "ids repeat": lambda run: res(run)["relatedLocations"].append(
            res(run)["relatedLocations"][0]),
        "unescaped '['": lambda run: res(run)["message"].update(
            text=res(run)["message"]["text"] + " a[0]"),
        "has no category": lambda run: run.update(automationDetails={"id": "iaclint"}),
        "results over": lambda run: run.update(results=run["results"] * 3572),
    }
    for expected, change in cases.items():
        problems = broken(change)
        assert any(expected in p for p in problems), (expected, problems)
    many_runs = copy.deepcopy(good)
    many_runs["runs"] *= 21
    assert any("21 runs" in p for p in github_problems(many_runs))
