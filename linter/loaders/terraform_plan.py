"""Load a Terraform plan as JSON (`terraform show -json plan.out > plan.json`).

The format is HashiCorp's "JSON Output Format"
(https://developer.hashicorp.com/terraform/internals/json-format). This loader only
decides that a file is a plan and keeps its values with the line of every key, so
that a finding can point into the plan when the `.tf` files are not scanned; what
the fields mean is the adapter's business (linter/adapters/terraform/plan.py).

A plan is a JSON object with `format_version` and at least one of
`planned_values`, `resource_changes` and `configuration`. Anything else (a state
file, a policy, a package.json) loads as None and is skipped.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from linter.loaders.marked import (
    JArr,
    JObj,
    JsonSyntaxError,
    LineMap,
    Path,
    locate_in,
    parse_json_lines,
)
from linter.model import Location, ParseError

PLAN_KEYS = ("planned_values", "resource_changes", "configuration")


@dataclass
class PlanFile:
    """A plan's plain values and, for every key path, the lines it spans."""

    path: str
    data: dict[str, Any]
    locations: LineMap = field(default_factory=dict)

    def location(self, path: Path) -> Location:
        start, end = locate_in(self.locations, path)
        return Location(self.path, start, end)


def is_plan(value: Any) -> bool:
    return isinstance(value, dict) and "format_version" in value and any(
        k in value for k in PLAN_KEYS)


def load_terraform_plan(path: str, data: bytes) -> PlanFile | ParseError | None:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        return ParseError(path, 1, f"not UTF-8 text: {exc.reason}")
    try:
        tree = parse_json_lines(text)
    except JsonSyntaxError as exc:
        return ParseError(path, exc.line, exc.message)
    if not isinstance(tree, JObj):
        return None
    keys = {k for k, _, _ in tree.items}
    if "format_version" not in keys or not keys & set(PLAN_KEYS):
        return None
    locations: LineMap = {}
    plain = _plain(tree, (), locations)
    return PlanFile(path, plain, locations)


def _plain(node: Any, path: Path, locations: LineMap) -> Any:
    """The plain value of a JObj/JArr/JScalar tree, recording each key's lines (an
    object's own lines under its path; a key from its line to its value's end)."""
    if isinstance(node, JObj):
        locations.setdefault(path, (node.line, node.end_line))
        out: dict[str, Any] = {}
        for key, line, value in node.items:
            here = (*path, key)
            locations[here] = (line, max(line, getattr(value, "end_line", line)))
            out[key] = _plain(value, here, locations)
        return out
    if isinstance(node, JArr):
        locations.setdefault(path, (node.line, node.end_line))
        items = []
        for i, value in enumerate(node.items):
            here = (*path, i)
            line = int(getattr(value, "line", node.line))
            locations[here] = (line, max(line, getattr(value, "end_line", line)))
            items.append(_plain(value, here, locations))
        return items
    return node.value
