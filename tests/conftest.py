"""Shared paths for the test suite."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURES = REPO / "fixtures"
SHARED = REPO.parent / "shared"
#: The official SARIF 2.1.0 schema, vendored so validation runs in every clone.
SARIF_SCHEMA = Path(__file__).resolve().parent / "data" / "sarif-schema-2.1.0.json"


def shared_path(*parts: str) -> Path:
    """A path under ../shared, skipping the test when it is absent (a user's clone)."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is not available")
    return path


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Never read or write the user's ~/.cache/iaclint: one private cache for the
    whole session (shared by the subprocesses tests start, which inherit it)."""
    import os

    os.environ["IACLINT_CACHE_DIR"] = str(tmp_path_factory.mktemp("iaclint-cache"))
