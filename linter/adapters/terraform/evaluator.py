"""Evaluate HCL expressions (our own AST) into plain values, Unknown or Ref.

The evaluator knows expressions and functions; names (`var`, `local`,
`module`, resource types) are resolved by the scope's module instance. It
never raises for bad input: anything Terraform would reject becomes Invalid,
anything it could only know at apply time becomes Unknown.
"""

from __future__ import annotations

import functools
import os
import re
from typing import Any, Protocol

from linter.adapters.terraform.functions import (
    UNKNOWN_CALL,
    FunctionError,
    Functions,
    first_unknown,
    to_bool,
    to_number,
    to_str,
)
from linter.adapters.terraform.limits import (
    MAX_NUMBER_BITS,
    MAX_STEPS,
    MAX_STRING,
    MAX_WEIGHT,
    OUT_OF_STEPS,
    TOO_LARGE,
    Confinement,
)
from linter.adapters.terraform.values import (
    HOLE_END,
    HOLE_START,
    INVALID,
    Invalid,
    JsonStr,
    LocMap,
    Namespace,
    PartialText,
    ResourceObj,
    SourcedStr,
    SymbolicList,
    UnknownJson,
    opaque,
    partial_text,
)
from linter.loaders.hcl import parse_template
from linter.loaders.hcl_ast import (
    BinaryOp,
    Conditional,
    Expr,
    ForDirective,
    ForExpr,
    FunctionCall,
    GetAttr,
    IfDirective,
    Index,
    Interp,
    Literal,
    ObjectExpr,
    Splat,
    Template,
    Traversal,
    TupleExpr,
    UnaryOp,
    Variable,
)
from linter.model import Location, Ref, Unknown

#: results that `Functions.bounded` always passes through
_SCALARS = frozenset({int, float, bool, type(None)})

#: Nesting of expressions evaluated inside each other (deeper: Invalid).
MAX_EXPR_DEPTH = 200
_HOLE = re.compile(f"{HOLE_START}(\\d+){HOLE_END}")


class NameResolver(Protocol):
    def root_value(self, name: str, scope: Scope) -> Any: ...

    @property
    def directory(self) -> str: ...


class Scope:
    """Where an expression is evaluated: its module instance, file, and local bindings."""

    __slots__ = ("bindings", "module", "path")

    def __init__(self, module: NameResolver, path: str, bindings: dict[str, Any] | None = None):
        self.module = module
        self.path = path
        self.bindings = bindings or {}

    def child(self, bindings: dict[str, Any]) -> Scope:
        merged = dict(self.bindings)
        merged.update(bindings)
        return Scope(self.module, self.path, merged)

    def at(self, path: str) -> Scope:
        return Scope(self.module, path, self.bindings)

    def lookup(self, name: str) -> Any:
        if name in self.bindings:
            return self.bindings[name]
        return self.module.root_value(name, self)


class _NoNames:
    directory = "."

    def root_value(self, name: str, scope: Scope) -> Any:
        return INVALID


NO_NAMES = _NoNames()


def text_of(expr: Expr | None) -> str | None:
    """`aws.west` / `aws` / "aws.west" written as a reference or a string."""
    if isinstance(expr, Variable):
        return expr.name
    if isinstance(expr, Literal) and isinstance(expr.value, str):
        return expr.value
    if isinstance(expr, Traversal) and isinstance(expr.source, Variable):
        parts = [expr.source.name]
        for step in expr.steps:
            if not isinstance(step, GetAttr):
                return None
            parts.append(step.name)
        return ".".join(parts)
    if isinstance(expr, Template) and len(expr.parts) == 1 and isinstance(expr.parts[0], Interp):
        return text_of(expr.parts[0].expr)
    return None


class _TooLong(Exception):
    """A template's rendered text went past MAX_STRING."""


class _Text(list[str]):
    """Rendered template pieces that keep their total length under MAX_STRING."""

    size = 0

    def append(self, piece: str) -> None:
        self.size += len(piece)
        if self.size > MAX_STRING:
            raise _TooLong
        super().append(piece)


