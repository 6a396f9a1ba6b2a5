"""How fast and how lean is iaclint, measured against the cost of parsing alone? (issue 13)

    python scripts/benchmark.py [--repeat N] [--quick] [--peers] [--json] [--corpus DIR]

Seconds on their own say little: they change with the machine. So every figure is
also given as a ratio to a floor measured in the same run on the same machine: the
bare python-hcl2 parse of every `.tf` file of the Terraform corpus, serially, in a
fresh process ("ratio = x / bare python-hcl2"). Next to it: the tree-sitter parse
alone and iaclint's tree-sitter front end alone (what a scan could cost at best),
then the `iaclint scan` CLI, each run in its own new process as users run it, cold
(empty cache, as after install) and repeated (same cache), on the Terraform corpus,
on one .tf file and on CloudFormation. Peak memory is the child's own ru_maxrss
(os.wait4 on its pid). The goals of issue 13 are printed with PASS or MISS, judged
on the median of --repeat runs.

IACLINT_HCL_FRONTEND (lark or tree-sitter) is passed through to every iaclint
process, to compare front ends. --peers also times checkov and cfn-lint when they
are installed (checkov takes minutes on the Terraform corpus, so it is off by
default). --json prints the figures as JSON on stdout, the table on stderr.
Speed is reported here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
DEFAULT_CORPUS = REPO.parent / "shared" / "corpus"
ONE_TF = REPO / "fixtures" / "rules" / "IAC001" / "terraform" / "bad" / "main.tf"
ONE_CFN = REPO / "fixtures" / "cloudformation" / "network.yaml"  # no Conditions section
SCRATCH = "/dev/shm" if os.path.isdir("/dev/shm") else None
CFN_SUFFIXES = (".yaml", ".yml", ".json", ".template")

# Child programs: argv[1] is a directory; each parses its sorted .tf files serially
# and prints {"files", "failed", "seconds"} (seconds of parsing, without start-up).
_CHILD_PROLOGUE = """
import json, sys, time
from pathlib import Path
files = sorted(Path(sys.argv[1]).rglob("*.tf"))
texts = [(f.read_text(encoding="utf-8-sig"), f.read_bytes()) for f in files]
failed = 0
started = time.perf_counter()
"""
_CHILD_EPILOGUE = """
print(json.dumps({"files": len(files), "failed": failed,
                  "seconds": time.perf_counter() - started}))
"""
PARSERS: dict[str, str] = {
    "python-hcl2": """
import hcl2
for text, _ in texts:
    try:
        hcl2.loads(text)
    except Exception:
        failed += 1
""",
    "tree-sitter": """
from tree_sitter import Language, Parser
import tree_sitter_hcl
parser = Parser(Language(tree_sitter_hcl.language()))
for _, data in texts:
    failed += parser.parse(data).root_node.has_error
""",
    "front-end": """
from linter.loaders.hcl_treesitter import parse_hcl_body
for text, _ in texts:
    failed += parse_hcl_body(text) is None
