"""Adapters turn loaded documents into graph nodes with normalized facts.

One adapter per language. Each exposes `adapt(documents, ctx) -> AdaptResult`.
Which types become which kinds, and the attribute paths of every fact a table
row can express, are in linter/fact_spec.py for both languages; an adapter
keeps only its language's evaluation and the hand code for shapes a row cannot
express.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from linter.config import Config
from linter.model import Node, ParseError


@dataclass
class AdaptContext:
    """Everything an adapter may need beyond the documents themselves."""

    config: Config
    root: str
    tf_vars: dict[str, str] = field(default_factory=dict)
    tf_var_files: list[str] = field(default_factory=list)
    cfn_params: dict[str, str] = field(default_factory=dict)
    cfn_param_files: list[str] = field(default_factory=list)
    env: Mapping[str, str] = field(default_factory=lambda: dict(os.environ))


@dataclass
class AdaptResult:
    nodes: list[Node] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    #: Counters an adapter may report for benchmarks and notes (e.g. unknown values).
    stats: dict[str, int] = field(default_factory=dict)

    def extend(self, other: AdaptResult) -> None:
        self.nodes.extend(other.nodes)
        self.errors.extend(other.errors)
        for key, value in other.stats.items():
            self.stats[key] = self.stats.get(key, 0) + value


def adapt_all(documents: Mapping[str, list[Any]], ctx: AdaptContext) -> AdaptResult:
    """Run each language's adapter over its documents (keyed by language)."""
    result = AdaptResult()
    if documents.get("terraform"):
        from linter.adapters.terraform import adapt as adapt_tf

        result.extend(adapt_tf(documents["terraform"], ctx))
    if documents.get("cloudformation"):
        from linter.adapters.cloudformation import adapt as adapt_cfn

        result.extend(adapt_cfn(documents["cloudformation"], ctx))
    if documents.get("iam"):
        from linter.adapters.iam import adapt as adapt_iam

        result.extend(adapt_iam(documents["iam"], ctx))
    return result
