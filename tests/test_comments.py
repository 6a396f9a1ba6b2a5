"""The comment extractor behind inline suppressions (linter/comments.py).

Table cases pin each construct that a line-based search gets wrong; hypothesis checks
robustness, builds HCL whose comments are known by construction, and compares YAML
against PyYAML's own scanner; the corpus tests cross-check python-hcl2 and PyYAML on
real files.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hcl2
import pytest
import yaml
from hcl2.utils import SerializationOptions
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from lark import Token

from linter.comments import Comment, hcl_comments, yaml_comments

from .conftest import shared_path

Row = tuple[int, int, str, bool]
_YAML_BREAK = re.compile("\r\n|[\r\n\x85\u2028\u2029]")  # PyYAML's, as in the module


def rows(comments: list[Comment]) -> list[Row]:
    return [(c.line, c.column, c.text, c.own_line) for c in comments]


# ----------------------------------------------------------------------- HCL table

HCL_CASES: dict[str, tuple[str, list[Row]]] = {
    "string that looks like a directive": ('description = "iaclint:ignore"\n', []),
    "trailing hash comment": (
        'description = "x" # iaclint:ignore IAC001 reason\n',
        [(1, 19, "iaclint:ignore IAC001 reason", False)],
    ),
    "own-line comments of both styles": (
        '# iaclint:ignore IAC003\n  // slashes\nresource "a" "b" {}\n',
        [(1, 1, "iaclint:ignore IAC003", True), (2, 3, "slashes", True)],
    ),
    "block comments, one spanning lines": (
        "/* one\n   two */ x = 1 /* three */ # four\n",
        [(1, 1, "one\n   two", True), (2, 17, "three", False), (2, 29, "four", False)],
    ),
    "other markers inside a comment": ("# a // b /* c\nx = 1\n", [(1, 1, "a // b /* c", True)]),
    "escaped quote and backslash": (
        r'x = "say \"#hi\" \\" # real' + "\n",
        [(1, 22, "real", False)],
    ),
    "nested string in an interpolation": (
        'x = "${join(",", ["a#b"])}" # real\n',
        [(1, 29, "real", False)],
    ),
    "hash in a string in an interpolation": ('x = "${"#"}"\n', []),
    "object with a brace string in an interpolation": (
        'x = "${ {a = "}"}.a == "#" }" # real\n',
        [(1, 31, "real", False)],
    ),
    "template directive": (
        'x = "%{ if var.on }#on%{ endif }" // real\n',
        [(1, 35, "real", False)],
    ),
    "literal $${ is not an interpolation": (
        'x = "$${ # not }" # real\ny = "%%{" # real too\n',
        [(1, 19, "real", False), (2, 11, "real too", False)],
    ),
    "heredoc body": (
        'x = <<EOF\n# not a comment\n  ${ "}" } // nor this\nEOF\n# real\n',
        [(5, 1, "real", True)],
    ),
    "indented heredoc": (
        "x = <<-EOT\n  # not\n    /* nor */\n  EOT\ny = 1 // real\n",
        [(5, 7, "real", False)],
    ),
    "marker text that is not alone on its line": (
        "x = <<EOF\nEOF is not the end # no\n EOFX\nEOF\n# real\n",
        [(5, 1, "real", True)],
    ),
    "interpolation spanning heredoc lines": (
        'x = <<EOF\n${join(",",\n[]) } EOF\n# no\nEOF\n# real\n',
        [(6, 1, "real", True)],
    ),
    "marker line inside an interpolation (as HCL's own scanner reads it)": (
        "x = <<EOF\n${upper(\nEOF\n)} # no\nEOF\n# real\n",
        [(6, 1, "real", True)],
    ),
    "literal $${ in a heredoc": ("x = <<EOF\n$${ # no\nEOF\n# real\n", [(4, 1, "real", True)]),
    "heredoc in a block": (
        'resource "a" "b" {\n  policy = <<-JSON\n    {"a": "#"}\n'
        "  JSON # no\n  JSON\n  # real\n}\n",
        [(6, 3, "real", True)],
    ),
    "comments inside blocks and objects": (
        'r "a" "b" {\n  tags = { # one\n    Name = "x#y" // two\n  }\n}\n',
        [(2, 12, "one", False), (3, 18, "two", False)],
    ),
    "division and comparison are not comments": (
        "x = a / b < c ? 1 : 2\n# real\n",
        [(2, 1, "real", True)],
    ),
    "not a heredoc: << without a marker line": ('x = "a" << # c\n', [(1, 12, "c", False)]),
    "empty comments at end of file": ("x = 1 #", [(1, 7, "", False)]),
    "empty block comment": (
        "/**/ /*/ still open */",
        [(1, 1, "", True), (1, 6, "/ still open", False)],
    ),
    "crlf line endings": ("x = 1 # a\r\n// b\r\n", [(1, 7, "a", False), (2, 1, "b", True)]),
    "byte order mark": ("\ufeff# c\n", [(1, 1, "c", True)]),
    "unterminated string runs to the end": ('x = "abc # no\ny = 2 # swallowed\n', []),
    "unterminated heredoc runs to the end": ("x = <<EOF\n# no\n", []),
    "unterminated interpolation runs to the end": ('x = "${ a # no\n" # no\n', []),
    "unterminated block comment": ("/* open\nstill", [(1, 1, "open\nstill", True)]),
}


@pytest.mark.parametrize(("source", "expected"), list(HCL_CASES.values()), ids=list(HCL_CASES))
def test_hcl_cases(source: str, expected: list[Row]) -> None:
    assert rows(hcl_comments(source)) == expected


def test_hcl_end_lines() -> None:
    found = hcl_comments("/* a\nb\nc */ # d\n/* e */\n/* unterminated\n")
    assert [(c.line, c.end_line) for c in found] == [(1, 3), (3, 3), (4, 4), (5, 5)]


# ---------------------------------------------------------------------- YAML table

YAML_CASES: dict[str, tuple[str, list[Row]]] = {
    "string that looks like a directive": ('Description: "iaclint:ignore"\n', []),
    "trailing comment": (
        "Type: AWS::S3::Bucket # iaclint:ignore IAC001 reason\n",
        [(1, 23, "iaclint:ignore IAC001 reason", False)],
    ),
    "own-line comments": (
        "# top\nA:\n  # indented\n  B: 1\n",
        [(1, 1, "top", True), (3, 3, "indented", True)],
    ),
    "hash inside a plain scalar": (
        "a: a#b\nurl: http://x/#frag # real\n",
        [(2, 21, "real", False)],
    ),
    "single quotes with '' escape": ("a: 'it''s # no' # yes\n", [(1, 17, "yes", False)]),
    "double quotes with escapes": ('a: "x \\" # no \\\\" # yes\n', [(1, 19, "yes", False)]),
    "double-quoted scalar spanning lines": (
        'a: "one\n  # not a comment\n  two" # yes\n',
        [(3, 8, "yes", False)],
    ),
    "single-quoted scalar spanning lines": (
        "a: 'one\n# no\n  two' # yes\n",
        [(3, 8, "yes", False)],
    ),
    "literal block scalar": (
        "UserData: |\n  #!/bin/bash\n  # not a comment\n  echo hi # no\n# yes\n",
        [(5, 1, "yes", True)],
    ),
    "block scalar header comment": ("a: | # header\n  body # no\n", [(1, 6, "header", False)]),
    "folded scalar ended by a less indented comment": (
        "a: >-\n    # no\n  # yes\n",
        [(3, 3, "yes", True)],
    ),
    "explicit indentation indicator": (
        "b: |2\n    # no\n  # no\nc: 1 # yes\n",
        [(4, 6, "yes", False)],
    ),
    "keep indicator and blank lines": (
        "a: |+\n  x\n\n  # no\nb: 1 # yes\n",
        [(5, 6, "yes", False)],
    ),
    "leading blank lines before content": ("a: |-\n\n\n    text\n  # yes\n", [(5, 3, "yes", True)]),
    "tagged block scalar in a sequence": (
        "- !Sub |\n  # no\n- x # yes\n",
        [(3, 5, "yes", False)],
    ),
    "nested block scalar": (
        "R:\n  P:\n    U: !Base64\n      Fn::Sub: |\n        # no\n      # yes\n",
        [(6, 7, "yes", True)],
    ),
    "flow collections": (
        'a: [x, "b#c", \'d#e\', f#g] # yes\nb: {k: v#w, m: "n # o"} # yes\n',
        [(1, 27, "yes", False), (2, 25, "yes", False)],
    ),
    "JSON-style flow mapping": ('{"a":"b # no","c":[1,"#"]} # yes\n', [(1, 28, "yes", False)]),
    "flow collection spanning lines": (
        'c: [\n  a, # yes\n  "b # no",\n  # yes\n]\n',
        [(2, 6, "yes", False), (4, 3, "yes", True)],
    ),
    "document markers and directives": (
        "%YAML 1.1\n--- # yes\na: 1\n...\n---\n",
        [(2, 5, "yes", False)],
    ),
    "quote that continues a plain scalar": (
        'Description: first\n  "second # x\n',
        [(2, 11, "x", False)],
    ),
    "anchors and aliases": ("- &a x # c\n- *a # d\n", [(1, 8, "c", False), (2, 6, "d", False)]),
    "hash right after a closing quote or flow indicator (as PyYAML reads it)": (
        'a: "x"#c\nb: [x,#d\n  y]\n',
        [(1, 7, "c", False), (2, 7, "d", False)],
    ),
    "tab before a comment": ("a: b\t# c\n", [(1, 6, "c", False)]),
    "crlf and byte order mark": (
        "\ufeff# c\r\na: 1 # d\r\n",
        [(1, 1, "c", True), (2, 6, "d", False)],
    ),
    "unterminated double quote runs on": ('a: "open # no\nb: 1 # no\n', []),
    "document marker ends a broken quote": ("a: 'open # no\n--- # yes\n", [(2, 5, "yes", False)]),
}


@pytest.mark.parametrize(("source", "expected"), list(YAML_CASES.values()), ids=list(YAML_CASES))
def test_yaml_cases(source: str, expected: list[Row]) -> None:
    assert rows(yaml_comments(source)) == expected


def test_yaml_comments_are_single_lines() -> None:
    assert all(c.end_line == c.line for c in yaml_comments("# a\nb: c # d\n"))


# ------------------------------------------------------------------- linear time


@pytest.mark.parametrize(
    ("scan", "source"),
    [
        (hcl_comments, '"${' * 70_000),
        (hcl_comments, "/**/" * 50_000),
        (hcl_comments, "x = <<EOF\n" + "${a}" * 50_000 + "\nEOF\n"),
        (hcl_comments, "<<" * 100_000 + "<<EOF"),
        (hcl_comments, '"' + 'a\\"' * 70_000),
        (yaml_comments, "a: " + "b #" * 70_000),
        (yaml_comments, "[" * 200_000),
        (yaml_comments, "!a " * 70_000),
        (yaml_comments, "- " * 100_000),
        (yaml_comments, "".join(" " * i + "k:\n" for i in range(700))),
    ],
    ids=lambda value: value.__name__ if callable(value) else None,
)
def test_adversarial_inputs_stay_fast(scan: Callable[[str], list[Comment]], source: str) -> None:
    # Quadratic work on these ~200 kB inputs is some 10^10 steps, far past the bound.
    start = time.perf_counter()
    scan(source)
    assert time.perf_counter() - start < 3.0


# -------------------------------------------------------------------- hypothesis

# Code points straight from integers: any of them, lone surrogates included, and no
# Unicode tables to build as st.characters() does.
ANY_CHAR = st.integers(0, 0x10FFFF).map(chr)
MARKUP = st.sampled_from(
    [*"#/*\"'\\${}%<-|>:[],!&?~ \t\n\r", "${", "%{", "<<EOF\n", "EOF", "\u2028", "\ufeff"]
)
ANY_TEXT = st.lists(st.one_of(MARKUP, ANY_CHAR), max_size=300).map("".join)
FAST = settings(database=None, deadline=None, max_examples=200)


@FAST
@given(ANY_TEXT)
def test_never_raises(text: str) -> None:
    for scan in (hcl_comments, yaml_comments):
        for comment in scan(text):
            assert 1 <= comment.line <= comment.end_line
            assert comment.column >= 1
            assert comment.text == comment.text.strip()


@FAST
@given(ANY_TEXT)
def test_hcl_line_comments_stay_on_their_line(text: str) -> None:
    lines = text.split("\n")
    for comment in hcl_comments(text):
        line = lines[comment.line - 1]
        offset = comment.column - 1 + (comment.line == 1 and line.startswith("\ufeff"))
        if line.startswith(("#", "//"), offset):
            assert "\n" not in comment.text
            assert comment.end_line == comment.line
        else:
            assert line.startswith("/*", offset)


@FAST
@given(ANY_TEXT)
def test_yaml_comments_stay_on_their_line(text: str) -> None:
    for comment in yaml_comments(text):
        assert comment.end_line == comment.line
        assert not _YAML_BREAK.search(comment.text)


def _hcl_escape(value: str) -> str:
    value = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return value.replace("${", "$${").replace("%{", "%%{")


def _heredoc_line(value: str) -> str:
    return value.replace("\n", " ").replace("${", "$${").replace("%{", "%%{")


LINE_TEXT = st.lists(st.one_of(MARKUP, ANY_CHAR), max_size=30).map(
    lambda chars: "".join(chars).replace("\n", "")
)


@st.composite
def hcl_programs(draw: st.DrawFn) -> tuple[str, list[Row]]:
    """An HCL file of string-valued attributes and comments whose positions are known."""
    out: list[str] = []
    starts: list[tuple[int, str, bool]] = []  # offset, expected text, own line

    def emit(piece: str) -> None:
        out.append(piece)

    def comment(own_line: bool) -> None:
        style = draw(st.sampled_from(["#", "//", "/*"]))
        # "* /" cannot form a new "*/" with its neighbours, unlike deleting "*/"
        body = draw(LINE_TEXT) if style != "/*" else draw(ANY_TEXT).replace("*/", "* /")
        starts.append((sum(map(len, out)), body.strip(), own_line))
        emit(f"{style}{body}*/" if style == "/*" else f"{style}{body}")

    depth = 0
    for _ in range(draw(st.integers(0, 8))):
        kind = draw(st.sampled_from(["comment", "string", "interp", "heredoc", "open", "close"]))
        indent = "  " * depth
        if kind == "comment":
            emit(indent)
            comment(True)
            emit("\n")
            continue
        if kind == "open":
            emit(f'{indent}resource "{_hcl_escape(draw(LINE_TEXT))}" "b" {{')
            depth += 1
        elif kind == "close":
            if not depth:
                continue
            depth -= 1
            emit(f"{indent[2:]}}}")
        elif kind == "string":
            emit(f'{indent}a = "{_hcl_escape(draw(ANY_TEXT))}"')
        elif kind == "interp":
            value = _hcl_escape(draw(ANY_TEXT))
            # a brace in a string in an object, then strings whose '#' a lost count shows
            emit(indent + 'b = "${join(",", [{ k = "}" }["k"], "#' + value + '"])}"')
        else:
            marker = draw(st.sampled_from(["EOF", "EOT", "JSON"]))
            dash = draw(st.booleans())
            body = [_heredoc_line(line) for line in draw(st.lists(LINE_TEXT, max_size=4))]
            if draw(st.booleans()):  # an interpolation, itself holding a string
                body.append('${upper("' + _hcl_escape(draw(LINE_TEXT)) + '")} #')
            body = [line for line in body if line.strip() != marker]
            emit(f"{indent}c = <<{'-' if dash else ''}{marker}\n")
            emit("".join(f"{line}\n" for line in body))
            emit(f"{indent if dash else ''}{marker}\n")
            continue  # the closing marker must be alone on its line
        if draw(st.booleans()):
            emit(" ")
            comment(False)
        emit("\n")
    text = "".join(out)
    expected = [
        (text.count("\n", 0, start) + 1, start - text.rfind("\n", 0, start), body, own)
        for start, body, own in starts
    ]
    return text, expected


@settings(database=None, deadline=None, max_examples=300)
@given(hcl_programs())
def test_hcl_finds_exactly_the_inserted_comments(program: tuple[str, list[Row]]) -> None:
    text, expected = program
    assert rows(hcl_comments(text)) == expected


# A differential oracle from PyYAML itself: its scanner skips comments in three places.
# scan_to_next_token is replaced by a copy of PyYAML 6's that records each `#` it skips;
# the other two are wrapped. Scalar events give the lines inside multi-line scalars.


def pyyaml_scan(text: str) -> tuple[list[tuple[int, int]], int | None, set[int]]:
    """(line, column) of each comment PyYAML skips, the line of its first error (None
    if the stream parses) and the lines a scalar continues onto."""
    loader = yaml.SafeLoader(text)
    found: list[tuple[int, int]] = []
    inside: set[int] = set()

    def record() -> None:
        while loader.peek() == " ":
            loader.forward()
        if loader.peek() == "#":
            found.append((loader.line + 1, loader.column + 1))

    def scan_to_next_token() -> None:
        if loader.index == 0 and loader.peek() == "\ufeff":
            loader.forward()
        while True:
            record()
            if loader.peek() == "#":
                while loader.peek() not in "\0\r\n\x85\u2028\u2029":
                    loader.forward()
            if loader.scan_line_break():
                if not loader.flow_level:
                    loader.allow_simple_key = True
            else:
                return

    def wrap(name: str) -> None:
        original = getattr(loader, name)

        def wrapper(*args: Any) -> Any:
            record()
            return original(*args)

        setattr(loader, name, wrapper)

    loader.scan_to_next_token = scan_to_next_token
    wrap("scan_block_scalar_ignored_line")
    wrap("scan_directive_ignored_line")
    error = None
    try:
        while loader.check_event():
            event = loader.get_event()
            if isinstance(event, yaml.ScalarEvent):
                first, last = event.start_mark, event.end_mark
                # 0-based marks: lines after the first, and the last only if the
                # scalar (not just its trailing line break) reaches into it
                inside.update(range(first.line + 2, last.line + 1 + (last.column > 0)))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        error = mark.line + 1 if mark is not None else 1
    finally:
        loader.dispose()
    return found, error, inside


YAML_PIECES = [
    "a", "key: ", "k2:", "- ", "# c", " # c", '"d\\"q # x"', "'s''q # x'", '"', "'",
    "|", ">", "|-", ">+2", "|1", "[", "]", "{", "}", ", ", ",", "!Sub ", "&a ", "*a",
    "? ", ": ", "x#y", "\t", "\\", "http://h/#f", "%", '{"k":"v # x"}', "#",
]  # fmt: skip


@st.composite
def yamlish(draw: st.DrawFn) -> str:
    """Lines of YAML tokens at assorted indentation: mostly invalid, often not."""
    lines = []
    for _ in range(draw(st.integers(1, 8))):
        if draw(st.integers(0, 19)) == 0:
            lines.append(draw(st.sampled_from(["---", "...", "--- |", "--- # d", "%YAML 1.1"])))
            continue
        indent = " " * draw(st.sampled_from([0, 0, 1, 2, 2, 3, 4, 4, 6]))
        lines.append(indent + "".join(draw(st.lists(st.sampled_from(YAML_PIECES), max_size=4))))
    breaks = st.sampled_from(["\n", "\n", "\n", "\r\n", "\r", "\x85"])
    return "".join(line + draw(breaks) for line in lines)


@settings(
    database=None, deadline=None, max_examples=400, suppress_health_check=[HealthCheck.too_slow]
)
@given(yamlish())
def test_yaml_agrees_with_pyyaml(text: str) -> None:
    expected, error, _ = pyyaml_scan(text)
    if error is not None:
        return  # PyYAML's scanner accepts some things its parser rejects: compare valid YAML
    assert [(c.line, c.column) for c in yaml_comments(text)] == expected


# ------------------------------------------------------------------------ corpus


def corpus_files(kind: str, *patterns: str) -> dict[Path, str]:
    root = shared_path("corpus", kind)  # skips, saying so, in a clone without ../shared
    paths = sorted({path for pattern in patterns for path in root.glob(pattern)})
    return {path: path.read_text(encoding="utf-8", errors="replace") for path in paths}


def hcl2_comment_starts(tree: Any) -> list[tuple[int, int]]:
    """Where python-hcl2's lexer saw comments (each NL_OR_COMMENT token is one match)."""
    tokens = tree.scan_values(lambda v: isinstance(v, Token) and v.type == "NL_OR_COMMENT")
    return sorted((t.line, t.column) for t in tokens if t.value.startswith(("#", "//", "/*")))