""",
}


@dataclass
class Run:
    """One child process: wall seconds, peak resident MiB, exit code."""

    seconds: float
    peak_mib: float
    code: int


@dataclass
class Series:
    """Repeated runs of one command; goals are judged on the median."""

    runs: list[Run] = field(default_factory=list)

    @property
    def min(self) -> float:
        return min(r.seconds for r in self.runs)

    @property
    def median(self) -> float:
        return statistics.median(r.seconds for r in self.runs)

    @property
    def peak_mib(self) -> float:
        return max(r.peak_mib for r in self.runs)

    def as_dict(self) -> dict[str, Any]:
        return {"min_seconds": round(self.min, 4), "median_seconds": round(self.median, 4),
                "peak_mib": round(self.peak_mib, 1), "runs": len(self.runs),
                "exit_codes": sorted({r.code for r in self.runs})}


def measure(cmd: Sequence[str], env: dict[str, str] | None = None) -> tuple[Run, str]:
    """Run `cmd` in its own process (cwd = this worktree, so its `linter` is imported);
    return its wall time, its own peak RSS (wait4) and exit code, and its stdout."""
    with tempfile.TemporaryFile(dir=SCRATCH) as out:
        started = time.perf_counter()
        proc = subprocess.Popen(list(cmd), cwd=REPO, env=env or dict(os.environ),
                                stdout=out, stderr=subprocess.DEVNULL)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        text = out.read().decode("utf-8", "replace")
    return Run(seconds, usage.ru_maxrss / 1024, proc.returncode), text


def parse_alone(parser: str, corpus: Path) -> tuple[Run, dict[str, Any]]:
    """Parse every .tf file under `corpus` with one parser in a fresh process."""
    code = _CHILD_PROLOGUE + PARSERS[parser] + _CHILD_EPILOGUE
    run, out = measure([sys.executable, "-c", code, str(corpus)])
    if run.code != 0 or not out.strip():
        raise RuntimeError(f"{parser} parse child failed (exit {run.code})")
    return run, dict(json.loads(out.strip().splitlines()[-1]))


def scan_cmd(path: Path, *extra: str) -> list[str]:
    return [sys.executable, "-m", "linter.cli", "scan", str(path), *extra]


def cache_env(cache: Path) -> dict[str, str]:
    return {**os.environ, "IACLINT_CACHE_DIR": str(cache)}


def scan_series(path: Path, scratch: Path, repeat: int) -> tuple[Series, Series, Path]:
    """`repeat` cold scans (each with a new empty cache dir), then `repeat` scans
    reusing the last cold run's cache; returns both and that cache dir."""
    cold, warm = Series(), Series()
    cache = scratch
    for _ in range(repeat):
        cache = Path(tempfile.mkdtemp(dir=scratch))
        cold.runs.append(measure(scan_cmd(path, "-o", os.devnull), cache_env(cache))[0])
    for _ in range(repeat):
        warm.runs.append(measure(scan_cmd(path, "-o", os.devnull), cache_env(cache))[0])
    return cold, warm, cache


def findings_by_rule(path: Path, cache: Path) -> tuple[int, Counter[str]]:
    """Files scanned and findings per rule, from an untimed `-f json` scan."""
    _, out = measure(scan_cmd(path, "-f", "json"), cache_env(cache))
    report = json.loads(out)
    return (int(report["summary"]["files_scanned"]),
            Counter(str(f["rule_id"]) for f in report["findings"]))


def cfn_templates(corpus: Path) -> list[Path]:
    return sorted(p for p in corpus.rglob("*") if p.suffix in CFN_SUFFIXES and p.is_file())


def find_tool(name: str) -> str | None:
    """`name` on PATH, beside this interpreter, or in a scratch venv under /work."""
    found = shutil.which(name) or shutil.which(name, path=str(Path(sys.executable).parent))
    if found:
        return found
    for candidate in sorted(Path("/work").glob("*venv*/bin/" + name)):
        if os.access(candidate, os.X_OK):
            return str(candidate)
    return None


class Report:
    """The printed table (stdout, or stderr with --json) and the JSON figures."""

    def __init__(self, as_json: bool) -> None:
        self.out = sys.stderr if as_json else sys.stdout
        self.figures: dict[str, Any] = {}
        self.floor: float | None = None
        self.goals: list[tuple[str, bool]] = []

    def line(self, text: str = "") -> None:
        print(text, file=self.out, flush=True)

    def ratio(self, seconds: float) -> str:
        return f"{seconds / self.floor:6.3f}x" if self.floor else "     n/a"

    def row(self, key: str, label: str, series: Series, goals: str = "",
            peer: bool = False) -> None:
        self.figures[key] = series.as_dict()
        if self.floor:
            self.figures[key]["ratio_to_bare_hcl2"] = round(series.median / self.floor, 4)
        times = (f"{series.min:7.2f} {series.median:7.2f}" if len(series.runs) > 1
                 else f"{series.min:7.2f} {'':7}")
        codes = set() if peer else {r.code for r in series.runs} - {0, 1}
        bad = f"  (exit {sorted(codes)})" if codes else ""
        self.line(f"  {label:<44}{times} {series.peak_mib:8.1f} {self.ratio(series.median)}"
                  f"  {goals}{bad}".rstrip())

    def goal(self, name: str, value: float | None, limit: float, unit: str) -> str:
        """'goal <= 0.15x PASS' (or MISS, or n/a when the figure is missing)."""
        if value is None:
            self.figures.setdefault("goals", {})[name] = None
            return f"[<= {limit:g}{unit}: n/a without the floor]"
        passed = value <= limit
        self.goals.append((name, passed))
        self.figures.setdefault("goals", {})[name] = {
            "value": round(value, 4), "limit": limit, "pass": passed}
        return f"[<= {limit:g}{unit} {'PASS' if passed else 'MISS'}]"

    def header(self) -> None:
        self.line(f"  {'':<44}{'min s':>7} {'median':>7} {'peak MiB':>8} {'ratio':>7}")


