"""Helpers every reporter shares, so the four formats agree on paths, order and counts.

A finding's path is absolute in the model; every output shows it relative to the
scan root with forward slashes, so that reports compare equal across machines and
code scanning can map them onto the repository.
"""

from __future__ import annotations

import os
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path, PurePath
from typing import TYPE_CHECKING

import linter
from linter.directives import Directive
from linter.discovery import Refused, as_utf8, read_source
from linter.identity import IdentityRoots, assign
from linter.model import Finding, Severity
from linter.rule import Rule

if TYPE_CHECKING:
    from linter.runner import ScanResult

TOOL_NAME = "iaclint"
#: Most severe first: the order of every per-severity listing.
SEVERITIES: tuple[Severity, ...] = tuple(sorted(Severity, reverse=True))
#: How many source lines a snippet shows before it says "N more lines".
SNIPPET_MAX_LINES = 5
SNIPPET_MAX_WIDTH = 200

_LANGUAGE_OF_FORMAT = {
    "terraform": "terraform",
    "terraform-json": "terraform",
    "cloudformation": "cloudformation",
    "iam-policy": "iam",
}


def tool_version() -> str:
    """Read at call time so tests can pin it for snapshots."""
    return linter.__version__


def relpath(path: str, root: str) -> str:
    """`path` relative to `root` with forward slashes; the absolute path when outside."""
    if not path:
        return path
    try:
        rel = PurePath(os.path.abspath(path)).relative_to(os.path.abspath(root))
    except ValueError:
        return Path(path).as_posix()
    text = rel.as_posix()
    return text if text != "." else Path(path).name or text


def display_address(finding: Finding, root: str) -> str:
    """The resource address, relativized when it is a file path (IAC000, policy files)."""
    address = finding.address
    if address and os.path.isabs(address):
        return relpath(address, root)
    return address


@dataclass(frozen=True)
class ShownRelated:
    """A finding's related place as reports show it: path relative to the root."""

    file: str
    start_line: int
    end_line: int
    address: str
    role: str


@dataclass(frozen=True)
class Reported:
    """A finding with everything a reporter prints, computed once."""

    finding: Finding
    file: str
    address: str
    rule: Rule | None
    language: str | None
    fingerprint: str
    #: The finding's related places (Finding.related), relativized like `file`.
    related: tuple[ShownRelated, ...] = ()

    @property
    def title(self) -> str:
        return self.rule.title if self.rule is not None else self.finding.rule_id

    @property
    def distinct_address(self) -> str:
        """The address when it says more than the file name (not for IAC000 or policy files)."""
        return self.address if self.address != self.file else ""


def rules_by_id(result: ScanResult) -> dict[str, Rule]:
    out: dict[str, Rule] = {}
    for rule in result.rules:
        out.setdefault(rule.id, rule)
    return out


def reported(result: ScanResult, *, suppressed: bool = False) -> list[Reported]:
    """Findings in report order (file, line, rule, address, message) with derived fields;
    with `suppressed`, the accepted (suppressed or baselined) ones too."""
    rules = rules_by_id(result)
    languages = {f.path: _LANGUAGE_OF_FORMAT.get(_format_value(f.format)) for f in result.files}
    findings = [*result.findings, *result.suppressed] if suppressed else list(result.findings)
    if any(not f.fingerprint for f in findings):  # a result built by hand, not by scan()
        findings = assign(findings, IdentityRoots(result.root))
    rows = []
    for f in findings:
        file = relpath(f.location.path, result.root)
        address = display_address(f, result.root)
        rows.append((f, file, address))
    rows.sort(  # files outside the root last
        key=lambda r: (os.path.isabs(r[1]), r[1], r[0].location.start_line, r[0].location.end_line,
                       r[0].rule_id, r[2], r[0].message)
    )
    return [
        Reported(
            finding=f,
            file=file,
            address=address,
            rule=rules.get(f.rule_id),
            language=f.source or languages.get(f.location.path),
            fingerprint=f.fingerprint,
            related=tuple(
                ShownRelated(
                    relpath(r.location.path, result.root), r.location.start_line,
                    r.location.end_line,
                    relpath(r.address, result.root) if os.path.isabs(r.address) else r.address,
                    r.role,
                )
                for r in f.related
            ),
        )
        for f, file, address in rows
    ]


