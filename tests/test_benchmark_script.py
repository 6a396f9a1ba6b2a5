"""scripts/benchmark.py still runs: its options, the missing-corpus exit and the
parse children on two small files. Timings are printed by the script, never asserted."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[1] / "scripts" / "benchmark.py"


@pytest.fixture(scope="module")
def bench() -> ModuleType:
    spec = importlib.util.spec_from_file_location("iaclint_benchmark_script", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_help(bench: ModuleType, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exc:
        bench.main(["--help"])
    assert exc.value.code == 0
    out = capsys.readouterr().out
    for option in ("--repeat", "--quick", "--peers", "--json"):
        assert option in out


def test_missing_corpus_exits_2(bench: ModuleType, tmp_path: Path,
                                capsys: pytest.CaptureFixture[str]) -> None:
    assert bench.main(["--corpus", str(tmp_path / "absent")]) == 2
    assert "no corpus" in capsys.readouterr().err


@pytest.mark.parametrize("parser", ["python-hcl2", "tree-sitter", "front-end"])
def test_parse_children(bench: ModuleType, tmp_path: Path, parser: str) -> None:
    (tmp_path / "a.tf").write_text('resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n')
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.tf").write_text('variable "v" {\n  default = 1\n}\n')
    run, info = bench.parse_alone(parser, tmp_path)
    assert run.code == 0 and run.peak_mib > 0
    assert info["files"] == 2 and info["failed"] == 0
