"""Applies suppressions to findings: inline comments, CloudFormation Metadata, config
`ignore` entries and the baseline, in that order of precedence.

A suppressed finding is kept, with the Suppression that matched, so that every
report can show it (SARIF `suppressions`, JSON `suppression`, a count in text);
only its effect on the exit code goes. A directive whose `until` date has passed
no longer suppresses: the finding counts again and says until when it was
suppressed.

Where an inline directive applies: the line it covers (its own line for a trailing
comment, the next line for a comment on a line of its own) is the finding's line,
the header of the finding's resource block, or the header of a module call that
created the resource's module instance.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache

from linter.comments import Comment, hcl_comments, yaml_comments
from linter.config import IgnoreEntry
from linter.directives import MARKER, Directive, parse_comment
from linter.discovery import Refused, as_utf8, read_source
from linter.model import Finding, Graph, Location, Suppression

#: Files larger than this are not searched for comments (they are not hand-written).
MAX_COMMENT_SCAN_BYTES = 8 * 1024 * 1024


@dataclass
class Outcome:
    findings: list[Finding]
    #: Inline directives and config entries that matched no finding or cannot apply.
    unused: list[Directive] = field(default_factory=list)
    #: Baseline fingerprints that matched no finding (candidates for pruning).
    stale_baseline: list[str] = field(default_factory=list)


def reset() -> None:
    """Forget cached file contents (a long-lived process may scan edited files)."""
    file_directives.cache_clear()
    _directives_by_line.cache_clear()


@lru_cache(maxsize=4096)
def file_directives(path: str, categories: frozenset[str] = frozenset()) -> tuple[Directive, ...]:
    """The comment directives of one source file (empty for JSON and unreadable files)."""
    lexer = _lexer(path)
    if lexer is None:
        return ()
    try:  # through discovery's reader: regular files only, never blocking
        data = as_utf8(read_source(path, limit=MAX_COMMENT_SCAN_BYTES, count=False))
    except Refused:
        return ()
    if MARKER.encode() not in data.lower():
        return ()
    text = data.decode("utf-8", errors="replace")
    lexer = _lexer(path, text)
    if lexer is None:
        return ()
    comments = lexer(text)
    # Lines holding nothing but a comment; the last line of a block comment may go on
    # with code (`/* a\n b */ x = 1`), so it does not count.
    comment_only = {
        n for c in comments if c.own_line for n in range(c.line, max(c.line + 1, c.end_line))
    }
    out: list[Directive] = []
    for comment in comments:
        where = Location(path, comment.line, comment.end_line)
        target = _covered_line(comment, comment_only)
        directive = parse_comment(comment.text, where, target, categories)
        if directive is not None:
            out.append(directive)
    return tuple(out)


@lru_cache(maxsize=4096)
def _directives_by_line(
    path: str, categories: frozenset[str]
) -> dict[int, tuple[Directive, ...]]:
    """`file_directives` by covered line: each finding looks up its lines instead of
    walking every directive of the file (findings times directives on a big file)."""
    out: dict[int, list[Directive]] = {}
    for d in file_directives(path, categories):
        out.setdefault(d.line, []).append(d)
    return {line: tuple(ds) for line, ds in out.items()}


def _covered_line(comment: Comment, comment_only: set[int]) -> int:
    """A trailing comment covers its own line; a comment on its own line covers the
    next line that is not itself only a comment (directly: a blank line stops it)."""
    if not comment.own_line:
        return comment.line
    line = comment.end_line + 1
    while line in comment_only:
        line += 1
    return line


def _lexer(path: str, text: str | None = None) -> Callable[[str], list[Comment]] | None:
    name = path.lower()
    if name.endswith((".tf", ".tfvars", ".hcl")):
        return hcl_comments
    if name.endswith((".yaml", ".yml", ".template", ".cfn", ".txt")):
        if text is not None and text.lstrip("\ufeff \t\r\n")[:1] in ("{", "["):
            return None  # JSON: no comments
        return yaml_comments
    return None


def apply(
    findings: Sequence[Finding],
    graph: Graph,
    *,
    today: dt.date,
    config_ignores: Sequence[IgnoreEntry] = (),
    baseline: Collection[str] = (),
    baseline_name: str = "",
    relative: Callable[[str], Sequence[str]] = lambda p: (p,),
    categories: frozenset[str] = frozenset(),
    in_scope: Callable[[str], bool] = lambda _p: True,
    scanned: Iterable[str] = (),
) -> Outcome:
    """Findings with `suppression` set where one matched.

    `relative(path)` gives the spellings a config `path` glob is matched against
    (relative to the config file's directory and to the scan root). `scanned` are
    the files whose unused directives are reported.
    """
    used: set[int] = set()
    matched_baseline: set[str] = set()
    out: list[Finding] = []
    config_directives = [_as_directive(c, i) for i, c in enumerate(config_ignores)]
    for finding in findings:
        inline = _inline_candidates(finding, graph, categories)
        external = [
            d for entry, d in zip(config_ignores, config_directives, strict=True)
            if _config_matches(entry, finding, relative)
        ]
        used.update(id(d) for d in (*inline, *external))
        suppression = _pick(inline, today, "inSource")
        if suppression is None or suppression.expired:
            picked = _pick(external, today, "external")
            if picked is not None and (suppression is None or not picked.expired):
                suppression = picked
        recorded = next((p for p in (finding.fingerprint, *finding.aliases) if p in baseline),
                        None)
        if (suppression is None or suppression.expired) and recorded is not None:
            matched_baseline.add(recorded)
            suppression = Suppression(
                kind="external", origin="baseline",
                reason=f"recorded in the baseline {baseline_name}".rstrip(),
            )
        out.append(replace(finding, suppression=suppression) if suppression else finding)

    def idle(d: Directive) -> bool:  # matched nothing, or cannot apply at all
        return id(d) not in used or bool(d.problem)

    unused: list[Directive] = []
    for path in sorted(set(scanned)):
        if in_scope(path):
            unused += [d for d in file_directives(path, categories) if idle(d)]
    for node in graph:
        if in_scope(node.location.path):
            unused += [d for d in node.ignores if isinstance(d, Directive) and idle(d)]
    unused += [d for d in config_directives if idle(d)]
    stale = sorted(set(baseline) - matched_baseline)
    return Outcome(out, unused, stale)


def _inline_candidates(
    finding: Finding, graph: Graph, categories: frozenset[str]
) -> list[Directive]:
    """Inline directives that cover this finding (any state: valid, expired or broken)."""
    if finding.rule_id == "IAC000":
        return []
    places: list[tuple[str, int]] = [(finding.location.path, finding.location.start_line)]
    node = graph.get(finding.node_id) if finding.node_id else None
    metadata: tuple[Directive, ...] = ()
    if node is not None:
        places.append((node.location.path, node.location.start_line))
        places += [(loc.path, loc.start_line) for loc in node.enclosing]
        metadata = tuple(d for d in node.ignores if isinstance(d, Directive))
    found: list[Directive] = []
    for path, line in dict.fromkeys(places):
        found += _directives_by_line(path, categories).get(line, ())
    found += list(metadata)
    return [d for d in found if d.covers(finding.rule_id, finding.category)]


def _pick(directives: Sequence[Directive], today: dt.date, kind: str) -> Suppression | None:
    """The first usable directive that is in force, else the first expired one."""
    usable = [d for d in directives if not d.problem]
    active = next((d for d in usable if not d.expired(today)), None)
    chosen = active or next(iter(usable), None)
    if chosen is None:
        return None
    return Suppression(
        kind=kind,
        origin=chosen.origin,
        reason=chosen.reason,
        until=chosen.until,
        location=chosen.location,
        expired=chosen.expired(today),
    )


def _as_directive(entry: IgnoreEntry, index: int) -> Directive:
    parts = [f"ignore[{index}] id={','.join(sorted(entry.ids)) or '*'}"]
    parts += [f"{k}={v}" for k, v in (("path", entry.path), ("address", entry.address)) if v]
    where = Location(entry.config_path or "configuration", 1, 1)
    return Directive(frozenset(entry.ids), entry.reason, entry.until, where, "config",
                     label=" ".join(parts))


def _config_matches(
    entry: IgnoreEntry, finding: Finding, relative: Callable[[str], Sequence[str]]
) -> bool:
    if entry.ids and not (
        finding.rule_id.upper() in entry.ids or finding.category.lower() in entry.ids
    ):
        return False
    if entry.path is not None and not any(
        glob_match(entry.path, p) for p in relative(finding.location.path)
    ):
        return False
    if entry.address is None:
        return True
    spellings = relative(finding.address) if os.path.isabs(finding.address) else ()
    return any(glob_match(entry.address, a) for a in (finding.address, *spellings))


@lru_cache(maxsize=1024)
def _glob_regex(pattern: str) -> re.Pattern[str]:
    """`*` and `**` match anything (slashes included), `?` one character; everything
    else is literal, so addresses with brackets and quotes need no escaping."""
    parts = []
    for token in re.split(r"(\*+|\?)", pattern):
        if token.startswith("*"):
            parts.append(".*")
        elif token == "?":
            parts.append(".")
        else:
            parts.append(re.escape(token))
    return re.compile("".join(parts) + r"\Z", re.DOTALL)


def glob_match(pattern: str, text: str) -> bool:
    pattern = pattern.strip()
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if pattern.endswith("/"):
        pattern += "**"
    return _glob_regex(pattern).match(text) is not None