def blank_hcl_comments(text: str, comments: list[Comment]) -> str:
    """The text with every comment found replaced by spaces (line breaks kept)."""
    line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
    chars = list(text)
    for comment in comments:
        start = line_starts[comment.line - 1] + comment.column - 1
        start += comment.line == 1 and text.startswith("\ufeff")
        if text.startswith("/*", start):
            end = text.find("*/", start + 2)
            end = len(text) if end < 0 else end + 2
        else:
            assert text.startswith(("#", "//"), start)
            end = text.find("\n", start)
            end = len(text) if end < 0 else end
        chars[start:end] = ["\n" if c == "\n" else " " for c in chars[start:end]]
    return "".join(chars)


def test_hcl_corpus_matches_python_hcl2() -> None:
    texts = corpus_files("terraform", "**/*.tf")
    found = {path: hcl_comments(text) for path, text in texts.items()}
    assert sum(map(len, found.values())) > 1000
    # python-hcl2 is slow (about 5 ms per kB): the files under 12 kB with a heredoc,
    # a block comment or a directive, and an even spread of the rest.
    paths = list(texts)
    tricky = [p for p in paths if re.search(r"<<|/\*|%\{", texts[p]) and len(texts[p]) < 12_000]
    sample = list(dict.fromkeys(tricky + paths[::50]))
    assert len(tricky) >= 10
    options = SerializationOptions(with_comments=False)
    for path in sample:
        text = texts[path]
        tree = hcl2.parses_to_tree(text)
        assert [(c.line, c.column) for c in found[path]] == hcl2_comment_starts(tree), path
        data = hcl2.serialize(hcl2.transform(tree), serialization_options=options)
        blanked = hcl2.loads(blank_hcl_comments(text, found[path]), serialization_options=options)
        assert blanked == data, path


