"""`exclude` patterns: gitignore-style globs over paths relative to the scan root.

Good enough for what people write in practice (`build/`, `tests/fixtures`,
`**/generated/*.tf`, `*.bak.yaml`), not a full gitignore: no negation, no
per-directory ignore files.

- a pattern without a `/` (other than a trailing one) matches a file or directory
  name at any depth;
- otherwise it is anchored at the scan root (a leading `/` only says so again);
- a trailing `/` matches directories only;
- `*` and `?` stay within one path segment, `**` spans any number of them;
- a matched directory excludes everything below it;
- a path outside the scan root is matched by its own name only.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePath


@dataclass(frozen=True)
class _Pattern:
    text: str
    regex: re.Pattern[str]
    dir_only: bool
    anchored: bool


def _compile(text: str) -> _Pattern:
    body = text.replace("\\", "/") if os.sep == "\\" else text
    dir_only = body.endswith("/")
    body = body.rstrip("/")
    anchored = "/" in body
    body = body.lstrip("/")
    return _Pattern(text, re.compile(_translate(body)), dir_only, anchored)


def _translate(glob: str) -> str:
    out: list[str] = []
    i, n = 0, len(glob)
    while i < n:
        if glob.startswith("**/", i):
            out.append("(?:.*/)?")
            i += 3
        elif glob.startswith("**", i):
            out.append(".*")
            i += 2
        elif glob[i] == "*":
            out.append("[^/]*")
            i += 1
        elif glob[i] == "?":
            out.append("[^/]")
            i += 1
        elif glob[i] == "[" and (end := _class_end(glob, i)) > 0:
            inner = glob[i + 1:end]
            negate = inner[:1] in ("!", "^")
            inner = re.sub(r"([\\\]^])", r"\\\1", inner[1:] if negate else inner)
            out.append(f"[{'^' if negate else ''}{inner}]")
            i = end + 1
        else:
            out.append(re.escape(glob[i]))
            i += 1
    return "".join(out)


def _class_end(glob: str, start: int) -> int:
    """Index of the `]` closing the class opened at `start`, or -1 (then `[` is literal)."""
    j = start + 1
    if j < len(glob) and glob[j] in "!^":
        j += 1
    if j < len(glob) and glob[j] == "]":
        j += 1
    end = glob.find("]", j)
    return end if end > 0 and "/" not in glob[start:end] else -1


class Excluder:
    """Answers "is this path excluded, and by which pattern?" for one scan root."""

    def __init__(self, patterns: Iterable[str], root: str) -> None:
        self.patterns = [_compile(p) for p in dict.fromkeys(patterns) if p.strip()]
        self.root = os.path.realpath(root)

    def __bool__(self) -> bool:
        return bool(self.patterns)

    def match(self, path: str, is_dir: bool = False) -> str | None:
        """The first pattern that excludes `path` (itself or a directory above it
        inside the root), or None."""
        if not self.patterns:
            return None
        parts = self._parts(os.path.realpath(path))
        for depth in range(1, len(parts) + 1):
            found = self._match_one(parts[:depth], is_dir or depth < len(parts))
            if found is not None:
                return found
        return None

    def match_entry(self, path: str, is_dir: bool) -> str | None:
        """As `match`, for an entry (real path) met while walking a directory that is
        itself not excluded: only the entry's own path needs testing."""
        if not self.patterns:
            return None
        return self._match_one(self._parts(path), is_dir)

    def _parts(self, path: str) -> tuple[str, ...]:
        absolute = os.path.abspath(path)
        try:
            rel = PurePath(absolute).relative_to(self.root)
        except ValueError:  # outside the root: matched by its own name only
            return (PurePath(absolute).name,)
        return tuple(p for p in rel.parts if p not in ("", "."))

    def _match_one(self, parts: tuple[str, ...], is_dir: bool) -> str | None:
        if not parts:
            return None
        rel = "/".join(parts)
        for pattern in self.patterns:
            if pattern.dir_only and not is_dir:
                continue
            subject = rel if pattern.anchored else parts[-1]
            if pattern.regex.fullmatch(subject):
                return pattern.text
        return None
