"""Conditions: true removes nothing, false removes the resource, undecided keeps both."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.adapters import AdaptContext
from linter.adapters.cloudformation import adapt
from linter.config import Config
from linter.loaders.cloudformation import CfnTemplate, load_cloudformation
from linter.model import Choice, Node, branches, is_known
from linter.runner import ScanOptions, scan
from rules import RULES
from tests.conftest import FIXTURES

TEMPLATE = FIXTURES / "cloudformation" / "conditions.yaml"


def line_of(needle: str) -> int:
    for number, text in enumerate(TEMPLATE.read_text().splitlines(), 1):
        if needle in text:
            return number
    raise AssertionError(needle)


def build(**params: str) -> dict[str, Node]:
    doc = load_cloudformation(str(TEMPLATE), TEMPLATE.read_bytes())
    assert isinstance(doc, CfnTemplate)
    ctx = AdaptContext(config=Config(), root=str(TEMPLATE.parent), cfn_params=params)
    return {n.address: n for n in adapt([doc], ctx).nodes}


def test_decided_conditions_choose_resources() -> None:
    dev = build()
    assert "ProdOnly" not in dev and "DevOnly" in dev
    prod = build(Env="prod")
    assert "ProdOnly" in prod and "DevOnly" not in prod
    # An undecided condition keeps the resource and says why it may not exist.
    assert "MaybeSsl" in dev and dev["MaybeSsl"].fact("condition") == "SslOn"
    # Or: true when one side is true, whatever the other.
    assert "Either" in dev and "condition" not in dev["Either"].facts
    assert "Either" not in build(Env="prod", UseSsl="false")


def test_decided_if_takes_one_branch() -> None:
    prod = build(Env="prod", UseSsl="true")
    assert prod["Db"].fact("multi_az") is True
    assert build()["Db"].fact("multi_az") is False
    rules = prod["Web"].fact("ingress")
    # IsProd drops the SSH rule; SslOn picks 443.
    assert [(r.from_port, r.when) for r in rules] == [(443, "")]
    assert prod["Disk"].fact("encrypted") is True


def test_undecided_if_keeps_both_candidates() -> None:
    dev = build()
    rules = dev["Web"].fact("ingress")
    assert [(r.from_port, r.when) for r in rules] == [
        (443, "when condition SslOn is true"),
        (80, "when condition SslOn is false"),
        (22, ""),  # IsProd is decided (false) in dev: the SSH rule exists
    ]
    # Both ports of one entry come from the same condition, so they never mix.
    assert all(r.from_port == r.to_port for r in rules)
    assert rules[0].location.start_line == line_of("CidrIp: 0.0.0.0/0")
    encrypted = dev["Disk"].fact("encrypted")
    assert isinstance(encrypted, Choice) and not is_known(encrypted)
    assert branches(encrypted) == [("when condition SslOn is true", True),
                                   ("when condition SslOn is false", False)]
    assert dev["Disk"].fact_loc("encrypted").start_line == line_of("Encrypted: !If")


def test_undecided_statement_is_expanded_per_branch() -> None:
    role = build()["Role"]
    (_trust, inline) = role.fact("policies")
    labels = [(s.label(), s.actions) for s in inline.statements]
    assert labels == [
        ("statement 'Read' (when condition SslOn is true)", ("s3:GetObject",)),
        ("statement 'Read' (when condition SslOn is false)", ("s3:*",)),
        ("statement 'Logs'", ("logs:PutLogEvents",)),
    ]
    read = inline.statements[1]
    assert read.index == 0
    assert read.loc("Action").start_line == line_of('Action: !If [SslOn, "s3:GetObject", "s3:*"]')
    assert inline.statements[2].index == 1


@pytest.mark.parametrize(("params", "expected"), [({}, 1), ({"UseSsl": "true"}, 0)])
def test_a_finding_names_the_insecure_branch(params: dict[str, str], expected: int) -> None:
    result = scan(ScanOptions(paths=[str(TEMPLATE)], rules=[r() for r in RULES],
                              cfn_params=params))
    wildcard = [f for f in result.findings if f.rule_id == "IAC041" and f.address == "Role"]
    assert len(wildcard) == expected
    if expected:
        assert "when condition SslOn is false" in wildcard[0].message
        assert wildcard[0].location.start_line == line_of('Action: !If [SslOn')


def test_cli_parameter_options_reach_the_evaluator(tmp_path: Path) -> None:
    import json

    from linter.cli import main

    def findings(*args: str) -> list[dict[str, object]]:
        out = tmp_path / "report.json"
        code = main(["scan", str(TEMPLATE), "--format", "json", "--output", str(out), *args])
        assert code in (0, 1)
        return json.loads(out.read_text())["findings"]

    def wildcard(found: list[dict[str, object]]) -> list[str]:
        return [str(f["message"]) for f in found
                if f["rule_id"] == "IAC041" and f["address"] == "Role"]

    params = FIXTURES / "cloudformation"
    assert wildcard(findings("--cfn-params", str(params / "params.json"))) == []
    decided = wildcard(findings("--cfn-params", str(params / "params-map.json")))
    assert len(decided) == 1 and "when condition" not in decided[0]
    # --cfn-param wins over the file.
    assert wildcard(findings("--cfn-params", str(params / "params-map.json"),
                             "--cfn-param", "UseSsl=true")) == []


def test_properties_chosen_as_a_whole(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text("""
Parameters:
  P: {Type: String}
