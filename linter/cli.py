"""Command line: `iaclint scan`, `graph`, `baseline`, `rules`, `explain`, `config`.

`main(argv) -> int` never raises: exit 0 clean, 1 findings at or above the failure
threshold (0 with --soft-fail), 2 usage, path, configuration or output errors, 3 an
internal error (a rule, loader or adapter raised: the report holds everything else;
any other exception is caught in `main` and printed with its traceback).
"""

from __future__ import annotations

import contextlib
import gc
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

import linter
from linter import progress
from linter.config import Config, ConfigError, describe, find_config, load_config
from linter.discovery import InputTooLarge, parse_size
from linter.model import Severity
from linter.outputs import FORMATS, OUTPUT_FLAGS, Output, OutputError
from linter.registry import RuleLoadError, all_rules, load_rules
from linter.rule import Rule
from linter.selection import UnknownRuleError, check_refs, config_refs, normalize, suggestion

if TYPE_CHECKING:
    from linter.runner import ScanOptions, ScanResult

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3
#: `scan --help` ends with this (\b keeps click from rewrapping it).
EXIT_CODES_HELP = """\b
Exit codes:
  0  nothing at or above --fail-on (always with --soft-fail)
  1  findings at or above --fail-on, or a file that does not parse
  2  usage, path, configuration or output error
  3  internal error: a rule or adapter of iaclint raised (even with --soft-fail);
     everything else is still reported
"""
SEVERITY_CHOICES = click.Choice(["critical", "high", "medium", "low"], case_sensitive=False)


class UsageFailure(click.ClickException):
    exit_code = EXIT_USAGE


def _once(values: Sequence[str], flag: str) -> str | None:
    """Options that must not repeat are declared `multiple=True` so that a repeat is
    seen and refused: click's own last-one-wins would silently drop an output."""
    if len(values) > 1:
        hint = ("; for more outputs use --text-output, --json-output, --sarif-output, "
                "--github-output or --html-output FILE"
                if flag in ("-f/--format", "-o/--output") else "")
        raise UsageFailure(f"{flag} given more than once; it takes one value{hint}")
    return values[0] if values else None


def _pairs(values: Sequence[str], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageFailure(f"{option} expects NAME=VALUE, got {item!r}")
        out[name.strip()] = value
    return out


def _print_version(ctx: click.Context, _param: click.Parameter, value: bool) -> None:
    """click's version option, with the version read only when asked for (see
    `linter.__getattr__`)."""
    if value and not ctx.resilient_parsing:
        click.echo(f"iaclint, version {linter.__version__}", color=ctx.color)
        ctx.exit()


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("-V", "--version", is_flag=True, expose_value=False, is_eager=True,
              callback=_print_version, help="Show the version and exit.")
def cli() -> None:
    """Static analysis for AWS infrastructure code (Terraform, CloudFormation, IAM JSON)."""


@cli.command(epilog=EXIT_CODES_HELP)
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), multiple=True,
              help="Format of the primary output (default: text).")
@click.option("-o", "--output", multiple=True, type=click.Path(dir_okay=False),
              help="Write the primary output to FILE instead of stdout.")
@click.option("--text-output", multiple=True, metavar="FILE", help="Also write a text report.")
@click.option("--json-output", multiple=True, metavar="FILE", help="Also write a JSON report.")
@click.option("--sarif-output", multiple=True, metavar="FILE", help="Also write a SARIF report.")
@click.option("--github-output", multiple=True, metavar="FILE",
              help="Also write GitHub workflow commands.")
@click.option("--html-output", multiple=True, metavar="FILE",
              help="Also write a self-contained HTML report.")
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False),
              help="Configuration file, YAML or a pyproject.toml with [tool.iaclint] (default: "
                   ".iaclint.yaml, .iaclint.yml or pyproject.toml in the first path's "
                   "directory or the nearest parent).")
@click.option("--fail-on", type=SEVERITY_CHOICES,
              help="Lowest severity that makes the exit code 1 (default: config, else low).")
@click.option("--soft-fail", is_flag=True,
              help="Exit 0 even when there are findings (errors still exit 2, internal "
                   "errors 3).")
@click.option("--enable", multiple=True, metavar="RULE",
              help="Run only this rule ID or category (repeatable; replaces the config's enable).")
@click.option("--disable", multiple=True, metavar="RULE",
              help="Skip a rule ID or category (repeatable).")
