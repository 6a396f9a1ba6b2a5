"""GitHub Actions workflow commands: findings become annotations on the PR diff.

`::error file=…,line=…,endLine=…,title=…::message`. Values are escaped as the
runner expects (actions/toolkit `escapeData`/`escapeProperty`), so a message with a
newline or a path with a comma cannot end the command early or forge another one.

GitHub displays only a few annotations per step and drops the rest without a word,
in the order they were printed. So the most severe findings are annotated first, up
to the limit of each level; a notice then says how many were left out, and they are
listed as plain log lines (never commands) inside a collapsed group. The job summary
(linter/reporters/step_summary.py) and SARIF carry every finding.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from linter.model import Severity
from linter.reporters.common import (
    Reported,
    most_severe_first,
    plural,
    printable,
    reported,
    severity_counts,
    summary_line,
)

if TYPE_CHECKING:
    from linter.runner import ScanResult

COMMAND = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "warning",
}

#: Annotations GitHub displays per step and level: "10 warning annotations, 10 error
#: annotations, and 10 notice annotations per step" and "50 annotations per job (sum of
#: annotations from all the steps)" (actions/toolkit, docs/problem-matchers.md,
#: "Limitations"; the REST reference for check runs says the same of errors and
#: warnings). Later ones are accepted but never shown. Two levels of 10 stay under 50.
ANNOTATIONS_PER_LEVEL = 10


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def _message(item: Reported) -> str:
    f = item.finding
    address = item.distinct_address
    return f"{f.message} ({address})" if address and address not in f.message else f.message


def annotation(item: Reported) -> str:
    f = item.finding
    props = {
        "file": item.file,
        "line": str(f.location.start_line),
        "endLine": str(f.location.end_line),
        "title": f"{f.rule_id} {item.title}",
    }
    head = ",".join(f"{key}={escape_property(value)}" for key, value in props.items())
    return f"::{COMMAND[f.severity]} {head}::{escape_data(_message(item))}"


def log_line(item: Reported) -> str:
    """A finding as plain log text. It starts with the severity, never `::`, and its
    control characters are escaped, so it cannot be read as a workflow command."""
    f = item.finding
    lines = f"{f.location.start_line}" + (
        f"-{f.location.end_line}" if f.location.end_line > f.location.start_line else "")
    return printable(f"{f.severity.label:<8} {item.file}:{lines} {f.rule_id} {_message(item)}")


def split(items: Sequence[Reported],
          limit: int = ANNOTATIONS_PER_LEVEL) -> tuple[list[Reported], list[Reported]]:
    """(annotated, the rest), each most severe first; at most `limit` per level."""
    shown: list[Reported] = []
    rest: list[Reported] = []
    used = dict.fromkeys(COMMAND.values(), 0)
    for item in most_severe_first(items):
        level = COMMAND[item.finding.severity]
        if used[level] < limit:
            used[level] += 1
            shown.append(item)
        else:
            rest.append(item)
    return shown, rest


def overflow_notice(rest: Sequence[Reported], limit: int = ANNOTATIONS_PER_LEVEL) -> str:
    counts = severity_counts(item.finding for item in rest)
    parts = ", ".join(f"{n} {sev.label}" for sev, n in counts.items() if n)
    text = (f"{plural(len(rest), 'more finding')} ({parts}) not annotated: GitHub shows at "
            f"most {limit} error and {limit} warning annotations per step. They are listed "
            "in the log below; the job summary and the SARIF report have every finding.")
    return f"::notice title={escape_property('iaclint')}::{escape_data(text)}"


def render(result: ScanResult, *, color: bool = False) -> str:
    shown, rest = split(reported(result))
    lines = [annotation(item) for item in shown]
    if rest:
        lines.append(overflow_notice(rest))
        title = f"iaclint: {plural(len(rest), 'finding')} not annotated"
        lines.append(f"::group::{escape_data(title)}")
        lines += [log_line(item) for item in rest]
        lines.append("::endgroup::")
    # Not tied to a file (the IAC999 findings of files are annotations above), but the
    # log must say that the scan is incomplete, as an error a reader cannot miss.
    problems = [f"rule {rule_id} crashed; its findings may be missing"
                for rule_id, _ in result.rule_crashes]
    problems += [f"internal error in {e.stage} ({e.summary}); {e.lost}"
                 for e in result.internal_errors if e.path is None]
    title = escape_property("iaclint internal error")
    lines += [f"::error title={title}::{escape_data(text)}" for text in problems]
    lines.append(f"::notice::{escape_data('iaclint: ' + summary_line(result))}")
    return "\n".join(lines) + "\n"
