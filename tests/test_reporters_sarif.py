"""SARIF 2.1.0: schema validity, rule descriptors, results as GitHub code scanning reads them."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from linter.model import Finding, Location, Severity
from linter.reporters import render
from linter.reporters.sarif import (
    EXAMPLE_MAX_LINES,
    FINGERPRINT_KEY,
    pascal_case,
    property_bag,
    to_json,
)
from linter.rule import PARSE_ERROR_RULE

from .conftest import SARIF_SCHEMA, shared_path
from .test_reporters_common import (
    PINNED_VERSION,
    RULES,
    check_snapshot,
    inside_only,
    make_result,
    normalize,
    pinned_version,  # noqa: F401  (fixture)
)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SARIF_SCHEMA.read_text("utf-8"))
    return jsonschema.Draft7Validator(schema)


def sarif(result: Any) -> dict[str, Any]:
    return json.loads(render("sarif", result))


def run_of(result: Any) -> dict[str, Any]:
    data = sarif(result)
    assert len(data["runs"]) == 1
    return data["runs"][0]


def test_snapshot(tmp_path: Path, pinned_version: str) -> None:  # noqa: F811
    text = render("sarif", inside_only(make_result(tmp_path)))
    check_snapshot("reporters-sarif.json", normalize(text, tmp_path))


def test_valid_against_official_schema(
    tmp_path: Path, validator: jsonschema.Draft7Validator
) -> None:
    data = sarif(make_result(tmp_path))
    errors = [f"{list(e.path)}: {e.message}" for e in validator.iter_errors(data)]
    assert errors == []
    assert data["version"] == "2.1.0"


def test_empty_result_is_valid(tmp_path: Path, validator: jsonschema.Draft7Validator) -> None:
    data = sarif(make_result(tmp_path, findings=False))
    validator.validate(data)
    assert data["runs"][0]["results"] == []
    assert len(data["runs"][0]["tool"]["driver"]["rules"]) == len(RULES) + 1


def test_schema_catches_a_broken_log(tmp_path: Path, validator: jsonschema.Draft7Validator) -> None:
    data = sarif(make_result(tmp_path))
    data["runs"][0]["results"][0]["level"] = "critical"
    assert not validator.is_valid(data)


def test_no_nulls_anywhere(tmp_path: Path) -> None:
    def walk(value: Any) -> None:
        assert value is not None
        if isinstance(value, dict):
            for v in value.values():
                walk(v)
        elif isinstance(value, list):
            for v in value:
                walk(v)

    walk(sarif(make_result(tmp_path)))


def test_driver(tmp_path: Path, pinned_version: str) -> None:  # noqa: F811
    driver = run_of(make_result(tmp_path))["tool"]["driver"]
    assert driver["name"] == "iaclint"
    assert driver["version"] == PINNED_VERSION
    assert driver["informationUri"].startswith("https://")
    assert [r["id"] for r in driver["rules"]] == ["IAC000", "IAC001", "IAC003", "IAC004",
                                                   "IAC005", "IAC006"]


def test_rule_descriptor(tmp_path: Path) -> None:
    rules = {r["id"]: r for r in run_of(make_result(tmp_path))["tool"]["driver"]["rules"]}
    rule = rules["IAC001"]
    assert rule["name"] == "SecurityGroupAllowsIngressFromTheInternet"
    assert rule["shortDescription"] == {"text": "Security group allows ingress from the internet"}
    assert rule["fullDescription"]["text"] == (
        "A port open to 0.0.0.0/0 can be reached by anyone. Close it."
    )
    assert rule["helpUri"] == RULES[0].links[0]
    assert rule["defaultConfiguration"] == {"level": "error"}
    assert rule["properties"] == {
        "tags": ["security", "open-ingress", "network"],
        "category": "open-ingress",
        "precision": "high",
        "security-severity": "9.5",
    }
    markdown = rule["help"]["markdown"]
    for expected in (
        "A port open to 0.0.0.0/0",
        "**Terraform**: Restrict `cidr_blocks`",
        "**CloudFormation**: Restrict `CidrIp`",
        "## Examples",
        'Terraform, good:\n\n```hcl\ncidr_blocks = ["10.0.0.0/8"]\n```',
        'CloudFormation, bad:\n\n```json\n{"CidrIp": "0.0.0.0/0"}\n```',
        RULES[0].links[0],
    ):
        assert expected in markdown
    assert "Restrict `CidrIp`" in rule["help"]["text"]
    # No links: no helpUri, and help still carries the remediation.
    assert "helpUri" not in rules["IAC003"]
    assert "Set `multi_az = true`." in rules["IAC003"]["help"]["markdown"]
    assert rules["IAC000"]["properties"]["category"] == "parse-error"


@pytest.mark.parametrize(
    ("severity", "level", "score"),
    [
        (Severity.CRITICAL, "error", "9.5"),
        (Severity.HIGH, "error", "8.0"),
        (Severity.MEDIUM, "warning", "5.5"),
        (Severity.LOW, "note", "3.0"),
    ],
)
def test_level_and_security_severity(
    tmp_path: Path, severity: Severity, level: str, score: str
) -> None:
    run = run_of(make_result(tmp_path))
    rules = run["tool"]["driver"]["rules"]
    for rule in RULES:
        if rule.severity is severity:
            descriptor = next(r for r in rules if r["id"] == rule.id)
            assert descriptor["defaultConfiguration"]["level"] == level
            assert descriptor["properties"]["security-severity"] == score
    for res in run["results"]:
        if res["properties"]["severity"] == severity.label:
            assert res["level"] == level


def test_result_level_follows_the_finding_not_the_rule(tmp_path: Path) -> None:
    results = run_of(make_result(tmp_path))["results"]
    levels = {r["message"]["text"].split(" ")[0]: r["level"] for r in results
              if r["ruleId"] == "IAC001"}
    assert levels == {"SSH": "error", "Port": "warning"}


def test_rule_index_points_at_the_rule(tmp_path: Path) -> None:
    run = run_of(make_result(tmp_path))
    rules = run["tool"]["driver"]["rules"]
    assert len(run["results"]) == 7
    for res in run["results"]:
        assert rules[res["ruleIndex"]]["id"] == res["ruleId"]


def test_finding_of_an_unlisted_rule_still_gets_a_descriptor(
    tmp_path: Path, validator: jsonschema.Draft7Validator
) -> None:
    result = make_result(tmp_path)
    f = result.findings[0]
    result.findings.append(replace(f, rule_id="ACME001", category="custom"))
    run = run_of(result)
    validator.validate({"version": "2.1.0", "runs": [run]})
    rules = run["tool"]["driver"]["rules"]
    res = next(r for r in run["results"] if r["ruleId"] == "ACME001")
    assert rules[res["ruleIndex"]]["id"] == "ACME001"


def test_locations(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    run = run_of(result)
    assert run["originalUriBaseIds"] == {
        "%SRCROOT%": {"uri": Path(result.root).as_uri() + "/"}
    }
    by_rule = {}
    for res in run["results"]:
        assert len(res["locations"]) == 1
        by_rule.setdefault(res["ruleId"], []).append(res["locations"][0])
    db = by_rule["IAC003"][0]
    assert db["physicalLocation"] == {
        "artifactLocation": {"uri": "modules/db/main.tf", "uriBaseId": "%SRCROOT%"},
        "region": {"startLine": 1, "endLine": 12},
    }
    assert db["logicalLocations"] == [
        {"fullyQualifiedName": 'module.db["x"].aws_db_instance.this[0]', "kind": "resource"}
    ]
    policy = by_rule["IAC005"][0]
    assert policy["logicalLocations"][0]["fullyQualifiedName"] == "policies/admin.json"
    outside = by_rule["IAC006"][0]["physicalLocation"]["artifactLocation"]
    assert outside == {"uri": (tmp_path / "elsewhere" / "extra.tf").as_uri()}


def test_uri_is_percent_encoded(tmp_path: Path) -> None:
    result = make_result(tmp_path, findings=False)
    path = Path(result.root) / "dir with space" / "a#b.tf"
    path.parent.mkdir()
    path.write_text("x\n")
    node = next(iter(result.graph))
    result.findings = [RULES[0].finding(node, "m", Location(str(path), 1, 1))]
    loc = run_of(result)["results"][0]["locations"][0]["physicalLocation"]
    assert loc["artifactLocation"]["uri"] == "dir%20with%20space/a%23b.tf"


def test_message_names_the_resource(tmp_path: Path) -> None:
    results = run_of(make_result(tmp_path))["results"]
    texts = {r["message"]["text"] for r in results}
    assert "SSH (22/tcp) open to 0.0.0.0/0 (aws_security_group.web)" in texts
    # Already named in the message, or the address is the file: not repeated.
    assert "aws_sqs_queue.q has no tags" in texts
    assert "Invalid expression: expected a value" in texts


def _fingerprints(result: Any) -> dict[tuple[str, str], str]:
    """Fingerprint by (rule, file); the fixture has one finding per pair but for IAC001."""
    out = {}
    for r in run_of(result)["results"]:
        uri = r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        key = (r["ruleId"], uri, r["level"])
        assert key not in out
        out[key] = r["partialFingerprints"][FINGERPRINT_KEY]
    return out


def test_fingerprints_survive_line_moves(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    before = _fingerprints(result)
    assert len(set(before.values())) == len(before)
    result.findings = [
        replace(f, location=Location(f.location.path, f.location.start_line + 10,
                                     f.location.end_line + 10))
        for f in result.findings
    ]
    assert _fingerprints(result) == before


def test_fingerprints_change_with_the_finding(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    before = _fingerprints(result)
    result.findings = [
        replace(f, address=f.address + "_renamed") if f.rule_id == "IAC003" else f
        for f in result.findings
    ]
    after = _fingerprints(result)
    changed = [k for k in before if before[k] != after[k]]
    assert changed == [("IAC003", "modules/db/main.tf", "error")]


def test_fingerprints_do_not_depend_on_the_root_location(tmp_path: Path) -> None:
    a = inside_only(make_result(tmp_path / "one"))
    b = inside_only(make_result(tmp_path / "two"))
    assert _fingerprints(a) == _fingerprints(b)


def test_parse_errors_become_notifications(tmp_path: Path) -> None:
    invocation = run_of(make_result(tmp_path))["invocations"][0]
    assert invocation["executionSuccessful"] is True
    (note,) = invocation["toolExecutionNotifications"]
    assert note["level"] == "error"
    assert note["associatedRule"] == {"id": "IAC000", "index": 0}
    assert note["locations"][0]["physicalLocation"]["region"] == {"startLine": 2,
                                                                  "startColumn": 12}


def test_rule_crash_is_a_notification(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    result.rule_crashes = [("IAC004", "Traceback...\nKeyError: 'x'\n")]
    notes = run_of(result)["invocations"][0]["toolExecutionNotifications"]
    assert any("IAC004" in n["message"]["text"] and "KeyError" in n["message"]["text"]
               for n in notes)


def test_examples_attribute_is_optional_and_shape_tolerant(tmp_path: Path) -> None:
    result = make_result(tmp_path, findings=False)

    class Listed(type(RULES[2])):  # type: ignore[misc]
        id = "IAC090"
        examples = [("terraform", "bad", 'resource "aws_s3_bucket" "b" {}')]

    class Broken(type(RULES[2])):  # type: ignore[misc]
        id = "IAC091"
        examples = 42

    class Long(type(RULES[2])):  # type: ignore[misc]
        id = "IAC092"

        @property
        def examples(self) -> dict[str, dict[str, str]]:
            return {"iam": {"bad": "\n".join(["{"] + ["  1,"] * 100 + ["}"])}}

    result.rules = [PARSE_ERROR_RULE, Listed(), Broken(), Long()]
    rules = {r["id"]: r for r in run_of(result)["tool"]["driver"]["rules"]}
    assert 'terraform bad:\n\n```hcl\nresource "aws_s3_bucket" "b" {}\n```' in (
        rules["IAC090"]["help"]["markdown"]
    )
    assert "## Examples" not in rules["IAC091"]["help"]["markdown"]
    long = rules["IAC092"]["help"]["markdown"]
    assert "IAM, bad:\n\n```json\n{\n" in long
    assert long.count("  1,") == EXAMPLE_MAX_LINES - 1 and "\n...\n```" in long


def test_pascal_case() -> None:
    assert pascal_case("S3 bucket without encryption") == "S3BucketWithoutEncryption"
    assert pascal_case("IAM policy allows '*' actions") == "IAMPolicyAllowsActions"


def test_serializer_uses_schema_names_and_drops_defaults() -> None:
    import sarif_om as om

    region = om.Region(start_line=3, end_line=4)
    assert to_json(region) == {"startLine": 3, "endLine": 4}
    res = om.Result(message=om.Message(text="m"), rule_id="X", rule_index=0, level="warning")
    # ruleIndex 0 is a real index (the default is -1); level is kept though it is the default.
    assert to_json(res) == {"ruleId": "X", "ruleIndex": 0, "level": "warning",
                            "message": {"text": "m"}}
    bag = property_bag(tags=["a"], **{"security-severity": "9.5"})
    assert to_json(bag) == {"tags": ["a"], "security-severity": "9.5"}


def test_finding_is_frozen_dataclass_for_replace() -> None:
    # The tests above move findings with dataclasses.replace; guard the assumption.
    f = Finding("IAC001", Severity.LOW, "c", "m", Location("/a", 1, 1), "x")
    assert replace(f, message="n").message == "n"


def test_real_corpus_files_give_valid_reports(validator: jsonschema.Draft7Validator) -> None:
    """Synthetic findings on every corpus file: odd encodings, long files, many results."""
    from linter.discovery import discover
    from linter.model import Graph
    from linter.runner import ScanResult

    corpus = shared_path("corpus")
    files, skipped, _missing = discover([str(corpus)])
    findings = []
    for n, source in enumerate(files):
        rule = RULES[n % len(RULES)]
        last = max(1, len(Path(source.path).read_bytes().splitlines()))
        findings.append(Finding(rule.id, rule.severity, rule.category, f"finding {n}",
                                Location(source.path, max(1, last // 2), last), f"r.{n}"))
    result = ScanResult(str(corpus), findings, files, skipped, [], [PARSE_ERROR_RULE, *RULES],
                        Graph())
    data = sarif(result)
    validator.validate(data)
    results = data["runs"][0]["results"]
    assert len(results) == len(files)
    assert all(not r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
               .startswith("/") for r in results)
    text = render("text", result)
    assert text.count("\n  ") >= len(files)


def test_graded_rule_states_its_worst_reported_severity(tmp_path: Path) -> None:
    """GitHub reads severity from the rule only: a rule whose default is lower than a
    finding it reported must not show that finding's alert as less severe."""
    result = make_result(tmp_path)
    first = next(
        f for f in result.findings
        if next(r for r in result.rules if r.id == f.rule_id).severity < Severity.CRITICAL
    )
    rule = next(r for r in result.rules if r.id == first.rule_id)
    below = min(Severity)
    result.findings[result.findings.index(first)] = replace(first, severity=Severity.CRITICAL)
    descriptor = next(d for d in run_of(result)["tool"]["driver"]["rules"] if d["id"] == rule.id)
    assert descriptor["properties"]["security-severity"] == "9.5"
    assert descriptor["defaultConfiguration"]["level"] == (
        "error" if rule.severity >= Severity.HIGH else "warning" if rule.severity > below
        else "note"
    )
    untouched = make_result(tmp_path)
    others = [r for r in untouched.rules if r.id not in {f.rule_id for f in untouched.findings}]
    for other in others:
        d = next(x for x in run_of(untouched)["tool"]["driver"]["rules"] if x["id"] == other.id)
        assert d["properties"]["security-severity"] == {
            Severity.CRITICAL: "9.5", Severity.HIGH: "8.0", Severity.MEDIUM: "5.5",
            Severity.LOW: "3.0"}[other.severity]
