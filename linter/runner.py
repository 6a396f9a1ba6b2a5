"""The scan pipeline: discover → load → adapt → link → rules → findings.

`scan()` never raises for bad input files: each becomes a located ParseError
(reported as IAC000) and the rest of the scan goes on. Nor for its own bugs: a
loader, adapter unit or linking step that raises is an InternalError (IAC999 at
the file whose resources were lost), a rule that raises is a rule crash, and both
make `ScanResult.incomplete` true (exit code 3) while every other finding stays.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import time
import traceback
from collections.abc import Callable, Collection, Mapping, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from linter import debuglog, identity, suppress
from linter.adapters import AdaptContext, adapt_all
from linter.config import Config
from linter.directives import Directive
from linter.discovery import (
    Format,
    InputTooLarge,
    Limits,
    Skipped,
    SourceFile,
    discover,
    limited,
    module_files,
    size_text,
)
from linter.exclude import Excluder
from linter.identity import IdentityRoots
from linter.linking import link
from linter.loaders import load, tf_prefetch
from linter.model import Finding, Graph, InternalError, ParseError, Severity
from linter.rule import CATEGORIES, INTERNAL_ERROR_RULE, PARSE_ERROR_RULE, Rule
from linter.selection import selects, severity_for

if TYPE_CHECKING:
    from linter.new_since import Comparison

log = logging.getLogger(__name__)

_LANGUAGE = {
    Format.TERRAFORM: "terraform",
    Format.TERRAFORM_JSON: "terraform",
    Format.TERRAFORM_PLAN: "terraform",  # the Terraform adapter weighs plans against .tf
    Format.CLOUDFORMATION: "cloudformation",
    Format.IAM_POLICY: "iam",
}

_LOADER_NAMES = {"terraform": "Terraform", "cloudformation": "CloudFormation", "iam": "IAM policy"}

_WHAT = {
    Format.TERRAFORM: "a Terraform file",
    Format.TERRAFORM_JSON: "a Terraform JSON file",
    Format.TERRAFORM_PLAN: "a Terraform plan",
    Format.CLOUDFORMATION: "a CloudFormation template (no Resources of AWS types)",
    Format.IAM_POLICY: "an IAM policy document (no policy statements found)",
}


@dataclass
class ScanOptions:
    paths: Sequence[str]
    config: Config = field(default_factory=Config)
    root: str | None = None
    rules: Sequence[Rule] = ()
    tf_vars: dict[str, str] = field(default_factory=dict)
    tf_var_files: list[str] = field(default_factory=list)
    cfn_params: dict[str, str] = field(default_factory=dict)
    cfn_param_files: list[str] = field(default_factory=list)
    #: The date `until` in suppressions is compared with (today when None).
    today: dt.date | None = None
    #: Fingerprints of accepted findings (`--baseline`) and the file they came from.
    baseline: Collection[str] = ()
    baseline_name: str = ""
    #: What fingerprint paths are relative to; default: each file's git work tree,
    #: else the scan root.
    identity_root: str | None = None
    #: Report findings wherever they are, not only in the files named (a
    #: `--new-since` scan filters them by fingerprint instead).
    report_all: bool = False
    #: Record which nodes each rule's graph queries returned (`ScanResult.evaluated`),
    #: for the tests that prove a good fixture case was looked at.
    record_evaluated: bool = False
    #: Called with (files loaded, files to load) after each file (linter/progress.py).
    progress: Callable[[int, int], None] | None = None


@dataclass
class ScanResult:
    root: str
    findings: list[Finding]
    files: list[SourceFile]
    skipped: list[Skipped]
    errors: list[ParseError]
    rules: list[Rule]
    graph: Graph
    stats: dict[str, float] = field(default_factory=dict)
    #: Rules that raised: (rule id, traceback). Reported, never fatal; exit code 3.
    rule_crashes: list[tuple[str, str]] = field(default_factory=list)
    #: Bugs caught in a loader, adapter or linking (also IAC999 findings); exit code 3.
    internal_errors: list[InternalError] = field(default_factory=list)
    #: With `ScanOptions.record_evaluated`: rule ID → ids of the nodes its queries returned.
    evaluated: dict[str, set[str]] = field(default_factory=dict)
    #: Files and directories removed by `exclude` patterns (not in `skipped`).
    excluded: list[Skipped] = field(default_factory=list)
    #: Rule ID → configured severity, for reporters that describe rules (SARIF).
    severity_overrides: dict[str, Severity] = field(default_factory=dict)
    #: Findings a suppression or the baseline accepts: reported, never counted.
    suppressed: list[Finding] = field(default_factory=list)
    #: Inline directives and config `ignore` entries that matched nothing.
    unused_ignores: list[Directive] = field(default_factory=list)
    #: Baseline fingerprints no finding has any more (what `baseline prune` drops).
    stale_baseline: list[str] = field(default_factory=list)
    #: Set by a `--new-since` scan: what the findings were compared with.
    new_since: Comparison | None = None
    #: The paths the scan was asked for, as given (the default SARIF category).
    paths: list[str] = field(default_factory=list)
    #: `--sarif-category`: the code scanning category SARIF reports under (None: from `paths`).
    sarif_category: str | None = None
    #: When the scan started, UTC (`SOURCE_DATE_EPOCH` when set: reproducible reports).
    started: dt.datetime | None = None

    @property
    def incomplete(self) -> bool:
        """iaclint itself failed somewhere (a rule or adapter raised): the report holds
        everything else, but not everything there is to find."""
        return bool(self.rule_crashes or self.internal_errors)

    def failed(self, threshold: Severity) -> bool:
        """A finding at or above the threshold, or any file that did not parse
        (nothing in it was checked, whatever the threshold)."""
        return any(
            f.severity >= threshold or f.rule_id == PARSE_ERROR_RULE.id for f in self.findings
        )


def scan_root(paths: Sequence[str]) -> str:
    """Where reported paths are relative to: the working directory when every path
    lies inside it (what CI and code scanning expect), else the paths' common parent."""
    cwd = Path.cwd().resolve()
    resolved = [Path(p).resolve() for p in paths] or [cwd]
    if all(p == cwd or cwd in p.parents for p in resolved):
        return str(cwd)
    dirs = [str(p if p.is_dir() else p.parent) for p in resolved]
    return os.path.commonpath(dirs)


