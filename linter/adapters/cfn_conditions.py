"""Which undecided CloudFormation conditions can hold together.

A value under `Fn::If` on a condition the evaluator cannot decide has one
branch per truth value; nested and sibling `Fn::If`s multiply them. Only the
combinations a deployment can reach are real: with `IsNotProd: !Not [!Condition
IsProd]`, "IsProd is false and IsNotProd is false" never happens. cfn-lint's
condition solver (a SAT encoding of `Conditions`, parameters' AllowedValues and
`Rules`) decides that; it pulls in sympy, so it is imported only when a template
has an undecided `Fn::If`.
"""

from __future__ import annotations

import importlib.util
import logging
import sys
from collections.abc import Callable, Mapping
from types import SimpleNamespace
from typing import Any

log = logging.getLogger(__name__)

#: Solver questions per template; beyond this, combinations are kept (a hostile
#: template with hundreds of conditions must not make the scan crawl).
MAX_QUESTIONS = 256


class ConditionSolver:
    """`solver(assignment)` is False only when no deployment sets the named
    conditions that way. Anything the solver cannot encode counts as possible."""

    def __init__(self, template: Mapping[str, Any], conditions: Mapping[str, Any]) -> None:
        """`conditions`: the evaluator's values so far (True, False or Unknown); the
        mapping itself, not the evaluator, so that no reference cycle keeps a template
        alive until the cyclic collector runs."""
        self._template = template
        self._conditions_so_far = conditions
        self._conditions: Any = None
        self._broken = False
        self._answers: dict[frozenset[tuple[str, bool]], bool] = {}

    def __call__(self, assignment: Mapping[str, bool]) -> bool:
        key = frozenset(assignment.items())
        if key in self._answers:
            return self._answers[key]
        if self._broken or len(self._answers) >= MAX_QUESTIONS:
            return True
        answer = self._ask(assignment)
        self._answers[key] = answer
        return answer

    def _ask(self, assignment: Mapping[str, bool]) -> bool:
        try:
            conditions = self._solver()
            if conditions is None:
                return True
            fixed = {k: v for k, v in self._conditions_so_far.items()
                     if isinstance(v, bool) and k not in assignment}
            known = {k: {v} for k, v in {**fixed, **assignment}.items()
                     if conditions.get(k) is not None}
            if not any(k in assignment for k in known):
                return True
            return next(iter(conditions.build_scenarios(known)), None) is not None
        except Exception as exc:  # a solver failure must not lose a finding
            log.debug("condition solver failed, every combination kept: %r", exc)
            self._broken = True
            return True

    def _solver(self) -> Any:
        if self._conditions is None and not self._broken:
            self._conditions = _conditions_class()(SimpleNamespace(template=self._template))
        return self._conditions


def _conditions_class() -> Any:
    """cfn-lint's `Conditions`, without running `cfnlint/__init__` first if nothing
    has: that imports all of cfn-lint (networkx, its rules: 0.2 s) while the solver
    needs sympy only. The package module is made from its spec with its `__init__`
    deferred to the first attribute it lacks (PEP 562 `__getattr__`), so a later
    `import cfnlint` anywhere in the process still sees the whole package."""
    if "cfnlint" not in sys.modules:
        spec = importlib.util.find_spec("cfnlint")
        if spec is not None and spec.loader is not None:
            package = importlib.util.module_from_spec(spec)
            loader = spec.loader

            def complete(name: str) -> Any:
                del package.__dict__["__getattr__"]
                loader.exec_module(package)
                return getattr(package, name)

            package.__dict__["__getattr__"] = complete
            sys.modules["cfnlint"] = package
    from cfnlint.conditions import Conditions

    return Conditions


class When(str):
    """The label of a branch ("when condition A is true and condition B is false")
    that keeps its condition assignment and the template's solver, so that two
    labels join only when their conditions can hold together (`join_when`)."""

    assignment: Mapping[str, bool]
    possible: Callable[[Mapping[str, bool]], bool] | None

    def __new__(cls, assignment: Mapping[str, bool],
                possible: Callable[[Mapping[str, bool]], bool] | None = None) -> When:
        text = "when " + " and ".join(
            f"condition {k} is {'true' if v else 'false'}" for k, v in assignment.items()
        ) if assignment else ""
        self = super().__new__(cls, text)
        self.assignment = dict(assignment)
        self.possible = possible
        return self


def join_when(outer: str, inner: str) -> str | None:
    """Both labels at once; None when their conditions cannot hold together."""
    if not outer or not inner:
        return outer or inner
    if not (isinstance(outer, When) and isinstance(inner, When)):
        return f"{outer} and {inner.removeprefix('when ')}"
    a, b = outer.assignment, inner.assignment
    if any(k in a and a[k] != v for k, v in b.items()):
        return None
    merged = {**a, **b}
    possible = outer.possible or inner.possible
    if len(merged) > len(a) and len(merged) > len(b) and possible and not possible(merged):
        return None
    return When(merged, possible)
