"""Time and peak memory of scanning issue 12's hostile files.

    python scripts/benchmark_hostile.py [--big-mb 50]

Builds tests/hostile_tree.py's directory in a temporary directory (tmpfs when
there is one), scans it whole once, then each hostile file alone, and prints wall
seconds and the scan process's peak resident memory (from wait4, so one child at a
time). The goal (issue 12): the whole directory within 30 s and 1 GiB.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.hostile_tree import build  # noqa: E402


def measure(args: list[str], cwd: Path, cache: Path) -> tuple[float, float, int]:
    """Wall seconds, peak MiB and exit code of one `iaclint` run using `cache`."""
    env = {**os.environ, "IACLINT_CACHE_DIR": str(cache)}
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, "-m", "linter.cli", *args], cwd=cwd, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - start
    return wall, usage.ru_maxrss / 1024, os.waitstatus_to_exitcode(status)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--big-mb", type=int, default=50, help="size of the huge .tf file")
    options = parser.parse_args(argv)
    base = "/dev/shm" if os.path.isdir("/dev/shm") else None
    with tempfile.TemporaryDirectory(dir=base) as tmp:
        scan, expect, sockets = build(Path(tmp), big_mb=options.big_mb)
        cache = Path(tmp) / "cache"  # empty: the first scan is cold
        try:
            for state in ("cold", "warm"):
                wall, peak, code = measure(["scan", str(scan), "-f", "json"], Path(tmp), cache)
                print(f"whole directory ({len(expect)} cases, {state} cache): {wall:6.2f} s  "
                      f"{peak:7.1f} MiB  exit {code}")
            print(f"{'case (alone, warm)':24} {'expect':8} {'seconds':>8} {'peak MiB':>9} exit")
            for name, want in sorted(expect.items()):
                wall, peak, code = measure(["scan", str(scan / name), "-f", "json"], Path(tmp),
                                           cache)
                print(f"{name:24} {want.kind:8} {wall:8.2f} {peak:9.1f} {code}")
        finally:
            for sock in sockets:
                sock.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
