"""A self-contained HTML report, for a person to read in a browser or attach to a ticket.

One file, no network: the stylesheet and script (linter/data/report.css, report.js)
are inlined, nothing is fetched. Everything that comes from scanned files (messages,
addresses, source lines) goes through `html.escape`, and the script only toggles
`hidden` attributes, never writes markup, so a hostile file cannot inject any.

Findings are grouped by severity (most severe first), then category, each with its
source excerpt and, when the rule computed one, the path that causes it (instance →
subnet → route table → internet gateway) as a row of boxes that needs no script.
Filtering (severity, category, file, text) is done in the page from its own data;
`report.html#severity=critical` opens it filtered. The time shown is when the scan
started (`SOURCE_DATE_EPOCH` when set, so that two scans give byte-identical pages).
"""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from html import escape
from importlib import resources
from itertools import groupby
from typing import TYPE_CHECKING

from linter.model import Severity
from linter.reporters.common import (
    SEVERITIES,
    SNIPPET_MAX_WIDTH,
    Reported,
    SourceCache,
    plural,
    printable,
    relpath,
    reported,
    severity_counts,
    summary_line,
    suppression_note,
    tool_version,
)
from linter.rule import Rule

if TYPE_CHECKING:
    from linter.runner import ScanResult

#: Lines shown around a finding's range, and at most how many lines of the range.
CONTEXT_LINES = 2
MAX_HIT_LINES = 8
#: Places shown in one path picture before "… N more".
MAX_PATH_NODES = 40
TOP_FILES = 5
#: A shape per severity, so that severity never depends on colour alone.
ICONS = {Severity.CRITICAL: "◆", Severity.HIGH: "▲", Severity.MEDIUM: "●", Severity.LOW: "○"}


def render(result: ScanResult, *, color: bool = False) -> str:
    items = reported(result, suppressed=True)
    active = [i for i in items if not i.finding.suppressed]
    accepted = [i for i in items if i.finding.suppressed]
    rules = {r.id: r for r in result.rules}
    used = sorted({i.finding.rule_id for i in items})
    page = _Page(result, SourceCache())
    body = [
        _header(result, active, accepted),
        "<main>",
        _filters(active + accepted),
        page.findings(active),
        page.accepted(accepted) if accepted else "",
        _rules(used, rules),
        "</main>",
    ]
    return _document(result, "\n".join(part for part in body if part))


def _document(result: ScanResult, body: str) -> str:
    title = f"iaclint report: {summary_line(result, accepted=False)}"
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
        f"<title>{_t(title)}</title>\n<style>\n{_asset('report.css')}</style>\n"
        f"</head>\n<body>\n{body}\n<script>\n{_asset('report.js')}</script>\n"
        "</body>\n</html>\n"
    )


def _asset(name: str) -> str:
    text = resources.files("linter").joinpath("data").joinpath(name).read_text(encoding="utf-8")
    if "</" in text:  # would end the inline <style> or <script> early
        raise ValueError(f"{name} must not contain '</'")
    return text


def _t(text: str) -> str:
    """Untrusted text as HTML: control characters shown as escapes, markup escaped."""
    return escape(printable(text))


def _slug(text: str) -> str:
    return re.sub(r"[^A-Za-z0-9_.-]", "_", text)


