"""Every rule fixture: bad cases report exactly what expected.yaml says, good cases nothing.

A case is fixtures/rules/<RULE_ID>/<language>/<good|bad>[-variant]/. It is scanned
on its own with the configuration found from the case directory upward, with all
built-in rules; only the case's rule (and IAC000 parse errors) are compared.

A case can only pass for the right reason: any rule crash or internal error fails
it (a crashed rule reports nothing, which a good case would otherwise accept), and
a good case fails unless its rule was handed at least one resource of a known kind
by the graph (`ScanOptions.record_evaluated`): a misspelled resource type makes a
node of no kind, which no rule looks at. A good case that means to show a rule
looking at nothing says so in its expected.yaml (`evaluated: none` and a reason).
"""

from __future__ import annotations

import os
import re
import shutil
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest
import yaml

from linter.config import Config, find_config, load_config
from linter.runner import ScanOptions, ScanResult, scan
from rules import RULES

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "rules"
LANGUAGES = ("terraform", "cloudformation", "iam", "terraform-plan")

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


def expected_messages(case: Path) -> dict[Key, str]:
    """Words the message must contain (the optional `message` of an entry)."""
    return {_key(f): str(f["message"]) for f in _expected_entries(case) if "message" in f}


@dataclass
class CaseRun:
    actual: Counter[Key]
    details: list[str]
    severities: dict[Key, set[str]]
    messages: dict[Key, list[str]]
    #: Rule crashes and internal errors, with their tracebacks.
    broken: list[str]
    #: Kinds of the nodes the case's rule was handed by the graph's queries.
    evaluated_kinds: set[str]


def run_case(case: Path) -> CaseRun:
    rule_id = case.parents[1].name
    found = find_config(case)
    # Only a case's own configuration counts: one in a parent of the checkout must not
    # change what the fixtures mean.
    config = load_config(found) if found and case in found.parents else Config()
    result = scan(
        ScanOptions(paths=[str(case)], config=config, root=str(case),
                    rules=[rule() for rule in RULES], record_evaluated=True)
    )
    keep = [f for f in result.findings if f.rule_id in (rule_id, "IAC000")]
    actual = Counter(
        (f.rule_id, f.address, Path(os.path.relpath(f.location.path, case)).as_posix(),
         f.location.start_line)
        for f in keep
    )
    severities: dict[Key, set[str]] = {}
    messages: dict[Key, list[str]] = {}
    for f in keep:
        key = (f.rule_id, f.address, Path(os.path.relpath(f.location.path, case)).as_posix(),
               f.location.start_line)
        severities.setdefault(key, set()).add(f.severity.label)
        messages.setdefault(key, []).append(f.message)
    details = [f"{f.rule_id} {f.severity.label} {f.address}: {f.message}" for f in keep]
    return CaseRun(actual, details, severities, messages, _broken(result),
                   _kinds(result, result.evaluated.get(rule_id, set())))


def _broken(result: ScanResult) -> list[str]:
    return ([f"rule {rid} crashed:\n{trace}" for rid, trace in result.rule_crashes]
            + [f"internal error in {e.stage} at {e.path}:\n{e.trace}"
               for e in result.internal_errors])


def _kinds(result: ScanResult, node_ids: set[str]) -> set[str]:
    nodes = (result.graph.get(node_id) for node_id in node_ids)
    return {node.kind for node in nodes if node is not None and node.kind}


def evaluates_nothing(case: Path) -> bool:
    """A good case that declares (with a reason) that its rule looks at no resource."""
    marker = case / "expected.yaml"
    if not case.name.startswith("good") or not marker.exists():
        return False
    data = yaml.safe_load(marker.read_text(encoding="utf-8")) or {}
    assert data.get("evaluated") == "none" and str(data.get("reason") or "").strip(), (
        f"{marker}: a good case's expected.yaml only says `evaluated: none` with a `reason`")
    return True


