"""Command line: `iaclint scan`, `iaclint rules`, `iaclint explain`.

`main(argv) -> int` never raises for user errors: exit 0 clean, 1 findings at
or above the failure threshold, 2 usage, path or configuration errors.
"""

from __future__ import annotations

import gc
import json
import sys
from collections.abc import Sequence
from pathlib import Path

import click

from linter import __version__
from linter.config import Config, ConfigError, find_config, load_config
from linter.model import Severity
from linter.registry import RuleLoadError, all_rules, load_rules
from linter.rule import Rule
from linter.selection import suggestion

EXIT_CLEAN, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
FORMATS = ("text", "json", "sarif", "github")
SEVERITY_CHOICES = click.Choice(["critical", "high", "medium", "low"], case_sensitive=False)


class UsageFailure(click.ClickException):
    exit_code = EXIT_USAGE


def _pairs(values: Sequence[str], option: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name.strip():
            raise UsageFailure(f"{option} expects NAME=VALUE, got {item!r}")
        out[name.strip()] = value
    return out


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "-V", "--version", prog_name="iaclint")
def cli() -> None:
    """Static analysis for AWS infrastructure code (Terraform, CloudFormation, IAM JSON)."""


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=str))
@click.option("-f", "--format", "fmt", type=click.Choice(FORMATS), default="text",
              show_default=True, help="Output format.")
@click.option("-o", "--output", type=click.Path(dir_okay=False, writable=True),
              help="Write the report to FILE instead of stdout.")
@click.option("-c", "--config", "config_path", type=click.Path(dir_okay=False),
              help="Configuration file (default: .iaclint.yaml in the scan root or a parent).")
@click.option("--fail-on", type=SEVERITY_CHOICES,
              help="Lowest severity that makes the exit code 1 (default: config, else low).")
@click.option("--disable", multiple=True, metavar="RULE_ID", help="Skip a rule (repeatable).")
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
@click.option("--root", type=click.Path(file_okay=False),
              help="Directory that reported paths are relative to (default: the working "
                   "directory, or the scanned paths' common parent when outside it).")
@click.option("--color/--no-color", default=None, help="Colour text output (default: on a tty).")
@click.option("-v", "--verbose", is_flag=True, help="Say which files were skipped and why.")
def scan(paths: tuple[str, ...], fmt: str, output: str | None, config_path: str | None,
         fail_on: str | None, disable: tuple[str, ...], rules_dir: tuple[str, ...],
         tf_vars: tuple[str, ...], tf_var_files: tuple[str, ...],
         cfn_params: tuple[str, ...], cfn_param_files: tuple[str, ...],
         include_partial_wildcards: bool | None, root: str | None, color: bool | None,
         verbose: bool) -> None:
    """Scan files and directories for risky AWS infrastructure."""
    from linter.reporters import render
    from linter.runner import ScanOptions, scan_root
    from linter.runner import scan as run_scan

    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise UsageFailure(f"path does not exist: {', '.join(missing)}")
    for f in (*tf_var_files, *cfn_param_files):
        if not Path(f).is_file():
            raise UsageFailure(f"file does not exist: {f}")
    config = _config(config_path, paths)
    if fail_on:
        config.fail_on = Severity.parse(fail_on)
    config.disable |= {d.upper() for d in disable}
    if include_partial_wildcards is not None:
        config.include_partial_wildcards = include_partial_wildcards
    try:
        rules = load_rules(rules_dir)
    except RuleLoadError as exc:
        raise UsageFailure(str(exc)) from exc
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
    # A scan allocates millions of small, long-lived objects (syntax trees, values)
    # and frees almost nothing until it ends: the cyclic collector only re-walks
    # them. Pausing it halves the wall time of a large scan for a few MB of memory.
    gc.disable()
    try:
        result = run_scan(options)
    finally:
        gc.enable()
    if verbose:
        for skipped in result.skipped:
            click.echo(f"skipped {_rel(skipped.path, result.root)}: {skipped.reason}", err=True)
    for rule_id, trace in result.rule_crashes:
        click.echo(f"iaclint: internal error in rule {rule_id} (other rules ran):\n{trace}",
                   err=True)
    use_color = color if color is not None else (output is None and sys.stdout.isatty())
    report = render(fmt, result, color=use_color)
    if output:
        Path(output).write_text(report, encoding="utf-8")
    else:
        click.echo(report, nl=False, color=use_color)
    ctx = click.get_current_context()
    ctx.exit(EXIT_FINDINGS if result.failed(config.fail_on) else EXIT_CLEAN)


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


def _all_rules(rules_dirs: Sequence[str]) -> list[Rule]:
    try:
        return all_rules(rules_dirs)
    except RuleLoadError as exc:
        raise UsageFailure(str(exc)) from exc


def _config(config_path: str | None, paths: Sequence[str]) -> Config:
    try:
        if config_path:
            return load_config(config_path)
        start = Path(paths[0]) if paths else Path.cwd()
        found = find_config(start)
        return load_config(found) if found else Config()
    except ConfigError as exc:
        raise UsageFailure(str(exc)) from exc


def _rel(path: str, root: str) -> str:
    try:
        return str(Path(path).relative_to(root))
    except ValueError:
        return path


def main(argv: Sequence[str] | None = None) -> int:
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
    return rv if isinstance(rv, int) else EXIT_CLEAN


if __name__ == "__main__":
    sys.exit(main())
