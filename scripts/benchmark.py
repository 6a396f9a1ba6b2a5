"""Benchmark iaclint on the shared corpus and print the figures.

Usage: python scripts/benchmark.py [PATH ...] [--repeat N]
Default paths: ../shared/corpus/terraform and ../shared/corpus/cloudformation.
Speed is reported here, never asserted in tests.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from linter.config import Config
from linter.registry import load_rules
from linter.runner import ScanOptions, scan

REPO = Path(__file__).resolve().parents[1]
DEFAULT = [REPO.parent / "shared" / "corpus" / "terraform",
           REPO.parent / "shared" / "corpus" / "cloudformation"]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args(argv)
    paths = args.paths or [p for p in DEFAULT if p.exists()]
    if not paths:
        print("no corpus found (../shared/corpus is absent)", file=sys.stderr)
        return 2
    rules = load_rules()
    for path in paths:
        # The first run starts from an empty parse cache (cold); later runs reuse it,
        # as a developer's repeated scans and pre-commit runs do.
        with tempfile.TemporaryDirectory() as cache:
            os.environ["IACLINT_CACHE_DIR"] = cache
            started = time.perf_counter()
            result = scan(ScanOptions(paths=[str(path)], config=Config(), rules=rules))
            cold = time.perf_counter() - started
            totals: list[float] = []
            for _ in range(max(args.repeat, 1)):
                started = time.perf_counter()
                result = scan(ScanOptions(paths=[str(path)], config=Config(), rules=rules))
                totals.append(time.perf_counter() - started)
            cli_cold, cli_warm = _cli_times(path, cache, args.repeat)
        by_rule = Counter(f.rule_id for f in result.findings)
        stats = result.stats
        print(f"== {path}")
        print(f"files scanned      {len(result.files)}  (skipped {len(result.skipped)})")
        print(f"parse errors       {len(result.errors)}")
        print(f"graph nodes        {len(result.graph)}")
        for key in sorted(k for k in stats if not k.endswith("_seconds") and k != "nodes"):
            print(f"{key:<18} {int(stats[key])}")
        print(f"findings           {len(result.findings)}  "
              + " ".join(f"{k}={v}" for k, v in sorted(by_rule.items())))
        print(f"time (last run)    load {stats['load_seconds']:.2f}s  "
              f"graph {stats['graph_seconds']:.2f}s  rules {stats['rules_seconds']:.2f}s")
        print(f"cold (empty cache) {cold:.2f}s  ({len(result.files) / cold:.0f} files/s)")
        print(f"warm, {len(totals)} runs     min {min(totals):.2f}s  "
              f"median {statistics.median(totals):.2f}s  "
              f"({len(result.files) / min(totals):.0f} files/s)  [in-process]")
        print(f"CLI (new process)  cold {cli_cold:.2f}s  warm min {min(cli_warm):.2f}s  "
              f"median {statistics.median(cli_warm):.2f}s")
    return 0


def _cli_times(path: Path, cache: str, repeat: int) -> tuple[float, list[float]]:
    """Wall time of `iaclint scan PATH` in a new process, as users run it."""
    cmd = [sys.executable, "-m", "linter.cli", "scan", str(path), "-o", os.devnull]

    def once(cache_dir: str) -> float:
        started = time.perf_counter()
        subprocess.run(cmd, env=dict(os.environ, IACLINT_CACHE_DIR=cache_dir), check=False)
        return time.perf_counter() - started

    with tempfile.TemporaryDirectory() as empty:
        cold = once(empty)
    return cold, [once(cache) for _ in range(max(repeat, 1))]


if __name__ == "__main__":
    sys.exit(main())
