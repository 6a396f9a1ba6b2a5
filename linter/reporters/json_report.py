"""Machine-readable report with a documented, versioned schema (docs/json-output.md).

The shape is a contract: `schema_version` changes when a field is removed or its
meaning changes; adding a field does not. linter/data/report-schema.json is the
JSON Schema the tests hold this output to.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from linter.reporters.common import relpath, reported, severity_counts, tool_version

if TYPE_CHECKING:
    from linter.runner import ScanResult

SCHEMA_VERSION = "1.0"


def report(result: ScanResult) -> dict[str, Any]:
    """The report as plain data (what `render` serializes)."""
    findings = [
        {
            "rule_id": item.finding.rule_id,
            "title": item.title,
            "category": item.finding.category,
            "severity": item.finding.severity.label,
            "message": item.finding.message,
            "file": item.file,
            "start_line": item.finding.location.start_line,
            "end_line": item.finding.location.end_line,
            "address": item.address,
            "resource_type": item.finding.native_type or None,
            "source_language": item.language,
            "fingerprint": item.fingerprint,
        }
        for item in reported(result)
    ]
    errors = sorted(
        (
            {
                "file": relpath(e.path, result.root),
                "line": e.line,
                "column": e.column,
                "message": e.message,
            }
            for e in result.errors
        ),
        key=lambda e: (e["file"], e["line"], e["message"]),
    )
    skipped = sorted(
        ({"file": relpath(s.path, result.root), "reason": s.reason} for s in result.skipped),
        key=lambda s: s["file"],
    )
    return {
        "version": tool_version(),
        "schema_version": SCHEMA_VERSION,
        "root": result.root,
        "summary": {
            "files_scanned": len(result.files),
            "files_skipped": len(result.skipped),
            "findings": len(findings),
            "by_severity": {
                sev.label: n for sev, n in severity_counts(result.findings).items()
            },
        },
        "findings": findings,
        "errors": errors,
        "skipped": skipped,
        "rule_crashes": sorted({rule_id for rule_id, _ in result.rule_crashes}),
    }


def render(result: ScanResult, *, color: bool = False) -> str:
    return json.dumps(report(result), indent=2) + "\n"