Conditions:
  C: !Equals [!Ref P, x]
Resources:
  Disk:
    Type: AWS::EC2::Volume
    Properties: !If
      - C
      - {Size: 1, AvailabilityZone: a, Encrypted: true}
      - {Size: 1, AvailabilityZone: a}
""")
    doc = load_cloudformation(str(path), path.read_bytes())
    (disk,) = adapt([doc], AdaptContext(Config(), str(tmp_path))).nodes
    assert disk.attrs["Size"] == 1
    assert branches(disk.fact("encrypted")) == [("when condition C is true", True),
                                                ("when condition C is false", None)]


# ------------------------------------------------------------ reachable combinations

_SOLVED = """\
Parameters:
  Env: {Type: String, AllowedValues: [dev, prod]}
Conditions:
  IsProd: !Equals [!Ref Env, prod]
  IsNotProd: !Not [!Condition IsProd]
Resources:
  Sg:
    Type: AWS::EC2::SecurityGroup
    Properties:
      GroupDescription: x
      SecurityGroupIngress:
        - IpProtocol: tcp
          FromPort: !If [IsProd, 22, 3389]
          ToPort: !If [IsProd, 22, 3389]
          CidrIp: !If [IsNotProd, 0.0.0.0/0, 10.0.0.0/8]
"""


def _ingress_whens(tmp_path: Path, text: str) -> list[tuple[str, int | None, str]]:
    path = tmp_path / "t.yaml"
    path.write_text(text)
    doc = load_cloudformation(str(path), path.read_bytes())
    assert isinstance(doc, CfnTemplate)
    ctx = AdaptContext(config=Config(), root=str(tmp_path), cfn_params={})
    (node,) = adapt([doc], ctx).nodes
    return [(r.when, r.from_port, r.sources[0]) for r in node.facts["ingress"]]


def test_sibling_branches_are_only_the_reachable_combinations(tmp_path: Path) -> None:
    rules = _ingress_whens(tmp_path, _SOLVED)
    assert rules == [
        ("when condition IsProd is true and condition IsNotProd is false", 22, "10.0.0.0/8"),
        ("when condition IsProd is false and condition IsNotProd is true", 3389, "0.0.0.0/0"),
    ]
    assert all(type(when) is str for when, _, _ in rules)  # plain text leaves the adapter


def test_a_solver_failure_keeps_every_combination(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Unknown is not insecure, and not safe either: when cfn-lint's solver cannot
    answer, no branch is dropped."""
    from linter.adapters import cfn_conditions

    def broken(self: object) -> object:
        raise RuntimeError("solver unavailable")

    monkeypatch.setattr(cfn_conditions.ConditionSolver, "_solver", broken)
    assert len(_ingress_whens(tmp_path, _SOLVED)) == 4


def test_solver_questions_are_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from linter.adapters import cfn_conditions

    monkeypatch.setattr(cfn_conditions, "MAX_QUESTIONS", 0)
    assert len(_ingress_whens(tmp_path, _SOLVED)) == 4
