"""Shared helpers for the Terraform tests: adapt a fixture directory into nodes."""

from __future__ import annotations

import os
from pathlib import Path

from linter.adapters import AdaptContext
from linter.adapters.terraform import adapt
from linter.config import Config
from linter.discovery import discover
from linter.loaders import load
from linter.model import Node, ParseError

TF_FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "terraform"


def adapt_paths(
    *paths: str | Path,
    tf_vars: dict[str, str] | None = None,
    tf_var_files: list[str] | None = None,
    env: dict[str, str] | None = None,
    errors: list[ParseError] | None = None,
) -> tuple[dict[str, Node], dict[str, int]]:
    """Nodes by address (and the adapter's stats) for the Terraform files under `paths`;
    the adapter's located errors go to `errors` (none are expected without it)."""
    files, _, _ = discover([str(p) for p in paths])
    docs = [load(f) for f in files]
    docs = [d for d in docs if d is not None and not isinstance(d, ParseError)]
    ctx = AdaptContext(
        config=Config(),
        root=os.getcwd(),
        tf_vars=tf_vars or {},
        tf_var_files=tf_var_files or [],
        env=env or {},
    )
    result = adapt(docs, ctx)
    if errors is not None:
        errors.extend(result.errors)
    else:
        assert not result.errors, result.errors
    return {n.address: n for n in result.nodes}, result.stats


def fixture(name: str) -> Path:
    return TF_FIXTURES / name
