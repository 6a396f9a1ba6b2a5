"""Comments in Terraform (HCL native syntax) and CloudFormation YAML, found by a lexer.

Inline suppressions (`# iaclint:ignore IAC001 reason`) must only honour real comments:
the same words inside a string, a heredoc or a YAML block scalar are data, and a
substring search of lines cannot tell the difference. Both scanners are hand-written
(so they do not depend on a parser accepting the file), run in time linear in the input,
never raise, and let an unterminated string, heredoc or block comment run to the end of
the file rather than guess where it should have stopped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Comment", "hcl_comments", "yaml_comments"]


@dataclass(frozen=True)
class Comment:
    """One comment, located the way findings are (1-based lines and columns)."""

    line: int  # line where the comment starts
    end_line: int  # last line (block comments can span lines)
    column: int  # column of the comment marker
    text: str  # the body without its markers ('#', '//', '/*', '*/'), stripped
    own_line: bool  # only whitespace precedes it on its line


_BOM = "\ufeff"
_NON_BLANK = re.compile(r"[^ \t\r\f\v" + _BOM + "]")

# --------------------------------------------------------------------------- HCL
# Lines are counted on "\n" only, as the HCL parsers do ("\r\n" works: the "\r" is
# stripped from comment text). A stack of frames tracks what encloses the current
# position; expressions (top level, or inside `${ }` / `%{ }`) find the next
# interesting character with one regex search, so the cost is linear in the input.

_TOP, _INTERP, _STRING, _HEREDOC = range(4)

_HCL_TOP = re.compile(r'[#/"<]')
# Inside an interpolation only strings, heredocs and braces matter. HCL itself would
# read a comment in a multi-line `${ }`; none is reported there, as no suppression
# belongs inside a template, and a stray `#` then cannot swallow the closing brace.
_HCL_INTERP = re.compile(r'[{}"<]')
# `$${` and `%%{` are literal; they must be tried before `${` / `%{` at the same
# position, and a search finds the leftmost match, so `$$${` is `$` then `$${`.
_HCL_STRING = re.compile(r'\\.|"|\$\$\{|%%\{|[$%]\{', re.S)
_HCL_TEMPLATE = re.compile(r"\$\$\{|%%\{|[$%]\{")  # heredoc bodies have no \ escapes
_HCL_HEREDOC = re.compile(r"<<-?([^\W\d][\w-]*)[ \t]*\r?\n")  # blanks after it forgiven


class _Frame:
    """An open construct: brace depth for interpolations, marker for heredocs."""

    __slots__ = ("depth", "kind", "line_end", "marker")

    def __init__(self, kind: int, marker: str = "") -> None:
        self.kind = kind
        self.depth = 0
        self.marker = marker
        self.line_end = -1  # heredocs: end of the body line being scanned


def _hcl_spans(text: str) -> list[tuple[int, int, int, int]]:
    """(start, end, body start, body end) offsets of every comment, in order."""
    n = len(text)
    spans: list[tuple[int, int, int, int]] = []
    stack: list[_Frame] = [_Frame(_TOP)]
    i = 0
    while i < n:
        frame = stack[-1]
        kind = frame.kind
        if kind == _STRING:
            m = _HCL_STRING.search(text, i)
            if m is None:
                break
            token = m.group()
            if token == '"':
                stack.pop()
            elif token in ("${", "%{"):
                stack.append(_Frame(_INTERP))
            i = m.end()
        elif kind == _HEREDOC:
            if frame.line_end < i:
                end = text.find("\n", i)
                if end < 0:
                    end = n
                # The closing marker is only recognised at the start of a body line,
                # not after an interpolation that spanned lines.
                if (i == 0 or text[i - 1] == "\n") and text[i:end].strip() == frame.marker:
                    stack.pop()
                    i = end
                    continue
                frame.line_end = end
            m = _HCL_TEMPLATE.search(text, i, frame.line_end)
            if m is None:
                i = frame.line_end + 1
                continue
            if m.group() in ("${", "%{"):
                stack.append(_Frame(_INTERP))
            i = m.end()
        else:
            m = (_HCL_TOP if kind == _TOP else _HCL_INTERP).search(text, i)
            if m is None:
                break
            start = m.start()
            char = m.group()
            i = start + 1
            if char == '"':
                stack.append(_Frame(_STRING))
            elif char == "{":
                frame.depth += 1
            elif char == "}":
                if frame.depth:
                    frame.depth -= 1
                else:
                    stack.pop()
            elif char == "<":
                heredoc = _HCL_HEREDOC.match(text, start)
                if heredoc is not None:
                    stack.append(_Frame(_HEREDOC, heredoc.group(1)))
                    i = heredoc.end()
            elif char == "#" or text.startswith("//", start):
                end = text.find("\n", start)
                if end < 0:
                    end = n
                spans.append((start, end, start + (1 if char == "#" else 2), end))
                i = end
            elif text.startswith("/*", start):
                end = text.find("*/", start + 2)
                if end < 0:
                    spans.append((start, n, start + 2, n))
                    i = n
                else:
                    spans.append((start, end + 2, start + 2, end))
                    i = end + 2
    return spans


def hcl_comments(text: str) -> list[Comment]:
    """Every `#`, `//` and `/* */` comment of an HCL file, in source order.

    Quoted strings (with escapes, `${ }` / `%{ }` templates and their nested strings)
    and heredoc bodies are skipped, so `description = "iaclint:ignore"` is not one.
    """
    comments: list[Comment] = []
    line = 1
    line_start = 1 if text.startswith(_BOM) else 0
    first_code = -1  # offset of the first non-blank character of line `line`, once known
    last = 0
    for start, end, body_start, body_end in _hcl_spans(text):
        newlines = text.count("\n", last, start)
        if newlines:
            line += newlines
            line_start = text.rfind("\n", last, start) + 1
            first_code = -1
        if first_code < 0:
            blank_run = _NON_BLANK.search(text, line_start, start + 1)
            first_code = blank_run.start() if blank_run is not None else start
        last_char = max(start, end - 1)
        end_line = line + text.count("\n", start, last_char)
        comments.append(
            Comment(
                line=line,
                end_line=end_line,
                column=start - line_start + 1,
                text=text[body_start:body_end].strip(),
                own_line=first_code == start,
            )
        )
        if end_line != line:
            line = end_line
            line_start = text.rfind("\n", start, last_char) + 1
            first_code = -1
        last = last_char
    return comments


# -------------------------------------------------------------------------- YAML
# A line-at-a-time scanner with the little state YAML needs across lines: the flow
# depth, and whether a plain, quoted or block scalar is still open. Line breaks are
# the ones PyYAML (which cfn-lint uses, and so every finding's line number) counts.

_YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")
_NORMAL, _PLAIN, _SINGLE, _DOUBLE, _BLOCK = range(5)

_DOC_MARKER = re.compile(r"(?:---|\.\.\.)(?=[ \t]|$)")
_NON_SPACE = re.compile(r"[^ \t]")
_BLOCK_HEADER = re.compile(r"[|>](?:([1-9])[+-]?|[+-]([1-9])?)?(?=[ \t]|$)")
_DOUBLE_BODY = re.compile(r'[^"\\]*(?:\\.[^"\\]*)*')
_SINGLE_BODY = re.compile(r"[^']*(?:''[^']*)*")
# Where a plain scalar stops on this line: ` #` starts a comment, `: ` ends a key, and
# in a flow collection so do `,[]{}` (and `:` before one of them).
_PLAIN_END_BLOCK = re.compile(r"[ \t]#|:(?=[ \t]|$)")
_PLAIN_END_FLOW = re.compile(r"[ \t]#|:(?=[ \t,\[\]{}]|$)|[,\[\]{}]")
_PROPERTY_BLOCK = re.compile(r"[^ \t]*")
_PROPERTY_FLOW = re.compile(r"[^ \t,\[\]{}]*")


class _YamlScanner:
    """State carried from one line to the next while scanning a YAML stream."""

    def __init__(self) -> None:
        self.comments: list[Comment] = []
        self.mode = _NORMAL
        self.flow = 0
        # Columns of the open block collections, as PyYAML keeps them: plain scalars
        # continue, and block scalar content sits, on lines indented beyond the last.
        self.indents: list[int] = []
        self.plain_parent = -1  # the innermost indent when the plain scalar began
        self.block_min = 1  # least indentation of a block scalar's content
        self.block_indent = -1  # its content's indentation, -1 until the first line
        self.block_blank = 0  # widest blank line before the first content line
        self.key = -1  # column where the last node on this line started
        self.node = -1  # column of a pending anchor or tag, which starts the node

    def scan(self, text: str) -> list[Comment]:
        if text.startswith(_BOM):
            text = text[1:]  # PyYAML does not count it in columns either
        for number, line in enumerate(_YAML_BREAK.split(text), start=1):
            self._line(number, line)
        return self.comments

    def _line(self, number: int, line: str) -> None:
        pos = 0
        self.key = self.node = -1
        if _DOC_MARKER.match(line):
            # A document marker ends whatever was open, even a broken quoted scalar.
            self.mode = _NORMAL
            self.flow = 0
            self.indents.clear()
            pos = 3
        else:
            if self.mode == _BLOCK:
                if self._in_block_scalar(line):
                    return
                self.mode = _NORMAL
            elif self.mode == _PLAIN:
                first = _NON_SPACE.search(line)
                if first is None:
                    return  # blank lines fold into the scalar
                pos = first.start()
                if line[pos] == "#" or not (self.flow or pos > self.plain_parent):
                    self.mode = _NORMAL
                    pos = 0
            if self.mode == _NORMAL and not self.flow:
                first = _NON_SPACE.search(line)
                if first is not None and line[first.start()] != "#":
                    column = first.start()
                    while self.indents and self.indents[-1] > column:
                        self.indents.pop()
        self._scan(number, line, pos)

    def _in_block_scalar(self, line: str) -> bool:
        """Whether a line belongs to the open block scalar (PyYAML's indentation rule).

        Blank lines never end one, even with a tab in them (PyYAML would fail there).
        """
        indent = len(line) - len(line.lstrip(" "))
        blank = not line.strip(" \t")
        if self.block_indent < 0:
            if blank:
                self.block_blank = max(self.block_blank, indent)
                return True
            self.block_indent = max(self.block_min, self.block_blank, indent)
        return blank or indent >= self.block_indent

    def _comment(self, number: int, line: str, pos: int) -> None:
        self.comments.append(
            Comment(
                line=number,
                end_line=number,
                column=pos + 1,
                text=line[pos + 1 :].strip(),
                own_line=not line[:pos].strip(" \t"),
            )
        )

    def _indent(self, column: int) -> None:
        """A block mapping key or sequence entry at `column` may open a collection."""
        if not self.flow and (not self.indents or self.indents[-1] < column):
            self.indents.append(column)

    def _node(self, pos: int) -> None:
        """A node starts at `pos` (or at the anchor or tag before it)."""
        self.key = self.node if self.node >= 0 else pos
        self.node = -1

    def _scan(self, number: int, line: str, pos: int) -> None:
        size = len(line)
        while pos < size:
            mode = self.mode
            if mode == _PLAIN:
                pattern = _PLAIN_END_FLOW if self.flow else _PLAIN_END_BLOCK
                end = pattern.search(line, pos)
                if end is None:
                    return
                self.mode = _NORMAL
                char = end.group()[-1]
                if char == "#":
                    self._comment(number, line, end.end() - 1)
                    return
                if char == ":":
                    self._indent(self.key if self.key >= 0 else end.start())
                    pos = end.end()
                else:
                    pos = end.start()
                continue
            if mode in (_DOUBLE, _SINGLE):
                body = (_DOUBLE_BODY if mode == _DOUBLE else _SINGLE_BODY).match(line, pos)
                pos = body.end() if body is not None else size
                if pos < size and line[pos] != "\\":
                    self.mode = _NORMAL
                    pos += 1
                else:
                    return  # the scalar goes on on the next line
                continue
            first = _NON_SPACE.search(line, pos)
            if first is None:
                return
            pos = first.start()
            char = line[pos]
            follows = line[pos + 1 : pos + 2]
            if char == "#":
                self._comment(number, line, pos)
                return
            if char in "\"'":
                self._node(pos)
                self.mode = _DOUBLE if char == '"' else _SINGLE
                pos += 1
            elif char in "[{":
                if not self.flow:
                    self._node(pos)
                self.flow += 1
                pos += 1
            elif char in "]}" and self.flow:
                self.flow -= 1
                pos += 1
            elif char == "," and self.flow:
                pos += 1
            elif char in "-?" and follows in ("", " ", "\t"):
                self._indent(pos)
                self.key = self.node = -1
                pos += 1
            elif char == ":" and (self.flow or follows in ("", " ", "\t")):
                self._indent(next(c for c in (self.key, self.node, pos) if c >= 0))
                self.key = self.node = -1
                pos += 1
            elif char in "&!*":
                pattern = _PROPERTY_FLOW if self.flow else _PROPERTY_BLOCK
                prop = pattern.match(line, pos + 1)
                end_pos = prop.end() if prop is not None else pos + 1
                if char == "*":
                    self._node(pos)
                elif self.node < 0:
                    self.node = pos
                pos = end_pos
            elif char in "|>" and not self.flow and (header := _BLOCK_HEADER.match(line, pos)):
                self._open_block_scalar(header)
                rest = _NON_SPACE.search(line, header.end())
                if rest is not None and line[rest.start()] == "#":
                    self._comment(number, line, rest.start())
                return
            else:
                self._node(pos)
                self.mode = _PLAIN
                self.plain_parent = self.indents[-1] if self.indents else -1
                pos += 1

    def _open_block_scalar(self, header: re.Match[str]) -> None:
        self.mode = _BLOCK
        self.block_min = max(self.indents[-1] + 1 if self.indents else 0, 1)
        digit = header.group(1) or header.group(2)
        self.block_indent = self.block_min + int(digit) - 1 if digit else -1
        self.block_blank = 0


def yaml_comments(text: str) -> list[Comment]:
    """Every `#` comment of a YAML stream, in source order.

    Quoted scalars (which may span lines), block scalars (`|`, `>` and their content)
    and plain scalars with an inner `#` (`a#b`) are skipped; document markers and
    directives are not comments. Like PyYAML, a `#` right after a closing quote or a
    flow indicator (`"a"#c`, `[a,#c`) is taken for a comment, though YAML wants a blank.
    """
    return _YamlScanner().scan(text)
