"""Root module input variables in Terraform's precedence order.

Lowest to highest: defaults, `TF_VAR_*` environment variables,
`terraform.tfvars`, `terraform.tfvars.json`, `*.auto.tfvars(.json)` in lexical
order, then `--var-file` files and `--var` values from the command line.
"""

from __future__ import annotations

import glob
import os
from collections.abc import Mapping
from typing import Any

from linter.adapters.terraform.evaluator import NO_NAMES, Evaluator, Scope
from linter.adapters.terraform.functions import FunctionError, to_number
from linter.adapters.terraform.limits import MAX_FILE_BYTES, read_regular
from linter.loaders.hcl import HclSyntaxError, parse_expression, parse_hcl_body
from linter.loaders.hcl_ast import (
    Block,
    Expr,
    FunctionCall,
    Literal,
    ObjectExpr,
    TupleExpr,
    Variable,
)
from linter.loaders.marked import JsonSyntaxError, parse_json_lines
from linter.loaders.terraform_json import json_expr
from linter.model import Unknown


class RawString(str):
    """A value given as text (environment, `--var`) to be parsed per the variable's type."""


def read_tfvars(path: str, evaluator: Evaluator, confined: bool = True) -> dict[str, Any]:
    """The values set in one tfvars file (HCL or JSON); {} when unreadable. A file found
    in the module directory is `confined` (a symlink out of the scanned directories is not
    followed); one named on the command line is not, but is still size-bounded."""
    text = (
        evaluator.confinement.read_text(path) if confined else read_regular(path, MAX_FILE_BYTES)
    )
    if isinstance(text, Unknown):
        return {}
    text = text.removeprefix("\ufeff")
    scope = Scope(NO_NAMES, path)
    out: dict[str, Any] = {}
    if path.endswith(".json"):
        try:
            doc = parse_json_lines(text)
        except JsonSyntaxError:
            return {}
        for key, _, value in getattr(doc, "items", []):
            out[key] = evaluator.ev(json_expr(value), scope)
        return out
    try:
        body = parse_hcl_body(text)
    except HclSyntaxError:
        return {}
    for name, attr in body.attributes.items():
        out[name] = evaluator.ev(attr.expr, scope)
    return out


def root_inputs(
    directory: str,
    evaluator: Evaluator,
    var_files: list[str],
    cli_vars: Mapping[str, str],
    env: Mapping[str, str],
) -> dict[str, Any]:
    values: dict[str, Any] = {}
    for key, raw in env.items():
        if key.startswith("TF_VAR_") and len(key) > 7:
            values[key[7:]] = RawString(raw)
    for name in ("terraform.tfvars", "terraform.tfvars.json"):
        path = os.path.join(directory, name)
        if os.path.isfile(path):
            values.update(read_tfvars(path, evaluator))
    autos = glob.glob(os.path.join(glob.escape(directory), "*.auto.tfvars")) + glob.glob(
        os.path.join(glob.escape(directory), "*.auto.tfvars.json")
    )
    for path in sorted(autos, key=os.path.basename):
        values.update(read_tfvars(path, evaluator))
    for path in var_files:
        values.update(read_tfvars(os.path.abspath(path), evaluator, confined=False))
    for name, raw in cli_vars.items():
        values[name] = RawString(raw)
    return values


def type_expr(block: Block) -> Expr | None:
    """The variable's type constraint as an expression (JSON syntax writes it as a string)."""
    attr = block.attributes.get("type")
    if attr is None:
        return None
    expr = attr.expr
    if isinstance(expr, Literal) and isinstance(expr.value, str):
        try:
            return parse_expression(expr.value, attr.line)
        except HclSyntaxError:
            return None
    return expr


def apply_type(value: Any, type_: Expr | None, evaluator: Evaluator, path: str) -> Any:
    """Convert `value` to a type constraint the way Terraform does for module inputs.

    The part that matters for a linter is `optional()`: an object attribute left
    out is null (or the optional default), not an error.
    """
    if type_ is None or isinstance(value, Unknown) or value is None:
        return value
    if isinstance(type_, Variable):
        return convert(value, type_.name, evaluator, path)
    if not isinstance(type_, FunctionCall) or not type_.args:
        return value
    name, args = type_.name, type_.args
    if name in ("list", "set") and isinstance(value, list):
        out = [apply_type(v, args[0], evaluator, path) for v in value]
        if name == "set" and all(isinstance(v, str) for v in out):
            return sorted(set(out))
        return out
    if name == "map" and isinstance(value, dict):
        return {k: apply_type(v, args[0], evaluator, path) for k, v in value.items()}
    if name == "tuple" and isinstance(value, list) and isinstance(args[0], TupleExpr):
        items = args[0].items
        return [
            apply_type(v, items[i], evaluator, path) if i < len(items) else v
            for i, v in enumerate(value)
        ]
    if name == "object" and isinstance(value, dict) and isinstance(args[0], ObjectExpr):
        out_obj: dict[str, Any] = {}
        for item in args[0].items:
            key = (
                item.key.value if isinstance(item.key, Literal) else getattr(item.key, "name", None)
            )
            if not isinstance(key, str):
                continue
            attr_type: Expr | None = item.value
            default: Any = None
            optional = isinstance(attr_type, FunctionCall) and attr_type.name == "optional"
            if optional:
                assert isinstance(attr_type, FunctionCall)
                if len(attr_type.args) > 1:
                    default = evaluator.ev(attr_type.args[1], Scope(NO_NAMES, path))
                attr_type = attr_type.args[0] if attr_type.args else None
            if key in value and value[key] is not None:
                out_obj[key] = apply_type(value[key], attr_type, evaluator, path)
            elif optional or key in value:
                out_obj[key] = apply_type(default, attr_type, evaluator, path)
        return out_obj
    return value


def type_name(block: Block) -> str | None:
    """`string`, `number`, `bool`, `list`, `map`, `object`… from a variable's `type`."""
    attr = block.attributes.get("type")
    if attr is None:
        return None
    expr = attr.expr
    if isinstance(expr, Variable):
        return expr.name
    if isinstance(expr, FunctionCall):
        return expr.name
    value = getattr(expr, "value", None)
    if isinstance(value, str):  # .tf.json writes types as strings: "list(string)"
        return value.split("(", 1)[0].strip()
    return None


def convert(value: Any, type_: str | None, evaluator: Evaluator, path: str) -> Any:
    """Apply the primitive conversions Terraform makes for a declared type."""
    if isinstance(value, RawString):
        if type_ in (None, "string"):
            return str(value)
        try:
            parsed = evaluator.ev(parse_expression(str(value)), Scope(NO_NAMES, path))
        except HclSyntaxError:
            return str(value)
        value = parsed
    if type_ == "number" and isinstance(value, str):
        try:
            return to_number(value)
        except FunctionError:
            return value
    if type_ == "bool" and value in ("true", "false"):
        return value == "true"
    if type_ == "string" and isinstance(value, bool):
        return "true" if value else "false"
    if type_ == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    if type_ == "set" and isinstance(value, list) and all(isinstance(v, str) for v in value):
        return sorted(set(value))
    return value