@dataclass
class _LoaderBug:
    exc: Exception


def _load_all(files: list[SourceFile], progress: Callable[[int, int], None] | None,
              ) -> list[tuple[SourceFile, object]]:
    """Each file with its document (or ParseError, None, _LoaderBug), in `files` order.

    With a prefetch child parsing part of the HCL files (tf_prefetch), the parent
    loads its own files first and takes the child's last, so it rarely waits."""
    prefetch = tf_prefetch.start(files)
    later = prefetch.paths if prefetch is not None else set()
    order = [i for i, f in enumerate(files) if f.path not in later]
    order += [i for i, f in enumerate(files) if f.path in later]
    docs: dict[int, object] = {}
    for number, index in enumerate(order):
        if progress is not None:
            progress(number, len(files))
        try:
            docs[index] = load(files[index], prefetch)
        except Exception as exc:  # a loader bug: this file is lost, the others are not
            docs[index] = _LoaderBug(exc)
    return [(f, docs[i]) for i, f in enumerate(files)]


def scan(options: ScanOptions) -> ScanResult:
    """Scan `options.paths`. Raises InputTooLarge, before reading anything, when the
    files to scan hold more than the configured total (`max_total_size`)."""
    limits = Limits(options.config.max_file_size, options.config.max_total_size)
    with limited(limits):  # every read of this scan, adapters' included, is bounded
        return _scan(options, limits)


def scan_clock(env: Mapping[str, str] | None = None) -> dt.datetime:
    """Now in UTC, or `SOURCE_DATE_EPOCH` (reproducible builds' convention) when set."""
    epoch = (os.environ if env is None else env).get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
    return dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


