"""Turn cfn-lint's marked nodes into plain values plus a line map.

cfn-lint's decoders return dict/list/str subclasses carrying start and end
marks. Those types must not leak past the loaders, so this module copies the
tree into plain Python values and records, for every key path, the 1-based
lines it spans. YAML end marks point at the next token (often the next key's
line), so ends are pulled back to the last line with content. JSON is usually
read by the YAML parser too (as cfn-lint does); when cfn-lint's JSON decoder
had to be used, its marks are recomputed from character offsets (its line
arithmetic is off by one around brackets and commas) and list strings, which
carry no marks, are found in the text.

The second half decodes JSON into JObj/JArr/JScalar nodes that keep the line
of every key and value (and repeated keys), for Terraform's JSON syntax,
`.tfvars.json` and policy text inside Terraform.
"""

from __future__ import annotations

import datetime
import json
import json.decoder
import json.scanner
import re
from bisect import bisect_left
from collections.abc import Callable
from typing import Any

Path = tuple[Any, ...]
LineMap = dict[Path, tuple[int, int]]


class _Lines:
    """Line facts about the source text that end-mark correction needs."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self._newlines: list[int] | None = None
        self._indents: dict[int, int] = {}

    @property
    def newlines(self) -> list[int]:
        if self._newlines is None:
            self._newlines = [m.start() for m in re.finditer("\n", self.text)]
        return self._newlines

    def find_string(self, value: str, from_line: int) -> int | None:
        """1-based line where the JSON string `value` is next written (JSON
        scalars in lists carry no marks of their own)."""
        needle = json.dumps(value, ensure_ascii=False)
        needles = (needle, json.dumps(value))
        for line0 in range(from_line - 1, min(len(self.lines), from_line + 200)):
            text = self.lines[line0]
            if any(n in text for n in needles):
                return line0 + 1
        return None

    def indent(self, line0: int) -> int:
        """Leading whitespace of a line, computed once: a one-line file has thousands
        of end marks on its single line."""
        found = self._indents.get(line0)
        if found is None:
            text = self.lines[line0] if 0 <= line0 < len(self.lines) else ""
            found = self._indents[line0] = len(text) - len(text.lstrip())
        return found

    def blank(self, line0: int) -> bool:
        if not 0 <= line0 < len(self.lines):
            return True
        stripped = self.lines[line0].strip()
        return not stripped or stripped.startswith("#")

    def yaml_end(self, mark: Any, floor0: int) -> int:
        """1-based last content line of a YAML node whose end mark is `mark`."""
        line0: int = mark.line
        col: int = mark.column
        if col <= self.indent(line0):
            line0 -= 1
        while line0 > floor0 and self.blank(line0):
            line0 -= 1
        return max(line0, floor0) + 1

    # cfn_json marks: line = newlines counted up to the offset, column = offset
    # minus the newline index at [line - 1] (or -1 when none were counted).
    def _offset(self, line: int, col: int, counted: int) -> int:
        nl = self.newlines
        base = nl[line - 1] if nl and counted > 0 else -1
        return col + base

    def json_start(self, mark: Any) -> int:
        """1-based line of the bracket that opens a JSON object or array."""
        offset = self._offset(mark.line, mark.column, mark.line)
        return bisect_left(self.newlines, max(offset - 1, 0)) + 1

    def json_end(self, mark: Any) -> int:
        """1-based line of the bracket that closes a JSON object or array."""
        counted = mark.line + (1 if len(self.newlines) > 1 else 0)
        offset = self._offset(mark.line, mark.column, counted)
        return bisect_left(self.newlines, max(offset - 1, 0)) + 1


def _scalar(value: Any) -> Any:
    if isinstance(value, str):
        return str(value)
    if isinstance(value, bool) or value is None or isinstance(value, (int, float)):
        return value
    if isinstance(value, (datetime.date, datetime.datetime)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return str(value)


def _key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    return str(key)


class _Converter:
    def __init__(self, text: str, is_json: bool) -> None:
        self.src = _Lines(text)
        self.is_json = is_json
        self.locs: LineMap = {}

    def start(self, node: Any) -> int | None:
        mark = getattr(node, "start_mark", None)
        if mark is None:
            return None
        if self.is_json:
            if isinstance(node, (dict, list)):
                return self.src.json_start(mark)
            return int(mark.line) + 1
        return int(mark.line) + 1

    def convert(self, node: Any, path: Path, start: int | None) -> tuple[Any, int | None]:
        """(plain value, 1-based end line or None when unmarked)."""
        own = self.start(node)
        first = own if own is not None else start
        if isinstance(node, dict):
            out: dict[str, Any] = {}
            end = first
            for k, v in node.items():
                key = _key(k)
                kstart = self.start(k) if not isinstance(k, (dict, list)) else None
                kline = kstart if kstart is not None else self.start(v) or first
                here = (*path, key)
                value, vend = self.convert(v, here, kline)
                out[key] = value
                last = _max(kline, vend)
                if kline is not None:
                    self.locs[here] = (kline, last or kline)
                end = _max(end, last)
            end = _max(end, self._container_end(node, first))
            return out, end
        if isinstance(node, list):
            items: list[Any] = []
            end = first
            cursor = first
            for i, v in enumerate(node):
                vstart = self.start(v)
                if vstart is None and self.is_json and isinstance(v, str) and cursor:
                    vstart = self.src.find_string(v, cursor)
                    cursor = vstart or cursor
                here = (*path, i)
                value, vend = self.convert(v, here, vstart)
                items.append(value)
                if vstart is not None:
                    self.locs[here] = (vstart, vend or vstart)
                end = _max(end, vend)
            end = _max(end, self._container_end(node, first))
            return items, end
        end_mark = getattr(node, "end_mark", None)
        end = first
        if (end_mark is not None and not self.is_json and first is not None
                and end_mark.line + 1 != first):  # one-line scalars end where they start
            end = self.src.yaml_end(end_mark, first - 1)
        return _scalar(node), end

    def _container_end(self, node: Any, first: int | None) -> int | None:
        mark = getattr(node, "end_mark", None)
        if mark is None or first is None:
            return None
        if self.is_json:
            return self.src.json_end(mark)
        return self.src.yaml_end(mark, first - 1)


def _max(a: int | None, b: int | None) -> int | None:
    if a is None:
        return b
    if b is None:
        return a
    return max(a, b)


def to_plain(node: Any, text: str, *, is_json: bool) -> tuple[Any, LineMap]:
    """Plain copy of a decoded cfn-lint tree and its {path: (start, end)} line map."""
    conv = _Converter(text, is_json)
    value, end = conv.convert(node, (), 1)
    conv.locs[()] = (1, max(end or 1, text.rstrip().count("\n") + 1))
    return value, conv.locs


def locate_in(locs: LineMap, path: Path) -> tuple[int, int]:
    """Lines of the most specific recorded ancestor of `path`."""
    for end in range(len(path), -1, -1):
        hit = locs.get(tuple(path[:end]))
        if hit is not None:
            return hit
    return (1, 1)


# --------------------------------------------------------------------------- JSON with lines
# Terraform's JSON syntax (and policy text inside Terraform) needs what plain
# values + a path line map cannot hold: the line of every key *and* of every
# value, and repeated keys (HCL reads a second `"resource"` key as more blocks).
# So the standard library's decoder is hooked to build JObj/JArr/JScalar nodes.
# Not cfn-lint's decoder: its per-key mark bookkeeping made this 5x slower and
# its marks need correcting anyway; lines here come from exact offsets.


class JObj:
    """A JSON object: (key, key line, value) in written order, duplicates kept."""

    __slots__ = ("end_line", "items", "line")

    def __init__(self, items: list[tuple[str, int, Any]], line: int, end_line: int) -> None:
        self.items = items
        self.line = line
        self.end_line = end_line


class JArr:
    __slots__ = ("end_line", "items", "line")

    def __init__(self, items: list[Any], line: int, end_line: int) -> None:
        self.items = items
        self.line = line
        self.end_line = end_line


class JScalar:
    __slots__ = ("line", "value")

    def __init__(self, value: Any, line: int) -> None:
        self.value = value
        self.line = line


class JsonSyntaxError(Exception):
    def __init__(self, line: int, message: str) -> None:
        super().__init__(message)
        self.line = line
        self.message = message


_MAX_DEPTH = 500
#: the decoder's messages in this project's words, per container being read
_MESSAGES = {
    "{": {
        "Expecting property name enclosed in double quotes": "expected a string key",
        "Expecting ':' delimiter": "expected ':'",
        "Expecting ',' delimiter": "expected ',' or '}'",
    },
    "[": {"Expecting ',' delimiter": "expected ',' or ']'"},
    "": {"Extra data": "extra data after the document"},
}
_CONSTANT = object()  # NaN/Infinity: Python's decoder accepts them, JSON does not

# json's pure-Python scanner and container parsers: present in every CPython, but not
# public API, so typeshed does not declare them.
_py_make_scanner: Callable[..., Any] = json.scanner.py_make_scanner  # type: ignore[attr-defined]
_json_object: Callable[..., Any] = json.decoder.JSONObject  # type: ignore[attr-defined]
_json_array: Callable[..., Any] = json.decoder.JSONArray  # type: ignore[attr-defined]
_WS = " \t\n\r"


def _keep_pairs(pairs: list[tuple[str, Any]]) -> list[tuple[str, Any]]:
    return pairs


class _LineDecoder(json.JSONDecoder):
    """json's pure-Python scanner with hooks that wrap every value in a node."""

    def __init__(self, text: str) -> None:
        super().__init__(parse_constant=lambda _name: _CONSTANT, object_pairs_hook=_keep_pairs)
        self.newlines = [m.start() for m in re.finditer("\n", text)]
        self.depth = 0
        self._inner: Any = None
        self.parse_object = self._object
        self.parse_array = self._array
        self.parse_string = self._string
        self.scan_once = self._marking(_py_make_scanner(self))

    def line_at(self, pos: int) -> int:
        return bisect_left(self.newlines, pos) + 1

    def fail(self, pos: int, message: str) -> Any:
        raise JsonSyntaxError(self.line_at(pos), f"JSON syntax error: {message}")

    def reword(self, exc: json.JSONDecodeError, container: str) -> JsonSyntaxError:
        message = _MESSAGES[container].get(exc.msg) or str(exc)
        return JsonSyntaxError(exc.lineno, f"JSON syntax error: {message}")

    def _marking(self, scan: Any) -> Any:
        def scan_marked(s: str, idx: int) -> tuple[Any, int]:
            if self.depth > _MAX_DEPTH:
                self.fail(idx, "nesting too deep")
            try:
                value, end = scan(s, idx)
            except StopIteration:
                if idx >= len(s):
                    self.fail(idx, "unexpected end of input")
                self.fail(idx, f"unexpected character {s[idx]!r}")
            if value is _CONSTANT:
                self.fail(idx, f"unexpected character {s[idx]!r}")
            if isinstance(value, (JObj, JArr)):
                return value, end
            return JScalar(value, self.line_at(idx)), end

        return scan_marked

    def _scan(self, scan: Any) -> Any:
        if self._inner is None:  # the scanner's own recursive function, wrapped once
            self._inner = self._marking(scan)
        return self._inner

    def _string(self, s: str, end: int, strict: bool = True) -> tuple[str, int]:
        try:
            return json.decoder.scanstring(s, end, strict)  # type: ignore[attr-defined,no-any-return]
        except ValueError as exc:  # located at the opening quote
            return self.fail(end - 1, str(exc))  # type: ignore[no-any-return]

    def _object(self, s_and_end: tuple[str, int], strict: bool, scan: Any, _hook: Any,
                pairs_hook: Any, memo: Any = None) -> tuple[JObj, int]:
        start = s_and_end[1] - 1
        key_lines: list[int] = []
        marked = self._scan(scan)

        def scan_value(s: str, idx: int) -> tuple[Any, int]:
            # back over `"key" :` (a key never spans lines) to the key's closing quote
            j = idx - 1
            while s[j] in _WS:
                j -= 1
            j -= 1
            while s[j] in _WS:
                j -= 1
            key_lines.append(self.line_at(j))
            return marked(s, idx)  # type: ignore[no-any-return]

        self.depth += 1
        try:
            pairs, end = _json_object(
                s_and_end, strict, scan_value, None, pairs_hook, memo
            )
        except json.JSONDecodeError as exc:
            raise self.reword(exc, "{") from None
        self.depth -= 1
        items = [(k, kl, v) for (k, v), kl in zip(pairs, key_lines, strict=True)]
        line = self.line_at(start)
        return JObj(items, line, self.line_at(end - 1) if items else line), end

    def _array(self, s_and_end: tuple[str, int], scan: Any) -> tuple[JArr, int]:
        start = s_and_end[1] - 1
        self.depth += 1
        try:
            values, end = _json_array(s_and_end, self._scan(scan))
        except json.JSONDecodeError as exc:
            raise self.reword(exc, "[") from None
        self.depth -= 1
        line = self.line_at(start)
        return JArr(values, line, self.line_at(end - 1) if values else line), end


