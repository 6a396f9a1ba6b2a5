"""Time what the pre-commit hook runs on a one-file commit, and print the figures.

Usage: python scripts/benchmark_precommit.py [MODULE_DIR ...] [--repeat N]
Default: every module repository under ../shared/corpus/terraform.

Each module is copied into a temporary git repository and committed; one file
then gets a small change and is staged, and the hook's command (`iaclint scan
--staged --new-since HEAD FILE`) runs as a subprocess: the first run with an
empty parse cache (cold), the next ones warm. Two files are tried: the root
`main.tf` (every example and wrapper that calls the root module is re-checked)
and the first example's `main.tf` (a leaf nobody calls). The plain `iaclint scan
FILE` is timed for comparison.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "terraform"
CHANGE = '\nlocals {\n  iaclint_benchmark = "changed"\n}\n'


def _git(cwd: Path, *args: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="b", GIT_AUTHOR_EMAIL="b@example.com",
               GIT_COMMITTER_NAME="b", GIT_COMMITTER_EMAIL="b@example.com",
               GIT_CONFIG_GLOBAL=os.devnull)
    subprocess.run(["git", *args], cwd=cwd, env=env, check=True, capture_output=True)


def _timed(cwd: Path, args: list[str], env: dict[str, str]) -> tuple[float, int]:
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-m", "linter.cli", *args], cwd=cwd, env=env,
                          capture_output=True, check=False)
    return time.perf_counter() - started, proc.returncode


def bench(module: Path, changed: str, repeat: int) -> str:
    with tempfile.TemporaryDirectory(prefix="iaclint-bench-") as tmp:
        work = Path(tmp, module.name)
        shutil.copytree(module, work, ignore=shutil.ignore_patterns(".git", ".terraform"))
        _git(work, "init", "-q")
        _git(work, "add", "-A")
        _git(work, "commit", "-q", "-m", "base")
        target = work / changed
        target.write_text(target.read_text(encoding="utf-8") + CHANGE, encoding="utf-8")
        _git(work, "add", changed)
        env = dict(os.environ, IACLINT_CACHE_DIR=str(Path(tmp, "cache")))
        hook = ["scan", "--staged", "--new-since", "HEAD", changed, "-q"]
        cold, code = _timed(work, hook, env)
        warm = [_timed(work, hook, env)[0] for _ in range(repeat)]
        plain = [_timed(work, ["scan", changed, "-q"], env)[0] for _ in range(repeat)]
        files = sum(1 for _ in work.rglob("*.tf"))
        return (f"{module.name:30} {files:4d} .tf {changed:32} hook cold {cold:5.2f} s  "
                f"warm median {statistics.median(warm):5.2f} s (min {min(warm):.2f})  "
                f"plain scan {statistics.median(plain):5.2f} s  exit {code}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", type=Path)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args(argv)
    modules = args.modules or sorted(p for p in CORPUS.glob("*") if (p / "main.tf").is_file())
    if not modules:
        print("no module found (../shared/corpus is absent)", file=sys.stderr)
        return 2
    for module in modules:
        examples = sorted(module.glob("examples/*/main.tf"))
        for changed in ["main.tf", *(str(p.relative_to(module)) for p in examples[:1])]:
            print(bench(module, changed, max(args.repeat, 1)), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
