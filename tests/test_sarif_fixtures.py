"""Every fixture directory's SARIF, and the shared corpus's, validates against the
official 2.1.0 schema and meets GitHub code scanning's further constraints
(tests/sarif_github.py); each result carries its rule's category and the resource
address."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from linter.config import Config
from linter.registry import load_rules
from linter.reporters import render
from linter.runner import ScanOptions, ScanResult, scan

from .conftest import FIXTURES, SARIF_SCHEMA, shared_path
from .sarif_github import github_problems

CASE_DIRS = sorted(
    {p.parent for p in FIXTURES.rglob("*") if p.is_file() and p.name != "expected.yaml"}
)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = json.loads(SARIF_SCHEMA.read_text("utf-8"))
    return jsonschema.Draft7Validator(schema)


def checked_sarif(path: Path, validator: Any) -> tuple[ScanResult, dict[str, Any]]:
    """Scan `path` (as the root) and return its SARIF, held to the official schema and
    to GitHub's further constraints."""
    result = scan(ScanOptions(paths=[str(path)], config=Config(), root=str(path),
                              rules=load_rules()))
    text = render("sarif", result)
    sarif = json.loads(text)
    errors = sorted(validator.iter_errors(sarif), key=lambda e: list(e.path))
    assert not errors, errors[0].message
    assert github_problems(sarif, text) == []
    return result, sarif


@pytest.mark.parametrize("case", CASE_DIRS, ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_sarif_is_valid(case: Path, validator) -> None:  # type: ignore[no-untyped-def]
    result, sarif = checked_sarif(case, validator)
    run = sarif["runs"][0]
    descriptors = run["tool"]["driver"]["rules"]
    for res in run.get("results", []):
        rule = descriptors[res["ruleIndex"]]
        assert rule["id"] == res["ruleId"]
        assert rule["properties"]["category"]
        assert len(res["locations"]) == 1
        logical = res["locations"][0]["logicalLocations"][0]["fullyQualifiedName"]
        assert logical
    # accepted (suppressed) findings are results too, with `suppressions`
    assert len(run.get("results", [])) == len(result.findings) + len(result.suppressed)


@pytest.mark.parametrize("language", ["terraform", "cloudformation"])
def test_corpus_sarif_meets_github_constraints(
    language: str, validator  # type: ignore[no-untyped-def]
) -> None:
    """Real-world code: long files, modules, many findings with related places. Skipped,
    saying so, in a clone without ../shared/corpus."""
    _result, sarif = checked_sarif(shared_path("corpus", language), validator)
    results = sarif["runs"][0]["results"]
    assert any(r.get("relatedLocations") for r in results)
