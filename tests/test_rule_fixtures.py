"""Every rule fixture: bad cases report exactly what expected.yaml says, good cases nothing.

A case is fixtures/rules/<RULE_ID>/<language>/<good|bad>[-variant]/. It is scanned
on its own with the configuration found from the case directory upward, with all
built-in rules; only the case's rule (and IAC000 parse errors) are compared.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
import yaml

from linter.config import Config, find_config, load_config
from linter.runner import ScanOptions, scan
from rules import RULES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
LANGUAGES = ("terraform", "cloudformation", "iam")

Key = tuple[str, str, str, int]

def cases() -> list[Path]:
    return sorted(
        case
        for rule_dir in FIXTURES.iterdir() if rule_dir.is_dir()
        for lang_dir in rule_dir.iterdir() if lang_dir.is_dir()
        for case in lang_dir.iterdir()
        if case.is_dir() and case.name.split("-")[0] in ("good", "bad")
    )


def _expected_entries(case: Path) -> list[dict[str, object]]:
    if case.name.startswith("good"):
        return []
    data = yaml.safe_load((case / "expected.yaml").read_text(encoding="utf-8")) or {}
    return list(data.get("findings") or [])


def _key(f: dict[str, object]) -> Key:
    return (str(f["rule"]), str(f["address"]), str(f["file"]), int(str(f["line"])))


def expected_of(case: Path) -> Counter[Key]:
    return Counter(_key(f) for f in _expected_entries(case))


def expected_severities(case: Path) -> dict[Key, str]:
    """Severities that expected.yaml pins (the optional `severity` of an entry)."""
    return {_key(f): str(f["severity"]) for f in _expected_entries(case) if "severity" in f}


def run_case(case: Path) -> tuple[Counter[Key], list[str], dict[Key, set[str]]]:
    rule_id = case.parents[1].name
    found = find_config(case)
    # Only a case's own configuration counts: one in a parent of the checkout must not
    # change what the fixtures mean.
    config = load_config(found) if found and case in found.parents else Config()
    result = scan(
        ScanOptions(paths=[str(case)], config=config, root=str(case),
                    rules=[rule() for rule in RULES])
    )
    keep = [f for f in result.findings if f.rule_id in (rule_id, "IAC000")]
    actual = Counter(
        (f.rule_id, f.address, Path(os.path.relpath(f.location.path, case)).as_posix(),
         f.location.start_line)
        for f in keep
    )
    severities: dict[Key, set[str]] = {}
    for f in keep:
        key = (f.rule_id, f.address, Path(os.path.relpath(f.location.path, case)).as_posix(),
               f.location.start_line)
        severities.setdefault(key, set()).add(f.severity.label)
    crashes = [f"{rid}: {trace}" for rid, trace in result.rule_crashes]
    details = [f"{f.rule_id} {f.severity.label} {f.address}: {f.message}" for f in keep]
    return actual, crashes + details, severities


@pytest.mark.parametrize("case", cases(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_case(case: Path) -> None:
    language = case.parent.name
    assert language in LANGUAGES, f"unknown language directory {language}"
    actual, details, severities = run_case(case)
    expected = expected_of(case)
    assert actual == expected, (
        f"missing: {sorted((expected - actual).elements())}\n"
        f"unexpected: {sorted((actual - expected).elements())}\n" + "\n".join(details)
    )
    for key, severity in expected_severities(case).items():
        assert severity in severities.get(key, set()), (key, severity, details)


def test_bad_cases_have_expectations() -> None:
    for case in cases():
        if case.name.startswith("bad"):
            assert expected_of(case), f"{case} has no expected findings"
            rule_ids = {k[0] for k in expected_of(case)}
            assert rule_ids == {case.parents[1].name}, case


def test_every_rule_has_good_and_bad_cases_per_language() -> None:
    missing = []
    for rule in RULES:
        for language in rule.languages:  # type: ignore[attr-defined]
            lang_dir = FIXTURES / rule.id / language
            names = [p.name for p in lang_dir.iterdir()] if lang_dir.is_dir() else []
            kinds = {name.split("-")[0] for name in names}
            missing += [f"{rule.id}/{language}/{k}" for k in ("good", "bad") if k not in kinds]
    assert not missing, f"rules without fixtures: {missing}"


def test_fixture_directories_name_real_rules() -> None:
    known = {rule.id for rule in RULES}
    unknown = {p.name for p in FIXTURES.iterdir() if p.is_dir()} - known
    assert not unknown, f"fixtures for unknown rules: {sorted(unknown)}"


def test_configuration_lives_only_in_case_directories() -> None:
    for directory in (FIXTURES.parent, FIXTURES, *(p for p in FIXTURES.iterdir() if p.is_dir())):
        assert not (directory / ".iaclint.yaml").exists(), directory
