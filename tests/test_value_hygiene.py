"""Only the project's own value types leave an adapter (ARCHITECTURE.md, Contracts).

Rules and linking may rely on nothing but plain values, `Location`, the fact
records of linter/facts.py and Unknown/Ref/Choice/Partial: an adapter-private
type (a Terraform partial text, a CloudFormation NoValue) in a node would make a
rule's behaviour depend on the language or on evaluator internals.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import pytest

from linter.adapters.boundary import DROP, NOT_MINE, Exporter
from linter.adapters.cfn_values import NOVALUE
from linter.adapters.terraform.values import INVALID, JsonStr, PartialText, SourcedStr, export
from linter.facts import Encryption
from linter.model import Choice, Location, Node, Partial, Ref, Source, Unknown
from linter.runner import ScanOptions, scan
from tests.conftest import FIXTURES, SHARED, corpus_scan

_PLAIN = (str, int, float, bool, type(None))
_OWN = (Unknown, Ref, Choice, Partial)


def _foreign(value: Any, path: str) -> Iterator[str]:
    """`path: type` for every value inside `value` that is not an allowed type."""
    kind = type(value)
    if kind in _PLAIN or kind is Location:
        return
    if kind in _OWN:
        if kind is Choice:
            for label, option in value.options:
                yield from _foreign(option, f"{path}<{label}>")
        elif kind is Partial:
            for i, item in enumerate(value.items):
                yield from _foreign(item, f"{path}~{i}")
        return
    if kind is dict:
        for key, item in value.items():
            yield from _foreign(key, f"{path} key")
            yield from _foreign(item, f"{path}.{key}")
        return
    if kind in (list, tuple):
        for i, item in enumerate(value):
            yield from _foreign(item, f"{path}[{i}]")
        return
    if dataclasses.is_dataclass(value) and not isinstance(value, type) and (
            kind.__module__ == "linter.facts"):
        for f in dataclasses.fields(value):
            yield from _foreign(getattr(value, f.name), f"{path}.{f.name}")
        return
    yield f"{path}: {kind.__module__}.{kind.__qualname__}"


def _violations(graph: Iterable[Node]) -> list[str]:
    out: list[str] = []
    for node in graph:
        for part in ("attrs", "facts", "tags"):
            for where in _foreign(getattr(node, part), part):
                out.append(f"{node.location.path} {node.address} {where}")
    return out


def test_fixture_nodes_hold_only_project_types() -> None:
    graph = scan(ScanOptions(paths=[str(FIXTURES)], rules=[], report_all=True)).graph
    assert len(graph) > 500
    violations = _violations(graph)
    assert not violations, "\n".join(violations[:40])


@pytest.mark.parametrize("language", ["terraform", "cloudformation"])
def test_corpus_nodes_hold_only_project_types(language: str) -> None:
    """The corpus part: skipped, saying so, without ../shared."""
    if not (SHARED / "corpus").exists():
        pytest.skip(f"corpus part of the value-hygiene test: {SHARED / 'corpus'} is not available")
    graph = corpus_scan(language).graph  # after linking and rules: still only our types
    assert len(graph) > 1000
    violations = _violations(graph)
    assert not violations, "\n".join(violations[:40])


def test_the_walk_reports_private_types() -> None:
    """The check above could not pass by overlooking a type."""
    where = Location("/x.tf", 1, 1)
    value = {"a": [JsonStr("{}", {})], "b": Choice([("when C", NOVALUE)]),
             "c": Encryption(PartialText("x", [], "/x.tf", 1), where)}
    assert sorted(w.split(": ")[1] for w in _foreign(value, "v")) == [
        "linter.adapters.terraform.values.JsonStr",
        "linter.adapters.terraform.values.PartialText",
        "linter.convert._NoValue",
    ]


def _node(**parts: Any) -> Node:
    node = Node("n", "n", "t", None, Source.TERRAFORM, Location("/x.tf", 1, 1))
    for name, value in parts.items():
        setattr(node, name, value)
    return node


def test_exporter_converts_terraform_values_and_keeps_identity() -> None:
    text = PartialText("arn:\ue0000\ue001:x", [Unknown("partition")], "/x.tf", 3)
    shared = [text, "plain"]
    node = _node(
        attrs={"p": SourcedStr("{}", "/p.json", 1), "j": JsonStr("[]", []), "l": shared,
               "i": INVALID, "same": shared},
        facts={"enc": Encryption(text, Location("/x.tf", 2, 2))},
    )
    other = _node(attrs={"i": INVALID})
    exporter = Exporter(export)
    exporter.node(node)
    exporter.node(other)
    attrs = node.attrs
    assert type(attrs["p"]) is str and attrs["p"] == "{}"
    assert type(attrs["j"]) is str and attrs["j"] == "[]"
    assert type(attrs["l"][0]) is Unknown and attrs["l"][1] == "plain"
    assert attrs["same"] is attrs["l"]  # one private object, one exported object
    assert node.facts["enc"].algorithm is attrs["l"][0]
    # Unknowns compare by identity: INVALID stays one object in every node
    assert type(attrs["i"]) is Unknown and other.attrs["i"] is attrs["i"]
    assert attrs["i"] is Exporter(export).value(INVALID)


def test_exporter_leaves_own_values_untouched() -> None:
    value = {"a": [1, "x", None], "r": Ref("n", "id"), "c": Choice([("when C", True)])}
    assert Exporter(export).value(value) is value


def test_a_leftover_novalue_removes_itself() -> None:
    where = Location("/t.yaml", 1, 1)

    def convert(value: Any) -> Any:
        return DROP if value is NOVALUE else NOT_MINE

    exported = Exporter(convert).value(
        {"gone": NOVALUE, "list": [1, NOVALUE, 2], "pair": (NOVALUE, where),
         "choice": Choice([("when C", "k"), ("when not C", NOVALUE)])}
    )
    assert exported["list"] == [1, 2]
    assert exported["pair"] == (None, where)
    assert exported["choice"].options == (("when C", "k"), ("when not C", None))
    assert "gone" not in exported


def test_cloudformation_getazs_leaves_as_unknown(tmp_path: Path) -> None:
    template = tmp_path / "t.yaml"
    template.write_text(
        "Resources:\n"
        "  Group:\n"
        "    Type: AWS::AutoScaling::AutoScalingGroup\n"
        "    Properties:\n"
        "      MinSize: '1'\n"
        "      MaxSize: '2'\n"
        "      AvailabilityZones: !GetAZs ''\n",
        encoding="utf-8",
    )
    result = scan(ScanOptions(paths=[str(template)], rules=[]))
    (node,) = list(result.graph)
    assert type(node.attrs["AvailabilityZones"]) is Unknown
    assert type(node.facts["availability_zones"]) is Unknown