def cfn_loader() -> type[Any]:
    """A fast safe loader that accepts CloudFormation's short-form `!Tags`."""
    base: type[Any] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

    class Loader(base):  # type: ignore[misc, valid-type]
        pass

    def tagged(loader: Any, suffix: str, node: Any) -> tuple[str, Any]:
        if isinstance(node, yaml.ScalarNode):
            return suffix, loader.construct_scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return suffix, loader.construct_sequence(node, deep=True)
        return suffix, loader.construct_mapping(node, deep=True)

    Loader.add_multi_constructor("!", tagged)
    return Loader


def strip_yaml_comments(text: str, comments: list[Comment]) -> str:
    """The text with every comment found cut from its line, with the blanks before it.

    Cut rather than blanked: spaces left after a block scalar's last line would read as
    more of its content. (An own-line comment after a `|+` scalar still cannot go without
    a trace: the empty line it leaves is kept content. The corpus has none.)
    """
    parts = re.split(f"({_YAML_BREAK.pattern})", text)  # lines, with their breaks between
    for comment in comments:
        index = 2 * (comment.line - 1)
        line = parts[index]
        start = comment.column - 1 + (comment.line == 1 and line.startswith("\ufeff"))
        assert line[start] == "#"
        parts[index] = line[:start].rstrip(" \t")
    return "".join(parts)


def test_yaml_corpus_matches_pyyaml() -> None:
    texts = corpus_files("cloudformation", "**/*.yaml", "**/*.yml", "**/*.template")
    loader = cfn_loader()
    loaded = 0
    for path, text in texts.items():
        found = yaml_comments(text)
        expected, error, inside = pyyaml_scan(text)
        limit = error if error is not None else len(text) + 2  # compare up to PyYAML's error

        def scanned(line: int, limit: int = limit) -> bool:
            return line < limit

        assert [(c.line, c.column) for c in found if scanned(c.line)] == [
            place for place in expected if scanned(place[0])
        ], path
        # Every line that is only a comment, outside multi-line scalars, is found.
        lines = _YAML_BREAK.split(text.removeprefix("\ufeff"))
        own = [
            number
            for number, line in enumerate(lines, start=1)
            if line.strip().startswith("#") and number not in inside and scanned(number)
        ]
        assert [c.line for c in found if c.own_line and scanned(c.line)] == own, path
        try:
            data = list(yaml.load_all(text, Loader=loader))
        except yaml.YAMLError:
            continue
        stripped = strip_yaml_comments(text, found)
        assert list(yaml.load_all(stripped, Loader=loader)) == data, path
        loaded += 1
    assert loaded > 150
