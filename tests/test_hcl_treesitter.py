"""The tree-sitter front end (hcl_treesitter) against the Lark one (hcl_lark).

For every file tree-sitter accepts, both must build the same AST: same node
types, field values and lines. Files it leaves to Lark (syntax errors, constructs
not reproduced yet) are counted and reported, never compared.
"""

from __future__ import annotations

import sys
from dataclasses import fields, is_dataclass
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("tree_sitter")
pytest.importorskip("tree_sitter_hcl")

from linter.loaders import hcl, hcl_lark, hcl_treesitter
from linter.loaders.hcl_lark import HclSyntaxError
from linter.loaders.terraform import _load
from linter.model import ParseError

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "terraform"


def dump(node: Any) -> Any:
    """A comparable form of an AST: every node's type and every field, lines included."""
    if isinstance(node, list):
        return [dump(x) for x in node]
    if isinstance(node, tuple):
        return tuple(dump(x) for x in node)
    if isinstance(node, dict):
        return {k: dump(v) for k, v in node.items()}
    if is_dataclass(node):
        return (type(node).__name__, {f.name: dump(getattr(node, f.name)) for f in fields(node)})
    if node is None or isinstance(node, (str, int, float)):
        return (type(node).__name__, node)
    slots = [s for cls in type(node).__mro__ for s in getattr(cls, "__slots__", ())]
    return (type(node).__name__, {s: dump(getattr(node, s)) for s in slots})


def compare(paths: list[Path]) -> tuple[int, list[str], list[str]]:
    """(files both parse identically, files that differ, files tree-sitter leaves to Lark)."""
    same, differ, fallback = 0, [], []
    for path in paths:
        text = path.read_bytes().decode("utf-8-sig", "replace")
        fast = hcl_treesitter.parse_hcl_body(text)
        if fast is None:
            fallback.append(str(path))
            continue
        try:
            slow: Any = dump(hcl_lark.parse_hcl_body(text))
        except HclSyntaxError as exc:
            slow = ("syntax error", exc.message)
        if dump(fast) == slow:
            same += 1
        else:
            differ.append(str(path))
    return same, differ, fallback


@pytest.fixture(autouse=True)
def _deep_enough() -> Any:
    old = sys.getrecursionlimit()
    sys.setrecursionlimit(max(old, 10000))
    yield
    sys.setrecursionlimit(old)


def test_fixtures_identical() -> None:
    paths = sorted((ROOT / "fixtures").rglob("*.tf"))
    assert len(paths) > 100
    same, differ, fallback = compare(paths)
    print(f"fixtures: {same} identical, {len(fallback)} left to Lark: {fallback}")
    assert differ == []
    assert same >= len(paths) - 5


def test_corpus_identical() -> None:
    if not CORPUS.is_dir():
        pytest.skip(f"the shared corpus is not at {CORPUS}")
    paths = sorted(CORPUS.rglob("*.tf"))
    same, differ, fallback = compare(paths)
    print(f"corpus: {same} identical, {len(fallback)} left to Lark: {fallback}")
    assert differ == []
    assert same >= len(paths) * 0.95


SNIPPETS = [
    'a = "x\\n\\t\\"q\\u00e9 $${x} %%{y} ${a}"\n',
    'resource "a" "c\\"d" {\n}\n',
    'a = "%{ for k, v in m }${k}=${v}%{ endfor }"\n',
    'a = "%{~ if x ~}y%{~ else ~}z%{~ endif ~}"\n',
    "a = <<EOT\nhello ${x}\n  %{ if y }z%{ endif }\nEOT\nb = 1\n",
    "a = <<-EOT\n    hello ${x.y[0]}\n      z $${q}\n    EOT\n",
    "a = <<EOT\nEOT\n",
    "a = <<EOT\n${jsonencode({a = 1})}\nEOT\n",
    "a = x.0.y\nb = x[*].y.z[0]\nc = x.*.y\nd = x[0][1]\ne = f(x)[0].y\nf = x[*][0]\n",
    "a = provider::aws::arn_parse(x)\n",
    'a = { in = 1, for = 2, if = 3, "s" = 4, (k) = 5, x.y = 6, null = 7, true = 8 }\n',
    "a = {\n  b = 1\n  c = 2,\n  # c\n  d = x + y\n}\n",
    "a = [\n  1,\n  2, # c\n  x && y\n]\n",
    "a = -1\nb = - 2.5\nc = -x\nd = !x.y\ng = -(1)\nh = 1.5e-3\n",
    "a = x ? y : z ? w : v ? 1 : 2\nb = (a ? b : c) ? d : e\n",
    "a = a + b * c - d / e % f\nb = a == b != c\nc = a < b || c >= d && !e\n",
    "a = [for x in y : x.z if x != null]\nb = {for k, v in m : k => v... if v}\n",
    "a = f(x, y...)\nb = f()\nc = f(\n  x,\n  y,\n)\n",
    "a = (\n  x + y\n)\nb = (x)\nc = (a.b).c\n",
    "a = x + y # c\n\n\n// d\n/* e\n */ b = 1\n",
    "a = x +\n  y\n",
    "a = x ? y : z + w\n\n\nb = 2",
    'a = "${x + y}"\nb = "${x}"\nc = "plain"\nd = ""\ne = "${a}${b}"\n',
    "a = 1\r\nb = \"x\"\r\nc = <<EOT\r\nline\r\nEOT\r\nd = x + y\r\n",
    "block {\n  nested \"lab\" {\n    a = 1\n  }\n}\n",
    "a = b ? [\n 1\n] : [\n 2\n]\n",
    'a = "$${x\\n}"\n',
    "a = [x + y\n]\nb = { c = x\n}\nd = f(x + y\n)\n",
    "a = x + <<EOT\nhi\nEOT\nb = 1\n",
    'a = "${x +\n y}"\n',
    "a = <<EOT\n${x ? 1 : 2}\n%{ for a in b }${a}%{ endfor }\nEOT\n",
    "a = cond ? <<EOT\nx\nEOT\n : 2\nb = [<<EOT\nx\nEOT\n]\nc = f(<<EOT\nx\nEOT\n)\n",
    "a = x.y # c\nb = [\n  # c\n]\nc = { # c\n  b = 1 # d\n}\nd = x &&\n  # c\n  y\n",
    'a = "a%b$c"\nb = "\\u0041\\U0001F600"\nc = { "${x}" = 1 }\nd = { x: 1, y: 2 }\n',
    "a = <<EOT\n  $${x}\n  %%{y}\nEOT\nb = <<EOT\n${\"}\"}\nEOT\n",
    "a = {\n  for k, v in m :\n  k => v\n  if v\n}\nb = x[\n  \"k\"\n]\nc = !(x)\n",
    "\n\n# only comment\n",
    "",
]


