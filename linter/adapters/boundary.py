"""What may leave an adapter: plain values and the project's own value types.

Adapters evaluate with private types that carry more than rules may rely on
(Terraform's partial texts and `jsonencode` results, CloudFormation's
`AWS::NoValue` and `Fn::GetAZs` lists). Once a node's facts are filled, an
`Exporter` rebuilds its attrs, facts and tags so that only str, int, float,
bool, None, list, dict, tuple, `Location`, the fact records of linter/facts.py
and `Unknown`/`Ref`/`Choice`/`Partial` remain: rules and linking then behave
the same whatever language or evaluator made the node.

Each adapter passes a `convert` hook for its own types. The exporter keeps
object identity where nothing changes and maps one private object to one
exported object everywhere, because Unknowns compare by identity (two subnets
holding the same unknown zone must still compare equal).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

from linter.model import Choice, Location, Node, Partial, Ref, Unknown

#: Returned by a `convert` hook for a value that removes itself (CloudFormation's
#: `AWS::NoValue`): dropped from lists and dicts, None anywhere else (a tuple
#: item, a Choice option: "not written").
DROP = object()

#: Returned by a `convert` hook for a type it does not know.
NOT_MINE = object()

Convert = Callable[[Any], Any]

_SCALARS = frozenset({str, int, float, bool, type(None)})
_OWN_UNKNOWNS = frozenset({Unknown, Ref})


class Exporter:
    """Converts values leaving one adapter run; one instance per run so that the
    same private object always becomes the same exported object."""

    def __init__(self, convert: Convert) -> None:
        self._convert = convert
        # id → (original, exported): the original is kept so its id is not reused.
        self._memo: dict[int, tuple[Any, Any]] = {}

    def node(self, node: Node) -> None:
        node.attrs = self.value(node.attrs)
        node.facts = self.value(node.facts)
        node.tags = self.value(node.tags)

    def value(self, value: Any) -> Any:
        out = self._export(value)
        return None if out is DROP else out

    def _export(self, value: Any) -> Any:
        kind = type(value)
        if kind in _SCALARS or kind in _OWN_UNKNOWNS or kind is Location:
            return value
        hit = self._memo.get(id(value))
        if hit is not None and hit[0] is value:
            return hit[1]
        out = self._rebuild(value)
        self._memo[id(value)] = (value, out)
        return out

    def _rebuild(self, value: Any) -> Any:
        kind = type(value)
        if kind is dict:
            # a key may be an adapter's text subclass (a parameter's default): plain text
            pairs = [(str(k) if isinstance(k, str) and type(k) is not str else k, self._export(v))
                     for k, v in value.items()]
            if all(nk is ok and new is old for (nk, new), (ok, old)
                   in zip(pairs, value.items(), strict=True)):
                return value
            return {k: v for k, v in pairs if v is not DROP}
        if kind is list:
            items = [self._export(v) for v in value]
            if all(new is old for new, old in zip(items, value, strict=True)):
                return value
            return [v for v in items if v is not DROP]
        if kind is tuple:  # positional records such as (arn, location): keep the arity
            fields = [self.value(v) for v in value]
            if all(new is old for new, old in zip(fields, value, strict=True)):
                return value
            return tuple(fields)
        if kind is Choice:
            # labels are text; an adapter's label subclass leaves as plain str
            options = [(label if type(label) is str else str(label), self.value(v))
                       for label, v in value.options]
            if all(nl is ol and new is old for (nl, new), (ol, old)
                   in zip(options, value.options, strict=True)):
                return value
            return Choice(options)
        if kind is Partial:
            items = [self._export(v) for v in value.items]
            if all(new is old for new, old in zip(items, value.items, strict=True)):
                return value
            return Partial(v for v in items if v is not DROP)
        if (dataclasses.is_dataclass(value) and not isinstance(value, type)
                and kind.__module__ == "linter.facts"):
            changes = {}
            for f in dataclasses.fields(value):
                old = getattr(value, f.name)
                new = self.value(old)
                if new is not old:
                    changes[f.name] = new
            return dataclasses.replace(value, **changes) if changes else value
        converted = self._convert(value)
        if converted is NOT_MINE:
            return value  # tests/test_value_hygiene.py reports it
        return converted if converted is DROP else self._export(converted)