def _scan(options: ScanOptions, limits: Limits) -> ScanResult:
    started_at = scan_clock()
    started = time.perf_counter()
    suppress.reset()
    root = options.root or scan_root(options.paths)
    excluder = Excluder(options.config.exclude, root)
    files, skipped, _missing = discover(options.paths, excluder, limits)
    excluded = [s for s in skipped if s.pattern is not None]
    skipped = [s for s in skipped if s.pattern is None]
    in_scope = (lambda _path: True) if options.report_all else _scope(options.paths)
    files = _with_module_context(files, _named_tfvars(options.paths), excluder, skipped)
    total = sum(f.size for f in files)
    if total > limits.max_total_bytes:
        raise InputTooLarge(
            f"the files to scan hold {size_text(total)}, more than the "
            f"{size_text(limits.max_total_bytes)} total input limit: scan fewer paths, "
            "exclude some, or raise max_total_size (--max-total-size)")

    documents: dict[str, list[object]] = {}
    # A file named on the command line that cannot be read is a located error.
    errors: list[ParseError] = [
        ParseError(s.path, 1, f"file not read: {s.reason}") for s in skipped if s.error
    ]
    internal: list[InternalError] = []
    scanned: list[SourceFile] = []
    for source, doc in _load_all(files, options.progress):
        if isinstance(doc, _LoaderBug):
            scanned.append(source)
            internal.append(InternalError.capture(
                source.path, f"the {_LOADER_NAMES[_LANGUAGE[source.format]]} loader",
                doc.exc, "nothing in this file was checked"))
            continue
        if doc is None:
            skipped.append(Skipped(source.path, f"not {_WHAT[source.format]}"))
            continue
        scanned.append(source)
        if isinstance(doc, ParseError):
            errors.append(doc)
            continue
        documents.setdefault(_LANGUAGE[source.format], []).append(doc)
    loaded = time.perf_counter()
    log.debug("loaded %d files (%d parse errors) in %.3fs", len(scanned), len(errors),
              loaded - started)

    ctx = AdaptContext(
        config=options.config,
        root=root,
        tf_vars=dict(options.tf_vars),
        tf_var_files=[*_explicit_var_files(options.paths), *options.tf_var_files],
        cfn_params=dict(options.cfn_params),
        cfn_param_files=list(options.cfn_param_files),
    )
    adapted = adapt_all(documents, ctx)
    errors.extend(adapted.errors)
    internal.extend(adapted.internal_errors)
    adapted_at = time.perf_counter()
    log.debug("adapted %d nodes in %.3fs", len(adapted.nodes), adapted_at - loaded)
    graph = Graph()
    for node in adapted.nodes:
        graph.add(node)
    graph.connect_refs()
    try:
        link(graph)
    except Exception as exc:  # rules still run, on a graph that may lack some links
        internal.append(InternalError.capture(
            None, "linking", exc, "configuration held by separate resources may be missing"))
    built = time.perf_counter()
    log.debug("built and linked the graph in %.3fs", built - adapted_at)
    if log.isEnabledFor(logging.DEBUG):
        debuglog.unknown_reasons(graph, root)

    config = options.config
    rules = [r for r in options.rules if selects(config, r)]
    findings: list[Finding] = []
    crashes: list[tuple[str, str]] = []
    evaluated: dict[str, set[str]] = {}
    for rule in rules:
        rule_started = time.perf_counter()
        before = len(findings)
        recording: AbstractContextManager[set[str]] = (
            graph.recording() if options.record_evaluated else nullcontext(set()))
        with recording as handed:
            try:
                findings.extend(rule.check(graph, options.config))
            except Exception:  # a broken rule must not hide the others' findings
                crashes.append((rule.id, traceback.format_exc()))
        if options.record_evaluated:
            evaluated[rule.id] = set(handed)
        log.debug("rule %s: %d findings in %.3fs", rule.id, len(findings) - before,
                  time.perf_counter() - rule_started)
    if selects(config, PARSE_ERROR_RULE):
        findings.extend(
            PARSE_ERROR_RULE.from_error(e.path, e.line, e.message) for e in _unique(errors)
        )
    overrides = {
        r.id: sev for r in (PARSE_ERROR_RULE, *rules)
        if (sev := severity_for(config, r.id, r.category)) is not None
    }
    if config.severity_overrides:
        findings = [_override(f, config) for f in findings]
    if excluder:  # module sources read from disk may lie in excluded directories
        hidden = {p for p in {f.location.path for f in findings} if excluder.match(p)}
        findings = [f for f in findings if f.location.path not in hidden]
    findings = sorted(
        {
            _key(f): f
            for f in findings
            if f.rule_id == PARSE_ERROR_RULE.id or in_scope(f.location.path)
        }.values(),
        key=Finding.sort_key,
    )
    roots = IdentityRoots(root, options.identity_root)
    findings = identity.assign(findings, roots)
    outcome = suppress.apply(
        findings,
        graph,
        today=options.today or dt.date.today(),
        config_ignores=config.ignore,
        baseline=frozenset(options.baseline),
        baseline_name=options.baseline_name,
        relative=_spellings(root, roots, options.config.path),
        categories=frozenset(r.category for r in options.rules) | frozenset(CATEGORIES),
        in_scope=in_scope,
        scanned=[f.path for f in scanned],
    )
    findings = [f for f in outcome.findings if not f.suppressed]
    suppressed = [f for f in outcome.findings if f.suppressed]
    # Internal errors bypass selection, scope and suppression: they say the scan is
    # incomplete, which no configuration may hide.
    lost = [INTERNAL_ERROR_RULE.from_error(e) for e in internal if e.path]
    if lost:
        findings = sorted([*findings, *identity.assign(lost, roots)], key=Finding.sort_key)
    done = time.perf_counter()
    log.debug("scan done in %.3fs: %d findings, %d suppressed", done - started,
              len(findings), len(suppressed))
    stats: dict[str, float] = {
        "load_seconds": loaded - started,
        "graph_seconds": built - loaded,
        "rules_seconds": done - built,
        "total_seconds": done - started,
        "nodes": float(len(graph)),
    }
    stats.update({k: float(v) for k, v in adapted.stats.items()})
    return ScanResult(
        root=root,
        findings=findings,
        files=scanned,
        skipped=skipped,
        errors=errors,
        rules=[PARSE_ERROR_RULE, *([INTERNAL_ERROR_RULE] if lost else []), *rules],
        graph=graph,
        stats=stats,
        rule_crashes=crashes,
        internal_errors=internal,
        evaluated=evaluated,
        excluded=excluded,
        severity_overrides=overrides,
        suppressed=suppressed,
        unused_ignores=outcome.unused,
        # Entries for files this scan did not cover are not stale, only unseen.
        stale_baseline=outcome.stale_baseline if _whole(options.paths) else [],
        paths=list(options.paths),
        started=started_at,
    )


