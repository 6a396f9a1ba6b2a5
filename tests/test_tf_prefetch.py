"""tf_prefetch: a forked child parses part of the HCL files; the parent trusts an
entry only for the same path and bytes, and parses everything else itself."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from linter.config import Config
from linter.discovery import Format, SourceFile
from linter.loaders import tf_cache, tf_prefetch
from linter.loaders.hcl_ast import TerraformFile
from linter.model import ParseError
from linter.registry import load_rules
from linter.runner import ScanOptions, scan
from tests.conftest import OPEN_SSH_TF


def _tree(tmp_path: Path, n: int) -> Path:
    for i in range(n):
        d = tmp_path / "infra" / f"m{i:02}"
        d.mkdir(parents=True)
        (d / "main.tf").write_text(OPEN_SSH_TF.replace('"ssh"', f'"ssh{i}"'), encoding="utf-8")
    (tmp_path / "infra" / "m00" / "broken.tf").write_text("a = {\n", encoding="utf-8")
    return tmp_path / "infra"


def _summary(path: Path) -> list[tuple[str, str, int]]:
    result = scan(ScanOptions(paths=[str(path)], config=Config(), rules=load_rules()))
    return [(f.rule_id, f.location.path, f.location.start_line) for f in result.findings]


@pytest.fixture(autouse=True)
def _no_disk_cache(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("IACLINT_NO_CACHE", "1")
    monkeypatch.delenv("IACLINT_JOBS", raising=False)


def test_child_parses_half_and_findings_are_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
) -> None:
    infra = _tree(tmp_path, 12)
    monkeypatch.setenv("IACLINT_JOBS", "1")
    alone = _summary(infra)
    monkeypatch.delenv("IACLINT_JOBS")
    monkeypatch.setattr(tf_prefetch, "MIN_FILES", 4)
    monkeypatch.setattr(tf_prefetch.parallel, "can_fork", lambda: True)
    taken: list[str] = []
    real_take = tf_prefetch.Prefetch.take

    def take(self: tf_prefetch.Prefetch, path: str, data: bytes) -> Any:
        doc = real_take(self, path, data)
        if doc is not None:
            taken.append(path)
        return doc

    monkeypatch.setattr(tf_prefetch.Prefetch, "take", take)
    assert _summary(infra) == alone
    assert len(taken) == 6  # every second of the 13 files
    assert any(r[0] == "IAC000" for r in alone) and any(r[0] == "IAC001" for r in alone)


def _prefetch(result: dict[str, Any]) -> tf_prefetch.Prefetch:
    return tf_prefetch.Prefetch({"a.tf"}, lambda: result)


def test_an_entry_for_other_bytes_is_not_taken() -> None:
    doc = TerraformFile("a.tf", _body())
    entry = (tf_prefetch._digest(b"a = 1\n"), tf_cache.encode(doc))
    assert _prefetch({"a.tf": entry}).take("a.tf", b"a = 2\n") is None
    got = _prefetch({"a.tf": entry}).take("a.tf", b"a = 1\n")
    assert isinstance(got, TerraformFile) and got.path == "a.tf"
    assert _prefetch({"a.tf": entry}).take("b.tf", b"a = 1\n") is None


def test_a_failed_child_or_a_garbled_entry_means_the_parent_parses() -> None:
    def failed() -> dict[str, Any]:
        raise tf_prefetch.parallel.ChildFailed("boom")

    assert tf_prefetch.Prefetch({"a.tf"}, failed).take("a.tf", b"a = 1\n") is None
    garbled = (tf_prefetch._digest(b"a = 1\n"), ["not", "an", "ast"])
    assert _prefetch({"a.tf": garbled}).take("a.tf", b"a = 1\n") is None
    assert tf_prefetch._checked(["x"]) == {}
    assert tf_prefetch._checked({"a.tf": ["d", "not a list"]}) == {}


def test_not_worth_a_child(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    files = [SourceFile(str(tmp_path / f"{i}.tf"), Format.TERRAFORM, 1) for i in range(100)]
    for f in files:
        Path(f.path).write_text("a = 1\n", encoding="utf-8")
    monkeypatch.setattr(tf_prefetch.parallel, "can_fork", lambda: True)
    assert tf_prefetch.start(files[: tf_prefetch.MIN_FILES - 1]) is None
    monkeypatch.setenv("IACLINT_JOBS", "1")
    assert tf_prefetch.start(files) is None
    monkeypatch.setattr(tf_prefetch.parallel, "can_fork", lambda: False)
    monkeypatch.delenv("IACLINT_JOBS")
    assert tf_prefetch.start(files) is None


def _body() -> Any:
    from linter.loaders.hcl import parse_hcl_body

    return parse_hcl_body("a = 1\n")


def test_parse_errors_travel_too() -> None:
    err = ParseError("a.tf", 3, "boom", 2)
    entry = (tf_prefetch._digest(b"x"), tf_cache.encode(err))
    got = _prefetch({"a.tf": entry}).take("a.tf", b"x")
    assert isinstance(got, ParseError) and (got.line, got.message) == (3, "boom")
