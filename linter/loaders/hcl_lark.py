"""HCL text → the project's own AST (hcl_ast), through python-hcl2's Lark grammar.

python-hcl2's raw Lark tree is converted here and nowhere else, so no Lark type
escapes this module. Template text inside strings and heredocs is scanned by
tf_templates, which calls back `expression_or_none` for each `${…}`: the
template scanner needs the expression parser and this module needs the scanner,
and the callback keeps the dependency one way.
"""

from __future__ import annotations

import contextlib
import functools
import hashlib
import os
import sys
from typing import Any

from linter.loaders import tf_cache as disk_cache
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


class HclSyntaxError(Exception):
    def __init__(self, line: int, message: str, column: int | None = None) -> None:
        super().__init__(message)
        self.line = line
        self.message = message
        self.column = column


def parse_hcl_body(text: str, line_offset: int = 0) -> Block:
    """Parse HCL text (a .tf or .tfvars file) into a root Block."""
    tree = _parse_tree(text, line_offset)
    conv = _Converter(line_offset)
    body_tree = tree.children[0]
    root = Block(type="", labels=[], line=1, end_line=max(text.count("\n") + 1, 1))
    try:
        conv.fill_body(root, body_tree)
    except RecursionError:
        raise HclSyntaxError(1 + line_offset, "HCL syntax error: nested too deeply") from None
    return root


def parse_expression(text: str, line: int = 1) -> Expr:
    """Parse one HCL expression (used for `${…}` in heredocs, JSON and template files)."""
    tree = _parse_tree(f"__x = (\n{text}\n)", line - 2)
    conv = _Converter(line - 2)
    body = tree.children[0]
    for child in body.children:
        if getattr(child, "data", None) == "attribute":
            try:
                return conv.expr(child.children[-1])
            except RecursionError:
                raise HclSyntaxError(line, "HCL syntax error: nested too deeply") from None
    raise HclSyntaxError(line, "empty expression")


def expression_or_none(text: str, line: int) -> Expr | None:
    """`parse_expression`, or None for text that is not an expression: the parse
    callback tf_templates takes (an invalid `${…}` is not a file's syntax error there)."""
    try:
        return parse_expression(text, line)
    except HclSyntaxError:
        return None


def parse_template(text: str, line: int = 1) -> list[Any]:
    """Parts of raw template text (heredoc body, template file, `.tf.json` string)."""
    return parse_template_text(text, line, expression_or_none)


@functools.lru_cache(maxsize=1)
def hcl_parser() -> Any:
    """python-hcl2's own grammar and post-lexer, without tree position propagation.

    Building the LALR tables takes seconds, so they are kept in the private parse
    cache directory, but as data: Lark's own `cache=` files are pickles that Lark
    unpickles before checking them (with `cache=True` from a predictable name in the
    shared temp directory), so Lark is never given one."""
    try:
        import hcl2.parser as hcl2_parser
        from hcl2.postlexer import PostLexer
        from lark import Lark

        grammar_path = os.path.join(os.path.dirname(hcl2_parser.__file__), "hcl2.lark")
        with open(grammar_path, encoding="utf-8") as fh:
            grammar = fh.read()
    except Exception:  # an incompatible python-hcl2: fall back to its own parser
        return None
    options: dict[str, Any] = {"parser": "lalr", "propagate_positions": False}
    identity = hashlib.sha256(
        (grammar + repr(sorted(options.items())) + _lark_version()
         + repr(sys.version_info[:2])).encode()).hexdigest()
    cached = disk_cache.load_grammar(identity)
    if cached is not None:
        with contextlib.suppress(Exception):  # a bad entry is rebuilt and rewritten
            return _lark_from_data(Lark, cached, PostLexer())
    try:
        parser = Lark.open(grammar_path, postlex=PostLexer(), cache=False, **options)
    except Exception:
        return None
    with contextlib.suppress(Exception):
        disk_cache.save_grammar(identity, _lark_to_data(parser))
    return parser


def _lark_version() -> str:
    import lark

    return str(getattr(lark, "__version__", "?"))


def _lark_to_data(parser: Any) -> dict[str, Any]:
    """What `Lark.save` pickles, as plain data (options a loader sets itself left out)."""
    from lark.grammar import Rule
    from lark.lark import _LOAD_ALLOWED_OPTIONS
    from lark.lexer import TerminalDef

    data, memo = parser.memo_serialize([TerminalDef, Rule])
    data["options"] = {k: v for k, v in data["options"].items() if k not in _LOAD_ALLOWED_OPTIONS}
    return {"data": data, "memo": memo}


