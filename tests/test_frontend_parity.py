"""Findings are byte-identical whichever front end parses HCL and however it is run.

tree-sitter (the default), python-hcl2 (`IACLINT_HCL_FRONTEND=lark`, the
reference) and tree-sitter with half of the files parsed in a forked child
(tf_prefetch) must give the same JSON report, on fixtures/ and on both corpora
(the corpus cases skip, saying so, without ../shared). Each run is a new process
with the parse cache off, so nothing is shared between front ends.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, shared_path

MODES = {
    "tree-sitter, one process": {"IACLINT_JOBS": "1"},
    "tree-sitter, default (prefetch child on two cores)": {},
    "python-hcl2": {"IACLINT_HCL_FRONTEND": "lark", "IACLINT_JOBS": "1"},
}


def _report(path: Path, env: dict[str, str], tmp: Path) -> bytes:
    out = tmp / "report.json"
    code = "import sys; from linter.cli import main; sys.exit(main(sys.argv[1:]))"
    full = {k: v for k, v in os.environ.items() if not k.startswith("IACLINT_")}
    full.update(env, IACLINT_NO_CACHE="1", HOME=str(tmp))
    done = subprocess.run(
        [sys.executable, "-c", code, "scan", str(path), "-f", "json", "-o", str(out)],
        cwd=REPO, env=full, capture_output=True, text=True, timeout=600, check=False)
    assert done.returncode in (0, 1), done.stderr
    return out.read_bytes()


@pytest.mark.parametrize("target", ["fixtures", "corpus/terraform", "corpus/cloudformation"])
def test_findings_identical_across_front_ends(target: str, tmp_path: Path) -> None:
    path = REPO / "fixtures" if target == "fixtures" else shared_path(*target.split("/"))
    reports = {name: _report(path, env, tmp_path) for name, env in MODES.items()}
    reference = reports["python-hcl2"]
    assert b'"findings"' in reference
    for name, report in reports.items():
        assert report == reference, f"{name} differs from python-hcl2 on {target}"
