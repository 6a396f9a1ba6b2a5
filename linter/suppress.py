"""Inline suppressions: `iaclint:ignore IAC001` (or `iaclint:ignore` for all rules)
in a comment on the finding's first line or the line just above it."""

from __future__ import annotations

import re
from functools import lru_cache

from linter.model import Finding

_IGNORE = re.compile(r"iaclint:ignore(?:[ \t]*[=:]?[ \t]*([A-Za-z0-9_, \t]+))?")


@lru_cache(maxsize=4096)
def _lines(path: str) -> tuple[str, ...]:
    try:
        with open(path, encoding="utf-8", errors="replace") as fh:
            return tuple(fh.read().splitlines())
    except OSError:
        return ()


def _ignores(line: str, rule_id: str) -> bool:
    match = _IGNORE.search(line)
    if not match:
        return False
    listed = match.group(1)
    if not listed or not listed.strip():
        return True
    ids = {p.strip().upper() for p in re.split(r"[,\s]+", listed) if p.strip()}
    return rule_id.upper() in ids


def reset() -> None:
    """Forget cached file contents (a long-lived process may scan edited files)."""
    _lines.cache_clear()


def is_suppressed(finding: Finding) -> bool:
    if finding.rule_id == "IAC000":
        return False
    lines = _lines(finding.location.path)
    start = finding.location.start_line
    for number in (start, start - 1):
        if 1 <= number <= len(lines) and _ignores(lines[number - 1], finding.rule_id):
            return True
    return False
