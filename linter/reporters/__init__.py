"""Reporters turn a ScanResult into text, JSON, SARIF, GitHub workflow commands or HTML.

Each module exposes `render(result, *, color=False) -> str`.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from linter.runner import ScanResult

_MODULES = {
    "text": "linter.reporters.text",
    "json": "linter.reporters.json_report",
    "sarif": "linter.reporters.sarif",
    "github": "linter.reporters.github",
    "html": "linter.reporters.html",
}


def render(
    fmt: str, result: ScanResult, *, color: bool = False, quiet: bool = False,
    show_suppressed: bool = False,
) -> str:
    """`quiet` (findings only, no summary) and `show_suppressed` mean something for the
    text report only."""
    module = import_module(_MODULES[fmt])
    if fmt == "text":
        text: str = module.render(
            result, color=color, quiet=quiet, show_suppressed=show_suppressed
        )
    else:
        text = module.render(result, color=color)
    return text
