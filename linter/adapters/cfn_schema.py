"""Taggability of CloudFormation resource types, from cfn-lint's provider schemas.

cfn-lint ships the CloudFormation registry schemas: `providers/us-east-1.json`
maps each type to a schema file whose `tagging.taggable` says whether the type
takes tags. Schemas are read one type at a time, on first use, because the
whole set is 18 MB.
"""

from __future__ import annotations

import importlib.util
import json
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path


@dataclass(frozen=True)
class TagSupport:
    taggable: bool
    #: The property that holds the tags ("Tags" for nearly every type). Whether
    #: it is a Key/Value list or a map is read from the value itself.
    prop: str = "Tags"


_NONE = TagSupport(False)
#: SAM types are not in the registry; these take a Tags map.
_SAM_TAGGABLE = frozenset(
    {
        "AWS::Serverless::Function", "AWS::Serverless::Api", "AWS::Serverless::HttpApi",
        "AWS::Serverless::SimpleTable", "AWS::Serverless::StateMachine",
        "AWS::Serverless::Application", "AWS::Serverless::LayerVersion",
    }
)


@lru_cache(maxsize=1)
def _schema_dir() -> Path | None:
    """cfn-lint's schema directory, found without importing cfn-lint (its package
    `__init__` loads sympy and networkx); the JSON files are read as data."""
    spec = importlib.util.find_spec("cfnlint")
    if spec is None or not spec.submodule_search_locations:  # pragma: no cover
        return None
    for root in spec.submodule_search_locations:
        found = Path(root) / "data" / "schemas"
        if found.is_dir():
            return found
    return None  # pragma: no cover - cfn-lint is a dependency


@lru_cache(maxsize=1)
def _provider_index() -> dict[str, str]:
    base = _schema_dir()
    if base is None:
        return {}
    try:
        with open(base / "providers" / "us-east-1.json", encoding="utf-8") as fh:
            data = json.load(fh)
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


@cache
def tag_support(resource_type: str) -> TagSupport:
    """How `resource_type` takes tags; not taggable when unknown to the schemas."""
    if resource_type in _SAM_TAGGABLE:
        return TagSupport(True, "Tags")
    digest = _provider_index().get(resource_type)
    base = _schema_dir()
    if not digest or base is None:
        return _NONE
    try:
        with open(base / "resources" / f"{digest}.json", encoding="utf-8") as fh:
            schema = json.load(fh)
    except (OSError, ValueError):
        return _NONE
    props = schema.get("properties") or {}
    tagging = schema.get("tagging")
    prop = "Tags"
    if isinstance(tagging, dict):
        if not tagging.get("taggable", True):
            return _NONE
        declared = tagging.get("tagProperty")
        if isinstance(declared, str) and declared.startswith("/properties/"):
            prop = declared.split("/")[2]
    elif "Tags" not in props:
        return _NONE
    return TagSupport(True, prop)