#: what a cached grammar's options may hold: plain settings, never a callable's name
_SAFE_OPTION = (str, bool, int, type(None), list)


def _lark_from_data(lark_class: Any, cached: dict[str, Any], postlex: Any) -> Any:
    """A parser from `_lark_to_data`'s output. Every option through which Lark would
    call something (transformer, tree class, callbacks, plugins, post-lexer) is set
    here, never taken from the file; Lark deserializes only its own grammar types."""
    from lark.lark import _LOAD_ALLOWED_OPTIONS

    options = cached["data"]["options"]
    if (not isinstance(options, dict) or set(options) & _LOAD_ALLOWED_OPTIONS
            or not all(isinstance(v, _SAFE_OPTION) for v in options.values())
            or options.get("parser") != "lalr"):
        raise ValueError("unexpected options in the cached grammar")
    parser = lark_class.__new__(lark_class)
    return parser._load(
        cached, postlex=postlex, propagate_positions=False, transformer=None,
        tree_class=None, lexer_callbacks={}, _plugins={}, debug=False, regex=False,
        use_bytes=False, g_regex_flags=0)


def _parse_tree(text: str, line_offset: int) -> Any:
    import hcl2
    from lark.exceptions import LarkError, UnexpectedInput

    try:
        parser = hcl_parser()
        if parser is None:
            return hcl2.parses_to_tree(text)
        return parser.parse(text + "\n")  # python-hcl2 appends one too (lark issue 237)
    except UnexpectedInput as exc:
        line = int(getattr(exc, "line", 1) or 1)
        if line < 1:
            line = text.count("\n") + 1
        column = getattr(exc, "column", None)
        token = getattr(exc, "token", None)
        if getattr(token, "type", None) == "$END" or type(exc).__name__ == "UnexpectedEOF":
            last = len(text.rstrip("\n").split("\n"))
            return _raise(
                last + line_offset,
                "HCL syntax error: unexpected end of file (a block, bracket or string "
                "is not closed)",
            )
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return _raise(line + line_offset, f"HCL syntax error: {first}", column)
    except LarkError as exc:
        return _raise(1 + line_offset, f"HCL syntax error: {exc}")
    except RecursionError:
        return _raise(1 + line_offset, "HCL syntax error: expression nested too deeply")


def _raise(line: int, message: str, column: Any = None) -> Any:
    raise HclSyntaxError(max(line, 1), message, column if isinstance(column, int) else None)


# --------------------------------------------------------------------------- Lark → AST



def _is_tree(node: Any) -> bool:
    return hasattr(node, "data")


def _edge_token(node: Any, side: int) -> Any:
    """The first (side 0) or last (side -1) token under `node`, or None."""
    if not _is_tree(node):
        return node if getattr(node, "line", None) else None
    children = node.children if side == 0 else reversed(node.children)
    for child in children:
        found = _edge_token(child, side)
        if found is not None:
            return found
    return None


