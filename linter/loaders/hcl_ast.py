"""The project's own HCL syntax tree: blocks, attributes and expressions with lines.

Both `.tf` (via python-hcl2's Lark tree) and `.tf.json` files are converted
into these types, so the evaluator never sees a parser type and never cares
which syntax a module was written in.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


class Expr:
    """Base of every expression node; `line`/`end_line` are 1-based."""

    __slots__ = ("end_line", "line")

    def __init__(self, line: int, end_line: int) -> None:
        self.line = line
        self.end_line = end_line


class Literal(Expr):
    """A number, string, bool or null written directly."""

    __slots__ = ("value",)

    def __init__(self, value: Any, line: int, end_line: int | None = None) -> None:
        super().__init__(line, end_line or line)
        self.value = value

    def __repr__(self) -> str:
        return f"Literal({self.value!r})"


class Interp:
    """`${expr}` inside a template."""

    __slots__ = ("expr",)

    def __init__(self, expr: Expr) -> None:
        self.expr = expr


class IfDirective:
    """`%{ if cond }…%{ else }…%{ endif }` inside a template."""

    __slots__ = ("cond", "else_parts", "then_parts")

    def __init__(self, cond: Expr, then_parts: list[Any], else_parts: list[Any]) -> None:
        self.cond = cond
        self.then_parts = then_parts
        self.else_parts = else_parts


class ForDirective:
    """`%{ for k, v in coll }…%{ endfor }` inside a template."""

    __slots__ = ("body", "coll", "key_var", "val_var")

    def __init__(self, key_var: str | None, val_var: str, coll: Expr, body: list[Any]) -> None:
        self.key_var = key_var
        self.val_var = val_var
        self.coll = coll
        self.body = body


TemplatePart = Any  # str | Interp | IfDirective | ForDirective


class Template(Expr):
    """A string with interpolations/directives; heredocs set `body_line`."""

    __slots__ = ("body_line", "parts")

    def __init__(
        self, parts: list[TemplatePart], line: int, end_line: int, body_line: int | None = None
    ) -> None:
        super().__init__(line, end_line)
        self.parts = parts
        self.body_line = body_line


class GetAttr:
    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name


class Index:
    __slots__ = ("key",)

    def __init__(self, key: Expr) -> None:
        self.key = key


class Splat:
    """`[*]` or `.*`: the following steps apply to each element."""

    __slots__ = ()


Step = Any  # GetAttr | Index | Splat


class Variable(Expr):
    """A bare name: `var`, `local`, `aws_subnet`, a for-expression variable."""

    __slots__ = ("name",)

    def __init__(self, name: str, line: int, end_line: int | None = None) -> None:
        super().__init__(line, end_line or line)
        self.name = name

    def __repr__(self) -> str:
        return f"Variable({self.name!r})"


class Traversal(Expr):
    """`source` followed by attribute, index and splat steps."""

    __slots__ = ("source", "steps")

    def __init__(self, source: Expr, steps: list[Step], line: int, end_line: int) -> None:
        super().__init__(line, end_line)
        self.source = source
        self.steps = steps


class FunctionCall(Expr):
    __slots__ = ("args", "expand_final", "name")

    def __init__(
        self, name: str, args: list[Expr], expand_final: bool, line: int, end_line: int
    ) -> None:
        super().__init__(line, end_line)
        self.name = name
        self.args = args
        self.expand_final = expand_final


class Conditional(Expr):
    __slots__ = ("cond", "false", "true")

    def __init__(self, cond: Expr, true: Expr, false: Expr, line: int, end_line: int) -> None:
        super().__init__(line, end_line)
        self.cond = cond
        self.true = true
        self.false = false


class BinaryOp(Expr):
    __slots__ = ("left", "op", "right")

    def __init__(self, op: str, left: Expr, right: Expr, line: int, end_line: int) -> None:
        super().__init__(line, end_line)
        self.op = op
        self.left = left
        self.right = right


class UnaryOp(Expr):
    __slots__ = ("op", "operand")

    def __init__(self, op: str, operand: Expr, line: int, end_line: int) -> None:
        super().__init__(line, end_line)
        self.op = op
        self.operand = operand


class TupleExpr(Expr):
    __slots__ = ("items",)

    def __init__(self, items: list[Expr], line: int, end_line: int) -> None:
        super().__init__(line, end_line)
        self.items = items


class ObjectItem:
    """One `key = value` of an object constructor, with the line of its key."""

    __slots__ = ("key", "line", "value")

    def __init__(self, key: Expr, value: Expr, line: int) -> None:
        self.key = key
        self.value = value
        self.line = line


class ObjectExpr(Expr):
    __slots__ = ("items",)

    def __init__(self, items: list[ObjectItem], line: int, end_line: int) -> None:
        super().__init__(line, end_line)
        self.items = items


class ForExpr(Expr):
    """`[for k, v in coll : value if cond]` or `{for … : key => value…}`."""

    __slots__ = ("coll", "cond", "grouping", "key_expr", "key_var", "val_var", "value_expr")

    def __init__(
        self,
        key_var: str | None,
        val_var: str,
        coll: Expr,
        key_expr: Expr | None,
        value_expr: Expr,
        cond: Expr | None,
        grouping: bool,
        line: int,
        end_line: int,
    ) -> None:
        super().__init__(line, end_line)
        self.key_var = key_var
        self.val_var = val_var
        self.coll = coll
        self.key_expr = key_expr
        self.value_expr = value_expr
        self.cond = cond
        self.grouping = grouping


@dataclass(eq=False)
class Attribute:
    name: str
    expr: Expr
    line: int
    end_line: int
    #: Set only when the attribute was merged in from another file (override files).
    path: str | None = None


@dataclass(eq=False)
class Block:
    """A block (`resource "t" "n" { … }`); the file body is a Block with type ""."""

    type: str
    labels: list[str]
    attributes: dict[str, Attribute] = field(default_factory=dict)
    blocks: list[Block] = field(default_factory=list)
    line: int = 1
    end_line: int = 1

    def blocks_of(self, type_: str) -> list[Block]:
        return [b for b in self.blocks if b.type == type_]


@dataclass(eq=False)
class TerraformFile:
    """One loaded `.tf` or `.tf.json` file."""

    path: str
    body: Block
    syntax: str = "hcl"  # "hcl" | "json"
    language: str = "terraform"
    #: False when the text has no `True`/`FALSE`/`Null`/… at all, so the adapter
    #: need not walk the tree for misspelt literals (set by the loader, from bytes)
    capitalised_words: bool = True
