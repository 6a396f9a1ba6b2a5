"""The one entry point for HCL text: tree-sitter first, python-hcl2 as reference.

Every HCL parse of a scan (files, tfvars, `-var` values, `${…}` in templates and
`.tf.json` strings, `templatefile()` files) comes through here, so one switch picks
the front end for all of them. tree-sitter-hcl (hcl_treesitter) parses about ten
times faster than python-hcl2's Lark grammar (hcl_lark) and builds the same AST
(tests/test_hcl_treesitter.py and tests/test_frontend_parity.py prove it on the
fixtures and the corpus). Whatever tree-sitter rejects or leaves out (a syntax
error, `1e5`, a construct not reproduced) goes through hcl_lark, which stays the
reference and reports syntax errors at their place.

`IACLINT_HCL_FRONTEND=lark` parses everything with python-hcl2 (for comparison);
without the tree_sitter packages the Lark front end is used.
"""

from __future__ import annotations

import os
from typing import Any

from linter.loaders import hcl_lark, hcl_treesitter
from linter.loaders.hcl_ast import Block, Expr
from linter.loaders.hcl_lark import HclSyntaxError
from linter.loaders.tf_templates import parse_template_text

__all__ = [
    "HclSyntaxError",
    "expression_or_none",
    "frontend",
    "parse_expression",
    "parse_hcl_body",
    "parse_template",
]


def frontend() -> str:
    """'tree-sitter' or 'lark': what parses HCL in this process."""
    if os.environ.get("IACLINT_HCL_FRONTEND", "").strip().lower() == "lark":
        return "lark"
    return "tree-sitter" if hcl_treesitter.available() else "lark"


def parse_hcl_body(text: str) -> Block:
    """The root Block of a .tf/.tfvars text; HclSyntaxError where python-hcl2 puts it."""
    if frontend() == "tree-sitter":
        fast = hcl_treesitter.parse_hcl_body(text)
        if fast is not None:
            return fast
    return hcl_lark.parse_hcl_body(text)


def parse_expression(text: str, line: int = 1) -> Expr:
    """One expression (a `-var` value, a variable default written as text)."""
    if frontend() == "tree-sitter":
        fast = hcl_treesitter.parse_expression(text, line)
        if fast is not None:
            return fast
    return hcl_lark.parse_expression(text, line)


def expression_or_none(text: str, line: int) -> Expr | None:
    """`parse_expression`, or None for text that is not an expression (the callback
    tf_templates takes: an invalid `${…}` is not a syntax error of the file)."""
    if frontend() == "tree-sitter":
        return hcl_treesitter.expression_or_none(text, line)
    return hcl_lark.expression_or_none(text, line)


def parse_template(text: str, line: int = 1) -> list[Any]:
    """Parts of raw template text (a `templatefile()` file, a `.tf.json` string)."""
    return parse_template_text(text, line, expression_or_none)
