"""Finding identity: one fingerprint per finding, from what identifies the defect.

    fingerprint = sha256("iaclint/2" ␟ rule ID ␟ file ␟ address ␟ evidence) in hex ":" n

- file: the finding's path relative to its git work tree (the nearest parent
  with `.git`), else to the scan root, with forward slashes;
- address: the resource address (a path, relativized the same way, for IAC000
  and standalone policy files); for a resource a module call created, prefixed
  with its root module's directory (`examples/complete:module.vpc.aws_eip.nat[0]`),
  since two roots calling one module deploy two resources (scheme 3);
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

#: The scheme baselines record. 3 = 2 plus the root module in the address of a
#: resource created by a module call; only those fingerprints changed.
SCHEME = "iaclint/3"
#: Baselines written with these schemes still match, through `Finding.aliases`.
EARLIER_SCHEMES = ("iaclint/2",)
#: The text hashed first; it stays "iaclint/2" so that scheme 3 moved no alert
#: but those of module-created resources.
_HASH_TAG = "iaclint/2"


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
    text = "\x1f".join((_HASH_TAG, rule_id, file, address, evidence))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def assign(findings: Sequence[Finding], roots: IdentityRoots) -> list[Finding]:
    """The findings with `fingerprint` (and, where scheme 2 differed, `aliases`) set,
    in the order given."""
    bases: list[str] = []
    earlier: list[str] = []
    for f in findings:
        file = roots.relative(f.location.path)
        address = roots.relative(f.address) if os.path.isabs(f.address) else f.address
        earlier.append(base_hash(f.rule_id, file, address, f.evidence))
        if f.root_module:
            address = f"{roots.relative(f.root_module)}:{address}"
            bases.append(base_hash(f.rule_id, file, address, f.evidence))
        else:
            bases.append(earlier[-1])
    prints = _numbered(findings, bases)
    aliases = _numbered(findings, earlier)
    return [replace(f, fingerprint=p, aliases=(a,) if a != p else ())
            for f, p, a in zip(findings, prints, aliases, strict=True)]


def _numbered(findings: Sequence[Finding], bases: list[str]) -> list[str]:
    """`base:n`, n counting the findings sharing a base in line order."""
    order = sorted(
        range(len(findings)),
        key=lambda i: (bases[i], findings[i].location.start_line, findings[i].location.end_line,
                       findings[i].root_module, findings[i].message),
    )
    seen: Counter[str] = Counter()
    prints = [""] * len(findings)
    for i in order:
        seen[bases[i]] += 1
        prints[i] = f"{bases[i]}:{seen[bases[i]]}"
    return prints
