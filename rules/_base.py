"""Shared base and helpers for the built-in rules."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar

from linter.model import Finding, Location, Node, Related, Severity, branches, is_known
from linter.rule import Rule

TERRAFORM_CFN: tuple[str, ...] = ("terraform", "cloudformation")


class BuiltinRule(Rule):
    """A built-in rule: also says which input languages its fixtures cover.

    `examples` (language → {"good": text, "bad": text}) comes from the generated
    `rules/examples_data.py`, so it is available even when fixtures/ is not
    installed; reporters and `iaclint explain` read it.
    """

    languages: ClassVar[tuple[str, ...]] = TERRAFORM_CFN

    def finding(
        self,
        node: Node,
        message: str,
        location: Location | None = None,
        severity: Severity | None = None,
        evidence: str = "",
        related: Iterable[Related] = (),
    ) -> Finding:
        """As Rule.finding, noting when the resource itself exists only under a
        CloudFormation condition that could not be decided."""
        condition = node.fact("condition")
        if isinstance(condition, str) and is_known(condition) and condition:
            message = f"{message} (the resource exists only when condition {condition} is true)"
        return super().finding(node, message, location, severity, evidence, related)

    @property
    def examples(self) -> Mapping[str, Mapping[str, str]]:
        try:
            from rules.examples_data import EXAMPLES
        except ImportError:  # pragma: no cover - generated file missing
            return {}
        return EXAMPLES.get(self.id, {})


def fact_is(node: Node, name: str, value: Any) -> bool:
    """True when the fact is known and equal to `value` (never for Unknown)."""
    current = node.fact(name)
    if not is_known(current):
        return False
    if isinstance(value, bool):
        return current is value
    return bool(current == value)


def failing(value: Any, test: Callable[[Any], bool]) -> tuple[str, Any] | None:
    """(label, candidate) of the first candidate of `value` that fails `test`.

    A plain value is its own only candidate, with label "". A Choice (a value
    decided by an undecided CloudFormation condition) has one candidate per branch,
    labelled "when condition X is false"; reporting that branch names it.
    """
    for label, candidate in branches(value):
        if test(candidate):
            return label, candidate
    return None


def when(label: str) -> str:
    """Message suffix for a finding that holds only in one branch of a condition."""
    return f" ({label})" if label else ""


def not_true(value: Any) -> bool:
    """Known false, or not written where AWS's default is false (never an Unknown)."""
    return value is None or value is False


def known_str(value: Any) -> str | None:
    return value if isinstance(value, str) and is_known(value) else None


def tag_matches(node: Node, patterns: Mapping[str, list[str]]) -> str | None:
    """The "Key=Value" tag that marks `node` as intentionally public, if any."""
    tags = node.tags
    if not isinstance(tags, dict):
        return None
    for key, allowed in patterns.items():
        value = tags.get(key)
        if isinstance(value, str) and value.strip().lower() in {a.lower() for a in allowed}:
            return f"{key}={value}"
    return None
