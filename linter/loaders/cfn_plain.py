"""YAML template to plain values and line map in one pass over pyyaml's nodes.

`cfn_yaml.loads` + `marked.to_plain` build a marked tree through pyyaml's generic
constructor, then copy it; on the corpus that is most of the reading time. This
walk goes from the composed nodes straight to what that pair gives, for the
templates nearly all are: no anchors, no merge keys, no duplicate or null keys,
no exotic tags, not nested deeper than `_MAX_DEPTH`. For anything else, and on
any error, `decode` returns None and the caller takes the two-step path, which
gives the exact values and errors (tests/test_cfn_yaml_loader.py compares both
with cfn-lint's loader).
"""

from __future__ import annotations

from typing import Any

from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from linter.loaders.cfn_yaml import _UNCONVERTED, _Loader
from linter.loaders.marked import LineMap, Path, _key, _Lines, _max, _scalar

_STR = "tag:yaml.org,2002:str"
_MAP = "tag:yaml.org,2002:map"
_SEQ = "tag:yaml.org,2002:seq"
#: Scalar tags built without marks, by pyyaml's own constructors.
_PLAIN = {
    tag: SafeConstructor.yaml_constructors[tag]
    for tag in ("null", "bool", "int", "float", "binary", "timestamp")
    for tag in (f"tag:yaml.org,2002:{tag}",)
}
_SCALARS = SafeConstructor()
#: Below the depth where the two-step path runs out of stack, so that a template
#: too deep for it is still read by it (and reported the same way).
_MAX_DEPTH = 150


class _Unsure(Exception):
    """A shape the walk does not reproduce: use the two-step path."""


def decode(text: str) -> tuple[Any, LineMap] | None:
    """(plain value, line map) as `to_plain(cfn_yaml.loads(text))` gives them, or
    None when the two-step path must decide."""
    if "&" in text:  # anchors: aliases share values, and their expansion is bounded
        return None
    try:
        node = _Loader(text).get_single_node()
        if node is None:
            return None
        walk = _Walk(text)
        value, end = walk.convert(node, (), 1, 0)
    except Exception:  # errors are worded and located by the two-step path
        return None
    walk.locs[()] = (1, max(end or 1, text.rstrip().count("\n") + 1))
    return value, walk.locs


def _marked_start(node: Any) -> int | None:
    """Line where the value built from `node` is marked as starting; None when it
    is built as a plain scalar without marks."""
    tag = node.tag
    if tag in (_STR, _MAP, _SEQ) or tag.startswith("!"):
        return int(node.start_mark.line) + 1
    return None


class _Walk:
    def __init__(self, text: str) -> None:
        self.src = _Lines(text)
        self.locs: LineMap = {}

    def convert(self, node: Any, path: Path, start: int | None,
                depth: int) -> tuple[Any, int | None]:
        """`_Converter.convert` of the value the loader builds from `node`."""
        if depth > _MAX_DEPTH:
            raise _Unsure
        tag = node.tag
        if tag == _STR and isinstance(node, ScalarNode):
            first = int(node.start_mark.line) + 1
            end: int | None = first
            if node.end_mark.line + 1 != first:
                end = self.src.yaml_end(node.end_mark, first - 1)
            return str(node.value), end
        if tag == _MAP and isinstance(node, MappingNode):
            first = int(node.start_mark.line) + 1
            out, end = self.mapping(node, path, first, depth)
            return out, _max(end, self.src.yaml_end(node.end_mark, first - 1))
        if tag == _SEQ and isinstance(node, SequenceNode):
            first = int(node.start_mark.line) + 1
            items, end = self.sequence(node.value, path, first, depth)
            return items, _max(end, self.src.yaml_end(node.end_mark, first - 1))
        if tag.startswith("!"):
            return self.short_form(node, tag[1:], path, depth)
        build = _PLAIN.get(tag)
        if build is None or not isinstance(node, ScalarNode):
            raise _Unsure
        return _scalar(build(_SCALARS, node)), start

    def mapping(self, node: Any, path: Path, first: int | None,
                depth: int) -> tuple[dict[str, Any], int | None]:
        out: dict[str, Any] = {}
        seen: set[Any] = set()
        end = first
        for key_node, value_node in node.value:
            if not isinstance(key_node, ScalarNode):
                raise _Unsure  # a collection as a key is an error
            if key_node.tag == _STR:
                key_value: Any = key_node.value
                kline: int | None = int(key_node.start_mark.line) + 1
            else:
                build = _PLAIN.get(key_node.tag)
                if build is None:
                    raise _Unsure  # merge keys, short forms as keys...
                key_value = build(_SCALARS, key_node)
                kline = _marked_start(value_node) or first
            if key_value is None or key_value in seen:
                raise _Unsure  # null and duplicate keys are errors
            seen.add(key_value)
            here = (*path, _key(key_value))
            value, vend = self.convert(value_node, here, kline, depth + 1)
            out[here[-1]] = value
            last = _max(kline, vend)
            if kline is not None:
                self.locs[here] = (kline, last or kline)
            end = _max(end, last)
        return out, end

    def sequence(self, children: list[Any], path: Path, first: int | None,
                 depth: int) -> tuple[list[Any], int | None]:
        items: list[Any] = []
        end = first
        for i, child in enumerate(children):
            vstart = _marked_start(child)
            here = (*path, i)
            value, vend = self.convert(child, here, vstart, depth + 1)
            items.append(value)
            if vstart is not None:
                self.locs[here] = (vstart, vend or vstart)
            end = _max(end, vend)
        return items, end

    def short_form(self, node: Any, suffix: str, path: Path,
                   depth: int) -> tuple[Any, int | None]:
        """`!Name x` is {"Fn::Name": x} marked where the node is; x itself is built
        without marks (a list from `!GetAtt a.b` has the node's)."""
        name = suffix if suffix in _UNCONVERTED else f"Fn::{suffix}"
        first = int(node.start_mark.line) + 1
        here = (*path, name)
        value: Any
        vend: int | None
        if isinstance(node, ScalarNode):
            if name == "Fn::GetAtt":
                value = node.value.split(".", 1)
                vend = self.src.yaml_end(node.end_mark, first - 1)
            else:
                value, vend = node.value, first
        elif isinstance(node, SequenceNode):
            value, vend = self.sequence(node.value, here, first, depth + 1)
            if name == "Fn::GetAtt":
                vend = _max(vend, self.src.yaml_end(node.end_mark, first - 1))
        elif name == "Fn::GetAtt" or any(k.tag == "tag:yaml.org,2002:merge"
                                          for k, _ in node.value):
            raise _Unsure  # `!GetAtt {a: b}`: cfn-lint marks it at line 1
        else:
            value, vend = self.mapping(node, here, first, depth + 1)
        last = _max(first, vend)
        self.locs[here] = (first, last or first)
        return {name: value}, _max(last, self.src.yaml_end(node.end_mark, first - 1))
