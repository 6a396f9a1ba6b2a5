"""Normalize an IAM policy document (any language's plain value) into facts.

Every adapter hands over the document as plain Python values (strings, lists,
dicts, Unknowns) plus a `locate(path)` callback that says where a key inside
the document is written, so the same parser serves CloudFormation, Terraform
`jsonencode`/heredocs/policy documents and standalone JSON.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from linter.facts import PolicyDocument, Statement
from linter.model import UNKNOWN, Location, Unknown, is_known

Locate = Callable[[tuple[Any, ...]], Location]

_LISTED = ("Action", "NotAction", "Resource", "NotResource")
_KEYS = ("Action", "NotAction", "Resource", "NotResource", "Principal", "NotPrincipal",
         "Condition", "Effect", "Sid")


def _as_tuple(value: Any) -> tuple[Any, ...] | None:
    if value is None:
        return None
    if isinstance(value, Unknown):
        return (value,)
    if isinstance(value, (list, tuple)):
        return tuple(value)
    return (value,)


def _principals(value: Any) -> dict[str, tuple[Any, ...]] | Unknown | None:
    if value is None:
        return None
    if isinstance(value, Unknown):
        return value
    if isinstance(value, str):
        return {"*": (value,)} if value == "*" else {"AWS": (value,)}
    if isinstance(value, dict):
        out: dict[str, tuple[Any, ...]] = {}
        for key, v in value.items():
            out[str(key)] = _as_tuple(v) or ()
        return out
    return UNKNOWN


def decode_document(value: Any) -> Any:
    """A policy given as a JSON string becomes a dict; anything else is returned as is."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return UNKNOWN
    return value


def parse_policy(
    value: Any,
    locate: Locate,
    *,
    policy_type: str,
    name: str,
) -> PolicyDocument:
    """The PolicyDocument for `value`; unknown parts stay Unknown, never guessed."""
    whole = locate(())
    value = decode_document(value)
    if not isinstance(value, dict):
        return PolicyDocument(policy_type, name, (), whole, unknown=True)
    raw = value.get("Statement")
    if isinstance(raw, dict):
        items: list[tuple[tuple[Any, ...], Any]] = [(("Statement",), raw)]
    elif isinstance(raw, list):
        items = [(("Statement", i), s) for i, s in enumerate(raw)]
    else:
        return PolicyDocument(policy_type, name, (), whole, unknown=not is_known(raw))
    statements: list[Statement] = []
    for index, (path, stmt) in enumerate(items):
        if not isinstance(stmt, dict):
            continue
        locations = {key: locate((*path, key)) for key in _KEYS if key in stmt}
        for key in _LISTED:
            listed = stmt.get(key)
            if isinstance(listed, list) and len(listed) > 1:
                for i in range(len(listed)):
                    where = locate((*path, key, i))
                    if where != locations[key]:
                        locations[f"{key}[{i}]"] = where
        sid = stmt.get("Sid")
        effect = stmt.get("Effect", UNKNOWN)
        statements.append(
            Statement(
                sid=sid if isinstance(sid, str) and sid else None,
                effect=effect if isinstance(effect, (str, Unknown)) else UNKNOWN,
                actions=_as_tuple(stmt.get("Action")),
                not_actions=_as_tuple(stmt.get("NotAction")),
                resources=_as_tuple(stmt.get("Resource")),
                not_resources=_as_tuple(stmt.get("NotResource")),
                principals=_principals(stmt.get("Principal")),
                not_principals=_principals(stmt.get("NotPrincipal")),
                conditions=stmt.get("Condition"),
                location=locate(path),
                locations=locations,
                index=index,
            )
        )
    return PolicyDocument(policy_type, name, tuple(statements), whole)