@click.option("--exclude", multiple=True, metavar="GLOB",
              help="Do not scan files or directories matching GLOB (repeatable).")
@click.option("--rules-dir", multiple=True, type=click.Path(file_okay=False),
              help="Also load rules from the Python files in DIR (repeatable).")
@click.option("--var", "tf_vars", multiple=True, metavar="NAME=VALUE",
              help="Terraform input variable (repeatable).")
@click.option("--var-file", "tf_var_files", multiple=True, type=click.Path(dir_okay=False),
              help="Terraform variables file (repeatable).")
@click.option("--cfn-param", "cfn_params", multiple=True, metavar="KEY=VALUE",
              help="CloudFormation parameter value (repeatable).")
@click.option("--cfn-params", "cfn_param_files", multiple=True, type=click.Path(dir_okay=False),
              help="CloudFormation parameters file (repeatable).")
@click.option("--include-partial-wildcards", is_flag=True, default=None,
              help="Also report actions such as s3:Get* (low severity).")
@click.option("--max-file-size", metavar="SIZE",
              help="Largest file scanned, e.g. 10MiB (default: config max_file_size, else "
                   "10MiB); larger files are skipped with a warning.")
@click.option("--max-total-size", metavar="SIZE",
              help="Most one scan reads in all, e.g. 200MiB (default: config max_total_size, "
                   "else 200MiB); more is an error (exit 2).")
@click.option("--root", type=click.Path(file_okay=False),
              help="Directory that reported paths are relative to (default: the working "
                   "directory, or the scanned paths' common parent when outside it).")
@click.option("--color/--no-color", default=None,
              help="Colour text output (default: on a tty, unless NO_COLOR is set).")
@click.option("-v", "--verbose", is_flag=True,
              help="Say which configuration is used and which files were skipped and why.")
@click.option("-q", "--quiet", is_flag=True,
              help="Print findings only: no summary line, nothing when clean, no -v messages.")
@click.option("--debug", is_flag=True,
              help="Log debugging records on stderr: files loaded from the parse cache, "
                   "timings, and why each unknown value stayed unknown.")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False),
              help="Count only findings not recorded in this baseline file "
                   "(default: `baseline` in the configuration).")
@click.option("--show-suppressed", is_flag=True,
              help="Also list suppressed and baselined findings in text output.")
@click.option("--report-unused-ignores", is_flag=True,
              help="Report iaclint:ignore comments, Metadata and config ignore entries that "
                   "match no finding; they fail the scan like findings.")
@click.option("--new-since", "new_since", metavar="REF",
              help="Report only findings not present at git REF (a branch, tag or commit; "
                   "e.g. origin/main in a pull request, HEAD in pre-commit), wherever they "
                   "are: REF is read with git into a temporary directory and scanned too.")
@click.option("--changed-lines-only", is_flag=True,
              help="With --new-since: report the findings on lines added or changed since "
                   "REF (their own lines or a resource's on their path) instead.")
@click.option("--staged", is_flag=True,
              help="Scan the staged state (the git index), not the working tree: untracked "
                   "files and unstaged edits are left out (the pre-commit hook uses this).")
@click.option("--sarif-category", metavar="NAME",
              help="Code scanning category of SARIF output (automationDetails.id NAME/), so "
                   "that several uploads for one commit do not replace each other (default: "
                   "iaclint/ plus the scanned paths).")
