"""`linter.loaders.cfn_yaml` reads YAML templates exactly as cfn-lint's loader did
(tests/cfn_yaml_reference.py, the path it replaced): the same plain values with the
same types and key order, the same line map, the same errors at the same places."""

from __future__ import annotations

import glob
from pathlib import Path
from typing import Any

import pytest

from linter.loaders import cfn_plain
from linter.loaders.cfn_yaml import MAX_ALIAS_EXPANSION
from linter.loaders.cloudformation import _decode_marked, _decode_yaml, decode_text
from linter.model import ParseError
from tests.cfn_yaml_reference import decode_yaml as reference
from tests.conftest import FIXTURES, shared_path

_SUFFIXES = (".yaml", ".yml", ".template", ".txt", ".json")


def _same(name: str, text: str) -> Any:
    """The new reading, after checking it against the reference (repr: types count),
    both the one-pass walk (where it answers) and the marked tree it falls back to."""
    new = _decode_yaml(name, text)
    expected = repr(reference(name, text))
    assert repr(new) == expected, name
    assert repr(_decode_marked(name, text)) == expected, name
    fast = cfn_plain.decode(text)
    assert fast is None or repr(fast) == expected, name
    return new


def _files(root: Path) -> list[str]:
    return sorted(f for f in glob.glob(str(root) + "/**/*", recursive=True)
                  if f.endswith(_SUFFIXES))


def _check_tree(root: Path) -> tuple[int, int]:
    """(files read, files the one-pass walk read)."""
    count = fast = 0
    for name in _files(root):
        text = decode_text(Path(name).read_bytes())
        if text is not None:
            _same(name, text)
            count += 1
            fast += cfn_plain.decode(text) is not None
    return count, fast


def test_fixtures_read_as_before() -> None:
    """Every YAML (and, through the YAML reader, JSON) file of fixtures/."""
    count, fast = _check_tree(FIXTURES)
    assert count > 100 and fast > 0.9 * count


def test_corpus_reads_as_before() -> None:
    """Every file of ../shared/corpus/cloudformation (skipped when absent)."""
    count, fast = _check_tree(shared_path("corpus", "cloudformation"))
    assert count > 100 and fast > 0.9 * count


SNIPPETS = {
    "short forms": "A: !Ref X\nB: !Sub 'a-${X}'\nC: !Condition C\nD: !Foo bar\n"
                   "E: !If [C, 1, !Ref AWS::NoValue]\nF: !Join ['', [a, !Ref X]]\n"
                   "G: !Transform {Name: x, Parameters: {a: 1}}\nH: !Base64\n  Fn::Sub: x\n",
    "getatt": "A: !GetAtt a.b.c\nB: !GetAtt [a, b]\nC: !GetAtt {a: b}\nD: !GetAtt []\n"
              "E: !GetAtt\n  - a\n  - !Ref b\n",
    "scalars": "a: 2024-01-02\nb: 2024-01-02 10:11:12\nc: yes\nd: on\ne: 0x1f\nf: 1.5e3\n"
               "g: ~\nh: .inf\ni: '007'\nj: !!binary aGk=\nk: !!str 12\nl: 1_000\n",
    "keys": "1: a\nfalse: b\n2.5: c\n",
    "merge": "base: &b {a: 1, b: 2}\nm:\n  <<: *b\n  b: 3\nn:\n  <<: [*b, {c: 4}]\n",
    "block scalars": "a: |\n  one\n  two\n\n\nb: >-\n  folded\n  text\nc: x\n",
    "nested lists": "- - a\n  - b\n-\n  - c: 1\n    d: [1, 2,\n      3]\n",
    "empty": "",
    "comment only": "# nothing\n",
    "null value": "a:\nb: null\n",
    "omap and set": "a: !!omap [x: 1, y: 2]\nb: !!set {p, q}\nc: !!pairs [x: 1]\n",
    "anchors in lists": "a: &x [1, 2]\nb: [*x, *x]\nc: &s str\nd: *s\n",
    "flow mapping lines": "R: {Type: AWS::S3::Bucket,\n  Properties: {\n    A: 1}}\n",
    "keys alike as text": "1: a\n'1': b\nc: {2: x, '2': y}\n",
    "short forms with null keys": "a: !Transform {~: 1, b: [!Ref c]}\n",
    "short form keys": "a: !Sub\n  - x\n  - {y: !Ref z}\nb: !GetAtt\n  - r\n  - !Sub x\n",
    "nested 100": "a: " + "[" * 100 + "]" * 100 + "\n",
    "nested 200": "a: " + "[" * 200 + "]" * 200 + "\n",
    "nested 400": "a: " + "[" * 400 + "]" * 400 + "\n",
    "multi-line keys and ends": "a:\n  b: >\n    text\n\n  # c\n  c: 'x\n    y'\n\n# end\n",
}

