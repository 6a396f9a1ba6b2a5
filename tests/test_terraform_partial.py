"""Lists with unknown items: the known items still count (never hide a known-bad value),
but nothing is concluded from what the list might lack."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from linter.adapters.terraform.evaluator import NO_NAMES, Evaluator, Scope
from linter.adapters.terraform.values import Invalid
from linter.config import Config
from linter.loaders.hcl_lark import parse_expression
from linter.model import Partial, Ref, Unknown, is_known, list_items, refs_in
from linter.registry import load_rules
from linter.runner import ScanOptions, scan


def ev(text: str, **bindings: Any) -> Any:
    return Evaluator().ev(parse_expression(text), Scope(NO_NAMES, "/x/main.tf", bindings))


def test_concat_with_an_unknown_list_keeps_the_known_items() -> None:
    u = Unknown("var.extra")
    value = ev('concat(x, ["0.0.0.0/0"], ["10.0.0.0/8"])', x=u)
    assert isinstance(value, Partial)
    assert value.items == ("0.0.0.0/0", "10.0.0.0/8")
    items = list_items(value)
    assert items[:2] == ["0.0.0.0/0", "10.0.0.0/8"] and not is_known(items[2])


def test_list_functions_keep_a_partial_partial() -> None:
    u = Unknown("var.extra")
    assert ev('distinct(concat(x, ["a", "a"]))', x=u).items == ("a",)
    assert ev('compact(concat(x, ["", "b"]))', x=u).items == ("b",)
    assert ev('flatten(concat(x, [["c"], ["d"]]))', x=u).items == ("c", "d")
    assert ev('setunion(x, ["b", "a"])', x=u).items == ("a", "b")
    assert ev('tolist(concat(x, ["e"]))', x=u).items == ("e",)


def test_what_a_partial_cannot_tell_stays_unknown() -> None:
    u = Unknown("var.extra")
    for text in ('length(concat(x, ["a"]))', 'element(concat(x, ["a"]), 0)',
                 'join(",", concat(x, ["a"]))'):
        assert not is_known(ev(text, x=u)), text
    assert ev("concat(x, y)", x=u, y=u) is u  # nothing known: a plain Unknown
    assert isinstance(ev('concat(x, "not a list")', x=u), Invalid)


def test_refs_inside_a_partial_are_edges() -> None:
    value = Partial([Ref("root::aws_subnet.a", "id"), "subnet-123"])
    assert [r.target for r in refs_in(value)] == ["root::aws_subnet.a"]


SG = """
variable "extra" {
  type = list(string)
}

resource "aws_security_group" "web" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = concat(var.extra, ["0.0.0.0/0"])
  }
  tags = { Owner = "me" }
}

resource "aws_security_group" "office" {
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = var.extra
  }
  tags = { Owner = "me" }
}
"""


def test_a_known_world_cidr_next_to_unknown_ones_is_reported(tmp_path: Path) -> None:
    (tmp_path / "main.tf").write_text(SG, encoding="utf-8")
    result = scan(ScanOptions(paths=[str(tmp_path)], config=Config(), rules=load_rules()))
    ingress = [(f.address, f.location.start_line) for f in result.findings
               if f.category == "open-ingress"]
    assert ingress == [("aws_security_group.web", 11)]