def scan(paths: tuple[str, ...], fmt: tuple[str, ...], output: tuple[str, ...],
         text_output: tuple[str, ...], json_output: tuple[str, ...],
         sarif_output: tuple[str, ...], github_output: tuple[str, ...],
         html_output: tuple[str, ...], config_path: str | None, fail_on: str | None,
         soft_fail: bool,
         enable: tuple[str, ...], disable: tuple[str, ...], exclude: tuple[str, ...],
         rules_dir: tuple[str, ...], tf_vars: tuple[str, ...], tf_var_files: tuple[str, ...],
         cfn_params: tuple[str, ...], cfn_param_files: tuple[str, ...],
         include_partial_wildcards: bool | None, max_file_size: str | None,
         max_total_size: str | None, root: str | None, color: bool | None, verbose: bool,
         quiet: bool, debug: bool, baseline_path: str | None,
         show_suppressed: bool, report_unused_ignores: bool, new_since: str | None,
         changed_lines_only: bool, staged: bool, sarif_category: str | None) -> None:
    """Scan files and directories for risky AWS infrastructure."""
    if sarif_category is not None and not sarif_category.strip(" /"):
        raise UsageFailure("--sarif-category needs a name")
    log = _logger(verbose and not quiet)
    if changed_lines_only and new_since is None:
        raise UsageFailure("--changed-lines-only needs --new-since REF (the lines changed "
                           "since which revision?)")
    planned = _plan_outputs(fmt, output, {"text": text_output, "json": json_output,
                                          "sarif": sarif_output, "github": github_output,
                                          "html": html_output})
    stack = contextlib.ExitStack()  # --staged/--new-since snapshots live until reported
    if debug:
        from linter import debuglog

        stack.enter_context(debuglog.enabled(sys.stderr))
    with stack:
        _scan_and_report(stack, planned, paths=paths, config_path=config_path, fail_on=fail_on,
                         soft_fail=soft_fail, enable=enable, disable=disable, exclude=exclude,
                         rules_dir=rules_dir, tf_vars=tf_vars, tf_var_files=tf_var_files,
                         cfn_params=cfn_params, cfn_param_files=cfn_param_files,
                         include_partial_wildcards=include_partial_wildcards,
                         max_file_size=max_file_size, max_total_size=max_total_size, root=root,
                         color=color, quiet=quiet, log=log, baseline_path=baseline_path,
                         show_suppressed=show_suppressed,
                         report_unused_ignores=report_unused_ignores,
                         comparison=Compare(new_since, staged, changed_lines_only),
                         sarif_category=sarif_category)


@dataclass(frozen=True)
class Compare:
    """--new-since, --staged and --changed-lines-only (linter/new_since.py)."""

    ref: str | None = None
    staged: bool = False
    changed_lines_only: bool = False

    def __bool__(self) -> bool:
        return self.ref is not None or self.staged


def _scan_and_report(
    stack: contextlib.ExitStack, planned: Sequence[Output], *, paths: Sequence[str],
    config_path: str | None, fail_on: str | None, soft_fail: bool, enable: Sequence[str],
    disable: Sequence[str], exclude: Sequence[str], rules_dir: Sequence[str],
    tf_vars: Sequence[str], tf_var_files: Sequence[str], cfn_params: Sequence[str],
    cfn_param_files: Sequence[str], include_partial_wildcards: bool | None,
    max_file_size: str | None, max_total_size: str | None, root: str | None,
    color: bool | None, quiet: bool, log: Callable[[str], None], baseline_path: str | None,
    show_suppressed: bool, report_unused_ignores: bool, comparison: Compare,
    sarif_category: str | None,
) -> None:
    result, config = _execute(
        paths=paths, config_path=config_path, fail_on=fail_on, enable=enable, disable=disable,
        exclude=exclude, rules_dir=rules_dir, tf_vars=tf_vars, tf_var_files=tf_var_files,
        cfn_params=cfn_params, cfn_param_files=cfn_param_files,
        include_partial_wildcards=include_partial_wildcards, max_file_size=max_file_size,
        max_total_size=max_total_size, root=root, log=log, baseline_path=baseline_path,
        before=lambda: _prepare_outputs(planned),
        comparison=comparison, stack=stack,
    )
    if result.new_since is not None:
        c = result.new_since
        log(f"compared with {c.ref} ({c.commit[:12] or 'no commit yet'}): "
            f"{plural(c.hidden, 'finding')} not shown")
    result.sarif_category = sarif_category
    _report_internal(result)
    if not report_unused_ignores:  # a directive that cannot apply is always worth a warning
        result.unused_ignores = [d for d in result.unused_ignores if d.problem]
    for f in result.suppressed:
        if f.suppression is not None and not f.suppression.reason and \
                f.suppression.origin != "baseline":
            log(f"suppressed without a reason: {_rel(f.location.path, result.root)}:"
                f"{f.location.start_line} {f.rule_id} {f.address}")
    for fingerprint in result.stale_baseline:
        log(f"baseline entry no longer matches: {fingerprint}")
    crashed = _write_outputs(planned, result, color=color, quiet=quiet, log=log,
                             show_suppressed=show_suppressed)
    if crashed:  # the other reports are whole; the crashed one's old file is untouched
        click.echo(f"iaclint: {', '.join(crashed)} not written because of an internal "
                   f"error (exit code {EXIT_INTERNAL})", err=True)
        click.get_current_context().exit(EXIT_INTERNAL)
    if result.incomplete:  # never 0 or 1: neither "clean" nor "findings" is the truth
        click.echo("iaclint: the scan is incomplete because of an internal error "
                   f"(exit code {EXIT_INTERNAL}); the reports hold everything else", err=True)
        click.get_current_context().exit(EXIT_INTERNAL)
    unused = report_unused_ignores and any(not d.problem for d in result.unused_ignores)
    failed = (result.failed(config.fail_on) or unused) and not soft_fail
    click.get_current_context().exit(EXIT_FINDINGS if failed else EXIT_CLEAN)


