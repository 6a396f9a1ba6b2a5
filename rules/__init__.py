"""Built-in rules, exported to the `iaclint.rules` entry point as RULES."""

from __future__ import annotations

from linter.rule import Rule

RULES: list[type[Rule]] = []