def parse_json_lines(text: str) -> Any:
    """Strict JSON as JObj/JArr/JScalar nodes, or a JsonSyntaxError at the bad line."""
    decoder = _LineDecoder(text)
    try:
        return decoder.decode(text)
    except json.JSONDecodeError as exc:
        raise decoder.reword(exc, "") from None
    except RecursionError:
        raise JsonSyntaxError(1, "JSON syntax error: nesting too deep") from None
    except ValueError as exc:  # an integer too long to convert
        raise JsonSyntaxError(1, f"JSON syntax error: {exc}") from None
    finally:
        # json's scanner is a self-referencing closure holding the decoder: drop the
        # line index now rather than when the cyclic collector gets to it
        decoder.newlines = []


def jplain(node: Any) -> Any:
    """Plain Python value of a JObj/JArr/JScalar tree."""
    if isinstance(node, JObj):
        return {k: jplain(v) for k, _, v in node.items}
    if isinstance(node, JArr):
        return [jplain(v) for v in node.items]
    return node.value


class DuplicateKey(Exception):
    """A key written twice in one JSON object (CloudFormation rejects it)."""

    def __init__(self, key: str, line: int, first_line: int) -> None:
        super().__init__(f"Duplicate found {key!r} (line {first_line})")
        self.key = key
        self.line = line
        self.first_line = first_line