def _report_internal(result: ScanResult) -> None:
    """Each bug caught during the scan, with its traceback, on stderr (a report file or
    `-q` must not hide it)."""
    for rule_id, trace in result.rule_crashes:
        click.echo(f"iaclint: internal error in rule {rule_id} (other rules ran; its "
                   f"findings may be missing):\n{trace}", err=True)
    for error in result.internal_errors:
        where = f" at {_rel(error.path, result.root)}" if error.path else ""
        click.echo(f"iaclint: internal error in {error.stage}{where}: {error.summary}; "
                   f"{error.lost} (the rest of the scan went on):\n{error.trace}", err=True)


def _refuse_incomplete(result: ScanResult, what: str) -> None:
    """A baseline made from a scan that lost findings would be wrong: write nothing."""
    if result.incomplete:
        _report_internal(result)
        click.echo(f"iaclint: {what} not written: the scan is incomplete because of an "
                   "internal error", err=True)
        click.get_current_context().exit(EXIT_INTERNAL)


#: Whether a scan of this process left its objects frozen (`_resume_collector`).
_FROZEN = [False]


def _pause_collector() -> None:
    if _FROZEN[0]:  # an earlier scan in this process: its leftovers are collectable again
        gc.unfreeze()
        _FROZEN[0] = False
    gc.disable()


def _resume_collector() -> None:
    """Turn the collector back on without it walking everything the scan made: the
    process usually ends right after (0.1 s on 300 templates, twice: once now, once
    at exit). Objects are still freed by reference counting; the next scan in the
    same process unfreezes them, so cyclic garbage does not pile up."""
    gc.freeze()
    _FROZEN[0] = True
    gc.enable()


def _execute(
    *, paths: Sequence[str], config_path: str | None, fail_on: str | None,
    enable: Sequence[str], disable: Sequence[str], exclude: Sequence[str],
    rules_dir: Sequence[str], tf_vars: Sequence[str], tf_var_files: Sequence[str],
    cfn_params: Sequence[str], cfn_param_files: Sequence[str],
    include_partial_wildcards: bool | None, root: str | None, log: Callable[[str], None],
    max_file_size: str | None = None, max_total_size: str | None = None,
    baseline_path: str | None = None, use_baseline: bool = True,
    before: Callable[[], None] | None = None, comparison: Compare | None = None,
    stack: contextlib.ExitStack | None = None,
) -> tuple[ScanResult, Config]:
    """Validate the inputs, load configuration and rules, and scan: what `scan` and the
    `baseline` commands share, so a baseline is made from exactly the scan CI runs."""
    from linter.runner import ScanOptions, scan_root
    from linter.runner import scan as run_scan

    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UsageFailure(f"path does not exist: {', '.join(missing)}")
    for f in (*tf_var_files, *cfn_param_files):
        if not Path(f).is_file():
            raise UsageFailure(f"file does not exist: {f}")
    config = _config(config_path, paths, log, root)
    try:
        rules = load_rules(rules_dir)
    except RuleLoadError as exc:
        raise UsageFailure(str(exc)) from exc
    _apply_options(config, rules, fail_on=fail_on, enable=enable, disable=disable,
                   exclude=exclude, include_partial_wildcards=include_partial_wildcards)
    for key, raw in (("max_file_size", max_file_size), ("max_total_size", max_total_size)):
        if raw is not None:
            try:
                setattr(config, key, parse_size(raw))
            except ValueError as exc:
                raise UsageFailure(f"--{key.replace('_', '-')}: {exc}") from exc
    if before is not None:
        before()
    options = ScanOptions(
        paths=list(paths),
        config=config,
        root=str(Path(root).resolve()) if root else scan_root(list(paths)),
        rules=rules,
        tf_vars=_pairs(tf_vars, "--var"),
        tf_var_files=list(tf_var_files),
        cfn_params=_pairs(cfn_params, "--cfn-param"),
        cfn_param_files=list(cfn_param_files),
    )
    baseline_file = (baseline_path or config.baseline) if use_baseline else None
    if baseline_file and not baseline_path and not Path(baseline_file).exists():
        # Named by the configuration but not created yet: every finding counts, which
        # fails loudly rather than hiding anything.
        click.echo(f"iaclint: baseline {baseline_file} does not exist yet; "
                   "`iaclint baseline create` makes it", err=True)
    elif baseline_file:
        options.baseline, options.baseline_name = _baseline(baseline_file), baseline_file
    # A scan allocates millions of small, long-lived objects (syntax trees, values)
    # and frees almost nothing until it ends: the cyclic collector only re-walks
    # them. Pausing it halves the wall time of a large scan for a few MB of memory.
    _pause_collector()
    meter = progress.Progress(sys.stderr) if progress.wanted(sys.stderr) else None
    options.progress = meter
    try:
        if comparison and stack is not None:
            result = _compare(options, comparison, stack, log)
        else:
            result = run_scan(options)
    except InputTooLarge as exc:
        raise UsageFailure(str(exc)) from exc
    finally:
        if meter is not None:
            meter.finish()
        _resume_collector()
    for skipped in (*result.excluded, *result.skipped):
        shown = _rel(skipped.path, result.root) + ("/" * os.path.isdir(skipped.path))
        if skipped.notice:  # a file too large, or a named file not scanned: a gap in
            # what was checked that must not take -v to notice (also under -q)
            click.echo(f"iaclint: warning: skipped {shown}: {skipped.reason}", err=True)
        else:
            log(f"skipped {shown}: {skipped.reason}")
    return result, config


