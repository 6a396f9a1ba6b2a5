"""CloudFormation's YAML dialect on pyyaml alone, without importing cfn-lint.

Importing any `cfnlint` module runs its package `__init__`, which loads sympy and
networkx (~0.6 s) — most of a one-template scan. This loader gives exactly what
cfn-lint's `cfn_yaml` loader gave (the same C parser, so the same marks): short
forms (`!Ref`, `!GetAtt a.b`, `!Sub`...) turned into long forms, strings, maps
and lists that carry their start and end marks for `marked.to_plain`, the same
duplicate-key, null-key and unhashable-key errors (duplicates found by hashing,
not pairwise), and a bound on alias expansion. `tests/test_cfn_yaml_loader.py`
compares it with cfn-lint's loader on every fixture and corpus template.
"""

from __future__ import annotations

from typing import Any, NamedTuple

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

try:
    _Base: Any = yaml.CSafeLoader  # what cfn-lint uses when libyaml is there
except AttributeError:  # pragma: no cover - pyyaml built without libyaml
    _Base = yaml.SafeLoader

#: How many values YAML aliases may add to a template once expanded (a "billion
#: laughs" document of nested aliases is a few lines that expand to billions).
MAX_ALIAS_EXPANSION = 250_000

#: Short forms kept as written; every other `!Name` becomes `Fn::Name`.
_UNCONVERTED = ("Ref", "Condition")


class Mark(NamedTuple):
    """A 0-based position, for nodes the parser gave none (as cfn-lint's Mark)."""

    line: int
    column: int


_EMPTY = Mark(0, 0)  # an empty document
_DEFAULT = Mark(1, 1)  # cfn-lint's default for a node built without marks


class TemplateError(Exception):
    """A template YAML reads but CloudFormation cannot take; 0-based position."""

    def __init__(self, message: str, line: int = 0, column: int = 0) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


class MarkedStr(str):
    start_mark: Any
    end_mark: Any


class MarkedDict(dict[Any, Any]):
    start_mark: Any
    end_mark: Any


class MarkedList(list[Any]):
    start_mark: Any
    end_mark: Any


def _str(value: str, start: Any, end: Any) -> MarkedStr:
    out = MarkedStr(value)
    out.start_mark, out.end_mark = start, end
    return out


def _dict(value: dict[Any, Any], start: Any = _DEFAULT, end: Any = _DEFAULT) -> MarkedDict:
    out = MarkedDict(value)
    out.start_mark, out.end_mark = start, end
    return out


def _list(value: list[Any], start: Any = _DEFAULT, end: Any = _DEFAULT) -> MarkedList:
    out = MarkedList(value)
    out.start_mark, out.end_mark = start, end
    return out


class _Loader(_Base):  # type: ignore[misc]
    """Safe loader with cfn-lint's constructors, method for method (the order in
    which keys and values are constructed decides which error is reported)."""

    def flatten_mapping(self, node: Any) -> None:
        if any(key_node.tag == "tag:yaml.org,2002:merge" for key_node, _ in node.value):
            super().flatten_mapping(node)
            node.using_merge = True
        super().flatten_mapping(node)

    def construct_yaml_map(self, node: Any) -> Any:
        self.flatten_mapping(node)
        using_merge = bool(getattr(node, "using_merge", False))
        first: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, False)
            self.construct_object(value_node, False)
            if key is None:
                raise _error(key_node, f"Null key {key_node.value!r} not supported "
                                       f"(line {key_node.start_mark.line + 1})")
            try:
                seen = first.setdefault(key, key_node)
            except TypeError:
                raise _error(key_node, f'Unhashable type "{key}" '
                                       f"(line {key_node.start_mark.line + 1})") from None
            if seen is not key_node and not using_merge:
                raise _error(seen, f"Duplicate found {key!r} (line {seen.start_mark.line + 1})")
        (obj,) = SafeConstructor.construct_yaml_map(self, node)
        return _dict(obj, node.start_mark, node.end_mark)

    def construct_yaml_str(self, node: Any) -> Any:
        return _str(SafeConstructor.construct_yaml_str(self, node), node.start_mark,
                    node.end_mark)

    def construct_yaml_seq(self, node: Any) -> Any:
        (obj,) = SafeConstructor.construct_yaml_seq(self, node)
        return _list(obj, node.start_mark, node.end_mark)

    def construct_getatt(self, node: Any) -> Any:
        """`!GetAtt a.b.c` is ["a", "b.c"]; a list is kept, a mapping read as one."""
        if isinstance(node.value, str):
            return _list(node.value.split(".", 1), node.start_mark, node.end_mark)
        if any(isinstance(value, tuple) for value in node.value):
            return _dict(self.construct_object(MappingNode(
                tag="tag:yaml.org,2002:map", value=node.value,
                start_mark=node.start_mark, end_mark=node.end_mark), deep=True))
        return _list([self.construct_object(child, deep=True) for child in node.value],
                     node.start_mark, node.end_mark)

    def construct_short_form(self, suffix: str, node: Any) -> Any:
        name = suffix if suffix in _UNCONVERTED else f"Fn::{suffix}"
        if name == "Fn::GetAtt":
            value = self.construct_getatt(node)
        elif isinstance(node, ScalarNode):
            value = self.construct_scalar(node)
        elif isinstance(node, SequenceNode):
            value = self.construct_sequence(node, True)
        else:
            value = self.construct_mapping(node, True)
        return _dict({name: value}, node.start_mark, node.end_mark)


_Loader.add_constructor("tag:yaml.org,2002:map", _Loader.construct_yaml_map)
_Loader.add_constructor("tag:yaml.org,2002:str", _Loader.construct_yaml_str)
_Loader.add_constructor("tag:yaml.org,2002:seq", _Loader.construct_yaml_seq)
_Loader.add_multi_constructor("!", _Loader.construct_short_form)


def _error(key_node: Any, message: str) -> TemplateError:
    return TemplateError(message, key_node.start_mark.line, key_node.start_mark.column)


def loads(text: str) -> Any:
    """The marked tree of a YAML template (an empty one for an empty document).

    Raises TemplateError, yaml's MarkedYAMLError or RecursionError; any other
    failure of construction becomes a TemplateError, as cfn-lint words it."""
    try:
        template = _Loader(text).get_single_data()
    except (TemplateError, yaml.MarkedYAMLError, RecursionError):
        raise
    except Exception as exc:
        raise TemplateError(f"Template could not be parsed: {exc}") from exc
    if template is None:
        template = _dict({}, _EMPTY, _EMPTY)
    if "&" in text and alias_growth(template) > MAX_ALIAS_EXPANSION:
        raise TemplateError(f"YAML aliases expand to more than {MAX_ALIAS_EXPANSION:,} "
                            "values (limit against alias amplification)")
    return template


def alias_growth(template: Any) -> int:
    """How many values aliases add: the expanded size minus the written size. An
    alias is the same Python object in two places, so sizes are memoized by identity
    (only containers: small ints and interned strings share identity anyway)."""
    sizes: dict[int, int] = {}
    written = 0
    stack: list[tuple[Any, bool]] = [(template, False)]
    while stack:
        node, done = stack.pop()
        if id(node) in sizes and not done:
            continue
        children = list(node.values()) if isinstance(node, dict) else node
        if done:
            sizes[id(node)] = 1 + sum(
                sizes.get(id(c), 1) if isinstance(c, (dict, list)) else 1 for c in children)
            written += 1 + len(children)
            continue
        stack.append((node, True))
        stack.extend((c, False) for c in children if isinstance(c, (dict, list))
                     and id(c) not in sizes)
    return sizes.get(id(template), 1) - written
