"""The default human report: findings grouped by file, each with its source lines.

Layout, one block per file in path order:

    modules/web/main.tf
      modules/web/main.tf:12  CRITICAL  IAC001  aws_security_group.web
        SSH (22/tcp) open to 0.0.0.0/0
          12 |   ingress {
          13 |     cidr_blocks = ["0.0.0.0/0"]
          14 |   }

    1 finding (1 critical) in 3 files scanned

`path:line` is kept whole so terminals and editors can jump to it; the snippet
shows the finding's line range, capped at a few lines. A finding whose cause lies
elsewhere (the route table that makes a subnet public) lists each such place under
its message: `via aws_route_table.public (network.tf:28): route table`.
"""

from __future__ import annotations

from itertools import groupby
from typing import TYPE_CHECKING

from linter.model import Severity
from linter.reporters.common import (
    Reported,
    SourceCache,
    printable,
    reported,
    summary_line,
    suppression_note,
    unused_text,
)
from linter.rule import INTERNAL_ERROR_RULE

if TYPE_CHECKING:
    from linter.runner import ScanResult

_RESET = "\x1b[0m"
_BOLD = "1"
_DIM = "2"
_SEVERITY_STYLE = {
    Severity.CRITICAL: "1;37;41",  # bold white on red: cannot be missed
    Severity.HIGH: "1;31",
    Severity.MEDIUM: "33",
    Severity.LOW: "36",
}
_SUMMARY_STYLE = {
    Severity.CRITICAL: "1;31",
    Severity.HIGH: "1;31",
    Severity.MEDIUM: "1;33",
    Severity.LOW: "1;36",
}
_SEVERITY_WIDTH = max(len(s.name) for s in Severity)


class _Style:
    def __init__(self, color: bool) -> None:
        self.color = color

    def __call__(self, text: str, code: str) -> str:
        return f"\x1b[{code}m{text}{_RESET}" if self.color else text


def render(
    result: ScanResult, *, color: bool = False, quiet: bool = False,
    show_suppressed: bool = False,
) -> str:
    """The report; `quiet` leaves out the summary line, so a clean scan prints nothing."""
    style = _Style(color)
    sources = SourceCache()
    out: list[str] = []
    for file, group in groupby(reported(result, suppressed=show_suppressed), key=lambda r: r.file):
        out.append(style(printable(file), "1;4"))
        for item in group:
            out.extend(_finding_lines(item, style, sources, result.root))
            out.append("")
    for directive in result.unused_ignores:
        out.append(style(f"warning: {unused_text(directive, result.root)}", "33"))
    if result.stale_baseline:
        n = len(result.stale_baseline)
        out.append(style(f"note: {n} baseline entr{'y' if n == 1 else 'ies'} no longer "
                         "match any finding (`iaclint baseline prune` removes them)", _DIM))
    for rule_id, _trace in result.rule_crashes:
        out.append(style(f"error: rule {rule_id} crashed (an internal error, exit code 3); "
                         "its findings may be missing", "1;31"))
    for error in result.internal_errors:
        if error.path is None:  # the ones with a file are IAC999 findings above
            out.append(style(f"error: internal error in {error.stage} ({error.summary}); "
                             f"{error.lost}", "1;31"))
    if quiet:
        while out and not out[-1]:
            out.pop()
        return "".join(f"{line}\n" for line in out)
    summary = summary_line(result)
    if result.findings:
        worst = max(f.severity for f in result.findings)
        out.append(style(summary, _SUMMARY_STYLE[worst]))
    else:
        out.append(style(summary, "1;32"))
    return "\n".join(out) + "\n"


def _finding_lines(
    item: Reported, style: _Style, sources: SourceCache, root: str
) -> list[str]:
    f = item.finding
    loc = f.location
    where = f"{item.file}:{loc.start_line}"
    pad = " " * (_SEVERITY_WIDTH - len(f.severity.name))
    severity = style(f.severity.name, _SEVERITY_STYLE[f.severity]) + pad
    header = f"  {style(printable(where), _BOLD)}  {severity}  {style(f.rule_id, _BOLD)}"
    if item.distinct_address:
        header += f"  {printable(item.distinct_address)}"
    lines = [header]
    lines += [f"    {printable(part)}" for part in f.message.splitlines() or [""]]
    for r in item.related:
        where = style(printable(f"{r.file}:{r.start_line}"), _DIM)
        lines.append(f"    via {printable(r.address)} ({where}): {printable(r.role)}")
    note = suppression_note(f, root)
    if note:
        lines.append("    " + style(printable(f"({note})"), _DIM if f.suppressed else "33"))
    if f.rule_id == INTERNAL_ERROR_RULE.id:  # about the file as a whole: no line to show
        return lines
    snippet = sources.snippet(loc.path, loc.start_line, loc.end_line)
    if snippet is None:
        return lines
    width = len(str(snippet.lines[-1][0]))
    for number, text in snippet.lines:
        gutter = style(f"{number:>{width}} |", _DIM)
        lines.append(f"      {gutter} {text}".rstrip())
    if snippet.omitted:
        more = f"{'':>{width}} ... {snippet.omitted} more line{'s' * (snippet.omitted != 1)}"
        lines.append("      " + style(more, _DIM))
    return lines
