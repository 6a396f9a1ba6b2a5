"""HCL text → the project's own AST (hcl_ast), through tree-sitter-hcl (the default).

An alternative front end to hcl_lark: tree-sitter parses a file about ten times
faster than python-hcl2's Lark grammar. The concrete syntax tree is converted
here into exactly the nodes (and lines) hcl_lark builds, and no tree-sitter type
leaves this module. Whenever the tree has an ERROR or MISSING node, or holds a
construct this converter does not reproduce exactly, `parse_hcl_body` returns
None and the caller parses with hcl_lark, which reports syntax errors at their
place. Heredoc bodies go through tf_templates' text scanner (as in hcl_lark),
with each `${…}` parsed here first and by hcl_lark when tree-sitter rejects it.

Chosen by hcl.py (the default front end); without the `tree_sitter` /
`tree_sitter_hcl` packages `available()` is False and hcl_lark parses everything.
"""

from __future__ import annotations

import functools
import re
from typing import Any

from linter.loaders.hcl_ast import (
    Attribute,
    BinaryOp,
    Block,
    Conditional,
    Expr,
    ForExpr,
    FunctionCall,
    GetAttr,
    Index,
    Interp,
    Literal,
    ObjectExpr,
    ObjectItem,
    Splat,
    Template,
    Traversal,
    TupleExpr,
    UnaryOp,
    Variable,
)
from linter.loaders.tf_templates import assemble_template, parse_template_text, unescape


class _Unsupported(Exception):
    """A construct whose Lark conversion is not reproduced: fall back to hcl_lark."""


@functools.lru_cache(maxsize=1)
def _parser() -> Any:
    try:
        import tree_sitter
        import tree_sitter_hcl
    except ImportError:
        return None
    try:
        return tree_sitter.Parser(tree_sitter.Language(tree_sitter_hcl.language()))
    except Exception:  # an incompatible binding
        return None


def available() -> bool:
    return _parser() is not None


def parse_hcl_body(text: str) -> Block | None:
    """The root Block of HCL text as hcl_lark.parse_hcl_body builds it, or None when
    the text has a syntax error or a construct left to hcl_lark."""
    parser = _parser()
    if parser is None:
        return None
    source = text.encode("utf-8")
    try:
        tree = parser.parse(source)
        root_node = tree.root_node
        if root_node.has_error:
            return None
        conv = _Converter(source, 0)
        root = Block(type="", labels=[], line=1, end_line=max(text.count("\n") + 1, 1))
        for child in root_node.named_children:
            if child.type == "body":
                conv.fill_body(root, child)
            elif child.type != "comment":
                return None
        return root
    except (_Unsupported, RecursionError):
        return None


def parse_expression(text: str, line: int = 1) -> Expr | None:
    """One expression written at `line`, as hcl_lark.parse_expression builds it, or
    None when tree-sitter rejects it or leaves it to hcl_lark."""
    parser = _parser()
    if parser is None:
        return None
    source = f"__x = (\n{text}\n)".encode()
    try:
        root_node = parser.parse(source).root_node
        if root_node.has_error:
            return None
        conv = _Converter(source, line - 2)
        body = [c for c in root_node.named_children if c.type == "body"]
        attrs = [c for c in body[0].named_children if c.type == "attribute"] if body else []
        if len(attrs) == 1:
            return conv.expr(attrs[0].named_children[-1])
    except (_Unsupported, RecursionError, IndexError):
        pass
    return None


def expression_or_none(text: str, line: int) -> Expr | None:
    """One `${…}` expression of a template, as hcl_lark.expression_or_none parses it
    (by hcl_lark when tree-sitter rejects it, so `1e5` or an odd form still parses)."""
    found = parse_expression(text, line)
    if found is not None:
        return found
    from linter.loaders import hcl_lark

    return hcl_lark.expression_or_none(text, line)


# --------------------------------------------------------------------------- helpers

#: how python-hcl2's lexer splits the literal text of a quoted string
_ESCAPED_MARK = re.compile(r"\$\$\{[^}]*\}|%%\{[^}]*\}")
_INT = re.compile(r"[0-9]+")


def _literal_runs(raw: str) -> list[str]:
    """String parts of the literal text of a quoted string, as hcl_lark gets them."""
    out: list[str] = []
    pos = 0
    for m in _ESCAPED_MARK.finditer(raw):
        if m.start() > pos:
            out.append(unescape(raw[pos : m.start()]))
        out.append(m.group(0)[1:])
        pos = m.end()
    if pos < len(raw):
        out.append(unescape(raw[pos:]))
    return out


_TEMPLATE_NODES = ("template_interpolation", "template_directive")


