"""Terraform's JSON syntax (`.tf.json`) converted into the same AST as HCL.

Block types are keys (`resource` → type → name → body, possibly wrapped in
arrays), everything else is an attribute whose strings are templates. The JSON
is decoded by `marked.parse_json_lines`, which keeps each key's and value's line.
"""

from __future__ import annotations

from typing import Any

from linter.loaders.hcl import expression_or_none
from linter.loaders.hcl_ast import (
    Attribute,
    Block,
    Expr,
    Literal,
    ObjectExpr,
    ObjectItem,
    TerraformFile,
    TupleExpr,
)
from linter.loaders.marked import JArr, JObj, JsonSyntaxError, parse_json_lines
from linter.loaders.tf_templates import template_from_text
from linter.model import ParseError


def load_terraform_json(path: str, text: str) -> TerraformFile | ParseError:
    try:
        doc = parse_json_lines(text)
    except JsonSyntaxError as exc:
        return ParseError(path, exc.line, exc.message)
    if not isinstance(doc, JObj):
        return ParseError(path, 1, "a Terraform JSON file must hold an object")
    root = Block(type="", labels=[], line=1, end_line=max(text.count("\n") + 1, 1))
    try:
        for key, kline, value in doc.items:
            _json_top(root, key, kline, value)
    except RecursionError:
        return ParseError(path, 1, "JSON syntax error: nesting too deep")
    return TerraformFile(path=path, body=root, syntax="json")


def _bodies(value: Any) -> list[Any]:
    if isinstance(value, JArr):
        return [v for v in value.items if isinstance(v, JObj)]
    return [value] if isinstance(value, JObj) else []


def _json_top(root: Block, key: str, kline: int, value: Any) -> None:
    if key in ("resource", "data"):
        for tobj in _bodies(value):
            for rtype, _, names in tobj.items:
                for nobj in _bodies(names):
                    for name, nline, body in nobj.items:
                        for b in _bodies(body):
                            root.blocks.append(_json_block(key, [rtype, name], nline, b))
    elif key in ("variable", "output", "module", "provider"):
        for obj in _bodies(value):
            for name, nline, body in obj.items:
                for b in _bodies(body):
                    root.blocks.append(_json_block(key, [name], nline, b))
    elif key == "locals":
        for obj in _bodies(value):
            root.blocks.append(_json_block("locals", [], kline, obj))
    elif key == "terraform":
        for obj in _bodies(value):
            root.blocks.append(_json_block("terraform", [], kline, obj))


def _json_block(type_: str, labels: list[str], line: int, body: JObj) -> Block:
    block = Block(type=type_, labels=labels, line=line, end_line=max(body.end_line, line))
    for key, kline, value in body.items:
        if key == "//":
            continue
        if key == "dynamic" and isinstance(value, JObj):
            for name, nline, dyn in value.items:
                for d in _bodies(dyn):
                    dblock = _json_block("dynamic", [name], nline, d)
                    content = dblock.attributes.pop("content", None)
                    if content is not None and isinstance(content.expr, ObjectExpr):
                        dblock.blocks.append(_object_to_block("content", content))
                    block.blocks.append(dblock)
            continue
        end = getattr(value, "end_line", kline)
        block.attributes[key] = Attribute(key, json_expr(value), kline, max(end, kline))
    return block


def _object_to_block(type_: str, attr: Attribute) -> Block:
    obj = attr.expr
    assert isinstance(obj, ObjectExpr)
    block = Block(type=type_, labels=[], line=attr.line, end_line=attr.end_line)
    for item in obj.items:
        if isinstance(item.key, Literal):
            name = str(item.key.value)
            block.attributes[name] = Attribute(name, item.value, item.line, item.value.end_line)
    return block


def json_expr(node: Any) -> Expr:
    """A JSON value in Terraform's JSON syntax: strings are templates."""
    if isinstance(node, JObj):
        items = [
            ObjectItem(template_from_text(k, kl, kl, expression_or_none), json_expr(v), kl)
            for k, kl, v in node.items
            if k != "//"
        ]
        return ObjectExpr(items, node.line, node.end_line)
    if isinstance(node, JArr):
        return TupleExpr([json_expr(v) for v in node.items], node.line, node.end_line)
    if isinstance(node.value, str):
        return template_from_text(node.value, node.line, node.line, expression_or_none)
    return Literal(node.value, node.line)
