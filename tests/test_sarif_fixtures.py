"""Every fixture directory's SARIF validates against the official 2.1.0 schema, and
each result carries its rule's category and the resource address."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from linter.config import Config
from linter.registry import load_rules
from linter.reporters import render
from linter.runner import ScanOptions, scan

from .conftest import FIXTURES, SARIF_SCHEMA

CASE_DIRS = sorted(
    {p.parent for p in FIXTURES.rglob("*") if p.is_file() and p.name != "expected.yaml"}
)


@pytest.fixture(scope="module")
def validator():  # type: ignore[no-untyped-def]
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(SARIF_SCHEMA.read_text("utf-8"))
    return jsonschema.Draft7Validator(schema)


@pytest.mark.parametrize("case", CASE_DIRS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_sarif_is_valid(case: Path, validator) -> None:  # type: ignore[no-untyped-def]
    result = scan(ScanOptions(paths=[str(case)], config=Config(), root=str(case),
                              rules=load_rules()))
    sarif = json.loads(render("sarif", result))
    errors = sorted(validator.iter_errors(sarif), key=lambda e: list(e.path))
    assert not errors, errors[0].message
    run = sarif["runs"][0]
    descriptors = run["tool"]["driver"]["rules"]
    for res in run.get("results", []):
        rule = descriptors[res["ruleIndex"]]
        assert rule["id"] == res["ruleId"]
        assert rule["properties"]["category"]
        assert len(res["locations"]) == 1
        logical = res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        assert logical
    assert len(run.get("results", [])) == len(result.findings)