class _Converter:
    def __init__(self, source: bytes, offset: int) -> None:
        self.src = source
        self.off = offset

    def text(self, node: Any) -> str:
        return self.src[node.start_byte : node.end_byte].decode("utf-8")

    def lines(self, node: Any) -> tuple[int, int]:
        return node.start_point[0] + 1 + self.off, node.end_point[0] + 1 + self.off

    def trailing_end(self, node: Any) -> int:
        """The last line of `node` with the newlines and comments that follow it: in
        python-hcl2's grammar a binary operation takes them as its last tokens."""
        src = self.src + b"\n"  # python-hcl2 parses the text with a newline appended
        n = len(src)
        pos = node.end_byte
        last = -1
        while pos < n:
            while pos < n and src[pos] in b" \t\r":
                pos += 1
            if pos >= n:
                break
            if src[pos] == 0x0A:
                pos += 1
                while pos < n and src[pos] in b" \t":
                    pos += 1
                last = pos
            elif src.startswith(b"#", pos) or src.startswith(b"//", pos):
                close = src.find(b"\n", pos)
                if close < 0:
                    break
                pos = close + 1
                last = pos
            elif src.startswith(b"/*", pos):
                close = src.find(b"*/", pos + 2)
                if close < 0:
                    break
                pos = close + 2
                last = pos
            else:
                break
        if last < 0:
            return self.lines(node)[1]
        return self.lines(node)[0] + src.count(b"\n", node.start_byte, last)

    # structure -----------------------------------------------------------

    def fill_body(self, block: Block, body: Any) -> None:
        for child in body.named_children:
            if child.type == "attribute":
                name = self.text(child.named_children[0])
                expr = self.expr(child.named_children[-1])
                line, end = self.lines(child)
                if isinstance(expr, Template) and expr.body_line is not None:
                    end = expr.end_line
                else:
                    end = max(end, expr.end_line)
                block.attributes[name] = Attribute(name, expr, line, end)
            elif child.type == "block":
                block.blocks.append(self.block(child))
            elif child.type != "comment":
                raise _Unsupported(child.type)

    def block(self, node: Any) -> Block:
        names: list[str] = []
        body = None
        for c in node.named_children:
            if c.type == "identifier":
                names.append(self.text(c))
            elif c.type == "string_lit":
                names.append(self.label(c))
            elif c.type == "body":
                body = c
            elif c.type not in ("block_start", "block_end", "comment"):
                raise _Unsupported(c.type)
        line, end = self.lines(node)
        block = Block(type=names[0], labels=names[1:], line=line, end_line=end)
        if body is not None:
            self.fill_body(block, body)
        return block

    def label(self, node: Any) -> str:
        """A quoted block label: its literal text, interpolations left out (as hcl_lark)."""
        kids = node.children
        raw = self.src[kids[0].end_byte : kids[-1].start_byte].decode("utf-8")
        if len(kids) < 2 or "${" in raw or "%{" in raw:
            raise _Unsupported("template in a block label")
        return unescape(raw)

    # expressions ---------------------------------------------------------

    def expr(self, node: Any) -> Expr:
        kind = node.type
        if kind == "expression":
            return self.expression(node)
        method = getattr(self, "x_" + kind, None)
        if method is None:
            raise _Unsupported(kind)
        return method(node)  # type: ignore[no-any-return]

    def expression(self, node: Any) -> Expr:
        """`expression`: a parenthesized expression or a term followed by steps."""
        return self.sequence([c for c in node.children if c.type != "comment"])

    def sequence(self, kids: list[Any]) -> Expr:
        """A term (or `( expression )`) followed by attribute, index and splat steps."""
        if not kids:
            raise _Unsupported("empty")
        if kids[0].type == "(":
            if len(kids) < 3 or kids[2].type != ")":
                raise _Unsupported("parentheses")
            source = self.expr(kids[1])
            step_nodes = kids[3:]
        else:
            source = self.expr(kids[0])
            step_nodes = kids[1:]
        if not step_nodes:
            return source
        steps: list[Any] = []
        for s in step_nodes:
            steps.extend(self.steps(s))
        line = kids[0].start_point[0] + 1 + self.off
        end = kids[-1].end_point[0] + 1 + self.off
        if isinstance(source, Traversal):
            return Traversal(source.source, source.steps + steps, line, end)
        return Traversal(source, steps, line, end)

    def steps(self, node: Any) -> list[Any]:
        kind = node.type
        if kind == "get_attr":
            return [GetAttr(self.text(node.named_children[0]))]
        if kind == "index":
            inner = node.named_children[0]
            if inner.type == "new_index":
                return [Index(self.expr(inner.named_children[0]))]
            if inner.type == "legacy_index":
                return [Index(Literal(int(self.text(inner)[1:]), self.lines(inner)[0]))]
            raise _Unsupported(inner.type)
        if kind == "splat":
            inner = node.named_children[0]
            out: list[Any] = [Splat()]
            for c in inner.named_children:
                out.extend(self.steps(c))
            return out
        raise _Unsupported(kind)

    def x_variable_expr(self, node: Any) -> Expr:
        return Variable(self.text(node), *self.lines(node))

    def x_literal_value(self, node: Any) -> Expr:
        inner = node.named_children[0]
        kind = inner.type
        if kind == "numeric_lit":
            raw = self.text(inner)
            value: Any = int(raw) if _INT.fullmatch(raw) else float(raw)
            return Literal(value, *self.lines(node))
        if kind == "bool_lit":
            return Literal(self.text(inner) == "true", *self.lines(node))
        if kind == "null_lit":
            return Literal(None, *self.lines(node))
        if kind == "string_lit":
            return self.quoted(inner)
        raise _Unsupported(kind)

    def x_collection_value(self, node: Any) -> Expr:
        return self.expr(node.named_children[0])

    def x_template_expr(self, node: Any) -> Expr:
        inner = node.named_children[0]
        if inner.type == "quoted_template":
            return self.quoted(inner)
        if inner.type == "heredoc_template":
            return self.heredoc(inner)
        raise _Unsupported(inner.type)

    def x_for_expr(self, node: Any) -> Expr:
        return self.expr(node.named_children[0])

    def x_operation(self, node: Any) -> Expr:
        return self.expr(node.named_children[0])

    # strings ---------------------------------------------------------------

    def quoted(self, node: Any) -> Expr:
        line, end = self.lines(node)
        parts = assemble_template(self.quoted_flat(node, self.expr), line)
        if all(isinstance(p, str) for p in parts):
            return Literal("".join(parts), line, end)
        return Template(parts, line, end)

    def quoted_flat(self, node: Any, expr: Any) -> list[Any]:
        """hcl_lark's flat parts of a quoted string: text runs, Interp, directive marks."""
        kids = node.children
        if not kids or kids[0].type != "quoted_template_start" or kids[-1].type != (
            "quoted_template_end"
        ):
            raise _Unsupported("string")
        raw = self.src[kids[0].end_byte : kids[-1].start_byte]
        if b"$$$" in raw or b"%%%" in raw:
            raise _Unsupported("escaped template mark after a dollar or percent sign")
        flat: list[Any] = []
        self._template_items(kids[0].end_byte, kids[-1].start_byte, kids[1:-1], expr, flat)
        return flat

    def _template_items(
        self, start: int, stop: int, kids: list[Any], expr: Any, flat: list[Any]
    ) -> None:
        pos = start
        for c in kids:
            if c.type not in _TEMPLATE_NODES and c.type not in (
                "template_if_intro", "template_else_intro", "template_if_end",
                "template_for_start", "template_for_end", "template_if", "template_for",
            ):
                continue
            if c.start_byte > pos:
                flat.extend(_literal_runs(self.src[pos : c.start_byte].decode("utf-8")))
            pos = c.end_byte
            kind = c.type
            if kind == "template_interpolation":
                inner = [k for k in c.named_children if k.type not in (
                    "template_interpolation_start", "template_interpolation_end", "strip_marker")]
                if len(inner) != 1:
                    raise _Unsupported(kind)
                flat.append(Interp(expr(inner[0])))
            elif kind == "template_directive" or kind in ("template_if", "template_for"):
                self._template_items(c.start_byte, c.end_byte, c.children, expr, flat)
            elif kind == "template_if_intro":
                flat.append(("if", expr(self._only_expr(c))))
            elif kind == "template_else_intro":
                flat.append(("else",))
            elif kind == "template_if_end":
                flat.append(("endif",))
            elif kind == "template_for_start":
                names = [self.text(k) for k in c.named_children if k.type == "identifier"]
                flat.append(("for", names, expr(self._only_expr(c))))
            elif kind == "template_for_end":
                flat.append(("endfor",))
        if stop > pos:
            flat.extend(_literal_runs(self.src[pos:stop].decode("utf-8")))

    @staticmethod
    def _only_expr(node: Any) -> Any:
        found = [k for k in node.named_children if k.type == "expression"]
        if len(found) != 1:
            raise _Unsupported(node.type)
        return found[0]

    def heredoc(self, node: Any) -> Expr:
        line, _ = self.lines(node)
        start = self.text(node.children[0])
        trim = start == "<<-"
        raw = self.text(node) + "\n"
        lines = raw.split("\n")
        body_lines = lines[1:-2] if len(lines) >= 3 else []
        body_lines = [b[:-1] if b.endswith("\r") else b for b in body_lines]
        if trim:
            indents = [len(b) - len(b.lstrip(" \t")) for b in body_lines if b.strip()]
            cut = min(indents) if indents else 0
            body_lines = [b[cut:] for b in body_lines]
        body = "\n".join(body_lines) + ("\n" if body_lines else "")
        end = line + len(lines) - 2
        parts = parse_template_text(body, line + 1, expression_or_none)
        return Template(parts, line, end, body_line=line + 1)

    # collections -----------------------------------------------------------

    def x_tuple(self, node: Any) -> Expr:
        items = [self.expr(c) for c in node.named_children if c.type == "expression"]
        return TupleExpr(items, *self.lines(node))

    def x_object(self, node: Any) -> Expr:
        items: list[ObjectItem] = []
        for elem in node.named_children:
            if elem.type != "object_elem":
                continue
            exprs = [c for c in elem.named_children if c.type == "expression"]
            if len(exprs) != 2:
                raise _Unsupported("object_elem")
            key_node, value_node = exprs
            value = self.expr(value_node)
            kline = self.lines(key_node)[0]
            key_kids = [c for c in key_node.named_children if c.type != "comment"]
            if (
                key_node.children[0].type != "("
                and len(key_kids) == 1
                and key_kids[0].type == "variable_expr"
            ):
                key: Expr = Literal(self.text(key_kids[0]), kline)
            else:
                key = self.expr(key_node)
            items.append(ObjectItem(key, value, kline))
        return ObjectExpr(items, *self.lines(node))

    def x_function_call(self, node: Any) -> Expr:
        name = self.text(node.named_children[0])
        args: list[Expr] = []
        expand = False
        for c in node.named_children:
            if c.type == "function_arguments":
                for a in c.named_children:
                    if a.type == "expression":
                        args.append(self.expr(a))
                    elif a.type == "ellipsis":
                        expand = True
        return FunctionCall(name, args, expand, *self.lines(node))

    def x_conditional(self, node: Any) -> Expr:
        return self._conditional(self._chain(node), 0)

    def _chain(self, node: Any) -> list[Any]:
        """Condition, true and false nodes of `a ? b : c ? d : e`, left to right.

        tree-sitter-hcl nests such chains to the left (`(a ? b : c) ? d : e`);
        HCL (and python-hcl2) nest them to the right, as rebuilt here."""
        c, t, f = (k for k in node.named_children if k.type == "expression")
        inner = [k for k in c.children if k.type != "comment"]
        if len(inner) == 1 and inner[0].type == "conditional":
            return [*self._chain(inner[0]), t, f]
        return [c, t, f]

    def _conditional(self, nodes: list[Any], i: int) -> Expr:
        if i == len(nodes) - 1:
            return self.expr(nodes[i])
        cond = self.expr(nodes[i])
        true = self.expr(nodes[i + 1])
        false = self._conditional(nodes, i + 2)
        line = self.lines(nodes[i])[0]
        end = max(self.lines(nodes[-1])[1], false.end_line)
        return Conditional(cond, true, false, line, end)

    def x_binary_operation(self, node: Any) -> Expr:
        kids = [k for k in node.children if k.type != "comment"]
        ops = [i for i, k in enumerate(kids) if not k.is_named and k.type not in "()"]
        if len(ops) != 1:
            raise _Unsupported("binary_operation")
        i = ops[0]
        left, right = self.sequence(kids[:i]), self.sequence(kids[i + 1 :])
        line, _ = self.lines(node)
        return BinaryOp(self.text(kids[i]), left, right, line, self.trailing_end(node))

    def x_unary_operation(self, node: Any) -> Expr:
        kids = [k for k in node.children if k.type != "comment"]
        op = self.text(kids[0])
        operand = self.sequence(kids[1:])
        if op == "-" and isinstance(operand, Literal) and isinstance(operand.value, (int, float)):
            return Literal(-operand.value, *self.lines(node))
        return UnaryOp(op, operand, *self.lines(node))

    def _for(self, node: Any, is_object: bool) -> Expr:
        intro = None
        exprs: list[Any] = []
        cond = None
        grouping = False
        for c in node.named_children:
            if c.type == "for_intro":
                intro = c
            elif c.type == "for_cond":
                cond = self.expr(self._only_expr(c))
            elif c.type == "expression":
                exprs.append(c)
            elif c.type == "ellipsis":
                grouping = True
        if intro is None:
            raise _Unsupported("for")
        names = [self.text(k) for k in intro.named_children if k.type == "identifier"]
        coll = self.expr(self._only_expr(intro))
        key_var, val_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        line, end = self.lines(node)
        if is_object:
            return ForExpr(key_var, val_var, coll, self.expr(exprs[0]), self.expr(exprs[1]),
                           cond, grouping, line, end)
        return ForExpr(key_var, val_var, coll, None, self.expr(exprs[0]), cond, False, line, end)

    def x_for_tuple_expr(self, node: Any) -> Expr:
        return self._for(node, False)

    def x_for_object_expr(self, node: Any) -> Expr:
        return self._for(node, True)