def check_case(case: Path) -> None:
    """Every assertion about one case (a function of its own, so that tests can show it
    failing for a crashed rule or a misspelled resource type)."""
    language = case.parent.name
    assert language in LANGUAGES, f"unknown language directory {language}"
    run = run_case(case)
    assert not run.broken, "\n".join(run.broken)
    expected = expected_of(case)
    assert run.actual == expected, (
        f"missing: {sorted((expected - run.actual).elements())}\n"
        f"unexpected: {sorted((run.actual - expected).elements())}\n" + "\n".join(run.details)
    )
    for key, severity in expected_severities(case).items():
        assert severity in run.severities.get(key, set()), (key, severity, run.details)
    for key, words in expected_messages(case).items():
        assert any(words in m for m in run.messages.get(key, [])), (key, words, run.details)
    if evaluates_nothing(case):
        assert not run.evaluated_kinds, (
            f"{case} says its rule evaluates nothing, yet it evaluated "
            f"{sorted(run.evaluated_kinds)}: remove `evaluated: none`")
    elif case.name.startswith("good"):
        assert run.evaluated_kinds, (
            f"rule {case.parents[1].name} evaluated no resource in {case}: nothing was checked, "
            "so nothing was found (a misspelled resource type, a kind the adapter does not "
            "know?)")


@pytest.mark.parametrize("case", cases(), ids=lambda p: str(p.relative_to(FIXTURES)))
def test_fixture_case(case: Path) -> None:
    check_case(case)


# -- the fixture test cannot pass for the wrong reason ---------------------------------


def _rule_class(rule_id: str) -> type:
    return next(r for r in RULES if r.id == rule_id)


def test_a_crashing_rule_fails_its_good_case(monkeypatch: pytest.MonkeyPatch) -> None:
    case = FIXTURES / "IAC001" / "terraform" / "good"
    check_case(case)  # the control: green as it is

    def crash(self: object, graph: object, config: object) -> list[object]:
        raise RuntimeError("injected rule bug")

    monkeypatch.setattr(_rule_class("IAC001"), "check", crash)
    with pytest.raises(AssertionError, match="rule IAC001 crashed"):
        check_case(case)


def test_a_crashing_adapter_fails_a_good_case(monkeypatch: pytest.MonkeyPatch) -> None:
    def crash(*args: object, **kwargs: object) -> None:
        raise RuntimeError("injected adapter bug")

    monkeypatch.setattr("linter.adapters.cloudformation.build_node", crash)
    with pytest.raises(AssertionError, match="internal error in the CloudFormation adapter"):
        check_case(FIXTURES / "IAC001" / "cloudformation" / "good")


def _copy(case: str, tmp_path: Path, misspell: bool) -> Path:
    """The case under tmp_path/<RULE_ID>/<language>/<name> (where check_case reads the
    rule ID), with every resource type misspelled when asked."""
    copy = tmp_path / case
    shutil.copytree(FIXTURES / case, copy)
    for path in copy.iterdir():
        text = path.read_text(encoding="utf-8")
        if misspell:
            text, tf = re.subn(r'(resource\s+")aws_', r"\1aws_misspelled_", text)
            text, cfn = re.subn(r"(Type:\s*)AWS::", r"\1AWS::Misspelled", text)
            assert tf + cfn or path.name.startswith(".") or path.suffix not in (
                ".tf", ".yaml", ".json"), f"nothing to misspell in {path}"
        path.write_text(text, encoding="utf-8")
    return copy


@pytest.mark.parametrize("case", ["IAC001/terraform/good", "IAC001/cloudformation/good",
                                  "IAC030/terraform/good", "IAC040/terraform/good",
                                  "IAC051/cloudformation/good", "IAC051/terraform/good"])
def test_a_misspelled_resource_type_fails_its_good_case(case: str, tmp_path: Path) -> None:
    check_case(_copy(case, tmp_path / "as-is", misspell=False))  # the control: still green
    with pytest.raises(AssertionError, match="evaluated no resource"):
        check_case(_copy(case, tmp_path / "misspelled", misspell=True))


def test_an_unneeded_evaluated_none_marker_fails(tmp_path: Path) -> None:
    copy = tmp_path / "IAC001" / "terraform" / "good"
    shutil.copytree(FIXTURES / "IAC001" / "terraform" / "good", copy)
    (copy / "expected.yaml").write_text("evaluated: none\nreason: test\n", encoding="utf-8")
    with pytest.raises(AssertionError, match="remove `evaluated: none`"):
        check_case(copy)


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