@pytest.mark.parametrize("text", SNIPPETS)
def test_snippets_identical(text: str) -> None:
    fast = hcl_treesitter.parse_hcl_body(text)
    assert fast is not None
    assert dump(fast) == dump(hcl_lark.parse_hcl_body(text))


@pytest.mark.parametrize(
    "text",
    [
        'resource "a${b}" "c" {}\n',  # a label with a template: Lark drops the `${…}`
        'a = "$$${x}"\n',  # `$` before an escaped `$${`: the lexers split it differently
        "e = 1e5\n",  # tree-sitter-hcl has no exponent without a fraction
        "a = {\n",  # a syntax error: Lark reports it
        "a = 1 +\n",
    ],
)
def test_left_to_lark(text: str) -> None:
    assert hcl_treesitter.parse_hcl_body(text) is None


def test_default_front_end_and_the_lark_switch(monkeypatch: pytest.MonkeyPatch) -> None:
    """tree-sitter parses by default; IACLINT_HCL_FRONTEND=lark is python-hcl2 alone."""
    text = 'resource "aws_s3_bucket" "b" {\n  bucket = "x-${var.y}"\n}\n'
    monkeypatch.delenv("IACLINT_HCL_FRONTEND", raising=False)
    assert hcl.frontend() == "tree-sitter"
    calls: list[str] = []
    real = hcl_treesitter.parse_hcl_body

    def spy(t: str) -> Any:
        calls.append(t)
        return real(t)

    monkeypatch.setattr(hcl_treesitter, "parse_hcl_body", spy)
    fast = _load("main.tf", text.encode())
    assert calls == [text]
    monkeypatch.setenv("IACLINT_HCL_FRONTEND", "lark")
    assert hcl.frontend() == "lark"
    slow = _load("main.tf", text.encode())
    assert dump(fast) == dump(slow)
    assert len(calls) == 1


def test_syntax_error_is_python_hcl2_s(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IACLINT_HCL_FRONTEND", raising=False)
    got = _load("main.tf", b"a = {\nb = 1\n")
    monkeypatch.setenv("IACLINT_HCL_FRONTEND", "lark")
    want = _load("main.tf", b"a = {\nb = 1\n")
    assert isinstance(got, ParseError)
    assert (got.line, got.message) == (want.line, want.message)  # type: ignore[union-attr]


def test_what_tree_sitter_rejects_goes_through_python_hcl2(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """tree-sitter-hcl has no exponent numbers: the file (and a template's
    `${…}`) still parse, through python-hcl2, to what the Lark front end gives."""
    monkeypatch.delenv("IACLINT_HCL_FRONTEND", raising=False)
    text = 'a = 1e5\nb = <<EOT\n${1e3 + 1}\nEOT\n'
    assert hcl_treesitter.parse_hcl_body(text) is None
    got = _load("main.tf", text.encode())
    monkeypatch.setenv("IACLINT_HCL_FRONTEND", "lark")
    want = _load("main.tf", text.encode())
    assert not isinstance(got, ParseError)
    assert dump(got) == dump(want)
    assert got.body.attributes["a"].expr.value == 100000.0  # type: ignore[attr-defined]
    assert hcl.parse_template("${2e2}")[0].expr.value == 200.0


def test_without_tree_sitter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("IACLINT_HCL_FRONTEND", raising=False)
    monkeypatch.setattr(hcl_treesitter, "_parser", lambda: None)
    assert hcl.frontend() == "lark"
    assert not hcl_treesitter.available()
    assert hcl_treesitter.parse_hcl_body("a = 1\n") is None
    loaded = _load("main.tf", b"a = 1\n")
    assert not isinstance(loaded, ParseError)
    assert loaded.body.attributes["a"].expr.value == 1  # type: ignore[attr-defined]


def test_deep_nesting_falls_back() -> None:
    text = "a = " + "[" * 3000 + "]" * 3000 + "\n"
    assert hcl_treesitter.parse_hcl_body(text) is None  # RecursionError: Lark's turn
