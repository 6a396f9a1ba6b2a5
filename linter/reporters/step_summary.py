"""Markdown for the GitHub Actions job summary (the file `$GITHUB_STEP_SUMMARY` names).

Annotations show only a few findings (see github.py); the summary is where a
reviewer sees all of them: counts by severity and category, then a table, most
severe first, whose locations link to the scanned commit. Every cell is escaped,
since messages quote scanned content (a `|` would split the row, `<img>` would be
rendered). GitHub refuses a step's whole summary above 1 MiB, so the table stops
well before that.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import quote

from linter.reporters.common import (
    SEVERITIES,
    Reported,
    accepted_parts,
    most_severe_first,
    plural,
    printable,
    relpath,
    reported,
    severity_counts,
    summary_line,
)

if TYPE_CHECKING:
    from linter.runner import ScanResult

#: "each step is restricted to a maximum size of 1MiB. [...] If more than 1MiB of
#: content is added for a step, then the upload for the step will fail" (GitHub docs,
#: "Workflow commands for GitHub Actions", "Step isolation and limits").
SUMMARY_LIMIT = 1024 * 1024
#: Rows of the findings table; past this a summary is a worse place than SARIF.
MAX_ROWS = 100
#: Characters of one message or address cell before it is cut.
MAX_CELL = 300
#: Bytes kept back for the closing "N more" line.
_RESERVE = 256

# Backslash-escaped, these are literal text in GitHub Flavored Markdown: no emphasis,
# links, code spans, HTML tags, entities, or cell breaks.
_MARKDOWN = re.compile(r"([\\`*_\[\]<>|~&])")


def escape_cell(text: str, limit: int = MAX_CELL) -> str:
    """One line of literal text, at most `limit` characters before escaping."""
    text = printable(" ".join(text.split()))
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return _MARKDOWN.sub(r"\\\1", text)


def code_cell(text: str, limit: int = MAX_CELL) -> str:
    """`text` as a code span (resource addresses): nothing inside is markdown, except
    that GitHub splits table cells at `|` before it reads spans, hence `\\|`."""
    text = printable(" ".join(text.split()))
    if not text:
        return ""
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    text = text.replace("|", "\\|")
    return f"{fence}{pad}{text}{pad}{fence}"


@dataclass(frozen=True)
class Links:
    """Builds `https://github.com/OWNER/REPO/blob/SHA/path#L3-L8` for a finding."""

    server: str
    repository: str
    sha: str
    #: What repository paths are relative to (the checkout).
    workspace: str

    @classmethod
    def from_env(cls, env: Mapping[str, str], root: str) -> Links | None:
        """None unless the runner says which server, repository and commit this is."""
        server, repository, sha = (env.get(k, "").strip() for k in
                                   ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_SHA"))
        if not (server and repository and sha):
            return None
        return cls(server.rstrip("/"), repository, sha, env.get("GITHUB_WORKSPACE") or root)

    def url(self, item: Reported) -> str | None:
        """None for a file outside the checkout: there is nothing to link to."""
        path = relpath(item.finding.location.path, self.workspace)
        if not path or path.startswith("/") or path.startswith("../"):
            return None
        loc = item.finding.location
        anchor = f"#L{loc.start_line}" + (f"-L{loc.end_line}" if loc.end_line > loc.start_line
                                          else "")
        return (f"{self.server}/{quote(self.repository)}/blob/{quote(self.sha)}/"
                f"{quote(path)}{anchor}")


def _location(item: Reported, links: Links | None) -> str:
    loc = item.finding.location
    text = f"{item.file}:{loc.start_line}" + (
        f"-{loc.end_line}" if loc.end_line > loc.start_line else "")
    url = links.url(item) if links is not None else None
    return f"[{escape_cell(text)}]({url})" if url else escape_cell(text)


def _row(item: Reported, links: Links | None) -> str:
    f = item.finding
    cells = (f.severity.label, _location(item, links), escape_cell(f.rule_id),
             code_cell(item.distinct_address), escape_cell(f.message))
    return "| " + " | ".join(cells) + " |\n"


def _head(result: ScanResult) -> str:
    """Heading, the summary line, counts by severity and category, what was not counted."""
    line = summary_line(result, accepted=False).rstrip(".")
    out = ["## iaclint\n\n", f"{line}.\n\n"]
    if result.findings:
        out.append("| Severity | Findings |\n| --- | ---: |\n")
        counts = severity_counts(result.findings)
        out += [f"| {sev.label} | {counts[sev]} |\n" for sev in SEVERITIES]
        out.append("\n| Category | Findings |\n| --- | ---: |\n")
        categories = Counter(f.category for f in result.findings)
        for name, n in sorted(categories.items(), key=lambda kv: (-kv[1], kv[0])):
            out.append(f"| {escape_cell(name)} | {n} |\n")
        out.append("\n")
    accepted = accepted_parts(result)
    if accepted:
        out.append(f"Not counted: {', '.join(accepted)}.\n\n")
    return "".join(out)


def render(result: ScanResult, *, env: Mapping[str, str] | None = None,
           budget: int = SUMMARY_LIMIT) -> str:
    """The summary in at most `budget` UTF-8 bytes; "" when even the counts do not fit."""
    links = Links.from_env(env or {}, result.root)
    head = _head(result)
    used = len(head.encode("utf-8"))
    if used > budget:
        return ""
    items = most_severe_first(reported(result))
    if not items:
        return head
    out = [head, "| Severity | Location | Rule | Resource | Message |\n",
           "| --- | --- | --- | --- | --- |\n"]
    used += sum(len(part.encode("utf-8")) for part in out[1:])
    listed = 0
    for item in items[:MAX_ROWS]:
        row = _row(item, links)
        size = len(row.encode("utf-8"))
        if used + size + _RESERVE > budget:
            break
        out.append(row)
        used += size
        listed += 1
    if listed < len(items):
        more = plural(len(items) - listed, "more finding")
        out.append(f"\n…and {more} not listed here: the log and the SARIF report "
                   "have every finding.\n")
    return "".join(out)
