"""The JSON report: its documented schema, contents and stability."""

from __future__ import annotations

import json
import re
from importlib.resources import files
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from linter.reporters import render
from linter.reporters.json_report import SCHEMA_VERSION

from .conftest import REPO
from .test_reporters_common import (
    PINNED_VERSION,
    check_snapshot,
    inside_only,
    make_result,
    normalize,
    pinned_version,  # noqa: F401  (fixture)
)

DOC = REPO / "docs" / "json-output.md"


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(files("linter").joinpath("data/report-schema.json").read_text("utf-8"))
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def report(result: Any) -> dict[str, Any]:
    return json.loads(render("json", result))


def test_snapshot(tmp_path: Path, pinned_version: str) -> None:  # noqa: F811
    text = render("json", inside_only(make_result(tmp_path)))
    check_snapshot("reporters-json.json", normalize(text, tmp_path))


def test_conforms_to_schema(tmp_path: Path, validator: jsonschema.Draft7Validator) -> None:
    data = report(make_result(tmp_path))
    validator.validate(data)
    assert all(f["end_line"] >= f["start_line"] for f in data["findings"])


def test_clean_result_conforms(tmp_path: Path, validator: jsonschema.Draft7Validator) -> None:
    data = report(make_result(tmp_path, findings=False))
    validator.validate(data)
    assert data["findings"] == [] and data["errors"] == []
    assert data["summary"]["by_severity"] == {"critical": 0, "high": 0, "medium": 0, "low": 0}


def test_schema_rejects_a_malformed_finding(
    tmp_path: Path, validator: jsonschema.Draft7Validator
) -> None:
    data = report(make_result(tmp_path))
    data["findings"][0]["severity"] = "urgent"
    del data["findings"][1]["address"]
    messages = [e.message for e in validator.iter_errors(data)]
    assert any("urgent" in m for m in messages)
    assert any("'address' is a required property" in m for m in messages)


def test_top_level_and_summary(tmp_path: Path, pinned_version: str) -> None:  # noqa: F811
    result = make_result(tmp_path)
    data = report(result)
    assert data["version"] == PINNED_VERSION
    assert data["schema_version"] == SCHEMA_VERSION
    assert data["root"] == result.root
    assert data["summary"] == {
        "files_scanned": 6,
        "files_skipped": 1,
        "findings": 7,
        "by_severity": {"critical": 2, "high": 2, "medium": 2, "low": 1},
        "suppressed": 0,
    }
    assert data["skipped"] == [
        {"file": "README.md", "reason": "not an infrastructure file extension"}
    ]


def test_finding_fields(tmp_path: Path) -> None:
    data = report(make_result(tmp_path))
    by_address = {f["address"]: f for f in data["findings"]}
    db = by_address['module.db["x"].aws_db_instance.this[0]']
    assert db == {
        "rule_id": "IAC003",
        "title": "RDS instance is not Multi-AZ",
        "category": "multi-az",
        "severity": "high",
        "message": "RDS instance is not Multi-AZ",
        "file": "modules/db/main.tf",
        "start_line": 1,
        "end_line": 12,
        "address": 'module.db["x"].aws_db_instance.this[0]',
        "resource_type": "aws_db_instance",
        "source_language": "terraform",
        "evidence": None,
        "fingerprint": db["fingerprint"],
        "suppression": None,
        "related": [{"file": "main.tf", "start_line": 1, "end_line": 14,
                     "address": "aws_security_group.web", "role": "security group"}],
    }
    assert re.fullmatch(r"[0-9a-f]{64}:1", db["fingerprint"])
    assert by_address["Bucket"]["source_language"] == "cloudformation"
    assert by_address["policies/admin.json"]["source_language"] == "iam"


def test_parse_errors_are_findings_and_errors(tmp_path: Path) -> None:
    data = report(make_result(tmp_path))
    parse = [f for f in data["findings"] if f["rule_id"] == "IAC000"]
    assert len(parse) == 1
    assert parse[0]["file"] == "broken.tf" and parse[0]["address"] == "broken.tf"
    assert parse[0]["resource_type"] is None
    assert data["errors"] == [{
        "file": "broken.tf", "line": 2, "column": 12,
        "message": "Invalid expression: expected a value",
    }]


def test_paths_relative_inside_root_absolute_outside(tmp_path: Path) -> None:
    files_ = [f["file"] for f in report(make_result(tmp_path))["findings"]]
    assert files_[-1] == str(tmp_path / "elsewhere" / "extra.tf")
    assert all(not f.startswith("/") and "\\" not in f for f in files_[:-1])


def test_output_is_stable_whatever_the_input_order(tmp_path: Path) -> None:
    result = make_result(tmp_path)
    first = render("json", result)
    result.findings.reverse()
    assert render("json", result) == first


def test_documented_example_conforms(validator: jsonschema.Draft7Validator) -> None:
    block = re.search(r"```json\n(.*?)```", DOC.read_text("utf-8"), re.S)
    assert block is not None
    validator.validate(json.loads(block.group(1)))


def test_every_finding_field_is_documented(validator: jsonschema.Draft7Validator) -> None:
    doc = DOC.read_text("utf-8")
    fields = validator.schema["definitions"]["finding"]["properties"]
    missing = [name for name in fields if f"`{name}`" not in doc]
    assert missing == []
