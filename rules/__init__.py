"""Built-in rules, exported to the `iaclint.rules` entry point as RULES.

One module per category; each module lists its rules in its own RULES.
"""

from __future__ import annotations

from linter.rule import Rule
from rules import encryption, iam_wildcard, multi_az, open_ingress, public_subnet, tagging

RULES: list[type[Rule]] = [
    *open_ingress.RULES,
    *public_subnet.RULES,
    *multi_az.RULES,
    *encryption.RULES,
    *iam_wildcard.RULES,
    *tagging.RULES,
]
