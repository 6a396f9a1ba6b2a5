"""Machine-readable report with a documented, versioned schema (docs/json-output.md).

The shape is a contract: `schema_version` changes when a field is removed or its
meaning changes; adding a field does not. linter/data/report-schema.json is the
JSON Schema the tests hold this output to.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from linter.model import Suppression
from linter.reporters.common import (
    Reported,
    relpath,
    reported,
    severity_counts,
    tool_version,
)

if TYPE_CHECKING:
    from linter.runner import ScanResult

SCHEMA_VERSION = "1.3"


def report(result: ScanResult) -> dict[str, Any]:
    """The report as plain data (what `render` serializes)."""
    items = reported(result, suppressed=True)
    findings = [_finding(i, result.root) for i in items if not i.finding.suppressed]
    accepted = [_finding(i, result.root) for i in items if i.finding.suppressed]
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
            "suppressed": len(accepted),
            "by_severity": {
                sev.label: n for sev, n in severity_counts(result.findings).items()
            },
        },
        "findings": findings,
        "suppressed": accepted,
        "unused_ignores": [
            {
                "file": relpath(d.location.path, result.root),
                "line": d.location.start_line,
                "origin": d.origin,
                "rules": sorted(d.rules),
                "problem": d.problem or None,
            }
            for d in result.unused_ignores
        ],
        "stale_baseline": list(result.stale_baseline),
        "new_since": _comparison(result),
        "errors": errors,
        "skipped": skipped,
        "rule_crashes": sorted({rule_id for rule_id, _ in result.rule_crashes}),
        "internal_errors": [
            {
                "file": relpath(e.path, result.root) if e.path else None,
                "stage": e.stage,
                "message": e.summary,
                "lost": e.lost,
            }
            for e in result.internal_errors
        ],
        "incomplete": result.incomplete,
    }


def _finding(item: Reported, root: str) -> dict[str, Any]:
    f = item.finding
    return {
        "rule_id": f.rule_id,
        "title": item.title,
        "category": f.category,
        "severity": f.severity.label,
        "message": f.message,
        "file": item.file,
        "start_line": f.location.start_line,
        "end_line": f.location.end_line,
        "address": item.address,
        "resource_type": f.native_type or None,
        "source_language": item.language,
        "evidence": f.evidence or None,
        "fingerprint": item.fingerprint,
        "suppression": _suppression(f.suppression, root),
        "related": [
            {"file": r.file, "start_line": r.start_line, "end_line": r.end_line,
             "address": r.address, "role": r.role}
            for r in item.related
        ],
    }


def _suppression(s: Suppression | None, root: str) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "kind": s.kind,
        "origin": s.origin,
        "reason": s.reason or None,
        "until": s.until.isoformat() if s.until else None,
        "expired": s.expired,
        "file": relpath(s.location.path, root) if s.location else None,
        "line": s.location.start_line if s.location else None,
    }


def render(result: ScanResult, *, color: bool = False) -> str:
    return json.dumps(report(result), indent=2) + "\n"


def _comparison(result: ScanResult) -> dict[str, Any] | None:
    c = result.new_since
    if c is None:
        return None
    return {"ref": c.ref, "commit": c.commit or None, "staged": c.staged,
            "changed_lines_only": c.changed_lines_only, "hidden": c.hidden}