def _format_value(fmt: object) -> str:
    return str(getattr(fmt, "value", fmt))


def severity_counts(findings: Iterable[Finding]) -> dict[Severity, int]:
    counts = Counter(f.severity for f in findings)
    return {sev: counts.get(sev, 0) for sev in SEVERITIES}


def plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def summary_line(result: ScanResult, *, accepted: bool = True) -> str:
    """'3 findings (1 critical, 2 high) in 12 files scanned', or the clean message;
    with `accepted`, followed by what was suppressed or baselined."""
    scanned = plural(len(result.files), "file")
    accepted_text = ((suppressed_text(result) if accepted else "") + comparison_text(result)
                     + not_scanned_text(result) + incomplete_text(result))
    if not result.findings:
        return f"No findings in {scanned} scanned{accepted_text}."
    counts = severity_counts(result.findings)
    parts = ", ".join(f"{n} {sev.label}" for sev, n in counts.items() if n)
    return (f"{plural(len(result.findings), 'finding')} ({parts}) in {scanned} "
            f"scanned{accepted_text}")


def not_scanned_text(result: ScanResult) -> str:
    """'; 1 file not scanned: big.tf (larger than the 10 MiB file size limit …)': files
    left out that the user would not expect to be (too large, or named but unreadable),
    so that no report reads as covering them."""
    notable = [s for s in result.skipped if s.notice]
    if not notable:
        return ""
    if len(notable) == 1:
        only = notable[0]
        return f"; 1 file not scanned, {relpath(only.path, result.root)}: {only.reason}"
    names = ", ".join(relpath(s.path, result.root) for s in notable[:3])
    more = ", …" if len(notable) > 3 else ""
    return f"; {len(notable)} files not scanned: {names}{more} (-v says why)"


def incomplete_text(result: ScanResult) -> str:
    """'; INCOMPLETE: rule IAC001 crashed, 1 internal error' (empty for a whole scan), so
    that a summary never reads as a clean bill when iaclint itself failed."""
    parts = [f"rule {rule_id} crashed" for rule_id, _ in result.rule_crashes]
    if result.internal_errors:
        parts.append(plural(len(result.internal_errors), "internal error"))
    return f"; INCOMPLETE: {', '.join(parts)}" if parts else ""


def suppressed_text(result: ScanResult) -> str:
    """'; 3 suppressed, 120 in the baseline' (empty when nothing was accepted)."""
    parts = accepted_parts(result)
    return f"; {', '.join(parts)}" if parts else ""


def accepted_parts(result: ScanResult) -> list[str]:
    """['3 suppressed', '120 in the baseline'], leaving out the zeros."""
    baselined = sum(1 for f in result.suppressed if _origin(f) == "baseline")
    inline = len(result.suppressed) - baselined
    parts = [f"{inline} suppressed"] if inline else []
    if baselined:
        parts.append(f"{baselined} in the baseline")
    return parts


def most_severe_first(items: Sequence[Reported]) -> list[Reported]:
    """Severity first, then report order (file, line, …): what a reader with room for
    only a few findings (annotations, the job summary) should see first."""
    return sorted(items, key=lambda item: -item.finding.severity)


def comparison_text(result: ScanResult) -> str:
    """'; 4 already at origin/main not shown' for a --new-since scan."""
    c = result.new_since
    if c is None or not c.hidden:
        return ""
    where = "not on a changed line" if c.changed_lines_only else f"already at {c.ref}"
    return f"; {c.hidden} {where} not shown"


def _origin(f: Finding) -> str:
    return f.suppression.origin if f.suppression is not None else ""


