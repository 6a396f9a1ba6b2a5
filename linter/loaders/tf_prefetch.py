"""Parse half of a scan's HCL files in a forked child while the parent parses the rest.

Parsing is most of a cold Terraform scan and the files are independent, so on a
machine with two cores a child takes every second `.tf` file that the parse cache
does not hold. It sends each AST back as the parse cache's data-only JSON (never
pickle) with the digest of the bytes it parsed; the parent takes an entry only for
the same path and the same bytes it reads itself, and parses anything else (a
changed file, a failed child) on its own. Below MIN_FILES the fork costs more than
it saves; `IACLINT_JOBS=1` turns this off.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Callable
from typing import Any

from linter import parallel
from linter.discovery import Format, Refused, SourceFile, as_utf8, read_source
from linter.loaders import tf_cache
from linter.loaders.hcl_ast import TerraformFile
from linter.model import ParseError

#: fewer files to parse than this: parse them all in-process
MIN_FILES = 48

Prefetched = dict[str, tuple[str, list[Any]]]


class Prefetch:
    """The child's share of the files and, once asked for, what it parsed."""

    def __init__(self, paths: set[str], wait: Callable[[], Prefetched]) -> None:
        self.paths = paths
        self._wait = wait
        self._result: Prefetched | None = None

    def take(self, path: str, data: bytes) -> TerraformFile | ParseError | None:
        """The child's document for `path` when it parsed exactly `data`, else None."""
        if path not in self.paths:
            return None
        if self._result is None:
            try:
                self._result = self._wait()
            except Exception:  # the child failed: the parent parses its files itself
                self._result = {}
        entry = self._result.pop(path, None)
        if entry is None or entry[0] != _digest(data):
            return None
        try:
            doc = tf_cache.decode(entry[1], path)
        except (ValueError, TypeError, KeyError, IndexError, RecursionError):
            return None
        from linter.loaders.terraform import with_words

        return with_words(doc, data)


def start(files: list[SourceFile]) -> Prefetch | None:
    """Fork the child for every second uncached HCL file, or None when not worth it."""
    if os.environ.get("IACLINT_JOBS", "").strip() == "1" or not parallel.can_fork():
        return None
    hcl = [f for f in files if f.format is Format.TERRAFORM and not f.path.endswith(".json")]
    if len(hcl) < MIN_FILES:
        return None
    todo = [f for f in hcl if not _cached(f.path)]
    if len(todo) < MIN_FILES:
        return None
    share = [f.path for f in todo[1::2]]
    wait = parallel.start(lambda: _parse(share), _checked)
    return Prefetch(set(share), wait)


def _cached(path: str) -> bool:
    try:
        data = as_utf8(read_source(path, count=False))
    except (Refused, OSError):
        return True  # the parent reports it
    return tf_cache.has(path, data)


def _parse(paths: list[str]) -> Prefetched:
    from linter.loaders.terraform import load_terraform

    out: Prefetched = {}
    for path in paths:
        try:
            data = as_utf8(read_source(path, count=False))
        except (Refused, OSError):
            continue
        out[path] = (_digest(data), tf_cache.encode(load_terraform(path, data)))
    return out


def _checked(raw: Any) -> Prefetched:
    if not isinstance(raw, dict):
        return {}
    return {
        path: (entry[0], entry[1]) for path, entry in raw.items()
        if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[0], str)
        and isinstance(entry[1], list)
    }


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
