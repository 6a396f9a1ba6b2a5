"""Small normalizers shared by the CloudFormation fact builders.

Every normalizer passes Unknown through unchanged and maps over the branches
of a Choice, so an undecided `Fn::If` stays visible as candidates.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from linter.model import Choice, Unknown


class _NoValue:
    """`AWS::NoValue`: the property is removed, as if it were never written."""

    _instance: _NoValue | None = None

    def __new__(cls) -> _NoValue:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "NoValue"


NOVALUE = _NoValue()


T = TypeVar("T")

_PROTOCOLS = {"-1": "-1", "all": "-1", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


def lift(fn: Callable[[Any], T], value: Any) -> T | Unknown:
    """`fn(value)`, applied per branch of a Choice and skipped for Unknowns."""
    if isinstance(value, Choice):
        return Choice(tuple((label, lift(fn, v)) for label, v in value.options))
    if value is NOVALUE:
        value = None
    if isinstance(value, Unknown):
        return value
    return fn(value)


def _bool(value: Any) -> bool | Unknown | None:
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    return Unknown(f"not a boolean: {value!r}")


def to_bool(value: Any) -> bool | Unknown | None:
    return lift(_bool, value)


def _int(value: Any) -> int | Unknown | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return Unknown("not a number")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            return Unknown(f"not a number: {value!r}")
    return Unknown("not a number")


def to_int(value: Any) -> int | Unknown | None:
    return lift(_int, value)


def _str(value: Any) -> str | Unknown | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return Unknown("not a string")


def to_str(value: Any) -> str | Unknown | None:
    return lift(_str, value)


def to_lower(value: Any) -> str | Unknown | None:
    def lower(v: Any) -> str | Unknown | None:
        text = _str(v)
        return text.lower() if isinstance(text, str) else text

    return lift(lower, value)


def _protocol(value: Any) -> str | Unknown:
    text = _str(value)
    if text is None:  # not written, or removed by AWS::NoValue
        return Unknown("protocol not set")
    if not isinstance(text, str):
        return text
    text = text.strip().lower()
    return _PROTOCOLS.get(text, text)


def protocol(value: Any) -> str | Unknown:
    """IpProtocol normalized: "-1"/"all" → "-1", 6 → "tcp", 17 → "udp", 1 → "icmp"."""
    return lift(_protocol, value)


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


def _assignment(label: str) -> dict[str, bool] | None:
    """{condition: value} for labels written as "when condition A is true and ..."."""
    if not label:
        return {}
    if not label.startswith("when "):
        return None
    out: dict[str, bool] = {}
    for part in label[len("when "):].split(" and "):
        words = part.split(" ")
        if len(words) != 4 or words[0] != "condition" or words[2] != "is" or words[3] not in (
                "true", "false"):
            return None
        out[words[1]] = words[3] == "true"
    return out


def _label(assignment: dict[str, bool]) -> str:
    if not assignment:
        return ""
    return "when " + " and ".join(
        f"condition {k} is {'true' if v else 'false'}" for k, v in assignment.items()
    )


def _merge(a: dict[str, bool] | None, b: dict[str, bool] | None) -> dict[str, bool] | None:
    if a is None or b is None:
        return None
    if any(k in a and a[k] != v for k, v in b.items()):
        return None
    return {**a, **b}


def _variants(value: Any) -> list[tuple[dict[str, bool], Any]]:
    if isinstance(value, Choice):
        out: list[tuple[dict[str, bool], Any]] = []
        for label, option in value.options:
            outer = _assignment(label)
            for inner, leaf in _variants(option):
                merged = _merge(outer, inner)
                if merged is not None:
                    out.append((merged, leaf))
        return out
    if not has_choice(value):
        return [({}, value)]
    if isinstance(value, dict):
        acc: list[tuple[dict[str, bool], dict[str, Any]]] = [({}, {})]
        for k, v in value.items():
            acc = [
                (m, {**d, k: leaf} if leaf is not NOVALUE else d)
                for a, d in acc
                for b, leaf in _variants(v)
                if (m := _merge(a, b)) is not None
            ]
            if len(acc) > _MAX_VARIANTS:
                raise OverflowError
        return [(a, d) for a, d in acc]
    if isinstance(value, list):
        acc_l: list[tuple[dict[str, bool], list[Any]]] = [({}, [])]
        for v in value:
            acc_l = [
                (m, [*items, leaf] if leaf is not NOVALUE else items)
                for a, items in acc_l
                for b, leaf in _variants(v)
                if (m := _merge(a, b)) is not None
            ]
            if len(acc_l) > _MAX_VARIANTS:
                raise OverflowError
        return [(a, items) for a, items in acc_l]
    return [({}, value)]


def expand(value: Any) -> list[tuple[str, Any]]:
    """Every consistent combination of the undecided branches inside `value`, as
    (label, plain value) pairs; [("", value)] when there is no choice (or too many)."""
    if not has_choice(value):
        return [("", value)]
    try:
        variants = _variants(value)
    except OverflowError:
        return [("", value)]
    return [(_label(a), v) for a, v in variants] or [("", value)]


def combine(results: list[tuple[str, Any]]) -> Any:
    """A Choice over per-variant results, or the single result when they agree."""
    first = results[0][1]
    if all(r is first or (type(r) is type(first) and r == first) for _, r in results):
        return first
    return Choice(tuple(results))
