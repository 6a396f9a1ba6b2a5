"""A CloudFormation scan does not import cfn-lint (whose package `__init__` loads
sympy and networkx: most of a one-template run), except for the condition solver
when a template has an undecided `Fn::If` that needs it, and then not its
`__init__` (which runs when something else in the process asks for the package)."""

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
modules = sorted(sys.modules)
if len(sys.argv) > 2:  # the whole package is still there for whoever imports it
    import cfnlint
    assert callable(cfnlint.lint)
print(json.dumps(modules))
"""
_HEAVY = ("cfnlint", "sympy", "networkx")


def _modules_after_scan(path: Path, *more: str) -> set[str]:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    out = subprocess.run([sys.executable, "-c", _SCRIPT, str(path), *more], cwd=REPO, env=env,
                         capture_output=True, text=True, check=True, timeout=120)
    return {".".join(name.split(".")[:2]) for name in json.loads(out.stdout.splitlines()[-1])}


def test_a_template_without_undecided_conditions_imports_no_cfnlint() -> None:
    for name in ("network.yaml", "iam.json", "conditions.yaml"):
        loaded = {name.split(".")[0] for name in _modules_after_scan(
            FIXTURES / "cloudformation" / name)}
        assert not loaded & set(_HEAVY), name


def test_an_undecided_if_loads_the_solver(tmp_path: Path) -> None:
    from tests.test_cloudformation_conditions import _SOLVED

    path = tmp_path / "t.yaml"
    path.write_text(_SOLVED)
    loaded = _modules_after_scan(path, "--then-import-cfnlint")
    assert "cfnlint.conditions" in loaded and "sympy" in loaded
    # the solver alone: not cfn-lint's linter (cfnlint/__init__ and what it imports)
    assert "networkx" not in loaded and "cfnlint.api" not in loaded