def json_to_plain(text: str) -> tuple[Any, LineMap]:
    """Plain values and the {path: (start, end)} line map of a JSON text, as `to_plain`
    gives for a YAML-read template, but through this module's decoder: one pass over
    the text however long its lines (cfn-lint's decoders check duplicate keys pairwise
    and construct through YAML, which made a 3.5 MB one-line template take minutes).
    Raises JsonSyntaxError or DuplicateKey."""
    plain = _PlainJson()
    value, end = plain.convert(parse_json_lines(text), ())
    plain.locs[()] = (1, max(end, text.rstrip().count("\n") + 1))
    return value, plain.locs


class _PlainJson:
    """`json_to_plain`'s walk. A method, not a nested recursive function: that one
    references itself, and the cycle kept every line map alive until the cyclic
    collector ran (which the CLI pauses during a scan)."""

    def __init__(self) -> None:
        self.locs: LineMap = {}

    def convert(self, node: Any, path: Path) -> tuple[Any, int]:
        if isinstance(node, JObj):
            out: dict[str, Any] = {}
            first: dict[str, int] = {}
            for key, kline, value in node.items:
                if key in first:
                    raise DuplicateKey(key, kline, first[key])
                first[key] = kline
                here = (*path, key)
                out[key], vend = self.convert(value, here)
                self.locs[here] = (kline, max(kline, vend))
            return out, node.end_line
        if isinstance(node, JArr):
            items: list[Any] = []
            for i, value in enumerate(node.items):
                here = (*path, i)
                plain, vend = self.convert(value, here)
                items.append(plain)
                self.locs[here] = (value.line, vend)
            return items, node.end_line
        return _scalar(node.value), node.line