def _whole(paths: Sequence[str]) -> bool:
    """Directories only: every finding the baseline could hold was looked for."""
    return all(Path(p).is_dir() for p in paths)


def _spellings(
    root: str, roots: IdentityRoots, config_path: str | None
) -> Callable[[str], tuple[str, ...]]:
    """How a config `ignore` path glob may see a file: relative to the config file's
    directory, to the scan root, or to the file's repository."""
    bases = [os.path.dirname(os.path.abspath(config_path))] if config_path else []
    bases.append(os.path.abspath(root))

    def spell(path: str) -> tuple[str, ...]:
        out = [roots.relative(path)]
        for base in bases:
            rel = os.path.relpath(os.path.abspath(path), base)
            if not rel.startswith(".."):
                out.append(Path(rel).as_posix())
        return tuple(dict.fromkeys(out))

    return spell


def _scope(paths: Sequence[str]) -> Callable[[str], bool]:
    """When files are named (as pre-commit does), findings are reported only in
    those files or under the named directories: sibling .tf files pulled in for
    context inform evaluation but are not reported. Parse errors are always
    reported wherever they are: a broken variables file hides real values. A
    directory-only scan reports everything, including module sources it called
    from outside the tree."""
    files: set[str] = set()
    dirs: list[str] = []
    for raw in paths:
        p = Path(raw).resolve()
        if p.is_dir():
            dirs.append(str(p).rstrip(os.sep) + os.sep)
        elif p.name.endswith(_TFVARS):  # new values change the whole module's findings
            files.add(str(p))
            dirs.append(str(p.parent).rstrip(os.sep) + os.sep)
        else:
            files.add(str(p))
    if not files:
        return lambda _path: True

    def inside(path: str) -> bool:
        return path in files or any(path.startswith(d) for d in dirs)

    return inside


_TFVARS = (".tfvars", ".tfvars.json")


def _named_tfvars(paths: Sequence[str]) -> list[Path]:
    return [Path(p).resolve() for p in paths if p.endswith(_TFVARS) and Path(p).is_file()]


def _explicit_var_files(paths: Sequence[str]) -> list[str]:
    """A variables file named as a scan path is applied like `--var-file`, unless
    Terraform loads it by itself (terraform.tfvars, *.auto.tfvars)."""
    return [
        str(p)
        for p in _named_tfvars(paths)
        if not (p.name.startswith("terraform.tfvars") or ".auto.tfvars" in p.name)
    ]


def _with_module_context(
    files: list[SourceFile], tfvars: list[Path], excluder: Excluder, skipped: list[Skipped],
) -> list[SourceFile]:
    """A Terraform file named on its own (as pre-commit does) is evaluated with the
    rest of its module directory, or its variables and locals would be unknown; a
    named variables file brings its whole module directory. Excluded siblings stay
    out, and the others pass the checks of discovery (regular files within the size
    limit, links kept inside the directory): what is left out is added to `skipped`."""
    tf_dirs = {
        str(Path(f.path).parent)
        for f in files
        if f.format in (Format.TERRAFORM, Format.TERRAFORM_JSON)
    } | {str(p.parent) for p in tfvars}
    known = {f.path for f in files} | {s.path for s in skipped}
    seen = {f.identity for f in files if f.identity is not None}
    extra: list[SourceFile] = []
    for directory in sorted(tf_dirs):
        found, refused = module_files(directory, known, excluder or None, seen=seen)
        for source in found:
            known.add(source.path)
            extra.append(source)
        for skip in refused:
            if skip.path not in known:
                known.add(skip.path)
                skipped.append(skip)
    return sorted([*files, *extra], key=lambda f: f.path) if extra else files


def _unique(errors: list[ParseError]) -> list[ParseError]:
    seen: dict[tuple[str, int, str], ParseError] = {}
    for e in errors:
        seen.setdefault((e.path, e.line, e.message), e)
    return list(seen.values())


def _key(f: Finding) -> tuple[object, ...]:
    """Findings equal by this are one (a file scanned as part of two overlapping
    paths); one module's resource in two root modules is two."""
    return (f.rule_id, f.address, f.location, f.message, f.root_module)


def _override(f: Finding, config: Config) -> Finding:
    from dataclasses import replace

    sev = severity_for(config, f.rule_id, f.category)
    return replace(f, severity=sev) if sev is not None else f
