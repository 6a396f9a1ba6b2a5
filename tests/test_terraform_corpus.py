"""The real-world corpus (../shared/corpus/terraform) scans with no crash and no parse error."""

from __future__ import annotations

from linter.runner import ScanOptions, scan
from tests.conftest import shared_path


def test_corpus_scans_cleanly() -> None:
    corpus = shared_path("corpus", "terraform").resolve()
    result = scan(ScanOptions(paths=[str(corpus)]))
    assert result.errors == []
    assert result.stats["tf_resources"] > 1000
    assert result.stats["tf_modules"] > 100
    addresses = {n.address for n in result.graph}
    assert any(a.startswith("module.vpc.aws_subnet.private[") for a in addresses)
    for node in result.graph:
        assert node.location.path.startswith(str(corpus))
        assert node.location.start_line >= 1