class Evaluator:
    """Evaluates expressions within the bounds of linter/adapters/terraform/limits.py:
    files only inside `confinement` (none at all without one), at most MAX_STEPS steps
    (then `exhausted` is set and every further value is unknown), values no larger than
    MAX_WEIGHT."""

    def __init__(self, confinement: Confinement | None = None) -> None:
        self.locmap = LocMap()
        self.functions = Functions(self.locmap)
        self.functions.charge = self.charge
        self.confinement = confinement or Confinement(())
        self.depth = 0
        self.steps = 0
        self.exhausted = False

    def charge(self, steps: int = 1) -> bool:
        """Count `steps` of work; False once the budget is spent."""
        self.steps += steps
        if self.steps > MAX_STEPS:
            self.exhausted = True
        return not self.exhausted

    # entry point ---------------------------------------------------------

    def ev(self, expr: Expr, scope: Scope) -> Any:
        # the hottest function of a scan: `charge()` and the scalar case of
        # `bounded()` are written out here
        self.steps += 1
        if self.steps > MAX_STEPS:
            self.exhausted = True
        if self.exhausted:
            return OUT_OF_STEPS
        self.depth += 1
        try:
            if self.depth > MAX_EXPR_DEPTH:
                return INVALID
            method = _DISPATCH.get(type(expr))
            if method is None:
                return INVALID
            value = method(self, expr, scope)
            if type(value) in _SCALARS:
                return value
            return self.functions.bounded(value)
        except (
            FunctionError,
            RecursionError,
            TypeError,
            ValueError,
            KeyError,
            IndexError,
            AttributeError,
            ZeroDivisionError,
            OverflowError,
        ):  # odd input, not a crash
            return INVALID
        finally:
            self.depth -= 1

    # node kinds ----------------------------------------------------------

    def _literal(self, expr: Literal, scope: Scope) -> Any:
        return expr.value

    def _variable(self, expr: Variable, scope: Scope) -> Any:
        return scope.lookup(expr.name)

    def _template(self, expr: Template, scope: Scope) -> Any:
        parts = expr.parts
        if len(parts) == 1 and isinstance(parts[0], Interp) and expr.body_line is None:
            return self.ev(parts[0].expr, scope)
        out = _Text()
        holes: list[Unknown] = []
        try:
            unknown = self._render(parts, scope, out, holes)
        except _TooLong:
            return Unknown(f"template text longer than {MAX_STRING} characters")
        if unknown is not None:
            return unknown
        text = "".join(out)
        if holes:
            return partial_text(text, holes, scope.path, expr.body_line or expr.line)
        if expr.body_line is not None:
            return SourcedStr(text, scope.path, expr.body_line)
        return text

    def _render(
        self, parts: list[Any], scope: Scope, out: list[str], holes: list[Unknown] | None = None
    ) -> Unknown | None:
        """Append the rendered text to `out`; an unknown interpolation makes the whole
        result unknown, unless `holes` collects it (heredocs/template files, whose
        JSON may still be readable around the unknown parts)."""
        for part in parts:
            if isinstance(part, str):
                out.append(part)
            elif isinstance(part, Interp):
                value = self.ev(part.expr, scope)
                if isinstance(value, Unknown):
                    if holes is None or self.exhausted:
                        return opaque(value)
                    if isinstance(value, PartialText):  # splice its known text in
                        if not self.charge(len(value.holes)):
                            return OUT_OF_STEPS
                        base = len(holes)
                        holes.extend(value.holes)

                        def renumber(m: re.Match[str], base: int = base) -> str:
                            return f"{HOLE_START}{base + int(m.group(1))}{HOLE_END}"

                        out.append(_HOLE.sub(renumber, value.text))
                        continue
                    out.append(f"{HOLE_START}{len(holes)}{HOLE_END}")
                    holes.append(value)
                    continue
                if value is None:
                    continue
                try:
                    out.append(to_str(value))
                except FunctionError:
                    return INVALID
            elif isinstance(part, IfDirective):
                cond = self.ev(part.cond, scope)
                if isinstance(cond, Unknown):
                    return opaque(cond)
                try:
                    branch = part.then_parts if to_bool(cond) else part.else_parts
                except FunctionError:
                    return INVALID
                u = self._render(branch, scope, out, holes)
                if u is not None:
                    return u
            elif isinstance(part, ForDirective):
                coll = self.ev(part.coll, scope)
                if isinstance(coll, Unknown):
                    return opaque(coll)
                for key, value in _iterate(coll):
                    if not self.charge():
                        return OUT_OF_STEPS
                    bind = {part.val_var: value}
                    if part.key_var:
                        bind[part.key_var] = key
                    u = self._render(part.body, scope.child(bind), out, holes)
                    if u is not None:
                        return u
        return None

    def _traversal(self, expr: Traversal, scope: Scope) -> Any:
        value = self.ev(expr.source, scope)
        return self.apply_steps(value, expr.steps, scope)

    def apply_steps(self, value: Any, steps: list[Any], scope: Scope) -> Any:
        for i, step in enumerate(steps):
            if isinstance(step, Splat):
                if value is None:
                    return []
                if isinstance(value, ResourceObj):
                    return [self.apply_steps(value, steps[i + 1 :], scope)]
                if isinstance(value, Unknown) and not isinstance(value, Namespace):
                    return opaque(value)  # an unknown collection: its elements are unknown too
                if isinstance(value, dict):
                    items = list(value.values())
                elif isinstance(value, list):
                    items = value
                else:
                    items = [value]
                rest = steps[i + 1 :]
                return [self.apply_steps(v, rest, scope) for v in items]
            if isinstance(step, GetAttr):
                value = self.get_attr(value, step.name)
            elif isinstance(step, Index):
                key = self.ev(step.key, scope)
                value = self.get_index(value, key)
        return value

    def get_attr(self, value: Any, name: str) -> Any:
        if isinstance(value, dict):
            return value.get(name, INVALID)
        if isinstance(value, ResourceObj):
            return value.get_attr(name)
        if isinstance(value, Namespace):
            return value.get_attr(name)
        if isinstance(value, Invalid):
            return opaque(value)
        if isinstance(value, Ref):
            attr = f"{value.attr}.{name}" if value.attr else name
            return Ref(value.target, attr)
        if isinstance(value, Unknown):
            return opaque(value)
        return INVALID

    def get_index(self, value: Any, key: Any) -> Any:
        if isinstance(value, ResourceObj):
            return value  # an unexpanded (unknown count) resource: same instance
        if isinstance(value, Namespace):
            return value.get_index(key)
        if isinstance(value, SymbolicList) and isinstance(key, int) and key >= 0:
            return value.item(key)
        if isinstance(value, Unknown):
            return opaque(value)
        if isinstance(key, Unknown):
            return opaque(key)
        if isinstance(value, list):
            try:
                idx = int(to_number(key))
            except FunctionError:
                return INVALID
            return value[idx] if 0 <= idx < len(value) else INVALID
        if isinstance(value, dict):
            try:
                k = to_str(key)
            except FunctionError:
                return INVALID
            return value.get(k, INVALID)
        return INVALID

    def _call(self, expr: FunctionCall, scope: Scope) -> Any:
        name = expr.name
        if name.startswith("provider::"):
            return Unknown(f"provider function {name}")
        if name == "try":
            return self._try(expr, scope)
        if name == "can":
            value = self._try(expr, scope) if expr.args else INVALID
            if isinstance(value, Invalid):
                return False
            return True if not isinstance(value, Unknown) else Unknown("can() of unknown")
        args = [self.ev(a, scope) for a in expr.args]
        if expr.expand_final and args:
            last = args.pop()
            if isinstance(last, Unknown):
                return last
            if not isinstance(last, list):
                return INVALID
            args.extend(last)
        if name == "file":
            return self._file(args, scope)
        if name == "templatefile":
            if isinstance(scope.module, _TemplateNames):
                return INVALID  # Terraform: templatefile cannot be called recursively
            return self._templatefile(args, scope)
        if name == "fileexists":
            u = first_unknown(*args)
            if u is not None or len(args) != 1:
                return u or INVALID
            path = self._path(args[0], scope)
            why = self.confinement.why_not(path)
            if why is not None:
                return Unknown(f"fileexists({os.path.basename(path)!r}): {why}")
            return os.path.isfile(os.path.realpath(path))
        if name.startswith("file") or name == "pathexpand":
            return UNKNOWN_CALL  # the other file functions are not evaluated
        return self.functions.call(name, args)

    def _try(self, expr: FunctionCall, scope: Scope) -> Any:
        for arg in expr.args:
            value = self.ev(arg, scope)
            if not isinstance(value, Invalid):
                return value
        return INVALID

    def _path(self, value: Any, scope: Scope) -> str:
        path = to_str(value)
        if not os.path.isabs(path):
            path = os.path.join(scope.module.directory, path)
        return os.path.normpath(path)

    def read_file(self, value: Any, scope: Scope) -> SourcedStr | Unknown:
        if isinstance(value, Unknown):
            return value
        try:
            path = self._path(value, scope)
        except FunctionError:
            return INVALID
        text = self.confinement.read_text(path)
        return text if isinstance(text, Unknown) else SourcedStr(text, path, 1)

    def _file(self, args: list[Any], scope: Scope) -> Any:
        if len(args) != 1:
            return INVALID
        return self.read_file(args[0], scope)

    def _templatefile(self, args: list[Any], scope: Scope) -> Any:
        if len(args) != 2:
            return INVALID
        text = self.read_file(args[0], scope)
        if isinstance(text, Unknown):
            return text
        variables = args[1]
        if isinstance(variables, Unknown):
            return variables
        if not isinstance(variables, dict):
            return INVALID
        parts = _template_parts(str(text))
        out = _Text()
        template_scope = Scope(scope.module, text.path, {str(k): v for k, v in variables.items()})
        template_scope.module = _TemplateNames(scope.module.directory)
        if len(parts) == 1 and isinstance(parts[0], Interp):
            return self.ev(parts[0].expr, template_scope)
        holes: list[Unknown] = []
        try:
            u = self._render(list(parts), template_scope, out, holes)
        except _TooLong:
            return Unknown(f"template text longer than {MAX_STRING} characters")
        if u is not None:
            return u
        if holes:
            return partial_text("".join(out), holes, text.path, 1)
        return SourcedStr("".join(out), text.path, 1)

    def _conditional(self, expr: Conditional, scope: Scope) -> Any:
        cond = self.ev(expr.cond, scope)
        if isinstance(cond, Unknown):
            if isinstance(cond, Invalid):
                return cond
            a = self.ev(expr.true, scope)
            b = self.ev(expr.false, scope)
            if not isinstance(a, Unknown) and type(a) is type(b) and a == b:
                return a
            return Unknown("conditional on unknown value")
        try:
            chosen = to_bool(cond)
        except FunctionError:
            return INVALID
        return self.ev(expr.true if chosen else expr.false, scope)

    def _binary(self, expr: BinaryOp, scope: Scope) -> Any:
        op = expr.op
        left = self.ev(expr.left, scope)
        if op in ("&&", "||"):
            if not isinstance(left, Unknown):
                lb = to_bool(left)
                if op == "&&" and not lb:
                    return False
                if op == "||" and lb:
                    return True
            right = self.ev(expr.right, scope)
            if not isinstance(right, Unknown):
                rb = to_bool(right)
                if op == "&&" and not rb:
                    return False
                if op == "||" and rb:
                    return True
                if not isinstance(left, Unknown):
                    return rb
            return first_unknown(left, right)
        right = self.ev(expr.right, scope)
        u = first_unknown(left, right)
        if u is not None:
            return u
        if op == "==":
            return _equal(left, right)
        if op == "!=":
            return not _equal(left, right)
        a, b = to_number(left), to_number(right)
        if op == "+":
            return a + b
        if op == "-":
            return a - b
        if op == "*":
            if isinstance(a, int) and isinstance(b, int) and (
                a.bit_length() + b.bit_length() > MAX_NUMBER_BITS
            ):
                return Unknown(f"product larger than {MAX_NUMBER_BITS} bits")
            return a * b
        if op == "/":
            if b == 0:
                return INVALID
            q = a / b
            return int(q) if q.is_integer() else q
        if op == "%":
            return INVALID if b == 0 else a % b
        if op == "<":
            return a < b
        if op == ">":
            return a > b
        if op == "<=":
            return a <= b
        if op == ">=":
            return a >= b
        return INVALID

    def _unary(self, expr: UnaryOp, scope: Scope) -> Any:
        value = self.ev(expr.operand, scope)
        if isinstance(value, Unknown):
            return opaque(value)
        if expr.op == "!":
            return not to_bool(value)
        return -to_number(value)

    def _tuple(self, expr: TupleExpr, scope: Scope) -> Any:
        out = [self.ev(item, scope) for item in expr.items]
        self.locmap.add(
            out, {i: Location(scope.path, it.line, it.end_line) for i, it in enumerate(expr.items)}
        )
        return out

    def _object(self, expr: ObjectExpr, scope: Scope) -> Any:
        out: dict[str, Any] = {}
        locs: dict[Any, Location] = {}
        for item in expr.items:
            key = self.ev(item.key, scope)
            if isinstance(key, Unknown):
                return key
            try:
                k = to_str(key)
            except FunctionError:
                return INVALID
            out[k] = self.ev(item.value, scope)
            locs[k] = Location(scope.path, item.line, max(item.line, item.value.end_line))
        self.locmap.add(out, locs)
        return out

    def _for(self, expr: ForExpr, scope: Scope) -> Any:
        coll = self.ev(expr.coll, scope)
        if isinstance(coll, Unknown):
            return opaque(coll)
        if not isinstance(coll, (list, dict)):
            return INVALID
        is_object = expr.key_expr is not None
        out_list: list[Any] = []
        out_map: dict[str, Any] = {}
        size = 0  # the result's weight so far: stop building it once it is too large
        for key, value in _iterate(coll):
            if not self.charge():
                return OUT_OF_STEPS
            if size > MAX_WEIGHT:
                return TOO_LARGE
            bind = {expr.val_var: value}
            if expr.key_var:
                bind[expr.key_var] = key
            inner = scope.child(bind)
            if expr.cond is not None:
                keep = self.ev(expr.cond, inner)
                if isinstance(keep, Unknown):
                    return keep
                if not to_bool(keep):
                    continue
            if not is_object:
                item = self.ev(expr.value_expr, inner)
                size += self.functions.weight(item)
                out_list.append(item)
                continue
            assert expr.key_expr is not None
            k = self.ev(expr.key_expr, inner)
            if isinstance(k, Unknown):
                return k
            ks = to_str(k)
            v = self.ev(expr.value_expr, inner)
            size += len(ks) + self.functions.weight(v)
            if expr.grouping:
                out_map.setdefault(ks, []).append(v)
            elif ks in out_map:
                return INVALID
            else:
                out_map[ks] = v
        return out_map if is_object else out_list


