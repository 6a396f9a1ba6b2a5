"""Bounds every language shares: how much of an evaluated value a message quotes, how
long a message may be, and how regular expressions from untrusted input run.

The scanned code (and its `.iaclint.yaml`) may come from anyone, e.g. a pull request
from a fork: a value the code computes must never fill a report (it may hold a whole
file), and a regular expression must never backtrack for minutes.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

#: Characters of an evaluated value a message quotes; the rest becomes "…".
MAX_QUOTED = 80
#: Characters of a whole finding message; longer ones are cut with "…".
MAX_MESSAGE = 1000
#: Characters of a regular expression iaclint compiles from input or configuration.
MAX_PATTERN = 1000
#: Characters a regular expression is matched against; longer input is not matched.
MAX_REGEX_INPUT = 64 * 1024
#: Seconds one match may take before it is abandoned (a backstop: patterns that can
#: backtrack catastrophically are refused before they run, see `risky_pattern`).
REGEX_TIMEOUT = 0.05
#: Largest repeat count `{n}` / `{n,m}` a pattern may hold.
MAX_REPEAT = 1000


def shorten(text: str, limit: int = MAX_QUOTED) -> str:
    """`text` cut to `limit` characters, "…" marking the cut in the middle, so that a
    message quoting a computed value stays one short line and values differing only at
    the end (`…names[0]`, `…names[1]`) still read differently."""
    if len(text) <= limit:
        return text
    head = limit * 3 // 4
    return text[:head] + "…" + text[len(text) - (limit - head - 1):]


def quoted(value: Any, limit: int = MAX_QUOTED) -> str:
    """`repr` of a value's text as a message quotes it, at most `limit` characters of
    the text (`'abc…'`)."""
    text = value if isinstance(value, str) else str(value)
    return repr(shorten(str(text), limit))


def cap_message(message: str) -> str:
    """A finding message no longer than MAX_MESSAGE characters."""
    return shorten(message, MAX_MESSAGE)


class RegexRefused(Exception):
    """A pattern or input iaclint will not run (too long, may backtrack, too slow)."""


def risky_pattern(pattern: str) -> str | None:
    """Why `pattern` may take exponential time or is too large to run, or None.

    Conservative and static: a repeated group that itself holds a repeat (`(a+)+`)
    or an alternation (`(a|a)*`) is refused, as are huge repeat counts and patterns
    Python cannot parse. Such patterns are rare in tag values and Terraform code;
    refusing one leaves a value unknown (Terraform) or the configuration invalid."""
    if len(pattern) > MAX_PATTERN:
        return f"the pattern is longer than {MAX_PATTERN} characters"
    try:
        tree = _sre_parse(pattern)
    except (re.error, RecursionError, OverflowError, ValueError) as exc:
        return f"not a valid regular expression ({exc})"
    return _walk(tree, inside_repeat=False)


def _sre(name: str) -> Any:
    """Python's own regular expression parser (`re._parser`, `sre_parse` before 3.11),
    so the check sees the pattern exactly as it would be compiled."""
    try:
        return importlib.import_module(f"re._{name}")
    except ImportError:  # Python 3.10
        return importlib.import_module(f"sre_{name}")


_PARSER = _sre("parser")
_C = _sre("constants")


def _sre_parse(pattern: str) -> Any:
    return _PARSER.parse(pattern)


_REPEATS = {_C.MAX_REPEAT, _C.MIN_REPEAT, getattr(_C, "POSSESSIVE_REPEAT", _C.MAX_REPEAT)}
_GROUPS = {_C.SUBPATTERN, getattr(_C, "ATOMIC_GROUP", _C.SUBPATTERN)}


def _walk(items: Any, inside_repeat: bool) -> str | None:
    for op, av in items:
        if op in _REPEATS:
            low, high, body = av
            if max(low, 0 if high == _C.MAXREPEAT else high) > MAX_REPEAT:
                return f"a repeat count above {MAX_REPEAT}"
            repeats = high == _C.MAXREPEAT or high > 1
            if repeats and inside_repeat:
                return "a repeated group holds another repeat (e.g. (a+)+)"
            found = _walk(body, inside_repeat or repeats)
            if found:
                return found
        elif op == _C.BRANCH:
            if inside_repeat:
                return "a repeated group holds an alternation (e.g. (a|b)*)"
            for branch in av[1]:
                found = _walk(branch, inside_repeat)
                if found:
                    return found
        elif op in _GROUPS:
            found = _walk(av[-1] if op == _C.SUBPATTERN else av, inside_repeat)
            if found:
                return found
        elif op in (_C.ASSERT, _C.ASSERT_NOT):
            found = _walk(av[1], inside_repeat)
            if found:
                return found
        elif op == _C.GROUPREF_EXISTS:
            for branch in av[1:]:
                if branch is not None:
                    found = _walk(branch, inside_repeat)
                    if found:
                        return found
    return None


def compile_safe(pattern: str) -> Any:
    """`pattern` compiled for `search_safe`; RegexRefused when `risky_pattern` refuses it."""
    reason = risky_pattern(pattern)
    if reason is not None:
        raise RegexRefused(reason)
    import regex  # type: ignore[import-untyped,unused-ignore]  # 12 ms: only when used

    try:
        return regex.compile(pattern, regex.VERSION0)
    except (regex.error, OverflowError, ValueError, RecursionError) as exc:
        raise RegexRefused(f"not a valid regular expression ({exc})") from None


def check_input(text: str) -> str:
    """`text` if a pattern may be matched against it, else RegexRefused."""
    if len(text) > MAX_REGEX_INPUT:
        raise RegexRefused(f"the text is longer than {MAX_REGEX_INPUT} characters")
    return text


def search_safe(compiled: Any, text: str) -> Any:
    """`compiled.search(text)` within REGEX_TIMEOUT; RegexRefused past it or for input
    longer than MAX_REGEX_INPUT."""
    try:
        return compiled.search(check_input(text), timeout=REGEX_TIMEOUT)
    except TimeoutError:
        raise RegexRefused(f"matching took longer than {REGEX_TIMEOUT} s") from None
