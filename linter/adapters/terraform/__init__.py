"""Terraform adapter: evaluate each root module and turn its resources into nodes.

`adapt(documents, ctx)` groups the loaded files by directory (one directory is
one module), finds the root modules among them, and evaluates each root with
its variables, locals, modules, count/for_each and provider default tags.
"""

from __future__ import annotations

import os
import traceback
from typing import Any

from linter.adapters import AdaptContext, AdaptResult
from linter.adapters.terraform.config import ConfigLoader, root_directories
from linter.adapters.terraform.project import Project
from linter.loaders.hcl_ast import TerraformFile
from linter.model import ParseError


def adapt(documents: list[Any], ctx: AdaptContext) -> AdaptResult:
    result = AdaptResult(stats={"tf_resources": 0, "tf_unknown_values": 0, "tf_modules": 0})
    scanned: dict[str, list[TerraformFile]] = {}
    for doc in documents:
        if isinstance(doc, TerraformFile):
            scanned.setdefault(os.path.dirname(os.path.abspath(doc.path)), []).append(doc)
    loader = ConfigLoader(scanned)
    seen: set[str] = set()
    for root in root_directories(scanned):
        config = loader.get(root)
        if config is None:
            continue
        project = Project(root, loader, ctx)
        try:
            nodes = project.run(config)
        except Exception as exc:  # an evaluator bug must not hide the other modules
            first = config.files[0].path if config.files else root
            detail = traceback.format_exception_only(type(exc), exc)[-1].strip()
            result.errors.append(
                ParseError(first, 1, f"internal error evaluating module: {detail}")
            )
            continue
        for node in nodes:
            if node.id not in seen:
                seen.add(node.id)
                result.nodes.append(node)
        for key, value in project.stats.items():
            result.stats[key] = result.stats.get(key, 0) + value
    return result


__all__ = ["adapt"]