def frontend_label() -> str:
    value = os.environ.get("IACLINT_HCL_FRONTEND", "").strip()
    return f"{value} (IACLINT_HCL_FRONTEND={value})" if value else \
        "default (IACLINT_HCL_FRONTEND unset)"


def bench_floor(rep: Report, tf: Path, quick: bool) -> None:
    """The bare python-hcl2 parse (the floor), tree-sitter and the front end alone."""
    parsers = [("tree-sitter", "tree-sitter parse alone"),
               ("front-end", "iaclint tree-sitter front end alone")]
    if not quick:
        parsers.insert(0, ("python-hcl2", "bare python-hcl2 parse (floor)"))
    for key, label in parsers:
        run, info = parse_alone(key, tf)
        if key == "python-hcl2":
            rep.floor = run.seconds
        series = Series([run])
        rep.row(f"parse_{key}", label, series,
                f"parse {info['seconds']:.2f}s, {info['failed']} of {info['files']} "
                + ("left to Lark" if key == "front-end" else "failed"))
        rep.figures[f"parse_{key}"].update(info)
    if quick:
        rep.line("  (bare python-hcl2 floor skipped: --quick; ratios are n/a)")


def bench_tf_corpus(rep: Report, tf: Path, scratch: Path, repeat: int) -> None:
    cold, warm, cache = scan_series(tf, scratch, repeat)
    floor = rep.floor
    rep.row("tf_corpus_cold", "iaclint scan, cold (empty cache)", cold,
            rep.goal("tf_cold_ratio", floor and cold.median / floor, 0.15, "x"))
    rep.row("tf_corpus_repeat", "iaclint scan, repeat (same cache)", warm,
            rep.goal("tf_repeat_ratio", floor and warm.median / floor, 0.1, "x"))
    peak = max(cold.peak_mib, warm.peak_mib)
    rep.line(f"  {'peak memory, Terraform corpus':<44}{peak:24.1f} MiB        "
             + rep.goal("tf_peak_mib", peak, 150, " MiB"))
    findings_line(rep, "tf_corpus", tf, cache)


def bench_one_tf(rep: Report, scratch: Path, repeat: int) -> None:
    cold, warm, _ = scan_series(ONE_TF, scratch, repeat)
    rep.row("one_tf_first_run", "first run after install (empty cache)", cold,
            rep.goal("one_tf_seconds", cold.median, 0.3, " s") + " "
            + rep.goal("one_tf_mib", cold.peak_mib, 60, " MiB"))
    rep.row("one_tf_warm", "warm (same cache)", warm)


def bench_cfn(rep: Report, cfn: Path, scratch: Path, repeat: int) -> None:
    one, _, _ = scan_series(ONE_CFN, scratch, repeat)
    rep.row("one_cfn", f"one template ({ONE_CFN.name}, no conditions)", one,
            rep.goal("one_cfn_seconds", one.median, 0.4, " s"))
    corpus, _, cache = scan_series(cfn, scratch, repeat)
    rep.row("cfn_corpus", "CloudFormation corpus", corpus,
            rep.goal("cfn_corpus_seconds", corpus.median, 1.5, " s"))
    findings_line(rep, "cfn_corpus", cfn, cache)


def findings_line(rep: Report, key: str, path: Path, cache: Path) -> None:
    files, by_rule = findings_by_rule(path, cache)
    rep.figures[f"{key}_findings"] = {"files_scanned": files,
                                      "by_rule": dict(sorted(by_rule.items()))}
    rep.line(f"  files scanned {files}, findings {sum(by_rule.values())}: "
             + " ".join(f"{k}={v}" for k, v in sorted(by_rule.items())))


