"""`Fn::ForEach` (the AWS::LanguageExtensions transform) in the Resources section.

`Fn::ForEach::Name: [Identifier, Collection, {"Key${Identifier}": resource}]`
stamps out one resource per collection item, replacing `${Identifier}` and
`&{Identifier}` in keys and strings and `Ref: Identifier` by the item. Each
generated resource remembers the template path of its loop body so findings
point at the lines that declare it.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from linter.model import Unknown

Path = tuple[Any, ...]
_PREFIX = "Fn::ForEach::"
#: Loop instances (one per collection item, nested loops counted at every level)
#: one template may stamp out: three nested loops of 30 items are 27,000 resources,
#: each a copy of the body. Past it the loops stop and the template has an IAC000.
MAX_INSTANCES = 10_000


class Budget:
    """What is left of MAX_INSTANCES for one template, and the first loop that hit it."""

    def __init__(self, limit: int | None = None) -> None:
        self.left = MAX_INSTANCES if limit is None else limit
        self.exceeded: Path | None = None


def _alnum(value: str) -> str:
    return re.sub(r"[^A-Za-z0-9]", "", value)


def substitute(fragment: Any, ident: str, value: Any) -> Any:
    """`fragment` with the loop identifier replaced by `value` (Unknown kept in Refs)."""
    if isinstance(fragment, dict):
        if fragment == {"Ref": ident}:
            return value
        return {
            (_replace(k, ident, value) if isinstance(k, str) else k): substitute(v, ident, value)
            for k, v in fragment.items()
        }
    if isinstance(fragment, list):
        return [substitute(v, ident, value) for v in fragment]
    if isinstance(fragment, str):
        return _replace(fragment, ident, value)
    return fragment


def _replace(text: str, ident: str, value: Any) -> str:
    if not isinstance(value, str):
        return text
    return text.replace("${" + ident + "}", value).replace("&{" + ident + "}", _alnum(value))


def expand_resources(
    resources: dict[str, Any], evaluate: Callable[[Any, Path], Any],
    budget: Budget | None = None,
) -> Iterator[tuple[str, Any, Path]]:
    """(logical id, resource, template path of its declaration) for every resource,
    loops expanded (nested loops included) until `budget` runs out."""
    yield from _expand(resources, resources, ("Resources",), evaluate, 0, budget or Budget())


def _expand(
    mapping: dict[str, Any], raw: dict[str, Any], base: Path,
    evaluate: Callable[[Any, Path], Any], depth: int, budget: Budget,
) -> Iterator[tuple[str, Any, Path]]:
    """`raw` is `mapping` as the template spells it (before substitution): its keys
    name the paths, so that locations point into the loop body."""
    names = list(raw) if len(raw) == len(mapping) else list(mapping)
    raws = list(raw.values()) if len(raw) == len(mapping) else list(mapping.values())
    for name, raw_value, (key, value) in zip(names, raws, mapping.items(), strict=True):
        if not (isinstance(key, str) and key.startswith(_PREFIX)):
            yield key, value, (*base, name)
            continue
        if depth > 4 or not (isinstance(value, list) and len(value) == 3):
            continue
        ident, collection, body = value
        if not isinstance(ident, str) or not isinstance(body, dict):
            continue
        raw_body = raw_value[2] if isinstance(raw_value, list) and len(raw_value) == 3 and (
            isinstance(raw_value[2], dict)) else body
        items = evaluate(collection, (*base, name, 1))
        if not isinstance(items, list):
            # Unknown collection: one instance whose identifier stays unknown.
            items = [Unknown(f"item of {key}")]
        for item in items:
            if budget.left <= 0:
                if budget.exceeded is None:
                    budget.exceeded = (*base, name)
                return
            budget.left -= 1
            if isinstance(item, (int, float)) and not isinstance(item, bool):
                item = str(item)
            if not isinstance(item, str):
                item = Unknown(f"item of {key}")
            yield from _expand(substitute(body, ident, item), raw_body, (*base, name, 2),
                               evaluate, depth + 1, budget)
