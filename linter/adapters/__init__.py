"""Adapters turn loaded documents into graph nodes with normalized facts.

One adapter per language. Each exposes `adapt(documents, ctx) -> AdaptResult`.
Which types become which kinds, and the attribute paths of every fact a table
row can express, are in linter/fact_spec.py for both languages; an adapter
keeps only its language's evaluation and the hand code for shapes a row cannot
express.

Error contract: an adapter never raises. Each runs its units (a Terraform root
module, a CloudFormation template, a policy file) through `guarded`, so a bug in one
unit becomes an InternalError at that unit's file (reported as IAC999, exit code 3)
and the other units are still adapted; `adapt_all` guards each language the same
way for whatever lies outside the units.
"""

from __future__ import annotations

import functools
import importlib
import logging
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, TypeVar

from linter.config import Config
from linter.model import InternalError, Node, ParseError

T = TypeVar("T")
log = logging.getLogger(__name__)


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
    #: Bugs caught in a unit of this adapter (its nodes are missing).
    internal_errors: list[InternalError] = field(default_factory=list)
    #: Counters an adapter may report for benchmarks and notes (e.g. unknown values).
    stats: dict[str, int] = field(default_factory=dict)

    def extend(self, other: AdaptResult) -> None:
        self.nodes.extend(other.nodes)
        self.errors.extend(other.errors)
        self.internal_errors.extend(other.internal_errors)
        for key, value in other.stats.items():
            self.stats[key] = self.stats.get(key, 0) + value


def guarded(
    result: AdaptResult, path: str, stage: str, work: Callable[[], T],
    lost: str = "its resources were not checked", too_deep: str = "nested too deeply to evaluate",
) -> T | None:
    """`work()`, or None when it raised: a RecursionError is input nested too deeply
    for Python (a ParseError `too_deep`, IAC000, as the loaders say it), a MemoryError
    input too large to evaluate (IAC000 too: the bounds of the evaluators should stop
    it first, but one file must not end the scan); any other exception is a bug in
    iaclint, recorded as an InternalError at `path` (IAC999). Either way the caller
    goes on with its next unit."""
    try:
        return work()
    except RecursionError:
        result.errors.append(ParseError(path, 1, too_deep))
    except MemoryError:
        result.errors.append(ParseError(path, 1, "too large to evaluate: ran out of memory"))
    except Exception as exc:
        error = InternalError.capture(path, stage, exc, lost)
        log.debug("internal error in %s at %s: %s", stage, path, error.summary)
        result.internal_errors.append(error)
    return None


#: language → (module with `adapt`, what it is called in messages, its files).
_ADAPTERS = {
    "terraform": ("linter.adapters.terraform", "the Terraform adapter", "Terraform"),
    "cloudformation": ("linter.adapters.cloudformation", "the CloudFormation adapter",
                       "CloudFormation"),
    "iam": ("linter.adapters.iam", "the IAM policy adapter", "IAM policy"),
}


def adapt_all(documents: Mapping[str, list[Any]], ctx: AdaptContext) -> AdaptResult:
    """Run each language's adapter over its documents (keyed by language). An adapter
    that raises outside its own guarded units loses that language's nodes only.
    Adapters are imported lazily, so that scanning only Terraform never imports cfn-lint."""
    result = AdaptResult()
    for language, (module, stage, files) in _ADAPTERS.items():
        docs = documents.get(language)
        if not docs:
            continue
        adapt = importlib.import_module(module).adapt
        first = str(getattr(docs[0], "path", "") or ctx.root)
        adapted = guarded(result, first, stage, functools.partial(adapt, docs, ctx),
                          f"no {files} file was checked")
        if isinstance(adapted, AdaptResult):
            result.extend(adapted)
    return result
