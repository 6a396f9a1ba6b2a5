"""The Terraform expression evaluator and its functions."""

from __future__ import annotations

from typing import Any

import pytest

from linter.adapters.terraform.evaluator import NO_NAMES, Evaluator, Scope
from linter.adapters.terraform.values import Invalid, JsonStr
from linter.loaders.hcl_lark import parse_expression
from linter.model import Unknown, is_known


def ev(text: str, **bindings: Any) -> Any:
    return Evaluator().ev(parse_expression(text), Scope(NO_NAMES, "/x/main.tf", bindings))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('"a-${1 + 2}"', "a-3"),
        ("true ? 1 : 2", 1),
        ("merge({a = 1}, {b = 2}, {a = 3})", {"a": 3, "b": 2}),
        ("concat([1], [2, 3])", [1, 2, 3]),
        ('lookup({a = 1}, "b", 5)', 5),
        ('tolist(toset(["b", "a", "b"]))', ["a", "b"]),
        ('length(["a", "b"])', 2),
        ('coalesce("", "x")', "x"),
        ('try(local_missing, "fallback")', "fallback"),
        ("[for x in [1, 2, 3] : x * 2 if x > 1]", [4, 6]),
        ("{for k, v in {a = 1, b = 2} : upper(k) => v}", {"A": 1, "B": 2}),
        ("[{a = 1}, {a = 2}][*].a", [1, 2]),
        ('cidrsubnet("10.0.0.0/16", 8, 2)', "10.0.2.0/24"),
        ('format("%s-%03d", "x", 7)', "x-007"),
        ('join(",", compact(["a", "", "b"]))', "a,b"),
        ('element(["a", "b"], 3)', "b"),
        ('zipmap(["a", "b"], [1, 2])', {"a": 1, "b": 2}),
        ("range(3)", [0, 1, 2]),
        ('jsondecode("{\\"a\\": [1]}")', {"a": [1]}),
        ('replace("a-b-c", "/-/", "_")', "a_b_c"),
        ("flatten([[1], [2, [3]]])", [1, 2, 3]),
        ('contains(["a"], "a")', True),
        ('"%{ if true }yes%{ else }no%{ endif }"', "yes"),
        ('"%{ for x in ["a", "b"] }${x};%{ endfor }"', "a;b;"),
        ("!false && 2 >= 1", True),
        ('tonumber("4") % 3', 1),
        ('distinct(["a", "b", "a"])', ["a", "b"]),
        ("keys({b = 1, a = 2})", ["a", "b"]),
        ("values({b = 1, a = 2})", [2, 1]),
        ('split(",", "a,b")', ["a", "b"]),
        ('lower("AbC")', "abc"),
        ('upper("AbC")', "ABC"),
        ('tomap({a = "x"})', {"a": "x"}),
        ("tostring(5)", "5"),
        ('tobool("true")', True),
        ('coalesce(null, "", "z")', "z"),
        ("min(3, 1, 2)", 1),
        ('sort(["b", "a"])', ["a", "b"]),
        ('cidrhost("10.0.0.0/24", 5)', "10.0.0.5"),
        ('regex("^(\\w+)-", "ab-cd")', ["ab"]),
        ('one(["x"])', "x"),
        ("alltrue([true, true])", True),
        ('setsubtract(["a", "b"], ["a"])', ["b"]),
        ('substr("hello", 1, 3)', "ell"),
        ('trimprefix("arn:x", "arn:")', "x"),
        ('jsonencode(["a"])', '["a"]'),
        ('"${true}-${1.0}-${null}"', "true-1-"),
        ('[for i, v in ["a", "b"] : "${i}${v}"]', ["0a", "1b"]),
        ('{for v in ["a", "a", "b"] : v => v...}', {"a": ["a", "a"], "b": ["b"]}),
        ("[[1, 2], [3]][1][0]", 3),
    ],
)
def test_known_values(text: str, expected: Any) -> None:
    assert ev(text) == expected


def test_jsonencode_keeps_its_source_value() -> None:
    out = ev('jsonencode({a = [1, "x"]})')
    assert isinstance(out, JsonStr)
    assert out == '{"a":[1,"x"]}'
    assert out.source_value == {"a": [1, "x"]}


def test_unknown_function_is_unknown_not_an_error() -> None:
    out = ev("no_such_function(1)")
    assert not is_known(out)


def test_unknown_inputs_propagate() -> None:
    u = Unknown("input")
    assert not is_known(ev('"${x}-a"', x=u))
    assert not is_known(ev("merge(x, {a = 1})", x=u))
    assert not is_known(ev("x ? 1 : 2", x=u))
    assert ev("x ? 1 : 1", x=u) == 1
    assert ev("false && x", x=u) is False
    assert not is_known(ev("length(x)", x=u))


@pytest.mark.parametrize(
    "text", ["signum(x)", "pow(x, 2)", 'parseint(x, 16)', "log(x, 10)", "abs(x)", 'lower(x)',
             'format(x, 1)', 'cidrsubnet(x, 8, 1)']
)
def test_an_unknown_argument_is_unknown_not_invalid(text: str) -> None:
    """Functions of known arguments (functions.known_args) pass an unknown on: it is not
    an error Terraform would report, so `try()` must not skip it."""
    result = ev(text, x=Unknown("input"))
    assert isinstance(result, Unknown)
    assert not isinstance(result, Invalid)
    assert isinstance(ev(text, x=[]), Invalid)


def test_errors_are_invalid_and_try_skips_them() -> None:
    assert isinstance(ev("{a = 1}.b"), Invalid)
    assert isinstance(ev('1 + "x"'), Invalid)
    assert ev("try({a = 1}.b, 7)") == 7
    assert ev("can({a = 1}.b)") is False


def test_an_invalid_interpolation_stays_local_to_a_heredoc_yet_try_skips_it() -> None:
    """A heredoc whose one interpolation is invalid (a reference outside the scan) keeps
    its known text for policies to read; `try()`/`can()` still see it as invalid, and
    no function or traversal passes the partial text on."""
    from linter.adapters.terraform.values import PartialText

    heredoc = '<<EOT\n{"Resource": "${{a = 1}.b}", "Action": "*"}\nEOT\n'
    result = ev(heredoc)
    assert isinstance(result, PartialText) and isinstance(result, Invalid)
    assert '"Action": "*"' in result.text
    assert ev(f"try({heredoc}, 7)") == 7
    assert ev(f"can({heredoc})") is False
    upper = ev(f"upper({heredoc})")
    assert isinstance(upper, Invalid) and not isinstance(upper, PartialText)
