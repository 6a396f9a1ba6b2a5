"""`marked.json_to_plain` for valid JSON at the C decoder's speed.

The line-keeping decoder of `marked.py` runs json's pure-Python scanner with a hook
per value: on the CloudFormation corpus, most of the JSON reading time. Here the C
decoder builds the values, and one regular-expression pass over the text gives
the position of every string, scalar and bracket in document order, which is the
order a walk of the decoded value meets them: the lines follow without a
per-character loop. Duplicate keys, NaN and nesting near the decoder's limit
return None: the line-keeping decoder words those errors.
"""

from __future__ import annotations

import json
import operator
import re
from bisect import bisect_left
from functools import partial
from typing import Any

from linter.loaders.marked import LineMap, Path

#: A string, a bracket, or a bare scalar (number, true, false, null).
_TOKEN = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[{}\[\]]|[^\s{}\[\]:,"]+', re.DOTALL)
_NEWLINE = re.compile("\n")
#: Below `marked._MAX_DEPTH`, whose error message the line-keeping decoder gives.
_MAX_DEPTH = 400


_start = operator.methodcaller("start")


class _Unsure(Exception):
    pass


def _refuse(_name: str) -> Any:
    raise _Unsure


class _Pairs(list[tuple[str, Any]]):
    """An object's (key, value) pairs in written order, repeats kept."""


def json_to_plain(text: str) -> tuple[Any, LineMap] | None:
    """(plain value, line map) as `marked.json_to_plain` gives them, or None."""
    try:
        value = json.loads(text, object_pairs_hook=_Pairs, parse_constant=_refuse)
        walk = _Walk(text)
        plain, _, end = walk.convert(value, (), 0)
        if next(walk.lines, None) is not None:
            return None  # tokens left over: the text is not read as this walk thinks
    except (_Unsure, ValueError, RecursionError, StopIteration):
        return None
    walk.locs[()] = (1, max(end, text.rstrip().count("\n") + 1))
    return plain, walk.locs


class _Walk:
    def __init__(self, text: str) -> None:
        # -1 first: bisect_left then gives 1 + the newlines before a position
        newlines = [-1, *map(_start, _NEWLINE.finditer(text))]
        starts = map(_start, _TOKEN.finditer(text))
        #: the line of every token, in order (bisect and map run in C)
        self.lines = map(partial(bisect_left, newlines), starts)
        self.next_line = self.lines.__next__
        self.locs: LineMap = {}

    def convert(self, value: Any, path: Path, depth: int) -> tuple[Any, int, int]:
        """(plain value, first line, last line) of the value whose token is next."""
        line = self.next_line()
        if isinstance(value, _Pairs):
            if depth > _MAX_DEPTH:
                raise _Unsure
            out: dict[str, Any] = {}
            for key, item in value:
                if key in out:
                    raise _Unsure  # a duplicate key: an error, worded elsewhere
                kline = self.next_line()
                here = (*path, key)
                out[key], _, vend = self.convert(item, here, depth + 1)
                self.locs[here] = (kline, max(kline, vend))
            close = self.next_line()
            return out, line, close if value else line
        if isinstance(value, list):
            if depth > _MAX_DEPTH:
                raise _Unsure
            items: list[Any] = []
            for i, item in enumerate(value):
                here = (*path, i)
                plain, start, vend = self.convert(item, here, depth + 1)
                items.append(plain)
                self.locs[here] = (start, vend)
            close = self.next_line()
            return items, line, close if value else line
        return value, line, line