def _compare(options: ScanOptions, comparison: Compare, stack: contextlib.ExitStack,
             log: Callable[[str], None]) -> ScanResult:
    from linter import new_since
    from linter.gitstate import GitError

    try:
        return new_since.run(options, ref=comparison.ref, staged=comparison.staged,
                             changed_lines_only=comparison.changed_lines_only, stack=stack,
                             log=log)
    except GitError as exc:
        raise UsageFailure(str(exc)) from exc


def _baseline(path: str) -> frozenset[str]:
    from linter.baseline import BaselineError, read

    try:
        return frozenset(e.fingerprint for e in read(path))
    except BaselineError as exc:
        raise UsageFailure(str(exc)) from exc


_INPUTS = ("config_path", "enable", "disable", "exclude", "rules_dir", "tf_vars",
           "tf_var_files", "cfn_params", "cfn_param_files", "include_partial_wildcards",
           "max_file_size", "max_total_size", "root")


def _scan_inputs(command: click.Command) -> click.Command:
    """Give a command the inputs of `scan` (the same Parameter objects, so the two can
    never disagree on what a baseline was made from) and optional PATHS, default '.'."""
    shared = [p for p in scan.params if p.name in _INPUTS]
    command.params[:0] = [click.Argument(["paths"], nargs=-1, type=click.Path(path_type=str)),
                          *shared]
    return command


@cli.group()
def baseline() -> None:
    """Record today's findings so that only new ones count (see README)."""


@_scan_inputs
@baseline.command(name="create")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False),
              help="Baseline file to write (default: `baseline` in the configuration, "
                   "else .iaclint-baseline.json).")
@click.option("-v", "--verbose", is_flag=True, help="Say which configuration is used.")
def baseline_create(paths: tuple[str, ...], output: str | None, verbose: bool,
                    **inputs: Any) -> None:
    """Scan PATHS (default: .) and record every counted finding in a baseline file."""
    from linter.baseline import DEFAULT_NAME, entries_for
    from linter.identity import IdentityRoots

    log = _logger(verbose)
    result, config = _execute(paths=paths or (".",), fail_on=None, log=log,
                              use_baseline=False, **inputs)
    target = output or config.baseline or DEFAULT_NAME
    _refuse_incomplete(result, f"baseline {target}")
    entries = entries_for(result.findings, IdentityRoots(result.root))
    _write_file(target, entries)
    skipped = sum(1 for f in result.findings if f.rule_id == "IAC000")
    note = f" ({plural(skipped, 'parse error')} not recorded: fix them)" if skipped else ""
    click.echo(f"wrote {plural(len(entries), 'finding')} to {target}{note}")


