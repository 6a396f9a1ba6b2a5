"""The Terraform loader: our own AST with lines, parse errors located, .tf.json."""

from __future__ import annotations

from linter.loaders.hcl_ast import (
    Block,
    ForExpr,
    FunctionCall,
    Literal,
    ObjectExpr,
    Template,
    TerraformFile,
    Traversal,
)
from linter.loaders.terraform import load_terraform
from linter.model import ParseError

HCL = b"""# comment
resource "aws_s3_bucket" "b" {
  bucket = "name-${var.env}"
  tags = {
    Team = "x"
  }

  versioning {
    enabled = true
  }
  policy = <<-EOT
    {"a": 1}
  EOT
  list = [for s in var.l : upper(s)]
  ids  = aws_subnet.a[*].id
}
"""


def load(text: bytes, path: str = "/x/main.tf") -> TerraformFile:
    doc = load_terraform(path, text)
    assert isinstance(doc, TerraformFile), doc
    return doc


def test_blocks_and_attributes_keep_their_lines() -> None:
    doc = load(HCL)
    assert doc.language == "terraform"
    (res,) = doc.body.blocks
    assert (res.type, res.labels, res.line, res.end_line) == (
        "resource",
        ["aws_s3_bucket", "b"],
        2,
        16,
    )
    assert res.attributes["bucket"].line == 3
    assert (res.attributes["tags"].line, res.attributes["tags"].end_line) == (4, 6)
    (versioning,) = res.blocks
    assert (versioning.type, versioning.line, versioning.end_line) == ("versioning", 8, 10)
    assert versioning.attributes["enabled"].line == 9
    assert (res.attributes["policy"].line, res.attributes["policy"].end_line) == (11, 13)


def test_expressions_become_our_nodes() -> None:
    res = load(HCL).body.blocks[0]
    bucket = res.attributes["bucket"].expr
    assert isinstance(bucket, Template)
    assert bucket.parts[0] == "name-"
    tags = res.attributes["tags"].expr
    assert isinstance(tags, ObjectExpr)
    assert tags.items[0].line == 5
    assert isinstance(tags.items[0].key, Literal) and tags.items[0].key.value == "Team"
    heredoc = res.attributes["policy"].expr
    assert isinstance(heredoc, Template) and heredoc.body_line == 12
    assert heredoc.parts == ['{"a": 1}\n']
    assert isinstance(res.attributes["list"].expr, ForExpr)
    assert isinstance(res.attributes["list"].expr.value_expr, FunctionCall)
    assert isinstance(res.attributes["ids"].expr, Traversal)


def test_no_lark_type_escapes() -> None:
    def walk(value: object, depth: int = 0) -> None:
        assert "lark" not in type(value).__module__
        if depth > 30:
            return
        if isinstance(value, Block):
            for a in value.attributes.values():
                walk(a.expr, depth + 1)
            for b in value.blocks:
                walk(b, depth + 1)
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(v, depth + 1)
        elif hasattr(value, "__slots__"):
            for slot in type(value).__slots__:
                walk(getattr(value, slot, None), depth + 1)

    walk(load(HCL).body)


def test_parse_error_is_located() -> None:
    err = load_terraform("/x/bad.tf", b'resource "a" "b" {\n  x = 1\n  y = = 2\n}\n')
    assert isinstance(err, ParseError)
    assert err.path == "/x/bad.tf"
    assert err.line == 3
    assert "Unexpected" in err.message


def test_unclosed_block_is_a_parse_error() -> None:
    err = load_terraform("/x/bad.tf", b'resource "a" "b" {\n  x = 1\n')
    assert isinstance(err, ParseError)
    assert err.line >= 2


def test_invalid_utf8_is_a_parse_error() -> None:
    err = load_terraform("/x/bad.tf", b'a = "\xff"\n')
    assert isinstance(err, ParseError)


def test_tf_json_uses_the_same_ast() -> None:
    text = b"""{
  "resource": {
    "aws_s3_bucket": {
      "b": {
        "bucket": "name-${var.env}",
        "tags": {"Team": "x"}
      }
    }
  },
  "variable": {"env": {"default": "dev"}}
}"""
    doc = load(text, "/x/main.tf.json")
    res, var = doc.body.blocks
    assert (res.type, res.labels, res.line) == ("resource", ["aws_s3_bucket", "b"], 4)
    assert res.attributes["bucket"].line == 5
    assert isinstance(res.attributes["bucket"].expr, Template)
    assert res.attributes["tags"].line == 6
    assert var.labels == ["env"]


def test_tf_json_syntax_error_is_located() -> None:
    err = load_terraform("/x/main.tf.json", b'{\n  "resource": {\n    "a": ,\n  }\n}')
    assert isinstance(err, ParseError)
    assert err.line == 3


def test_a_broken_file_is_reported_and_its_directory_still_scanned() -> None:
    from linter.runner import ScanOptions, scan
    from tests.test_terraform_helpers import fixture

    result = scan(ScanOptions(paths=[str(fixture("syntax"))]))
    (error,) = result.errors
    assert error.path.endswith("broken.tf")
    assert error.line == 7  # the last line: the block is never closed
    assert {n.address for n in result.graph} == {"aws_s3_bucket.fine"}
    (finding,) = [f for f in result.findings if f.rule_id == "IAC000"]
    assert finding.location.path == error.path


def test_pathological_nesting_is_a_parse_error_not_a_crash() -> None:
    deep = ("a = " + "[" * 3000 + "1" + "]" * 3000 + "\n").encode()
    assert isinstance(load_terraform("/x/deep.tf", deep), ParseError)
    deep_json = ('{"locals": {"a": ' + "[" * 3000 + "1" + "]" * 3000 + "}}").encode()
    assert isinstance(load_terraform("/x/deep.tf.json", deep_json), ParseError)


def test_disk_cache_round_trip(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from linter.loaders import terraform as tf

    monkeypatch.setenv("IACLINT_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("IACLINT_NO_CACHE", raising=False)
    text = b'resource "aws_s3_bucket" "cached" {\n  bucket = "c"\n}\n'
    tf._PARSE_CACHE.clear()
    first = load_terraform("/a/main.tf", text)
    assert list(tmp_path.rglob("*.json"))
    tf._PARSE_CACHE.clear()
    second = load_terraform("/b/other.tf", text)  # same bytes elsewhere: served from disk
    assert isinstance(first, TerraformFile) and isinstance(second, TerraformFile)
    assert second.path == "/b/other.tf"
    assert second.body.blocks[0].labels == ["aws_s3_bucket", "cached"]
    assert second.body.blocks[0].attributes["bucket"].line == 2


def test_disk_cache_can_be_disabled(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from linter.loaders import terraform as tf

    monkeypatch.setenv("IACLINT_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("IACLINT_NO_CACHE", "1")
    tf._PARSE_CACHE.clear()
    assert isinstance(load_terraform("/a/x.tf", b"a = 1\n"), TerraformFile)
    assert not list(tmp_path.rglob("*"))


def test_disk_cache_prunes_old_entries(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import os

    from linter.loaders import tf_cache

    old = tmp_path / "ab" / "old.json"
    new = tmp_path / "ab" / "new.json"
    old.parent.mkdir()
    old.write_bytes(b"x")
    new.write_bytes(b"y")
    os.utime(old, (1, 1))
    tf_cache.prune(str(tmp_path))
    assert not old.exists() and new.exists()
