"""Names that look like literals but are not: `True`, `False`, `NULL`, … in HCL.

HCL's literals are lower case (`true`, `false`, `null`); `enabled = True` is a
reference to a name that does not exist, which Terraform rejects. The evaluator
already treats such a name as invalid (unknown, never a finding on its own);
`misspelt_literals(file)` finds each one so the adapter can report it where it is
written, as a located error the user can fix (IAC000, like a parse error).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from linter.loaders.hcl_ast import (
    BinaryOp,
    Block,
    Conditional,
    Expr,
    ForDirective,
    ForExpr,
    FunctionCall,
    IfDirective,
    Index,
    Interp,
    ObjectExpr,
    Template,
    TerraformFile,
    Traversal,
    TupleExpr,
    UnaryOp,
    Variable,
)
from linter.model import ParseError

#: Each capitalised spelling and the literal that was meant.
_MEANT = {"True": "true", "TRUE": "true", "False": "false", "FALSE": "false",
          "Null": "null", "NULL": "null", "None": "null"}


def misspelt_literals(file: TerraformFile) -> list[ParseError]:
    """A located error for every capitalised `True`/`False`/`Null` used as a value."""
    if file.syntax != "hcl" or not file.capitalised_words:  # in `.tf.json` a bare
        return []  # word is a string
    errors = []
    for var in _in_block(file.body):
        meant = _MEANT[var.name]
        errors.append(ParseError(
            file.path, var.line,
            f"`{var.name}` is not an HCL {'boolean' if meant != 'null' else 'literal'}; "
            f"write `{meant}`",
        ))
    return errors


def _in_block(block: Block) -> Iterator[Variable]:
    for attr in block.attributes.values():
        if attr.path is None:  # merged in from an override file: reported there
            yield from _in_expr(attr.expr, frozenset())
    for child in block.blocks:
        yield from _in_block(child)


def _in_expr(expr: Any, bound: frozenset[str]) -> Iterator[Variable]:
    if not isinstance(expr, Expr):
        return
    if isinstance(expr, Variable):
        if expr.name in _MEANT and expr.name not in bound:
            yield expr
    elif isinstance(expr, Traversal):
        yield from _in_expr(expr.source, bound)
        for step in expr.steps:
            if isinstance(step, Index):
                yield from _in_expr(step.key, bound)
    elif isinstance(expr, Template):
        yield from _in_parts(expr.parts, bound)
    elif isinstance(expr, FunctionCall):
        for arg in expr.args:
            yield from _in_expr(arg, bound)
    elif isinstance(expr, Conditional):
        for sub in (expr.cond, expr.true, expr.false):
            yield from _in_expr(sub, bound)
    elif isinstance(expr, BinaryOp):
        yield from _in_expr(expr.left, bound)
        yield from _in_expr(expr.right, bound)
    elif isinstance(expr, UnaryOp):
        yield from _in_expr(expr.operand, bound)
    elif isinstance(expr, TupleExpr):
        for item in expr.items:
            yield from _in_expr(item, bound)
    elif isinstance(expr, ObjectExpr):
        for obj_item in expr.items:  # a bare key is a name, not a value
            yield from _in_expr(obj_item.value, bound)
    elif isinstance(expr, ForExpr):
        yield from _in_expr(expr.coll, bound)
        inner = bound | {n for n in (expr.key_var, expr.val_var) if n}
        for part in (expr.key_expr, expr.value_expr, expr.cond):
            yield from _in_expr(part, inner)


def _in_parts(parts: list[Any], bound: frozenset[str]) -> Iterator[Variable]:
    for part in parts:
        if isinstance(part, Interp):
            yield from _in_expr(part.expr, bound)
        elif isinstance(part, IfDirective):
            yield from _in_expr(part.cond, bound)
            yield from _in_parts(part.then_parts, bound)
            yield from _in_parts(part.else_parts, bound)
        elif isinstance(part, ForDirective):
            yield from _in_expr(part.coll, bound)
            inner = bound | {n for n in (part.key_var, part.val_var) if n}
            yield from _in_parts(part.body, inner)