@_scan_inputs
@baseline.command(name="prune")
@click.option("--baseline", "baseline_path", type=click.Path(dir_okay=False),
              help="Baseline file to prune in place (default: `baseline` in the "
                   "configuration, else .iaclint-baseline.json).")
@click.option("-v", "--verbose", is_flag=True, help="Name each entry removed.")
def baseline_prune(paths: tuple[str, ...], baseline_path: str | None, verbose: bool,
                   **inputs: Any) -> None:
    """Drop baseline entries that no finding has any more (scan PATHS, default: .)."""
    from linter.baseline import DEFAULT_NAME, BaselineError, read

    paths = paths or (".",)
    files = [p for p in paths if not Path(p).is_dir()]
    if files:
        raise UsageFailure("baseline prune needs directories (a file scan cannot tell that "
                           f"an entry is gone): {', '.join(files)}")
    log = _logger(verbose)
    config = _config(inputs["config_path"], paths, lambda _m: None, inputs["root"])
    target = baseline_path or config.baseline or DEFAULT_NAME
    try:
        entries = read(target)
    except BaselineError as exc:
        raise UsageFailure(str(exc)) from exc
    result, _ = _execute(paths=paths, fail_on=None, log=log, baseline_path=target, **inputs)
    _refuse_incomplete(result, f"baseline {target}")
    stale = set(result.stale_baseline)
    kept = [e for e in entries if e.fingerprint not in stale]
    for e in entries:
        if e.fingerprint in stale:
            log(f"removed {e.rule_id} {e.file} {e.address}")
    _write_file(target, kept)
    click.echo(f"removed {len(entries) - len(kept)} of {plural(len(entries), 'entry')} "
               f"from {target}")


@_scan_inputs
@cli.command(name="graph", epilog="""\b
Exit codes:
  0  the graph was written
  2  usage, path, configuration or output error, or no resource matches --focus
  3  internal error: a rule or adapter of iaclint raised (the graph is still written)
""")
@click.option("-f", "--format", "fmt", type=click.Choice(["mermaid", "dot"]),
              default="mermaid", show_default=True,
              help="Mermaid (paste into GitHub Markdown) or Graphviz DOT.")
@click.option("--focus", metavar="ADDRESS",
              help="Only the resources with this address (Terraform address or "
                   "CloudFormation logical ID) and their neighbours.")
@click.option("--depth", type=click.IntRange(min=0), default=1, show_default=True,
              help="How many references away from --focus to draw.")
@click.option("--findings-only", is_flag=True,
              help="Only the resources on findings' paths (the finding's resource and "
                   "every place its rule named) and the references between them.")
@click.option("--fence", is_flag=True,
              help="Wrap Mermaid output in a ```mermaid block (ready for a comment).")
@click.option("-o", "--output", "output", type=click.Path(dir_okay=False),
              help="Write the graph to FILE instead of standard output.")
@click.option("-v", "--verbose", is_flag=True, help="Say which configuration is used.")
def graph(paths: tuple[str, ...], fmt: str, focus: str | None, depth: int,
          findings_only: bool, fence: bool, output: str | None, verbose: bool,
          **inputs: Any) -> None:
    """Draw the resource graph of PATHS (default: .): resources grouped by kind, an
    arrow from each resource to the resources it references; findings marked."""
    from linter.graph_export import FocusNotFound, select
    from linter.outputs import write_atomic
    from linter.reporters import graph_dot, graph_mermaid

    if fence and fmt != "mermaid":
        raise UsageFailure("--fence applies to --format mermaid only")
    planned = [Output(fmt, output, "-o/--output")] if output is not None else []
    # The configuration's baseline applies as in `scan`: accepted findings are not marked.
    result, _ = _execute(paths=paths or (".",), fail_on=None, log=_logger(verbose),
                         before=lambda: _prepare_outputs(planned), **inputs)
    try:
        drawing = select(result.graph, result.findings, result.root, focus=focus,
                         depth=depth, findings_only=findings_only)
    except FocusNotFound as exc:
        raise UsageFailure(str(exc)) from exc
    text = (graph_dot.render(drawing) if fmt == "dot"
            else graph_mermaid.render(drawing, fence=fence))
    if output is None:
        click.echo(text, nl=False)
    else:
        try:
            write_atomic(output, text)
        except OutputError as exc:
            raise UsageFailure(str(exc)) from exc
    if fmt == "mermaid" and (too_big := graph_mermaid.beyond_github(drawing, text)):
        click.echo(f"iaclint: warning: {too_big}; GitHub will not render it: narrow it "
                   "with --focus or --findings-only", err=True)
    if result.errors:
        click.echo(f"iaclint: warning: {plural(len(result.errors), 'file')} did not parse; "
                   "their resources are not in the graph", err=True)
    _report_internal(result)
    if result.incomplete:
        click.echo("iaclint: the graph is incomplete because of an internal error "
                   f"(exit code {EXIT_INTERNAL})", err=True)
        click.get_current_context().exit(EXIT_INTERNAL)


