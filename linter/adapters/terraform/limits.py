"""The bounds of Terraform evaluation, and which files the evaluation may read.

The scanned code is untrusted (a pull request from a fork): `file("/proc/self/environ")`
must not put the runner's secrets into a report, `pow(10, 100000000)` must not hang the
scan, and `format("%s%s", x, x)` chains must not fill the memory. Every bound here is
documented in README.md ("Evaluation limits"); going past one makes the value Unknown
with a reason (`--debug` shows it), or, for the whole root module, a located IAC000.
"""

from __future__ import annotations

import os
from collections.abc import Iterable

from linter.model import Unknown

#: Bytes one `file()`/`templatefile()`/tfvars read may hold (larger: Unknown).
MAX_FILE_BYTES = 1024 * 1024
#: Characters of any string the evaluation produces.
MAX_STRING = 1024 * 1024
#: Size of any value as a tree: items of every list and map, plus characters of every
#: string (a list holding the same string twice counts it twice, as jsonencode would).
MAX_WEIGHT = 2 * 1024 * 1024
#: Instances of one resource or module call (count / for_each).
MAX_INSTANCES = 10_000
#: Characters of a for_each key (it becomes part of the resource address).
MAX_KEY = 256
#: Items `range()` may produce (Terraform's own limit).
MAX_RANGE = 1024
#: Bits of a `pow()` result / characters `parseint()` reads.
MAX_NUMBER_BITS = 4096
MAX_NUMBER_TEXT = 1024
#: Evaluation steps (expressions, loop iterations, items functions handle) of one root
#: module; past it everything still to evaluate is unknown and the module gets an IAC000.
MAX_STEPS = 1_000_000
#: Resource nodes plus module instances one root module may produce.
MAX_NODES = 50_000

TOO_LARGE = Unknown(f"value larger than the evaluation limit ({MAX_WEIGHT} items/characters)")
OUT_OF_STEPS = Unknown(f"evaluation stopped after {MAX_STEPS} steps")


#: Directories too broad to confine anything: never a root unless scanned themselves.
_BROAD = frozenset({os.path.realpath(os.path.expanduser("~")), os.path.realpath(os.sep)})


def work_tree(directory: str) -> str | None:
    """The git work tree holding `directory` (the nearest parent with a `.git`), unless
    that is the home or the root directory: a repository scanned in part still reads its
    own modules and files, not a home directory kept under git."""
    here = os.path.realpath(directory)
    while True:
        if os.path.lexists(os.path.join(here, ".git")):
            return None if here in _BROAD else here
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


class Confinement:
    """The directory trees the evaluation may read files from: the scan root, the
    scanned directories and the git work trees holding them, symlinks resolved.
    Anything else (`/etc`, `/proc`, `~`, a `..` escape, a symlink out of the tree, a
    device, a FIFO, a `.git` directory) is never opened; the caller gets an Unknown
    saying why."""

    def __init__(self, roots: Iterable[str]) -> None:
        self.roots = tuple(sorted({os.path.realpath(r) for r in roots if r}))

    @classmethod
    def of_scan(cls, scan_root: str, directories: Iterable[str]) -> Confinement:
        """The scan root and scanned `directories` plus the git work trees holding them.
        A scan root that is the home or `/` directory (iaclint run there on a checkout
        below it) does not count: only what is scanned and its repository do."""
        dirs = {os.path.realpath(d) for d in directories if d}
        root = os.path.realpath(scan_root)
        if root not in _BROAD:
            dirs.add(root)
        return cls(dirs | {t for d in dirs if (t := work_tree(d)) is not None})

    def why_not(self, path: str) -> str | None:
        """Why `path` may not be read (None: it may)."""
        real = os.path.realpath(path)
        for root in self.roots:
            if real == root or real.startswith(root.rstrip(os.sep) + os.sep):
                rel = os.path.relpath(real, root)
                if ".git" in rel.split(os.sep):
                    return "files inside .git are never read"
                return None
        return "outside the scanned directories"

    def inside(self, path: str) -> bool:
        return self.why_not(path) is None

    def read_text(self, path: str, limit: int | None = MAX_FILE_BYTES) -> str | Unknown:
        """The UTF-8 text of the regular file `path` inside the roots, at most `limit`
        bytes (None: the scan's per-file limit), else an Unknown with the reason."""
        why = self.why_not(path)
        if why is not None:
            return Unknown(f"file {os.path.basename(path)!r} not read: {why}")
        return read_regular(path, limit)


def read_regular(path: str, limit: int | None) -> str | Unknown:
    """The UTF-8 text of `path` when it is a regular file of at most `limit` bytes
    (None: the scan's per-file limit), else an Unknown with the reason. Reads go
    through `linter.discovery.read_source`, the one reader that never blocks on a
    device or FIFO and counts toward the scan's total."""
    from linter.discovery import Refused, as_utf8, current_limits, read_source

    name = os.path.basename(path)
    cap = current_limits().max_file_bytes
    try:
        data = as_utf8(read_source(path, limit=cap if limit is None else min(limit, cap)))
    except Refused as exc:
        return Unknown(f"file {name!r} not read: {exc.reason}")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return Unknown(f"file {name!r} is not UTF-8 text")