def suppression_note(f: Finding, root: str) -> str:
    """'suppressed by a comment at main.tf:12 until 2027-01-31: legacy bastion', or for
    an expired one 'was suppressed until 2026-01-31 (comment at main.tf:12): …'."""
    s = f.suppression
    if s is None:
        return ""
    where = {"comment": "a comment", "metadata": "resource Metadata",
             "config": "the configuration", "baseline": "the baseline"}.get(s.origin, s.origin)
    if s.location is not None and s.origin != "baseline":
        where += f" at {relpath(s.location.path, root)}:{s.location.start_line}"
    reason = f": {s.reason}" if s.reason else " (no reason given)"
    if s.origin == "baseline":
        reason = ""
    if s.expired and s.until is not None:
        until = s.until.isoformat()
        return f"was suppressed by {where} until {until}; that date has passed{reason}"
    until = f" until {s.until.isoformat()}" if s.until else ""
    return f"suppressed by {where}{until}{reason}"


def printable(text: str) -> str:
    """`text` with control characters escaped, so scanned content cannot drive a terminal."""
    if text.isprintable():
        return text
    out = []
    for ch in text:
        if ch == "\t":
            out.append("    ")
        elif ch.isprintable() or unicodedata.category(ch) == "Zs":
            out.append(ch)
        else:
            out.append(f"\\x{ord(ch):02x}" if ord(ch) < 0x100 else f"\\u{ord(ch):04x}")
    return "".join(out)


@dataclass(frozen=True)
class Snippet:
    lines: Sequence[tuple[int, str]]
    #: Lines of the finding's range not shown because of the cap.
    omitted: int


#: Snippets come from files the scan read within its limit; no second limit here.
_ANY_SIZE = 1 << 40


class SourceCache:
    """Reads each file once per report; a file that cannot be read yields no snippet.
    Each shown line is cut before it is escaped and remembered, so a one-line
    (minified) file with thousands of findings costs its length once, not per finding."""

    def __init__(self) -> None:
        self._files: dict[str, list[str] | None] = {}
        self._shown: dict[tuple[str, int], str] = {}

    def lines(self, path: str) -> list[str] | None:
        if path not in self._files:
            try:  # a scanned file: regular, already within the scan's size limit
                data = as_utf8(read_source(path, limit=_ANY_SIZE, count=False))
                self._files[path] = data.decode("utf-8", errors="replace").splitlines()
            except Refused:
                self._files[path] = None
        return self._files[path]

    def snippet(self, path: str, start: int, end: int,
                max_lines: int = SNIPPET_MAX_LINES) -> Snippet | None:
        lines = self.lines(path)
        if not lines or start < 1 or start > len(lines):
            return None
        end = min(max(end, start), len(lines))
        total = end - start + 1
        # "... 1 more line" takes the room of the line itself.
        shown = total if total <= max_lines + 1 else max_lines
        picked = []
        for n in range(start, start + shown):
            text = self._shown.get((path, n))
            if text is None:
                text = self._shown[path, n] = _shown_line(lines[n - 1])
            picked.append((n, text))
        return Snippet(picked, total - shown)


def _shown_line(line: str) -> str:
    """`line` escaped and cut to SNIPPET_MAX_WIDTH; escaping only lengthens text, so
    only the first SNIPPET_MAX_WIDTH + 1 characters are ever escaped."""
    text = printable(line.rstrip()[: SNIPPET_MAX_WIDTH + 1])
    if len(text) > SNIPPET_MAX_WIDTH:
        text = text[: SNIPPET_MAX_WIDTH - 1] + "…"
    return text


def unused_text(directive: Directive, root: str) -> str:
    """'main.tf:3: iaclint:ignore IAC001 matched no finding' (or why it cannot apply)."""
    where = f"{relpath(directive.location.path, root)}:{directive.location.start_line}"
    if directive.origin == "config":
        where = relpath(directive.location.path, root)
    what = {"comment": directive.describe(), "metadata": "Metadata ignore " + (
        ",".join(sorted(directive.rules)) or "entry"), "config": directive.label}.get(
        directive.origin, directive.describe())
    if directive.problem:
        return f"{where}: {what} is not applied: {directive.problem}"
    return f"{where}: {what} matched no finding (remove it)"
