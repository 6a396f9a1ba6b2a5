"""Shared paths for the test suite."""

from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path

import pytest

from linter.config import Config
from linter.model import Graph, Node
from linter.runner import ScanOptions, ScanResult, scan
from rules import RULES

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
SHARED = REPO.parent / "shared"
#: The official SARIF 2.1.0 schema, vendored so validation runs in every clone.
SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"

#: One security group with SSH open to the world: a critical IAC001 finding on line 7.
OPEN_SSH_TF = """resource "aws_security_group" "ssh" {
  name = "ssh"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  tags = { Owner = "me" }
}
"""


def linked(nodes: Iterable[Node]) -> dict[str, Node]:
    """Adapter output as the rules see it: in one graph, linked (linking.py), by address."""
    from linter.linking import link

    graph = Graph()
    for node in nodes:
        graph.add(node)
    graph.connect_refs()
    link(graph)
    return {n.address: n for n in graph}


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test when it is absent (a user's clone)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


@functools.cache
def corpus_scan(language: str) -> ScanResult:
    """../shared/corpus/<language> scanned once with every built-in rule, for every
    corpus test (each skips when ../shared is absent)."""
    root = shared_path("corpus", language)
    return scan(ScanOptions(paths=[str(root)], config=Config(), root=str(root),
                            rules=[rule() for rule in RULES]))


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Never read or write the user's ~/.cache/iaclint: one private cache for the
    whole session (shared by the subprocesses tests start, which inherit it)."""
    import os

    os.environ["IACLINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("iaclint-cache"))


@pytest.fixture(autouse=True)
def _no_github_actions_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    """Run as if outside GitHub Actions, even in a workflow: a scan in a test must never
    append to the real job summary of the run that executes the tests."""
    for name in ("GITHUB_STEP_SUMMARY", "GITHUB_SERVER_URL", "GITHUB_REPOSITORY",
                 "GITHUB_SHA", "GITHUB_WORKSPACE", "GITHUB_OUTPUT"):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def infra(tmp_path: Path) -> Path:
    """A directory `infra` holding sg.tf (OPEN_SSH_TF)."""
    root = tmp_path / "infra"
    root.mkdir()
    (root / "sg.tf").write_text(OPEN_SSH_TF, encoding="utf-8")
    return root