def _header(result: ScanResult, active: Sequence[Reported],
            accepted: Sequence[Reported]) -> str:
    from linter.runner import scan_clock  # a result made by hand has no start time

    when = result.started or scan_clock()
    paths = [relpath(os.path.abspath(p), result.root) for p in result.paths] or ["."]
    by_sev = severity_counts(i.finding for i in active)
    by_cat = Counter(i.finding.category for i in active)
    by_file = Counter(i.file for i in active)
    top = sorted(by_file.items(), key=lambda kv: (-kv[1], kv[0]))[:TOP_FILES]
    out = [
        "<header>",
        "<h1>iaclint report</h1>",
        f"<p class=\"summary\">{_t(summary_line(result))}</p>",
        "<dl class=\"meta\">",
        "<dt>Scanned</dt><dd><ul class=\"paths\">"
        + "".join(f"<li><code>{_t(p)}</code></li>" for p in paths) + "</ul></dd>",
        f"<dt>When</dt><dd><time datetime=\"{when.isoformat()}\">"
        f"{when.strftime('%Y-%m-%d %H:%M:%S UTC')}</time></dd>",
        f"<dt>Files scanned</dt><dd data-count=\"files\">{len(result.files)}</dd>",
        f"<dt>iaclint</dt><dd>{_t(tool_version())}</dd>",
        "</dl>",
        "<nav aria-label=\"Contents\">",
        "<h2 id=\"contents\">Contents</h2>",
        "<ol>",
        "<li><a href=\"#counts\">Counts</a></li>",
        "<li><a href=\"#findings\">Findings</a><ol>"
        + "".join(f"<li><a href=\"#sev-{sev.label}\">{sev.label.capitalize()} "
                  f"({by_sev[sev]})</a></li>" for sev in SEVERITIES if by_sev[sev])
        + "</ol></li>",
    ]
    if accepted:
        out.append(f"<li><a href=\"#accepted\">Suppressed and baselined ({len(accepted)})"
                   "</a></li>")
    out += [
        "<li><a href=\"#rules\">Rules</a></li>",
        "</ol>",
        "</nav>",
        "<section aria-labelledby=\"counts\">",
        "<h2 id=\"counts\">Counts</h2>",
        "<div class=\"tables\">",
        _count_table("By severity", "severity",
                     [(_severity_badge(sev), sev.label, n) for sev, n in by_sev.items()],
                     total=("Findings", "findings", len(active)),
                     extra=("Suppressed or baselined", "suppressed", len(accepted))),
        _count_table("By category", "category",
                     [(_t(c), c, n) for c, n in sorted(by_cat.items())]),
        _count_table(f"Files with most findings (top {TOP_FILES})", "file",
                     [(f"<code>{_t(f)}</code>", f, n) for f, n in top]),
        "</div>",
        "</section>",
        "</header>",
    ]
    return "\n".join(out)


def _count_table(caption: str, kind: str, rows: Iterable[tuple[str, str, int]],
                 total: tuple[str, str, int] | None = None,
                 extra: tuple[str, str, int] | None = None) -> str:
    head = {"severity": "Severity", "category": "Category", "file": "File"}[kind]
    out = [f"<table class=\"counts\"><caption>{_t(caption)}</caption>",
           f"<thead><tr><th scope=\"col\">{head}</th><th scope=\"col\">Findings</th></tr>"
           "</thead><tbody>"]
    body = [f"<tr><th scope=\"row\">{label}</th>"
            f"<td data-{kind}=\"{escape(key)}\">{n}</td></tr>" for label, key, n in rows]
    out += body or ["<tr><td colspan=\"2\">none</td></tr>"]
    out.append("</tbody>")
    foot = [t for t in (total, extra) if t is not None]
    if foot:
        out.append("<tfoot>" + "".join(
            f"<tr><th scope=\"row\">{label}</th><td data-count=\"{key}\">{n}</td></tr>"
            for label, key, n in foot) + "</tfoot>")
    out.append("</table>")
    return "".join(out)


def _severity_badge(sev: Severity) -> str:
    return (f"<span class=\"sev sev-{sev.label}\"><span aria-hidden=\"true\">{ICONS[sev]}"
            f"</span> {sev.label}</span>")


def _filters(items: Sequence[Reported]) -> str:
    """Hidden until the script runs: without it they could not do anything."""
    categories = sorted({i.finding.category for i in items})
    files = sorted({i.file for i in items})
    boxes = "".join(
        f"<label class=\"check\"><input type=\"checkbox\" name=\"severity\" "
        f"value=\"{sev.label}\" checked> {_severity_badge(sev)}</label>" for sev in SEVERITIES)
    cats = "".join(f"<option value=\"{_t(c)}\">{_t(c)}</option>" for c in categories)
    file_options = "".join(f"<option value=\"{_t(f)}\">{_t(f)}</option>" for f in files)
    return (
        "<section id=\"filter-section\" aria-labelledby=\"filter-heading\" hidden>\n"
        "<h2 id=\"filter-heading\">Filter</h2>\n"
        "<form id=\"filters\" role=\"search\">\n"
        f"<fieldset><legend>Severity</legend>{boxes}</fieldset>\n"
        "<div class=\"fields\">"
        "<label for=\"filter-category\">Category</label>"
        "<select id=\"filter-category\" name=\"category\">"
        f"<option value=\"\">All categories</option>{cats}</select>"
        "<label for=\"filter-file\">File</label>"
        "<select id=\"filter-file\" name=\"file\">"
        f"<option value=\"\">All files</option>{file_options}</select>"
        "<label for=\"filter-text\">Text</label>"
        "<input id=\"filter-text\" name=\"q\" type=\"search\" "
        "placeholder=\"rule, address, message…\">"
        "<button type=\"reset\">Show all</button></div>\n"
        "</form>\n"
        "<p><output id=\"shown-count\" for=\"filters\" aria-live=\"polite\"></output></p>\n"
        "</section>"
    )