def _write_file(path: str, entries: Sequence[Any]) -> None:
    from linter.baseline import dumps
    from linter.outputs import write_atomic

    try:
        write_atomic(path, dumps(entries))
    except OutputError as exc:
        raise UsageFailure(str(exc)) from exc


def plural(n: int, word: str) -> str:
    if n == 1:
        return f"1 {word}"
    return f"{n} {word[:-1] + 'ies' if word.endswith('y') else word + 's'}"


@cli.command(name="rules")
@click.option("-f", "--format", "fmt", type=click.Choice(["text", "json"]), default="text",
              show_default=True, help="Output format.")
@click.option("--rules-dir", multiple=True, type=click.Path(file_okay=False))
def list_rules(fmt: str, rules_dir: tuple[str, ...]) -> None:
    """List every rule, IAC000 included: ID, category, severity, title."""
    from linter.docs import rule_line, rule_record

    rules = _all_rules(rules_dir)
    if fmt == "json":
        click.echo(json.dumps([rule_record(r) for r in rules], indent=2))
        return
    for rule in rules:
        click.echo(rule_line(rule))


@cli.command()
@click.argument("rule_id")
@click.option("--rules-dir", multiple=True, type=click.Path(file_okay=False))
def explain(rule_id: str, rules_dir: tuple[str, ...]) -> None:
    """Print one rule in full, with its examples."""
    from linter.docs import explain_rule

    rules = _all_rules(rules_dir)
    rule = next((r for r in rules if r.id.upper() == rule_id.strip().upper()), None)
    if rule is None:
        hint = suggestion(rule_id.upper(), [r.id for r in rules])
        raise UsageFailure(f"unknown rule {rule_id!r}; {hint}")
    click.echo(explain_rule(rule))


@cli.group(name="config")
def config_group() -> None:
    """Configuration helpers."""


@config_group.command(name="schema")
def config_schema() -> None:
    """Print the configuration JSON Schema."""
    from linter.config import schema_text

    click.echo(schema_text(), nl=False)


def _plan_outputs(fmt: Sequence[str], output: Sequence[str],
                  extra: dict[str, Sequence[str]]) -> list[Output]:
    from linter.outputs import plan

    files = {f: v for f, values in extra.items()
             if (v := _once(values, OUTPUT_FLAGS[f])) is not None}
    try:
        return plan(_once(fmt, "-f/--format") or "text", _once(output, "-o/--output"), files)
    except OutputError as exc:
        raise UsageFailure(str(exc)) from exc


def _prepare_outputs(planned: Sequence[Output]) -> None:
    from linter.outputs import prepare

    try:
        for out in planned:
            if out.path is not None:
                prepare(out.path)
    except OutputError as exc:
        raise UsageFailure(str(exc)) from exc


