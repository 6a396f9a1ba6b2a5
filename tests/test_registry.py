"""Rule discovery: entry points (a real installed pack) and explicit --rules-dir."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from linter.registry import RuleLoadError, directory_rules, load_rules
from rules import RULES

from .conftest import REPO

LOCAL_RULE = '''
from linter.model import Severity
from linter.rule import Rule


class NoBuckets(Rule):
    id = "LOC001"
    title = "No buckets allowed"
    category = "encryption"
    severity = Severity.HIGH
    description = "Local policy forbids buckets."

    def check(self, graph, config):
        for node in graph.of_kind("s3.bucket"):
            yield self.finding(node, "bucket found")
'''

BUCKET_TF = 'resource "aws_s3_bucket" "logs" {\n  bucket = "my-logs"\n}\n'


def test_builtin_rules_are_registered_through_the_entry_point() -> None:
    ids = {r.id for r in load_rules()}
    assert {cls.id for cls in RULES} <= ids


def test_rules_dir_loads_explicitly(tmp_path: Path) -> None:
    (tmp_path / "mine.py").write_text(LOCAL_RULE, encoding="utf-8")
    (tmp_path / "_private.py").write_text("raise SystemExit('must not be imported')\n")
    assert [r.id for r in directory_rules(str(tmp_path))] == ["LOC001"]


def test_rules_dir_errors_are_clear(tmp_path: Path) -> None:
    (tmp_path / "broken.py").write_text("import nonexistent_module_xyz\n", encoding="utf-8")
    with pytest.raises(RuleLoadError, match=r"broken\.py"):
        directory_rules(str(tmp_path))
    with pytest.raises(RuleLoadError, match="not a directory"):
        directory_rules(str(tmp_path / "missing"))


def test_scanned_tree_code_is_never_imported(tmp_path: Path) -> None:
    tree = tmp_path / "infra"
    tree.mkdir()
    (tree / "main.tf").write_text(BUCKET_TF, encoding="utf-8")
    marker = tmp_path / "imported"
    (tree / "evil.py").write_text(f"open({str(marker)!r}, 'w').write('x')\n", encoding="utf-8")
    subprocess.run([sys.executable, "-m", "linter.cli", "scan", str(tree)],
                   capture_output=True, check=False)
    assert not marker.exists()


def test_installed_rule_pack_is_picked_up_without_flags(tmp_path: Path) -> None:
    """Build and install tests/rulepack as a real distribution, then run iaclint."""
    target = tmp_path / "site"
    build = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-index",
         "--no-build-isolation", "--target", str(target), str(REPO / "tests" / "rulepack")],
        capture_output=True, text=True, check=False,
    )
    assert build.returncode == 0, build.stderr
    infra = tmp_path / "infra"
    infra.mkdir()
    (infra / "main.tf").write_text(BUCKET_TF, encoding="utf-8")
    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(target), str(REPO)]))
    listing = subprocess.run([sys.executable, "-m", "linter.cli", "rules"],
                             capture_output=True, text=True, env=env, check=False)
    assert "EXT001" in listing.stdout
    scan = subprocess.run(
        [sys.executable, "-m", "linter.cli", "scan", str(infra), "--format", "json"],
        capture_output=True, text=True, env=env, check=False,
    )
    assert '"EXT001"' in scan.stdout
    without = subprocess.run(
        [sys.executable, "-m", "linter.cli", "rules"],
        capture_output=True, text=True, check=False,
    )
    assert "EXT001" not in without.stdout