class _Converter:
    def __init__(self, offset: int) -> None:
        self.off = offset

    def lines(self, node: Any) -> tuple[int, int]:
        """First and last line of a node, from its tokens (the parser keeps no tree
        positions: propagating them would double the parse time)."""
        first = _edge_token(node, 0)
        if first is None:
            return 1 + self.off, 1 + self.off
        last = _edge_token(node, -1) or first
        end = getattr(last, "end_line", None) or last.line
        return first.line + self.off, end + self.off

    @staticmethod
    def kids(node: Any) -> list[Any]:
        return [c for c in node.children if _is_tree(c) and c.data != "new_line_or_comment"]

    def name_of(self, node: Any) -> str:
        """Text of an identifier/keyword/literal_value/string used as a name or label."""
        if node.data == "string":
            return "".join(
                unescape(str(p.children[0]))
                for p in node.children[1:-1]
                if not _is_tree(p.children[0])
            )
        return str(node.children[0])

    def fill_body(self, block: Block, body: Any) -> None:
        for child in body.children:
            if not _is_tree(child):
                continue
            if child.data == "attribute":
                name = self.name_of(child.children[0])
                line, end = self.lines(child)
                expr = self.expr(child.children[-1])
                if isinstance(expr, Template) and expr.body_line is not None:
                    end = expr.end_line  # a heredoc token swallows the next newline
                block.attributes[name] = Attribute(name, expr, line, end)
            elif child.data == "block":
                block.blocks.append(self.block(child))

    def block(self, node: Any) -> Block:
        names: list[str] = []
        body = None
        for c in node.children:
            if not _is_tree(c):
                continue
            if c.data == "body":
                body = c
            elif c.data != "new_line_or_comment":
                names.append(self.name_of(c))
        line, end = self.lines(node)
        block = Block(type=names[0], labels=names[1:], line=line, end_line=end)
        if body is not None:
            self.fill_body(block, body)
        return block

    # expressions ---------------------------------------------------------

    def expr(self, node: Any) -> Expr:
        method = getattr(self, "x_" + str(node.data), None)
        if method is None:
            line, _ = self.lines(node)
            raise HclSyntaxError(line, f"unsupported HCL construct {node.data}")
        return method(node)  # type: ignore[no-any-return]

    def x_expr_term(self, node: Any) -> Expr:
        kids = self.kids(node)
        return self.expr(kids[0])

    def x_int_lit(self, node: Any) -> Expr:
        return Literal(int(str(node.children[0])), *self.lines(node))

    def x_float_lit(self, node: Any) -> Expr:
        return Literal(float(str(node.children[0])), *self.lines(node))

    def x_literal_value(self, node: Any) -> Expr:
        text = str(node.children[0])
        value = {"true": True, "false": False, "null": None}[text]
        return Literal(value, *self.lines(node))

    def x_identifier(self, node: Any) -> Expr:
        return Variable(str(node.children[0]), *self.lines(node))

    def x_keyword(self, node: Any) -> Expr:
        return Variable(str(node.children[0]), *self.lines(node))

    def x_template_string(self, node: Any) -> Expr:
        raw = str(node.children[0])
        inner = raw[2:-2] if raw.startswith('\\"') else raw.strip('"')
        return Literal(unescape(inner), *self.lines(node))

    def x_string(self, node: Any) -> Expr:
        line, end = self.lines(node)
        flat: list[Any] = []
        for part in node.children[1:-1]:
            inner = part.children[0]
            if not _is_tree(inner):
                kind = inner.type
                text = str(inner)
                if kind == "ESCAPED_INTERPOLATION" or kind == "ESCAPED_DIRECTIVE":
                    flat.append(text[1:])
                else:
                    flat.append(unescape(text))
                continue
            data = inner.data
            kids = self.kids(inner)
            if data == "interpolation":
                flat.append(Interp(self.expr(kids[0])))
            elif data == "template_if_start":
                flat.append(("if", self.expr(kids[0])))
            elif data == "template_else":
                flat.append(("else",))
            elif data == "template_endif":
                flat.append(("endif",))
            elif data == "template_for_start":
                names = [str(k.children[0]) for k in kids[:-1]]
                flat.append(("for", names, self.expr(kids[-1])))
            elif data == "template_endfor":
                flat.append(("endfor",))
        parts = assemble_template(flat, line)
        if all(isinstance(p, str) for p in parts):
            return Literal("".join(parts), line, end)
        return Template(parts, line, end)

    def x_heredoc_template(self, node: Any) -> Expr:
        return self._heredoc(node, trim=False)

    def x_heredoc_template_trim(self, node: Any) -> Expr:
        return self._heredoc(node, trim=True)

    def _heredoc(self, node: Any, trim: bool) -> Expr:
        line, end = self.lines(node)
        raw = str(node.children[0])
        lines = raw.split("\n")
        body_lines = lines[1:-2] if len(lines) >= 3 else []
        body_lines = [b[:-1] if b.endswith("\r") else b for b in body_lines]
        if trim:
            indents = [len(b) - len(b.lstrip(" \t")) for b in body_lines if b.strip()]
            cut = min(indents) if indents else 0
            body_lines = [b[cut:] for b in body_lines]
        text = "\n".join(body_lines) + ("\n" if body_lines else "")
        end = line + len(lines) - 2
        parts = parse_template(text, line + 1)
        return Template(parts, line, end, body_line=line + 1)

    def x_tuple(self, node: Any) -> Expr:
        return TupleExpr([self.expr(k) for k in self.kids(node)], *self.lines(node))

    def x_object(self, node: Any) -> Expr:
        items: list[ObjectItem] = []
        for elem in self.kids(node):
            key_node = elem.children[0]
            value = self.expr(elem.children[-1])
            kline, _ = self.lines(key_node)
            inner = key_node.children[0]
            if inner.data == "keyword":
                key: Expr = Literal(str(inner.children[0]), kline)
            else:
                plain = self.kids(inner)
                if (
                    inner.data == "expr_term"
                    and plain
                    and plain[0].data == "identifier"
                    and (len(inner.children) == 1)
                ):
                    key = Literal(str(plain[0].children[0]), kline)
                else:
                    key = self.expr(inner)
            items.append(ObjectItem(key, value, kline))
        return ObjectExpr(items, *self.lines(node))

    def x_function_call(self, node: Any) -> Expr:
        idents = [c for c in node.children if _is_tree(c) and c.data == "identifier"]
        name = "::".join(str(i.children[0]) for i in idents)
        args: list[Expr] = []
        expand = False
        for c in node.children:
            if _is_tree(c) and c.data == "arguments":
                for a in c.children:
                    if _is_tree(a):
                        if a.data != "new_line_or_comment":
                            args.append(self.expr(a))
                    elif a.type == "ELLIPSIS":
                        expand = True
        return FunctionCall(name, args, expand, *self.lines(node))

    def _traverse(self, node: Any, steps: list[Any]) -> Expr:
        source = self.expr(node.children[0])
        line, end = self.lines(node)
        if isinstance(source, Traversal):
            return Traversal(source.source, source.steps + steps, line, end)
        return Traversal(source, steps, line, end)

    def _step(self, node: Any) -> Any:
        if node.data == "get_attr":
            return GetAttr(self.name_of(self.kids(node)[0]))
        if node.data == "braces_index":
            return Index(self.expr(self.kids(node)[0]))
        if node.data == "short_index":
            tok = [c for c in node.children if not _is_tree(c) and c.type == "INT_LITERAL"]
            return Index(Literal(int(str(tok[0])), self.lines(node)[0]))
        raise HclSyntaxError(self.lines(node)[0], f"unsupported traversal {node.data}")

    def x_index_expr_term(self, node: Any) -> Expr:
        return self._traverse(node, [self._step(node.children[1])])

    def x_get_attr_expr_term(self, node: Any) -> Expr:
        return self._traverse(node, [self._step(node.children[1])])

    def _splat(self, node: Any) -> Expr:
        splat = node.children[1]
        steps: list[Any] = [Splat()]
        steps.extend(self._step(c) for c in self.kids(splat))
        return self._traverse(node, steps)

    def x_attr_splat_expr_term(self, node: Any) -> Expr:
        return self._splat(node)

    def x_full_splat_expr_term(self, node: Any) -> Expr:
        return self._splat(node)

    def x_conditional(self, node: Any) -> Expr:
        c, t, f = self.kids(node)
        return Conditional(self.expr(c), self.expr(t), self.expr(f), *self.lines(node))

    def x_binary_op(self, node: Any) -> Expr:
        kids = self.kids(node)
        left = self.expr(kids[0])
        term = kids[1]
        term_kids = self.kids(term)
        op = str(term_kids[0].children[0])
        right = self.expr(term_kids[1])
        return BinaryOp(op, left, right, *self.lines(node))

    def x_unary_op(self, node: Any) -> Expr:
        op = str(node.children[0])
        operand = self.expr(node.children[1])
        if op == "-" and isinstance(operand, Literal) and isinstance(operand.value, (int, float)):
            return Literal(-operand.value, *self.lines(node))
        return UnaryOp(op, operand, *self.lines(node))

    def _for(self, node: Any, is_object: bool) -> Expr:
        intro = None
        exprs: list[Any] = []
        cond = None
        grouping = False
        for c in node.children:
            if _is_tree(c):
                if c.data == "for_intro":
                    intro = c
                elif c.data == "for_cond":
                    cond = self.expr(self.kids(c)[0])
                elif c.data != "new_line_or_comment":
                    exprs.append(c)
            elif c.type == "ELLIPSIS":
                grouping = True
        assert intro is not None
        ikids = self.kids(intro)
        names = [str(k.children[0]) for k in ikids if k.data == "identifier"]
        coll = self.expr(ikids[-1])
        key_var, val_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
        line, end = self.lines(node)
        if is_object:
            return ForExpr(
                key_var,
                val_var,
                coll,
                self.expr(exprs[0]),
                self.expr(exprs[1]),
                cond,
                grouping,
                line,
                end,
            )
        return ForExpr(key_var, val_var, coll, None, self.expr(exprs[0]), cond, False, line, end)

    def x_for_tuple_expr(self, node: Any) -> Expr:
        return self._for(node, False)

    def x_for_object_expr(self, node: Any) -> Expr:
        return self._for(node, True)