def _write_outputs(planned: Sequence[Output], result: ScanResult, *, color: bool | None,
                   quiet: bool, log: Callable[[str], None],
                   show_suppressed: bool = False) -> list[str]:
    """Standard output gets colour (when wanted) and --quiet; files get the full
    report, coloured only when --color was asked for the primary output. A reporter
    that crashes loses its own report only: the others are still written; the
    crashed ones are returned (e.g. "the sarif report to out.sarif")."""
    from linter.outputs import write_atomic
    from linter.reporters import render

    crashed: list[str] = []
    for out in planned:
        where = f"the {out.fmt} report to {out.path or 'standard output'}"
        use_color = _use_color(color) if out.path is None else bool(color) and out is planned[0]
        try:
            report = render(out.fmt, result, color=use_color,
                            quiet=quiet and out.path is None, show_suppressed=show_suppressed)
        except Exception as exc:
            what = traceback.format_exception_only(type(exc), exc)[-1].strip()
            click.echo(f"iaclint: internal error in the {out.fmt} reporter: {what}; "
                       f"{where} was not written (a bug in iaclint):\n"
                       f"{traceback.format_exc().rstrip()}", err=True)
            crashed.append(where)
            continue
        if out.path is None:
            click.echo(report, nl=False, color=use_color)
            continue
        try:
            write_atomic(out.path, report)
        except OutputError as exc:
            raise UsageFailure(str(exc)) from exc
        log(f"wrote {out.fmt} report to {out.path}")
    from linter.outputs import append_step_summary

    try:  # a summary that cannot be written is worth a warning, never a failed scan
        if (summary := append_step_summary(planned, result, os.environ)) is not None:
            log(f"appended the job summary to {summary}")
    except OutputError as exc:
        click.echo(f"iaclint: warning: no job summary: {exc}", err=True)
    return crashed


def _all_rules(rules_dirs: Sequence[str]) -> list[Rule]:
    try:
        return all_rules(rules_dirs)
    except RuleLoadError as exc:
        raise UsageFailure(str(exc)) from exc


def _logger(enabled: bool) -> Callable[[str], None]:
    """`-v` messages go to stderr, so they never mix with a report on stdout."""

    def log(message: str) -> None:
        if enabled:
            click.echo(message, err=True)

    return log


def _use_color(color: bool | None) -> bool:
    """--color/--no-color wins; else NO_COLOR (any non-empty value, no-color.org)
    turns colour off; else colour when stdout is a terminal."""
    if color is not None:
        return color
    if os.environ.get("NO_COLOR"):
        return False
    return sys.stdout.isatty()


def _config(config_path: str | None, paths: Sequence[str],
            log: Callable[[str], None], root: str | None = None) -> Config:
    try:
        if config_path:
            config = load_config(config_path)
            log(f"using configuration {describe(config_path)} (from --config)")
            return config
        from linter.runner import scan_root

        start = Path(paths[0]) if paths else Path.cwd()
        # Up to the repository root; outside one, no higher than the scan root.
        found = find_config(start, Path(root) if root else Path(scan_root(list(paths))))
        if found is None:
            log("no configuration file found; using defaults")
            return Config()
        config = load_config(found)
        log(f"using configuration {describe(found)}")
        return config
    except ConfigError as exc:
        raise UsageFailure(str(exc)) from exc


def _apply_options(config: Config, rules: Sequence[Rule], *, fail_on: str | None,
                   enable: Sequence[str], disable: Sequence[str], exclude: Sequence[str],
                   include_partial_wildcards: bool | None) -> None:
    """Command-line options on top of the configuration file, after checking that
    every rule ID or category named in either exists."""
    try:
        where = config.path or "configuration"
        for key, refs in config_refs(config):
            check_refs(refs, rules, f"{where}: {key}")
        check_refs(enable, rules, "--enable")
        check_refs(disable, rules, "--disable")
    except UnknownRuleError as exc:
        raise UsageFailure(str(exc)) from exc
    if fail_on:
        config.fail_on = Severity.parse(fail_on)
    if enable:
        config.enable = {normalize(e) for e in enable}
    config.disable |= {normalize(d) for d in disable}
    config.exclude = [*config.exclude, *exclude]
    if include_partial_wildcards is not None:
        config.include_partial_wildcards = include_partial_wildcards


def _rel(path: str, root: str) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit code. Click's own usage errors are 2; any
    exception that escaped everything else is a bug: one line saying so, the
    traceback, and exit code 3 (never a bare traceback and Python's exit code 1,
    which would read as "findings")."""
    try:
        rv = cli.main(args=list(argv) if argv is not None else None, prog_name="iaclint",
                      standalone_mode=False)
    except click.exceptions.Exit as exc:
        return int(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        return EXIT_USAGE
    except click.exceptions.Abort:
        click.echo("Aborted!", err=True)
        return EXIT_USAGE
    except Exception as exc:
        summary = traceback.format_exception_only(type(exc), exc)[-1].strip()
        click.echo(f"iaclint: internal error: {summary} (a bug in iaclint; please report "
                   "it with the traceback below)", err=True)
        click.echo(traceback.format_exc().rstrip(), err=True)
        return EXIT_INTERNAL
    return rv if isinstance(rv, int) else EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
