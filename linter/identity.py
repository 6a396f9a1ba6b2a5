"""Finding identity: one fingerprint per finding, from what identifies the defect.

    fingerprint = sha256("iaclint/2" ␟ rule ID ␟ file ␟ address ␟ evidence) in hex ":" n

- file: the finding's path relative to its git work tree (the nearest parent
  with `.git`), else to the scan root, with forward slashes;
- address: the resource address (a path, relativized the same way, for IAC000
  and standalone policy files);
- evidence: the rule's stable key for what is wrong inside the resource
  (`ingress tcp 22-22`, `inline policy 'x' sid=Admin`, `tag Owner`);
- n: 1 for the first finding with that hash in line order, 2 for the next, …

Never the message or the line: rewording a message, moving code, inserting an
unrelated statement or adding sibling resources keep every fingerprint, so GitHub
alerts, dismissals, baselines and suppressions stay attached. Renaming the
resource, moving it to another file or changing the rule gives a new one.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Sequence
from dataclasses import replace
from pathlib import PurePath

from linter.model import Finding

SCHEME = "iaclint/2"


class IdentityRoots:
    """Finds the directory a file's identity path is relative to (cached per directory)."""

    def __init__(self, fallback: str, fixed: str | None = None) -> None:
        self.fallback = os.path.abspath(fallback)
        self.fixed = os.path.abspath(fixed) if fixed else None
        self._cache: dict[str, str | None] = {}

    def root_of(self, path: str) -> str:
        if self.fixed is not None:
            return self.fixed
        return self._work_tree(os.path.dirname(os.path.abspath(path))) or self.fallback

    def _work_tree(self, directory: str) -> str | None:
        chain: list[str] = []
        found: str | None = None
        current = directory
        while True:
            if current in self._cache:
                found = self._cache[current]
                break
            chain.append(current)
            if os.path.exists(os.path.join(current, ".git")):
                found = current
                break
            parent = os.path.dirname(current)
            if parent == current:
                break
            current = parent
        for d in chain:
            self._cache[d] = found
        return found

    def relative(self, path: str) -> str:
        """`path` relative to its identity root, with forward slashes."""
        absolute = os.path.abspath(path)
        try:
            return PurePath(absolute).relative_to(self.root_of(absolute)).as_posix()
        except ValueError:
            return PurePath(absolute).as_posix()


def base_hash(rule_id: str, file: str, address: str, evidence: str) -> str:
    text = "\x1f".join((SCHEME, rule_id, file, address, evidence))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def assign(findings: Sequence[Finding], roots: IdentityRoots) -> list[Finding]:
    """The findings with `fingerprint` set, in the order given."""
    bases: list[str] = []
    for f in findings:
        file = roots.relative(f.location.path)
        address = roots.relative(f.address) if os.path.isabs(f.address) else f.address
        bases.append(base_hash(f.rule_id, file, address, f.evidence))
    order = sorted(
        range(len(findings)),
        key=lambda i: (bases[i], findings[i].location.start_line, findings[i].location.end_line,
                       findings[i].message),
    )
    seen: Counter[str] = Counter()
    prints = [""] * len(findings)
    for i in order:
        seen[bases[i]] += 1
        prints[i] = f"{bases[i]}:{seen[bases[i]]}"
    return [replace(f, fingerprint=p) for f, p in zip(findings, prints, strict=True)]