ERRORS = {
    "duplicate": ("a: 1\nb: 2\na: 3\n", 1, "Duplicate found 'a' (line 1)", 1),
    "nested duplicate": ("R:\n  P:\n    x: 1\n    x: 2\n", 3, "Duplicate found 'x' (line 3)", 5),
    "int duplicate": ("1: a\ntrue: b\n", 1, "Duplicate found True (line 1)", 1),
    "null key": ("~: 1\n", 1, "Null key '~' not supported (line 1)", 1),
    "unhashable": ("? {a: 1}\n: 2\n", 1, 'Unhashable type "{\'a\': 1}" (line 1)', 3),
    "second document": ("a: 1\n---\nb: 2\n", 2, "but found another document "
                        "(expected a single document in the stream)", 1),
    "scanner": ("a: 'x\n", 2, "found unexpected end of stream "
                "(while scanning a quoted scalar)", 1),
    "tab": ("a:\n\tb: 1\n", 2, "found character that cannot start any token "
            "(while scanning for the next token)", 1),
    "bad merge": ("a:\n  <<: 1\n", 2, "expected a mapping or list of mappings for merging, "
                  "but found scalar (while constructing a mapping)", 7),
    "recursive": ("a: &x [*x]\n", 1, "found unconstructable recursive node", 4),
    "unknown tag": ("a: !<tag:x.org,1:y> 1\n", 1, "could not determine a constructor for "
                    "the tag 'tag:x.org,1:y'", 4),
}


@pytest.mark.parametrize("text", SNIPPETS.values(), ids=SNIPPETS.keys())
def test_snippets_read_as_before(text: str) -> None:
    _same("t.yaml", text)


@pytest.mark.parametrize("case", ERRORS.values(), ids=ERRORS.keys())
def test_errors_as_before(case: tuple[str, int, str, int]) -> None:
    text, line, message, column = case
    assert _same("t.yaml", text) == ParseError("t.yaml", line, message, column)


def test_short_forms_become_long_forms() -> None:
    value, locs = _same("t.yaml", SNIPPETS["short forms"] + SNIPPETS["getatt"].replace(
        "A:", "GA:").replace("B:", "GB:").replace("C:", "GC:").replace("D:", "GD:")
        .replace("E:", "GE:"))
    assert value["A"] == {"Ref": "X"} and value["C"] == {"Condition": "C"}
    assert value["D"] == {"Fn::Foo": "bar"} and value["B"] == {"Fn::Sub": "a-${X}"}
    assert value["GA"] == {"Fn::GetAtt": ["a", "b.c"]}
    assert value["GE"] == {"Fn::GetAtt": ["a", {"Ref": "b"}]}
    assert locs[("H",)] == (8, 9)


def test_scalars_as_cloudformation_sees_them() -> None:
    value, _ = _same("t.yaml", SNIPPETS["scalars"])
    assert value["a"] == "2024-01-02" and value["c"] is True and value["e"] == 31
    assert value["i"] == "007" and value["k"] == "12" and value["g"] is None


def test_alias_bomb_is_refused() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x, x]\n"]
    lines += [f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 10) + "]\n" for i in range(1, 7)]
    err = _same("t.yaml", "".join(lines))
    assert isinstance(err, ParseError) and err.line == 1
    assert f"{MAX_ALIAS_EXPANSION:,}" in err.message


def test_json_scalar_with_a_tab() -> None:
    """JSON the bracket check does not take for JSON goes to the YAML reader."""
    text = '"a\tb"\t\n'
    assert _same("t.yaml", text) == ("a\tb", {(): (1, 1)})
