"""Suppression directives as written by users, before they meet any finding.

Three spellings, one type:

- a comment (Terraform `#`, `//`, `/* */`; CloudFormation YAML `#`) whose text starts
  with `iaclint:ignore`: `# iaclint:ignore IAC001,IAC002 until:2027-01-31 reason text`;
- CloudFormation resource Metadata: `Metadata: {iaclint: {ignore: [{id, reason, until}]}}`;
- a configuration file's `ignore:` entries (see linter/config.py), IAM JSON included.

Only real comments count: `linter/comments.py` lexes the file, so the marker inside
a string (`description = "iaclint:ignore"`) is text, not a directive.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from linter.model import Location

MARKER = "iaclint:ignore"
_ID = re.compile(r"[A-Za-z]+[0-9]+\Z")
_UNTIL = re.compile(r"(?:^|\s)until[:=](\S*)", re.IGNORECASE)


@dataclass(frozen=True)
class Directive:
    """One suppression: which rules (IDs or categories; empty means all), why, until when.

    `line` is the source line the directive covers (its own line for a trailing
    comment, the next code line for a comment on a line of its own, the resource
    header for Metadata); `location` is where the directive itself is written.
    """

    rules: frozenset[str]
    reason: str
    until: dt.date | None
    location: Location
    origin: str  # "comment", "metadata" or "config"
    line: int = 0
    #: Why the directive is unusable (a malformed date): it then suppresses nothing.
    problem: str = ""
    #: How to name it in messages when not by its location (a config entry).
    label: str = ""

    def covers(self, rule_id: str, category: str) -> bool:
        return not self.rules or rule_id.upper() in self.rules or category.lower() in self.rules

    def expired(self, today: dt.date) -> bool:
        return self.until is not None and today > self.until

    def describe(self) -> str:
        which = ",".join(sorted(self.rules)) or "all rules"
        until = f" until {self.until.isoformat()}" if self.until else ""
        return f"{MARKER} {which}{until}"


def parse_comment(
    text: str, location: Location, line: int, categories: Collection[str] = ()
) -> Directive | None:
    """The directive in a comment's text, or None when the comment is not one.

    `IAC001,IAC002` (or `IAC001, IAC002`, or a category name) right after the
    marker are the rules; `until:YYYY-MM-DD` anywhere after it is the expiry; what
    remains is the reason, with leading separators (`-`, `:`) dropped.
    """
    body = text.strip()
    if not body.lower().startswith(MARKER):
        return None
    rest = body[len(MARKER):]
    if rest and not (rest[0].isspace() or rest[0] in "=:,"):
        return None  # "iaclint:ignored", "iaclint:ignore-me": not this directive
    rest = rest.lstrip("=: \t")
    until, problem, rest = _take_until(rest)
    rules, rest = _take_rules(rest, {c.lower() for c in categories})
    reason = rest.strip().lstrip("-:#").strip()
    return Directive(frozenset(rules), reason, until, location, "comment", line, problem)


def _take_until(text: str) -> tuple[dt.date | None, str, str]:
    match = _UNTIL.search(text)
    if match is None:
        return None, "", text
    remaining = (text[: match.start()] + " " + text[match.end():]).strip()
    value = match.group(1)
    try:
        return dt.date.fromisoformat(value), "", remaining
    except ValueError:
        return None, f"invalid until date {value!r} (expected YYYY-MM-DD)", remaining


def _take_rules(text: str, categories: set[str]) -> tuple[list[str], str]:
    """Leading rule IDs or category names separated by commas (spaces allowed after)."""
    rules: list[str] = []
    pos = 0
    pattern = re.compile(r"\s*([A-Za-z][A-Za-z0-9_-]*)\s*(,?)")
    while True:
        match = pattern.match(text, pos)
        if match is None:
            break
        word = match.group(1)
        if _ID.match(word):
            rules.append(word.upper())
        elif word.lower() in categories:
            rules.append(word.lower())
        else:
            break
        pos = match.end()
        if not match.group(2):
            break
    return rules, text[pos:]


def metadata_directives(
    metadata: Any, locate: Any, base: tuple[Any, ...], header_line: int
) -> tuple[Directive, ...]:
    """Directives from a CloudFormation resource's `Metadata: iaclint: ignore: [...]`.

    Entries may be a rule ID string or a mapping with `id` (string or list),
    `reason` and `until`. `locate(path)` gives the Location of a key path.
    """
    if not isinstance(metadata, Mapping):
        return ()
    block = metadata.get("iaclint")
    entries = block.get("ignore") if isinstance(block, Mapping) else None
    if entries is None:
        return ()
    if not isinstance(entries, list):
        entries = [entries]
    out: list[Directive] = []
    for i, entry in enumerate(entries):
        where = locate((*base, "Metadata", "iaclint", "ignore", i))
        out.append(_metadata_entry(entry, where, header_line))
    return tuple(out)


def _metadata_entry(entry: Any, where: Location, header_line: int) -> Directive:
    if isinstance(entry, str):
        return Directive(frozenset({_norm(entry)}), "", None, where, "metadata", header_line)
    if not isinstance(entry, Mapping):
        return Directive(frozenset(), "", None, where, "metadata", header_line,
                         "an ignore entry must be a rule ID or a mapping with 'id'")
    ids = entry.get("id", entry.get("ids"))
    values = ids if isinstance(ids, list) else [ids]
    rules = frozenset(_norm(v) for v in values if isinstance(v, str) and v.strip())
    problem = "" if rules else "an ignore entry needs 'id' (a rule ID or category)"
    reason = entry.get("reason", "")
    until, bad = to_date(entry.get("until"))
    return Directive(rules, reason if isinstance(reason, str) else str(reason), until, where,
                     "metadata", header_line, problem or bad)


def to_date(value: Any) -> tuple[dt.date | None, str]:
    """(date, "") or (None, problem) for an `until` value: a date or 'YYYY-MM-DD'."""
    if value is None:
        return None, ""
    if isinstance(value, dt.datetime):
        return value.date(), ""
    if isinstance(value, dt.date):
        return value, ""
    try:
        return dt.date.fromisoformat(str(value).strip()), ""
    except ValueError:
        return None, f"invalid until date {str(value)!r} (expected YYYY-MM-DD)"


def _norm(rule: str) -> str:
    text = rule.strip()
    return text.upper() if _ID.match(text) else text.lower()


def rules_named(directives: Iterable[Directive]) -> set[str]:
    return {r for d in directives for r in d.rules}
