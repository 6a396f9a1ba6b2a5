"""New findings only: `--new-since REF`, `--changed-lines-only` and `--staged`.

One mechanism for pull requests and pre-commit. The head state (the work tree,
or with `--staged` the index written to a snapshot) and the base state (REF,
written to another snapshot with git) are scanned the same way, and a finding
counts only when its fingerprint is not among the base's counted findings. The
fingerprint holds no line and no message (linter/identity.py), so moved code is
not new, while a finding caused by a change anywhere is, wherever it lands: a
module input changed in `main.tf` that opens a port in `modules/sg/main.tf`.

When files are named (pre-commit), the scan widens from them to every module
directory they can change: their own, and each directory that calls one of
those as a local module, transitively. Both states are scanned with that scope.

`--changed-lines-only` keeps instead the findings whose evidence (the finding's
lines or those of a resource on its path) lies on lines added or changed since
REF, as reviewdog's `added` filter does; no base scan is needed.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from pathlib import Path

from linter import gitstate, parallel
from linter.discovery import Refused, as_utf8, read_source
from linter.loaders import warm_up_terraform
from linter.model import Finding
from linter.rule import INTERNAL_ERROR_RULE, PARSE_ERROR_RULE
from linter.runner import ScanOptions, ScanResult, scan

_TF = (".tf", ".tf.json")
_TFVARS = (".tfvars", ".tfvars.json")
#: A local module call: `source = "./x"` in HCL, `"source": "../x"` in JSON.
_LOCAL_SOURCE = re.compile(r"""\bsource"?\s*[=:]\s*"(\.{1,2}/[^"]*)\"""")


@dataclass(frozen=True)
class Comparison:
    """What a `--new-since` scan compared with, for the reports."""

    ref: str
    commit: str
    staged: bool
    changed_lines_only: bool
    #: Counted findings left out because they are present at REF (or, with
    #: --changed-lines-only, not on a changed line).
    hidden: int


def run(
    options: ScanOptions,
    *,
    ref: str | None,
    staged: bool,
    changed_lines_only: bool,
    stack: contextlib.ExitStack,
    log: Callable[[str], None] = lambda _m: None,
) -> ScanResult:
    """Scan the head state and keep what is new since `ref`. Temporary snapshots
    live until `stack` closes: reporters read source excerpts from them."""
    first = options.paths[0] if options.paths else "."
    top = gitstate.toplevel(first)
    rels = [_inside(top, p) for p in options.paths]
    commit = gitstate.resolve(top, ref) if ref is not None else None

    head_top = top
    names: list[str] | None = None
    if staged:
        tmp = stack.enter_context(gitstate.temporary())
        snap = gitstate.snapshot(top, None, tmp)
        head_top, names = snap.top, snap.names
        log(f"scanning the staged state of {len(names)} files")

    widen = commit is not None and any(not _is_dir(top, r) for r in rels)
    inputs = _inputs(head_top, rels, log)
    if widen and commit is not None:
        # A deleted file (a tfvars with safe values) changes its module too.
        deleted = gitstate.deleted(top, commit, staged=staged)
        start = {_dir(r) for r in [*inputs, *deleted] if r.endswith(_TF + _TFVARS)}
        known = names if names is not None else _work_tree_names(top)
        inputs = _widened(head_top, inputs, _callers_closure(head_top, known, start))
    head_options = _mapped(options, top, head_top, inputs, report_all=widen,
                           identity=head_top if staged else None)
    base: Callable[[], frozenset[str]] | None = None
    if commit is not None and not changed_lines_only:
        base = _base_fingerprints(options, top, commit, inputs, stack)
    result = scan(head_options) if head_options.paths else _empty(head_options)
    result.paths = [os.path.join(head_top, r) for r in rels]  # as named, not widened
    if ref is None or commit is None:
        return result

    if base is not None:
        changed_files = set(gitstate.changes(top, commit, staged=staged))
        keep = _new(base(), head_top, changed_files)
    else:
        keep = _on_changed_lines(head_top, gitstate.changes(top, commit, staged=staged))
    # An internal error is never "old": it says this scan is incomplete, now.
    kept = [f for f in result.findings if f.rule_id == INTERNAL_ERROR_RULE.id or keep(f)]
    result.new_since = Comparison(
        ref=ref, commit=commit, staged=staged, changed_lines_only=changed_lines_only,
        hidden=len(result.findings) - len(kept),
    )
    result.findings = kept
    result.suppressed = [f for f in result.suppressed if keep(f)]
    return result


def _base_fingerprints(
    options: ScanOptions, top: str, commit: str, inputs: list[str], stack: contextlib.ExitStack,
) -> Callable[[], frozenset[str]]:
    """Start scanning the base state; the returned function waits for its counted
    findings' fingerprints. The base is scanned in a forked process while the head
    is scanned here: the two are independent and each takes as long as the other."""
    tmp = stack.enter_context(gitstate.temporary())
    base = gitstate.snapshot(top, commit, tmp)
    gitstate.link_terraform_dirs(top, base, {os.path.dirname(r) for r in inputs})
    paths = [r for r in inputs if os.path.lexists(base.path(r))]
    if not paths:
        return frozenset
    base_options = _mapped(options, top, base.top, paths, report_all=True, identity=base.top)
    base_options.baseline, base_options.baseline_name = (), ""
    base_options.progress = None  # the forked base scan shares the terminal: only the head reports
    if any(p.endswith(_TF + _TFVARS) or _is_dir(base.top, p) for p in paths):
        warm_up_terraform()
    return parallel.start(lambda: sorted(f.fingerprint for f in scan(base_options).findings),
                          frozenset)


def _new(base: frozenset[str], head_top: str, changed: set[str]) -> Callable[[Finding], bool]:
    """Not present at the base; a file that does not parse and was changed is always
    shown (it hides whatever the change did)."""

    def keep(f: Finding) -> bool:
        if f.rule_id == PARSE_ERROR_RULE.id and _rel(head_top, f.location.path) in changed:
            return True
        return f.fingerprint not in base

    return keep


def _on_changed_lines(
    head_top: str, changed: dict[str, set[int] | None]
) -> Callable[[Finding], bool]:
    def touched(path: str, start: int, end: int) -> bool:
        rel = _rel(head_top, path)
        if rel not in changed:
            return False
        lines = changed[rel]
        return lines is None or any(n in lines for n in range(start, end + 1))

    def keep(f: Finding) -> bool:
        places = [f.location, *(r.location for r in f.related)]
        return any(touched(p.path, p.start_line, p.end_line) for p in places)

    return keep


def _inputs(head_top: str, rels: list[str], log: Callable[[str], None]) -> list[str]:
    """The named paths that exist in the head state (relative)."""
    inputs: list[str] = []
    for rel in rels:
        if os.path.lexists(os.path.join(head_top, rel)):
            inputs.append(rel)
        else:
            log(f"skipped {rel}: not in the scanned state (not staged?)")
    return inputs


def _widened(head_top: str, inputs: list[str], affected: set[str]) -> list[str]:
    """The inputs plus every Terraform file of each affected module directory."""
    inputs = list(inputs)
    for directory in sorted(affected):
        for name in _tf_files(os.path.join(head_top, directory)):
            inputs.append(_join(directory, name))
    return gitstate.unique(inputs)


def _callers_closure(head_top: str, names: Iterable[str], start: set[str]) -> set[str]:
    """`start` plus every directory that calls one of them as a local module."""
    callers: dict[str, set[str]] = {}
    for name in names:
        if not name.endswith(_TF):
            continue
        try:  # regular files within the size limit only: a committed link to
            # /dev/zero must not be read (linter.discovery)
            data = read_source(os.path.join(head_top, name), count=False)
        except Refused:
            continue
        text = as_utf8(data).decode("utf-8", errors="replace")
        here = _dir(name)
        for m in _LOCAL_SOURCE.finditer(text):
            callee = os.path.normpath(os.path.join(here, m.group(1).split("//")[0]))
            callers.setdefault(Path(callee).as_posix(), set()).add(here)
    seen = set(start)
    todo = list(start)
    while todo:
        for caller in callers.get(todo.pop(), ()):
            if caller not in seen:
                seen.add(caller)
                todo.append(caller)
    return seen


def _work_tree_names(top: str) -> list[str]:
    raw = gitstate.git(top, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    return [n for n in raw.decode("utf-8", "surrogateescape").split("\0") if n.endswith(_TF)]


def _mapped(
    options: ScanOptions, top: str, state_top: str, inputs: list[str], *, report_all: bool,
    identity: str | None,
) -> ScanOptions:
    """`options` for the same inputs read from another state of the repository."""

    def move(path: str) -> str:
        rel = gitstate.relative(top, path)
        if rel is None:
            return path
        moved = os.path.join(state_top, rel)
        return moved if os.path.lexists(moved) else path

    root = gitstate.relative(top, options.root) if options.root else None
    return replace(
        options,
        paths=[os.path.join(state_top, r) for r in inputs],
        root=os.path.join(state_top, root) if root is not None else state_top,
        tf_var_files=[move(p) for p in options.tf_var_files],
        cfn_param_files=[move(p) for p in options.cfn_param_files],
        identity_root=identity or options.identity_root,
        report_all=report_all,
    )


def _empty(options: ScanOptions) -> ScanResult:
    from linter.model import Graph

    return ScanResult(root=options.root or ".", findings=[], files=[], skipped=[], errors=[],
                      rules=list(options.rules), graph=Graph())


def _inside(top: str, path: str) -> str:
    rel = gitstate.relative(top, path)
    if rel is None:
        raise gitstate.GitError(f"{path} is outside the git work tree {top}")
    return rel or "."


def _is_dir(top: str, rel: str) -> bool:
    return os.path.isdir(os.path.join(top, rel))


def _dir(rel: str) -> str:
    return Path(rel).parent.as_posix()


def _join(directory: str, name: str) -> str:
    return name if directory in ("", ".") else f"{directory}/{name}"


def _rel(top: str, path: str) -> str:
    return gitstate.relative(top, path) or path


def _tf_files(directory: str) -> list[str]:
    try:
        return sorted(n for n in os.listdir(directory)
                      if n.endswith(_TF) and not n.startswith("."))
    except OSError:
        return []