class _Page:
    def __init__(self, result: ScanResult, sources: SourceCache) -> None:
        self.result = result
        self.sources = sources
        self.seq = 0

    def findings(self, active: Sequence[Reported]) -> str:
        out = ["<section id=\"findings\" aria-labelledby=\"findings-heading\">",
               f"<h2 id=\"findings-heading\">Findings ({len(active)})</h2>"]
        if not active:
            out.append("<p>No findings.</p>")
        by_sev = sorted(active, key=lambda i: (-i.finding.severity, i.finding.category))
        for sev, group in groupby(by_sev, key=lambda i: i.finding.severity):
            members = list(group)
            out.append(f"<section class=\"group\" id=\"sev-{sev.label}\" "
                       f"aria-labelledby=\"sev-{sev.label}-h\">")
            out.append(f"<h3 id=\"sev-{sev.label}-h\">{_severity_badge(sev)} "
                       f"({len(members)})</h3>")
            for category, in_cat in groupby(members, key=lambda i: i.finding.category):
                cat_items = list(in_cat)
                anchor = f"sev-{sev.label}-{_slug(category)}"
                out.append(f"<section class=\"group\" aria-labelledby=\"{anchor}\">")
                out.append(f"<h4 id=\"{anchor}\">{_t(category)} ({len(cat_items)})</h4>")
                out += [self.article(i, level=5) for i in cat_items]
                out.append("</section>")
            out.append("</section>")
        out.append("</section>")
        return "\n".join(out)

    def accepted(self, accepted: Sequence[Reported]) -> str:
        out = ["<section id=\"accepted\" aria-labelledby=\"accepted-heading\">",
               f"<h2 id=\"accepted-heading\">Suppressed and baselined ({len(accepted)})</h2>",
               "<p>Accepted findings: reported, never counted.</p>",
               f"<details><summary>Show {plural(len(accepted), 'accepted finding')}"
               "</summary>"]
        out += [self.article(i, level=3) for i in accepted]
        out += ["</details>", "</section>"]
        return "\n".join(out)

    def article(self, item: Reported, *, level: int) -> str:
        self.seq += 1
        f = item.finding
        ident = f"finding-{self.seq}"
        where = f"{item.file}:{f.location.start_line}"
        state = "accepted" if f.suppressed else "active"
        out = [
            f"<article class=\"finding\" id=\"{ident}\" data-severity=\"{f.severity.label}\" "
            f"data-category=\"{_t(f.category)}\" data-file=\"{_t(item.file)}\" "
            f"data-state=\"{state}\" aria-labelledby=\"{ident}-h\">",
            f"<h{level} id=\"{ident}-h\"><a href=\"#rule-{_slug(f.rule_id)}\">"
            f"{_t(f.rule_id)}</a> {_t(item.title)}</h{level}>",
            "<dl class=\"facts\">",
            f"<dt>Severity</dt><dd>{_severity_badge(f.severity)}</dd>",
        ]
        if item.distinct_address:
            out.append(f"<dt>Resource</dt><dd><code>{_t(item.address)}</code></dd>")
        out.append(f"<dt>Location</dt><dd><code class=\"where\">{_t(where)}</code></dd>")
        out.append("</dl>")
        out.append(f"<p class=\"message\">{_t(f.message)}</p>")
        if f.suppression is not None:
            note = suppression_note(f, self.result.root)
            out.append(f"<p class=\"suppression\"><strong>Accepted:</strong> {_t(note)}</p>")
        out.append(self.excerpt(f.location.path, f.location.start_line, f.location.end_line))
        if item.related:
            out.append(_path_picture(item))
        out.append("</article>")
        return "\n".join(part for part in out if part)

    def excerpt(self, path: str, start: int, end: int) -> str:
        lines = self.sources.lines(path)
        if not lines or start < 1 or start > len(lines):
            return ""
        end = min(max(end, start), len(lines))
        shown_end = min(end, start + MAX_HIT_LINES - 1)
        first = max(1, start - CONTEXT_LINES)
        last = min(len(lines), shown_end + CONTEXT_LINES)
        rows = []
        for n in range(first, last + 1):
            text = _t(_cut(lines[n - 1]))
            if start <= n <= shown_end:
                rows.append(f"<span class=\"line hit\"><span class=\"ln\">{n}</span>"
                            f"<span class=\"mk\">▶</span><mark>{text}</mark></span>")
            else:
                rows.append(f"<span class=\"line\"><span class=\"ln\">{n}</span>"
                            f"<span class=\"mk\"> </span>{text}</span>")
            if n == shown_end and shown_end < end:
                rows.append(f"<span class=\"line more\">… {plural(end - shown_end, 'more line')}"
                            " of the finding not shown</span>")
        label = f"Source of {relpath(path, self.result.root)}, lines {first} to {last}"
        return (f"<figure class=\"excerpt\"><figcaption>{_t(label)}; flagged lines are marked "
                "▶</figcaption><pre tabindex=\"0\"><code>" + "\n".join(rows)
                + "</code></pre></figure>")


