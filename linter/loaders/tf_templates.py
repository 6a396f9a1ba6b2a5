"""Template text: `${…}` interpolations and `%{if}`/`%{for}` directives as AST parts.

One scanner serves heredoc bodies, `.tf.json` strings, template files read by
`templatefile()` and quoted HCL strings (via `assemble_template`), so every
syntax yields the same Template/IfDirective/ForDirective nodes. The expressions
inside `${…}` are parsed by the callback the caller passes
(`hcl_lark.expression_or_none`): the HCL parser needs this scanner for heredocs,
so this module must not import the parser.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from linter.loaders.hcl_ast import (
    Expr,
    ForDirective,
    FunctionCall,
    IfDirective,
    Interp,
    Literal,
    Template,
)

#: Parses the text of one expression written at `line`; None when it is not valid.
ParseExpression = Callable[[str, int], Expr | None]


_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_ESCAPE_RE = re.compile(r"\\(u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|.)", re.S)


def unescape(text: str) -> str:
    """The value of the literal text of a quoted HCL string (`\\n`, `\\"`, `\\uXXXX`…);
    one function for both front ends, whose ASTs must be identical."""
    if "\\" not in text:
        return text

    def repl(m: re.Match[str]) -> str:
        s = m.group(1)
        if s[0] in "uU" and len(s) > 1:
            return chr(int(s[1:], 16))
        return _ESCAPES.get(s, "\\" + s)

    return _ESCAPE_RE.sub(repl, text)


def assemble_template(flat: list[Any], line: int) -> list[Any]:
    """Nest flat if/else/endif/for/endfor markers into directive nodes."""
    pos = 0

    def parse_until(stops: tuple[str, ...]) -> tuple[list[Any], str | None]:
        nonlocal pos
        out: list[Any] = []
        while pos < len(flat):
            item = flat[pos]
            pos += 1
            if isinstance(item, tuple):
                tag = item[0]
                if tag in stops:
                    return out, tag
                if tag == "if":
                    then, stop = parse_until(("else", "endif"))
                    other: list[Any] = []
                    if stop == "else":
                        other, _ = parse_until(("endif",))
                    out.append(IfDirective(item[1], then, other))
                elif tag == "for":
                    body, _ = parse_until(("endfor",))
                    names = item[1]
                    key_var, val_var = (names[0], names[1]) if len(names) == 2 else (None, names[0])
                    out.append(ForDirective(key_var, val_var, item[2], body))
                # a stray else/endif/endfor is ignored rather than fatal
                continue
            if isinstance(item, str) and out and isinstance(out[-1], str):
                out[-1] += item
            else:
                out.append(item)
        return out, None

    parts, _ = parse_until(())
    return parts


_DIRECTIVE_FOR = re.compile(
    r"for\s+([A-Za-z_][\w-]*)\s*(?:,\s*([A-Za-z_][\w-]*)\s*)?in\s+(.*)$", re.S
)


def _close_brace(text: str, start: int) -> int:
    """Index of the `}` closing a `${`/`%{` opened just before `start`, or -1."""
    depth = 0
    i = start
    n = len(text)
    while i < n:
        ch = text[i]
        if ch == '"':
            i += 1
            while i < n and text[i] != '"':
                i += 2 if text[i] == "\\" else 1
        elif ch == "{":
            depth += 1
        elif ch == "}":
            if depth == 0:
                return i
            depth -= 1
        i += 1
    return -1


def parse_template_text(text: str, line: int, parse: ParseExpression) -> list[Any]:
    """Parts of a template written as raw text (heredoc body, template file, JSON string)."""
    flat: list[Any] = []
    buf: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        ch = text[i]
        if ch in "$%" and text.startswith("{", i + 1):
            if i > 0 and text[i - 1] == ch and buf and buf[-1].endswith(ch):
                # `$${` / `%%{` is an escaped literal
                buf[-1] = buf[-1][:-1]
                buf.append(ch + "{")
                i += 2
                continue
            close = _close_brace(text, i + 2)
            if close < 0:
                buf.append(text[i:])
                break
            inner = text[i + 2 : close].strip().strip("~").strip()
            here = line + text.count("\n", 0, i)
            if buf:
                flat.append("".join(buf))
                buf = []
            flat.append(_template_item(ch, inner, here, parse))
            i = close + 1
            continue
        buf.append(ch)
        i += 1
    if buf:
        flat.append("".join(buf))
    return assemble_template(flat, line)


def _template_item(kind: str, inner: str, line: int, parse: ParseExpression) -> Any:
    # an invalid expression becomes a call of no function: unknown when evaluated
    invalid = FunctionCall("__invalid__", [], False, line, line)
    if kind == "$":
        found = parse(inner, line)
        return Interp(invalid if found is None else found)
    words = inner.split(None, 1)
    head = words[0] if words else ""
    if head == "if" and len(words) > 1:
        found = parse(words[1], line)
        return ("if", invalid if found is None else found)
    if head == "for":
        m = _DIRECTIVE_FOR.match(inner)
        if m:
            names = [m.group(1)] + ([m.group(2)] if m.group(2) else [])
            found = parse(m.group(3), line)
            return ("if", invalid) if found is None else ("for", names, found)
    if head in ("else", "endif", "endfor"):
        return (head,)
    return ""


def template_from_text(text: str, line: int, end_line: int, parse: ParseExpression) -> Expr:
    """A Literal when `text` has no interpolation, else a Template."""
    if "${" not in text and "%{" not in text:
        return Literal(text, line, end_line)
    parts = parse_template_text(text, line, parse)
    if all(isinstance(p, str) for p in parts):
        return Literal("".join(parts), line, end_line)
    return Template(parts, line, end_line)