class _TemplateNames:
    """Names inside templatefile(): only the variables passed in exist."""

    def __init__(self, directory: str) -> None:
        self.directory = directory

    def root_value(self, name: str, scope: Scope) -> Any:
        return INVALID


def _iterate(coll: Any) -> list[tuple[Any, Any]]:
    if isinstance(coll, dict):
        return [(k, coll[k]) for k in sorted(coll)]
    if isinstance(coll, list):
        return list(enumerate(coll))
    return []


def _equal(a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return a == b
    if type(a) is not type(b) and not (isinstance(a, str) and isinstance(b, str)):
        return False
    return bool(a == b)


_DISPATCH: dict[type, Any] = {
    Literal: Evaluator._literal,
    Variable: Evaluator._variable,
    Template: Evaluator._template,
    Traversal: Evaluator._traversal,
    FunctionCall: Evaluator._call,
    Conditional: Evaluator._conditional,
    BinaryOp: Evaluator._binary,
    UnaryOp: Evaluator._unary,
    TupleExpr: Evaluator._tuple,
    ObjectExpr: Evaluator._object,
    ForExpr: Evaluator._for,
}

__all__ = [
    "NO_NAMES",
    "Evaluator",
    "JsonStr",
    "Scope",
    "UnknownJson",
    "text_of",
]


#: Template texts longer than this are parsed at each call rather than kept, so that
#: the cache holds at most 256 templates of 64 KiB.
_CACHED_TEMPLATE = 64 * 1024


def _template_parts(text: str) -> tuple[Any, ...]:
    """A template file is parsed once per process, however many module instances
    (and `--new-since` states) render it; the parts are never mutated."""
    if len(text) > _CACHED_TEMPLATE:
        return tuple(parse_template(text, 1))
    return _cached_template_parts(text)


@functools.lru_cache(maxsize=256)
def _cached_template_parts(text: str) -> tuple[Any, ...]:
    return tuple(parse_template(text, 1))