def bench_peers(rep: Report, tf: Path, cfn: Path) -> None:
    """checkov on both corpora and cfn-lint on the CloudFormation one, once each."""
    checkov, cfn_lint = find_tool("checkov"), find_tool("cfn-lint")
    env = {**os.environ, "BC_SKIP_MAPPING": "TRUE"}
    Job = tuple[str, str, str, str | None, Callable[[str], list[str]], dict[str, str]]
    jobs: list[Job] = [
        ("checkov_tf", "checkov, Terraform corpus", "tf_corpus_cold", checkov,
         lambda exe: [exe, "-d", str(tf), "--skip-download", "--quiet", "--compact"], env),
        ("checkov_cfn", "checkov, CloudFormation corpus", "cfn_corpus", checkov,
         lambda exe: [exe, "-d", str(cfn), "--skip-download", "--quiet", "--compact"], env),
        ("cfn_lint_cfn", "cfn-lint, CloudFormation corpus", "cfn_corpus", cfn_lint,
         lambda exe: [exe, *map(str, cfn_templates(cfn))], dict(os.environ)),
    ]
    for key, label, ours, exe, cmd, job_env in jobs:
        if exe is None:
            rep.line(f"  {label:<44}skipped: {label.split(',')[0]} is not installed "
                     "(not on PATH nor in /work/*venv*)")
            rep.figures[key] = None
            continue
        run, _ = measure(cmd(exe), job_env)
        mine = rep.figures[ours]["median_seconds"] / run.seconds
        rep.row(key, label, Series([run]),
                f"{exe}, exit {run.code}; iaclint ({ours}) = {mine:.3f}x this", peer=True)
        rep.figures[key]["iaclint_ratio"] = round(mine, 4)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs of each scan figure")
    parser.add_argument("--quick", action="store_true", help="skip the python-hcl2 floor")
    parser.add_argument("--peers", action="store_true", help="also time checkov and cfn-lint")
    parser.add_argument("--json", action="store_true", help="figures as JSON on stdout")
    parser.add_argument("--corpus", type=Path, default=DEFAULT_CORPUS,
                        help="folder with terraform/ and cloudformation/ (../shared/corpus)")
    args = parser.parse_args(argv)
    tf, cfn = args.corpus / "terraform", args.corpus / "cloudformation"
    if not tf.is_dir() or not cfn.is_dir():
        print(f"benchmark: no corpus at {args.corpus} (needs terraform/ and cloudformation/;"
              " the shared corpus lives in ../shared/corpus beside the repository)",
              file=sys.stderr)
        return 2
    repeat = max(args.repeat, 1)
    rep = Report(args.json)
    rep.figures.update(python=sys.version.split()[0], hcl_frontend=os.environ.get(
        "IACLINT_HCL_FRONTEND") or "default", repeat=repeat)
    rep.line(f"iaclint benchmark: Python {sys.version.split()[0]}, {os.cpu_count()} CPUs, "
             f"HCL front end {frontend_label()}, {repeat} run(s) per scan figure")
    rep.line("ratio = median seconds / bare python-hcl2 parse seconds; every figure is one "
             "new process, its wall time and its own peak RSS")
    n_tf = len(list(tf.rglob("*.tf")))
    with tempfile.TemporaryDirectory(dir=SCRATCH, prefix="iaclint-bench-") as tmp:
        scratch = Path(tmp)
        rep.line(f"\n== Terraform corpus {tf} ({n_tf} .tf files)")
        rep.header()
        bench_floor(rep, tf, args.quick)
        bench_tf_corpus(rep, tf, scratch, repeat)
        rep.line(f"\n== one .tf file {ONE_TF.relative_to(REPO)}")
        rep.header()
        bench_one_tf(rep, scratch, repeat)
        rep.line(f"\n== CloudFormation ({cfn}, {len(cfn_templates(cfn))} candidate files)")
        rep.header()
        bench_cfn(rep, cfn, scratch, repeat)
        rep.line("\n== peers")
        if args.peers:
            rep.header()
            bench_peers(rep, tf, cfn)
        else:
            rep.line("  checkov, cfn-lint: skipped (run with --peers; checkov takes minutes)")
    missed = [name for name, passed in rep.goals if not passed]
    rep.line(f"\ngoals: {len(rep.goals) - len(missed)} of {len(rep.goals)} met"
             + (f"; missed: {', '.join(missed)}" if missed else ""))
    if args.json:
        print(json.dumps(rep.figures, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
