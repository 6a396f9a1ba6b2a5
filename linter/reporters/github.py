"""GitHub Actions workflow commands: each finding becomes an annotation on the PR diff.

`::error file=…,line=…,endLine=…,title=…::message`. Values are escaped as the
runner expects (actions/toolkit `escapeData`/`escapeProperty`), so a message with a
newline or a path with a comma cannot end the command early or forge another one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from linter.model import Severity
from linter.reporters.common import Reported, reported, summary_line

if TYPE_CHECKING:
    from linter.runner import ScanResult

COMMAND = {
    Severity.CRITICAL: "error",
    Severity.HIGH: "error",
    Severity.MEDIUM: "warning",
    Severity.LOW: "warning",
}


def escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(text: str) -> str:
    return escape_data(text).replace(":", "%3A").replace(",", "%2C")


def annotation(item: Reported) -> str:
    f = item.finding
    props = {
        "file": item.file,
        "line": str(f.location.start_line),
        "endLine": str(f.location.end_line),
        "title": f"{f.rule_id} {item.title}",
    }
    head = ",".join(f"{key}={escape_property(value)}" for key, value in props.items())
    address = item.distinct_address
    message = f"{f.message} ({address})" if address and address not in f.message else f.message
    return f"::{COMMAND[f.severity]} {head}::{escape_data(message)}"


def render(result: ScanResult, *, color: bool = False) -> str:
    lines = [annotation(item) for item in reported(result)]
    lines.append(f"::notice::{escape_data('iaclint: ' + summary_line(result))}")
    return "\n".join(lines) + "\n"
