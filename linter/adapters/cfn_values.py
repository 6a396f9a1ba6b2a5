"""Undecided CloudFormation conditions: spelling out the branches of a value.

The converters (bool, int, protocol…) are shared with Terraform in
linter/convert.py; what is here only CloudFormation has: `Fn::If` choices and
`AWS::NoValue`.
"""

from __future__ import annotations

from typing import Any

from linter.adapters.cfn_conditions import join_when
from linter.convert import NOVALUE
from linter.model import Choice


def as_items(value: Any) -> list[Any]:
    """A list value's items; a single value becomes one item; None/NoValue nothing."""
    if value is None:
        return []
    if isinstance(value, list):
        return value
    return [value]


# ------------------------------------------------------------------ undecided branches

_MAX_VARIANTS = 16


def has_choice(value: Any) -> bool:
    if isinstance(value, Choice):
        return True
    if isinstance(value, dict):
        return any(has_choice(v) for v in value.values())
    if isinstance(value, list):
        return any(has_choice(v) for v in value)
    return False


def _variants(value: Any) -> list[tuple[str, Any]]:
    if isinstance(value, Choice):
        out: list[tuple[str, Any]] = []
        for label, option in value.options:
            for inner, leaf in _variants(option):
                joined = join_when(label, inner)
                if joined is not None:
                    out.append((joined, leaf))
            if len(out) > _MAX_VARIANTS:  # nested Fn::If: 2 ** depth leaves
                raise OverflowError
        return out
    if not has_choice(value):
        return [("", value)]
    if isinstance(value, dict):
        acc: list[tuple[str, dict[str, Any]]] = [("", {})]
        for k, v in value.items():
            acc = [
                (m, {**d, k: leaf} if leaf is not NOVALUE else d)
                for a, d in acc
                for b, leaf in _variants(v)
                if (m := join_when(a, b)) is not None
            ]
            if len(acc) > _MAX_VARIANTS:
                raise OverflowError
        return acc
    if isinstance(value, list):
        acc_l: list[tuple[str, list[Any]]] = [("", [])]
        for v in value:
            acc_l = [
                (m, [*items, leaf] if leaf is not NOVALUE else items)
                for a, items in acc_l
                for b, leaf in _variants(v)
                if (m := join_when(a, b)) is not None
            ]
            if len(acc_l) > _MAX_VARIANTS:
                raise OverflowError
        return acc_l
    return [("", value)]


def expand(value: Any) -> list[tuple[str, Any]]:
    """Every reachable combination of the undecided branches inside `value`, as
    (label, plain value) pairs; [("", value)] when there is no choice (or too many)."""
    if not has_choice(value):
        return [("", value)]
    try:
        variants = _variants(value)
    except OverflowError:
        return [("", value)]
    return variants or [("", value)]


def combine(results: list[tuple[str, Any]]) -> Any:
    """A Choice over per-variant results, or the single result when they agree."""
    first = results[0][1]
    if all(r is first or (type(r) is type(first) and r == first) for _, r in results):
        return first
    return Choice(tuple(results))
