"""JSON with lines (marked.parse_json_lines): what `.tf.json`, tfvars and policy text rely on."""

from __future__ import annotations

import pytest

from linter.loaders.hcl_ast import TerraformFile
from linter.loaders.marked import JArr, JObj, JScalar, JsonSyntaxError, jplain, parse_json_lines
from linter.loaders.terraform import load_terraform
from linter.model import ParseError


def test_every_key_and_value_keeps_its_own_line() -> None:
    doc = parse_json_lines('{\n  "a":\n    5,\n  "b": [\n    "x",\n    true\n  ],\n  "c": {}\n}\n')
    assert isinstance(doc, JObj)
    assert (doc.line, doc.end_line) == (1, 9)
    (ka, la, va), (kb, lb, vb), (kc, lc, vc) = doc.items
    assert (ka, la) == ("a", 2)
    assert isinstance(va, JScalar) and (va.value, va.line) == (5, 3)  # the value's own line
    assert (kb, lb) == ("b", 4)
    assert isinstance(vb, JArr) and (vb.line, vb.end_line) == (4, 7)
    assert [(i.value, i.line) for i in vb.items] == [("x", 5), (True, 6)]
    assert isinstance(vc, JObj) and (kc, lc, vc.line, vc.end_line) == ("c", 8, 8, 8)
    assert jplain(doc) == {"a": 5, "b": ["x", True], "c": {}}


def test_an_empty_container_ends_on_its_opening_line() -> None:
    doc = parse_json_lines("[\n{\n}\n,\n[\n]\n]")
    assert [(v.line, v.end_line) for v in doc.items] == [(2, 2), (5, 5)]


def test_repeated_keys_are_all_kept_in_order() -> None:
    doc = parse_json_lines('{"a": 1,\n "b": 2,\n "a": 3}')
    items = [(k, line, v.value) for k, line, v in doc.items]
    assert items == [("a", 1, 1), ("b", 2, 2), ("a", 3, 3)]
    assert jplain(doc) == {"a": 3, "b": 2}


def test_repeated_block_keys_in_tf_json_give_every_block() -> None:
    text = (
        b'{\n  "resource": {"aws_s3_bucket": {"a": {"bucket": "x"}}},\n'
        b'  "resource": {"aws_s3_bucket": {"b": {"bucket": "y"}}}\n}\n'
    )
    doc = load_terraform("/x/dup.tf.json", text)
    assert isinstance(doc, TerraformFile)
    assert [(b.labels, b.line) for b in doc.body.blocks] == [
        (["aws_s3_bucket", "a"], 2),
        (["aws_s3_bucket", "b"], 3),
    ]


@pytest.mark.parametrize(
    ("text", "line", "message"),
    [
        ('{\n  "a": 1,\n}', 3, "expected a string key"),  # trailing comma in an object
        ("[\n  1,\n]", 3, "unexpected character ']'"),  # trailing comma in an array
        ('{\n  "a" 1\n}', 2, "expected ':'"),
        ('{\n  "a": 1\n  "b": 2\n}', 3, "expected ',' or '}'"),
        ("[1\n 2]", 2, "expected ',' or ']'"),
        ('{"a":\n  NaN}', 2, "unexpected character 'N'"),
        ("[\n-Infinity]", 2, "unexpected character '-'"),
        ('{"a": 1}\n\nx', 3, "extra data after the document"),
        ('{\n  "a\nb": 1}', 2, "Invalid control character"),  # at the key, not the next line
        ('{\n  "a": "x\ny"}', 2, "Invalid control character"),
        ('{\n  "a": ', 2, "unexpected end of input"),
        ("", 1, "unexpected end of input"),
    ],
)
def test_syntax_errors_are_located(text: str, line: int, message: str) -> None:
    with pytest.raises(JsonSyntaxError) as info:
        parse_json_lines(text)
    assert info.value.line == line
    assert info.value.message.startswith("JSON syntax error: ")
    assert message in info.value.message


def test_nesting_too_deep_is_an_error_not_a_crash() -> None:
    with pytest.raises(JsonSyntaxError, match="nesting too deep"):
        parse_json_lines("[" * 600 + "]" * 600)
    err = load_terraform("/x/deep.tf.json", b'{"locals": {"a": ' + b"[" * 600 + b"]" * 600 + b"}}")
    assert isinstance(err, ParseError) and "nesting too deep" in err.message
