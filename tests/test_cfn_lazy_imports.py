"""A CloudFormation scan does not import cfn-lint (whose package `__init__` loads
sympy and networkx: most of a one-template run), except for the condition solver
when a template has an undecided `Fn::If` that needs it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import FIXTURES, REPO

_SCRIPT = """
import json, os, sys
from linter.cli import main
try:
    main(["scan", sys.argv[1], "-o", os.devnull])
except SystemExit:
    pass
print(json.dumps(sorted(sys.modules)))
"""
_HEAVY = ("cfnlint", "sympy", "networkx")


def _modules_after_scan(path: Path) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", _SCRIPT, str(path)], cwd=REPO, env=env,
                         capture_output=True, text=True, check=True, timeout=120)
    return {name.split(".")[0] for name in json.loads(out.stdout.splitlines()[-1])}


def test_a_template_without_undecided_conditions_imports_no_cfnlint() -> None:
    for name in ("network.yaml", "iam.json", "conditions.yaml"):
        assert not _modules_after_scan(FIXTURES / "cloudformation" / name) & set(_HEAVY), name


def test_an_undecided_if_loads_the_solver(tmp_path: Path) -> None:
    from tests.test_cloudformation_conditions import _SOLVED

    path = tmp_path / "t.yaml"
    path.write_text(_SOLVED)
    assert "cfnlint" in _modules_after_scan(path)
