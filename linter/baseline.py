"""The baseline file: today's accepted findings, by fingerprint, so that a repository
with hundreds of existing findings can turn iaclint on and fail only on new ones.

    {"iaclint_baseline": 1, "fingerprint_scheme": "iaclint/3",
     "findings": [{"fingerprint": "…:1", "rule_id": "IAC001", "file": "main.tf",
                   "address": "aws_security_group.web", "severity": "critical"}]}

Only the fingerprint matches; rule, file, address and severity are there for the
people who review the file. Nothing in it changes when code merely moves, so the
file stays quiet in diffs. Parse errors (IAC000) are never recorded: a file that
does not parse hides everything in it, old or new.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from linter.discovery import Refused, as_utf8, read_source
from linter.identity import EARLIER_SCHEMES, SCHEME, IdentityRoots
from linter.model import Finding

FORMAT_VERSION = 1
DEFAULT_NAME = ".iaclint-baseline.json"


class BaselineError(Exception):
    """A baseline file that cannot be read or is not one."""


@dataclass(frozen=True)
class Entry:
    fingerprint: str
    rule_id: str
    file: str
    address: str
    severity: str

    def as_json(self) -> dict[str, str]:
        return {"fingerprint": self.fingerprint, "rule_id": self.rule_id, "file": self.file,
                "address": self.address, "severity": self.severity}


def entries_for(findings: Iterable[Finding], roots: IdentityRoots) -> list[Entry]:
    out = [
        Entry(
            fingerprint=f.fingerprint,
            rule_id=f.rule_id,
            file=roots.relative(f.location.path),
            address=roots.relative(f.address) if os.path.isabs(f.address) else f.address,
            severity=f.severity.label,
        )
        for f in findings
        if f.rule_id != "IAC000" and f.fingerprint
    ]
    return sorted(set(out), key=lambda e: (e.file, e.rule_id, e.address, e.fingerprint))


def dumps(entries: Iterable[Entry]) -> str:
    data = {
        "iaclint_baseline": FORMAT_VERSION,
        "fingerprint_scheme": SCHEME,
        "findings": [e.as_json() for e in entries],
    }
    return json.dumps(data, indent=2) + "\n"


#: A baseline is data the configuration names: a planted `baseline: /dev/zero` or a
#: FIFO must not hang the scan, nor a huge file exhaust memory.
MAX_BASELINE_BYTES = 256 * 1024 * 1024


def read(path: str) -> list[Entry]:
    try:
        text = as_utf8(read_source(path, limit=MAX_BASELINE_BYTES, count=False)).decode("utf-8")
    except Refused as exc:
        raise BaselineError(f"{path}: cannot read the baseline: {exc.reason}") from exc
    except UnicodeDecodeError as exc:
        raise BaselineError(f"{path}: the baseline is not UTF-8 text: {exc.reason}") from exc
    try:
        data = json.loads(text)
    except ValueError as exc:
        raise BaselineError(f"{path}: the baseline is not valid JSON: {exc}") from exc
    if not isinstance(data, dict) or data.get("iaclint_baseline") != FORMAT_VERSION:
        raise BaselineError(
            f"{path}: not an iaclint baseline (expected \"iaclint_baseline\": {FORMAT_VERSION}; "
            "create one with `iaclint baseline create`)"
        )
    scheme = data.get("fingerprint_scheme")
    if scheme != SCHEME and scheme not in EARLIER_SCHEMES:
        raise BaselineError(
            f"{path}: made with fingerprint scheme {scheme!r}, this iaclint uses {SCHEME!r}; "
            "recreate it with `iaclint baseline create`"
        )
    findings = data.get("findings")
    if not isinstance(findings, list):
        raise BaselineError(f"{path}: \"findings\" must be a list")
    out: list[Entry] = []
    for i, item in enumerate(findings):
        if not isinstance(item, dict) or not isinstance(item.get("fingerprint"), str):
            raise BaselineError(f"{path}: findings[{i}] has no \"fingerprint\" string")
        out.append(Entry(
            fingerprint=item["fingerprint"],
            rule_id=_text(item.get("rule_id")),
            file=_text(item.get("file")),
            address=_text(item.get("address")),
            severity=_text(item.get("severity")),
        ))
    return out


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