def _cut(line: str) -> str:
    text = line.rstrip()
    return text if len(text) <= SNIPPET_MAX_WIDTH else text[: SNIPPET_MAX_WIDTH - 1] + "…"


def _path_picture(item: Reported) -> str:
    f = item.finding
    nodes = [(item.address or item.file, "flagged resource",
              f"{item.file}:{f.location.start_line}")]
    nodes += [(r.address, r.role, f"{r.file}:{r.start_line}") for r in item.related]
    hidden = max(0, len(nodes) - MAX_PATH_NODES)
    parts = []
    for n, (address, role, where) in enumerate(nodes[:MAX_PATH_NODES]):
        arrow = "<span class=\"arrow\" aria-hidden=\"true\">→</span>" if n else ""
        parts.append(f"<li class=\"node\">{arrow}<span class=\"box\">"
                     f"<span class=\"role\">{_t(role)}</span>"
                     f"<code class=\"addr\">{_t(address)}</code>"
                     f"<span class=\"where\">{_t(where)}</span></span></li>")
    if hidden:
        parts.append(f"<li class=\"node more\">… {plural(hidden, 'more place')}</li>")
    return ("<figure class=\"path\"><figcaption>Path that causes this finding</figcaption>"
            "<ol class=\"path\">" + "".join(parts) + "</ol></figure>")


def _rules(used: Sequence[str], rules: dict[str, Rule]) -> str:
    out = ["<section id=\"rules\" aria-labelledby=\"rules-heading\">",
           "<h2 id=\"rules-heading\">Rules</h2>"]
    if not used:
        out.append("<p>No rule reported anything.</p>")
    for rule_id in used:
        rule = rules.get(rule_id)
        anchor = f"rule-{_slug(rule_id)}"
        out.append(f"<section class=\"rule\" id=\"{anchor}\" aria-labelledby=\"{anchor}-h\">")
        if rule is None:
            out.append(f"<h3 id=\"{anchor}-h\">{_t(rule_id)}</h3><p>No documentation.</p>")
            out.append("</section>")
            continue
        out.append(f"<h3 id=\"{anchor}-h\">{_t(rule.id)}: {_t(rule.title)}</h3>")
        out.append(f"<p class=\"rule-meta\">Category {_t(rule.category)}, default severity "
                   f"{_severity_badge(rule.severity)}</p>")
        out += [f"<p>{_t(' '.join(p.split()))}</p>"
                for p in rule.description.strip().split("\n\n") if p.strip()]
        if rule.remediation:
            out.append("<h4>Remediation</h4><dl class=\"remediation\">")
            out += [f"<dt>{_t(lang)}</dt><dd>{_t(' '.join(advice.split()))}</dd>"
                    for lang, advice in rule.remediation.items()]
            out.append("</dl>")
        if rule.links:
            out.append("<h4>Links</h4><ul class=\"links\">")
            out += [_link(link) for link in rule.links]
            out.append("</ul>")
        out.append("</section>")
    out.append("</section>")
    return "\n".join(out)


def _link(url: str) -> str:
    """Rule documentation links are the only external URLs; never fetched, only followed."""
    if url.startswith(("https://", "http://")):
        return (f"<li><a href=\"{escape(url)}\" rel=\"noopener noreferrer\">"
                f"{_t(url)}</a></li>")
    return f"<li>{_t(url)}</li>"
