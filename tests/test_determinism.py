"""The same input gives byte-identical JSON, SARIF and text reports whatever the
working directory, the order the file system lists files in, PYTHONHASHSEED and the
parse cache's state (issue 12). iaclint has no worker-count option: the only other
process is `--new-since`'s base scan, whose result is a sorted fingerprint list.

Each report comes from a CLI run in a new process on a copy of fixtures/."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import FIXTURES, REPO

FORMATS = ("json", "sarif", "text")
#: what a timestamp in a report would look like (none may be written)
TIMESTAMP = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d")


def _copy(dst: Path, reverse: bool) -> Path:
    """fixtures/ copied file by file in sorted or reverse order (tmpfs and ext4 list
    a directory in an order that depends on creation)."""
    files = sorted(p for p in FIXTURES.rglob("*") if p.is_file())
    for src in reversed(files) if reverse else files:
        target = dst / src.relative_to(FIXTURES)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(src, target)
    return dst


def _scan(tree: Path, out: Path, *, cwd: Path, target: str, seed: str,
          cache: Path | None) -> dict[str, bytes]:
    out.mkdir(parents=True)
    env = dict(os.environ, PYTHONHASHSEED=seed, PYTHONPATH=str(REPO))
    env.pop("SOURCE_DATE_EPOCH", None)
    if cache is None:
        env["IACLINT_NO_CACHE"] = "1"
    else:
        env["IACLINT_CACHE_DIR"] = str(cache)
    code = "import sys; from linter.cli import main; sys.exit(main(sys.argv[1:]))"
    args = [sys.executable, "-c", code, "scan", target, "--no-color",
            *(x for fmt in FORMATS for x in (f"--{fmt}-output", str(out / fmt)))]
    done = subprocess.run(args, cwd=cwd, env=env, capture_output=True, timeout=600,
                          check=False)
    assert done.returncode == 1, done.stderr.decode()
    reports = {fmt: (out / fmt).read_bytes() for fmt in FORMATS}
    assert all(reports.values())
    return reports


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("determinism")


@pytest.fixture(scope="module")
def tree(work: Path) -> Path:
    return _copy(work / "tree", reverse=False)


@pytest.fixture(scope="module")
def baseline(work: Path, tree: Path) -> dict[str, bytes]:
    """A cold-cache scan from inside the tree with hash seed 0."""
    return _scan(tree, work / "out-baseline", cwd=tree, target=".", seed="0",
                 cache=work / "cache")


def _assert_same(got: dict[str, bytes], want: dict[str, bytes]) -> None:
    for fmt in FORMATS:
        assert got[fmt] == want[fmt], f"{fmt} report differs"


def test_reports_carry_no_timestamp(baseline: dict[str, bytes]) -> None:
    for fmt, data in baseline.items():
        assert not TIMESTAMP.search(data), fmt


def test_a_warm_cache_changes_nothing(work: Path, tree: Path,
                                      baseline: dict[str, bytes]) -> None:
    assert any((work / "cache").rglob("*.json"))
    warm = _scan(tree, work / "out-warm", cwd=tree, target=".", seed="0",
                 cache=work / "cache")
    _assert_same(warm, baseline)


def test_no_cache_changes_nothing(work: Path, tree: Path, baseline: dict[str, bytes]) -> None:
    uncached = _scan(tree, work / "out-uncached", cwd=tree, target=".", seed="0", cache=None)
    _assert_same(uncached, baseline)


@pytest.mark.parametrize("seed", ["4242"])
def test_hash_seed_changes_nothing(seed: str, work: Path, tree: Path,
                                   baseline: dict[str, bytes]) -> None:
    other = _scan(tree, work / f"out-seed{seed}", cwd=tree, target=".", seed=seed,
                  cache=work / "cache")
    _assert_same(other, baseline)


def test_working_directory_changes_nothing(work: Path, tree: Path,
                                           baseline: dict[str, bytes]) -> None:
    """From a directory beside the tree, named by its absolute path: reported paths
    are still relative to the tree (the common parent of the scanned paths; from a
    directory that contains the tree, they are relative to that directory, by design)."""
    beside = work / "elsewhere"
    beside.mkdir()
    elsewhere = _scan(tree, work / "out-cwd", cwd=beside, target=str(tree), seed="0",
                      cache=work / "cache")
    _assert_same(elsewhere, baseline)


def test_file_system_order_changes_nothing(work: Path, baseline: dict[str, bytes]) -> None:
    """The same files created in reverse order at another place: identical reports
    once that place's own path is put back."""
    reverse = _copy(work / "reversed", reverse=True)
    listed = [p.name for p in reverse.iterdir()]
    got = _scan(reverse, work / "out-reversed", cwd=reverse, target=".", seed="0",
                cache=None)
    moved = {fmt: data.replace(str(reverse).encode(), str(work / "tree").encode())
             for fmt, data in got.items()}
    _assert_same(moved, baseline)
    assert listed  # (tmpfs lists newest first: this order differs from the baseline's)


def test_new_since_base_scan_in_a_child_or_in_process_changes_nothing(tmp_path: Path) -> None:
    """`--new-since` scans the base commit in a forked child where two cores are
    available (linter/parallel.py), else in-process: the report is the same."""
    from tests.gitrepo import module_repo

    repo = module_repo(tmp_path / "r")
    repo.write("main.tf", (repo.path / "main.tf").read_text().replace("10.0.0.0/8",
                                                                      "0.0.0.0/0"))
    reports = []
    for cores in ("None", "1"):
        launcher = (f"import os, sys; os.cpu_count = lambda: {cores} or 2; "
                    "from linter.cli import main; sys.exit(main(sys.argv[1:]))")
        done = subprocess.run(
            [sys.executable, "-c", launcher, "scan", "--new-since", "HEAD", ".", "-f", "json"],
            cwd=repo.path, env=dict(repo.env, PYTHONPATH=str(REPO)), capture_output=True,
            timeout=600, check=False)
        assert done.returncode == 1, done.stderr.decode()
        reports.append(done.stdout)
    assert reports[0] == reports[1]
    assert b'"new_since"' in reports[0]
