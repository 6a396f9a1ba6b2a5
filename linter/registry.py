"""Find rules: the `iaclint.rules` entry-point group, plus explicit `--rules-dir`s.

An entry point may name a Rule subclass, a Rule instance, or an iterable of
either (the built-in pack exports `rules:RULES`). Code inside the scanned tree
is never imported; only directories the user names with --rules-dir are.
"""

from __future__ import annotations

import importlib.util
import inspect
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from linter.rule import INTERNAL_ERROR_RULE, PARSE_ERROR_RULE, Rule

ENTRY_POINT_GROUP = "iaclint.rules"


class RuleLoadError(Exception):
    """A rule pack or rules directory that could not be loaded."""


def _as_rules(obj: Any, origin: str) -> list[Rule]:
    if inspect.isclass(obj) and issubclass(obj, Rule):
        return [obj()]
    if isinstance(obj, Rule):
        return [obj]
    if isinstance(obj, Iterable) and not isinstance(obj, (str, bytes)):
        out: list[Rule] = []
        for item in obj:
            out.extend(_as_rules(item, origin))
        return out
    raise RuleLoadError(f"{origin}: {obj!r} is not a Rule, Rule class or iterable of them")


def _rules_in_module(module: Any) -> list[Rule]:
    exported = getattr(module, "RULES", None)
    if exported is not None:
        return _as_rules(exported, module.__name__)
    found = [
        obj
        for _, obj in inspect.getmembers(module, inspect.isclass)
        if issubclass(obj, Rule) and obj is not Rule and obj.__module__ == module.__name__
        and getattr(obj, "id", None)
    ]
    return [cls() for cls in found]


def entry_point_rules() -> list[Rule]:
    # imported here: importlib.metadata costs 20-40 ms, which --help and --version
    # (and importing linter.cli) need not pay
    from importlib.metadata import entry_points

    rules: list[Rule] = []
    for ep in sorted(entry_points(group=ENTRY_POINT_GROUP), key=lambda e: e.name):
        try:
            obj = ep.load()
        except Exception as exc:
            msg = f"rule pack {ep.name!r} ({ep.value}) failed to load: {exc}"
            raise RuleLoadError(msg) from exc
        rules.extend(_as_rules(obj, f"entry point {ep.name!r}"))
    return rules


def directory_rules(directory: str) -> list[Rule]:
    base = Path(directory)
    if not base.is_dir():
        raise RuleLoadError(f"--rules-dir {directory}: not a directory")
    rules: list[Rule] = []
    for path in sorted(base.glob("*.py")):
        if path.name.startswith("_"):
            continue
        name = f"iaclint_local_rules_{abs(hash(str(path.resolve())))}_{path.stem}"
        spec = importlib.util.spec_from_file_location(name, path)
        if spec is None or spec.loader is None:
            raise RuleLoadError(f"{path}: cannot be imported")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        try:
            spec.loader.exec_module(module)
        except Exception as exc:
            raise RuleLoadError(f"{path}: failed to import: {exc}") from exc
        rules.extend(_rules_in_module(module))
    return rules


def load_rules(rules_dirs: Iterable[str] = ()) -> list[Rule]:
    """All available rules, sorted by ID; a duplicate ID is an error."""
    rules = entry_point_rules()
    for directory in rules_dirs:
        rules.extend(directory_rules(directory))
    seen: dict[str, Rule] = {}
    for rule in rules:
        if rule.id in seen and type(seen[rule.id]) is not type(rule):
            raise RuleLoadError(
                f"rule ID {rule.id} is defined twice ({type(seen[rule.id]).__module__} "
                f"and {type(rule).__module__})"
            )
        seen[rule.id] = rule
    return [seen[k] for k in sorted(seen)]


def all_rules(rules_dirs: Iterable[str] = ()) -> list[Rule]:
    """`load_rules` plus the pseudo-rules IAC000 (parse errors) and IAC999 (internal
    errors): what users can list and explain."""
    pseudo = (PARSE_ERROR_RULE.id, INTERNAL_ERROR_RULE.id)
    return [PARSE_ERROR_RULE, *(r for r in load_rules(rules_dirs) if r.id not in pseudo),
            INTERNAL_ERROR_RULE]
