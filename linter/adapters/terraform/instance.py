"""Module instances: the names an expression can see, and count/for_each expansion.

A ModuleInstance is one module (root or called) with its input values bound.
It answers `var.x`, `local.y`, `module.m.out`, `aws_subnet.a[0].id` and
`data.t.n.attr` lazily and caches each answer; a name that is being evaluated
while it is asked for again (a cycle) is Unknown instead of a recursion.
"""

from __future__ import annotations

import functools
import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Protocol

from linter.adapters.terraform.config import (
    MODULE_META,
    ConfigLoader,
    Decl,
    ModuleConfig,
    local_source_dir,
    source_text,
)
from linter.adapters.terraform.evaluator import Evaluator, Scope, text_of
from linter.adapters.terraform.functions import FunctionError, to_number
from linter.adapters.terraform.limits import MAX_INSTANCES, MAX_KEY, Confinement
from linter.adapters.terraform.values import INVALID, Namespace, ResourceObj
from linter.adapters.terraform.variables import apply_type, convert, type_expr, type_name
from linter.convert import DefaultedStr
from linter.loaders.hcl_ast import Attribute, Block, Literal, ObjectExpr
from linter.model import Location, Ref, Unknown

#: Module calls nested inside each other (deeper ones are not read).
MAX_DEPTH = 16
CYCLE = Unknown("reference cycle")
log = logging.getLogger(__name__)

#: (address suffix, names bound inside the instance: count / each)
Instance = tuple[str, dict[str, Any]]


@dataclass(frozen=True)
class ProviderDefaults:
    """A provider's `default_tags`, with where they are written, so that a finding about
    a resource's tags can point at the provider block they come from."""

    #: The evaluated tags (a dict, an Unknown, or None when there is no default_tags).
    tags: Any
    #: "provider.aws", "provider.aws.west" (prefixed by the module that declares it).
    address: str
    location: Location
    #: Where each literal key of the tags object is written.
    key_locs: dict[str, Location] = field(default_factory=dict)


def sub_blocks(block: Block, name: str) -> list[Block]:
    """Nested blocks, also when written as an attribute holding objects (JSON syntax)."""
    found = block.blocks_of(name)
    if found:
        return found
    attr = block.attributes.get(name)
    if attr is None:
        return []
    exprs = (
        [attr.expr] if isinstance(attr.expr, ObjectExpr) else list(getattr(attr.expr, "items", []))
    )
    out = []
    for expr in exprs:
        if not isinstance(expr, ObjectExpr):
            continue
        nested = Block(type=name, labels=[], line=expr.line, end_line=expr.end_line)
        for item in expr.items:
            if isinstance(item.key, Literal):
                key = str(item.key.value)
                nested.attributes[key] = Attribute(
                    key, item.value, item.line, max(item.line, item.value.end_line)
                )
        out.append(nested)
    return out


class Host(Protocol):
    """What a module instance needs from the project walking it (project.Project); a
    Protocol, so that this module does not import the module that imports it."""

    @property
    def root_dir(self) -> str: ...

    @property
    def loader(self) -> ConfigLoader: ...

    @property
    def evaluator(self) -> Evaluator: ...

    @property
    def confinement(self) -> Confinement: ...

    def report(self, path: str, line: int, message: str) -> None:
        """A located problem of the input (becomes IAC000), e.g. a module cycle."""
        ...

    def data_attr(
        self,
        instance: ModuleInstance,
        decl: Decl,
        bindings: dict[str, Any],
        node_id: str,
        attr: str,
    ) -> Any:
        """A data source attribute the project can compute (policy document JSON,
        availability zone names), or None."""
        ...


class ModuleInstance:
    def __init__(
        self,
        project: Host,
        config: ModuleConfig,
        prefix: str,
        inputs: dict[str, Any],
        call_inputs: dict[str, tuple[Any, Scope]],
        chain: tuple[str, ...],
        call_path: tuple[str, ...],
        providers: dict[str, ProviderDefaults],
    ) -> None:
        self.project = project
        self.config = config
        self.prefix = prefix  # "" or 'module.a["k"].'
        self.inputs = inputs  # root: values by precedence
        self.call_inputs = call_inputs  # child: argument expressions in the caller's scope
        self.chain = chain
        self.call_path = call_path
        self.providers = providers
        #: Headers of the module calls that made this instance, outermost first.
        self.call_locations: tuple[Location, ...] = ()
        self._vars: dict[str, Any] = {}
        self._locals: dict[str, Any] = {}
        self._outputs: dict[str, Any] = {}
        self._expansions: dict[tuple[str, str, str], tuple[str, list[Instance]]] = {}
        self._children: dict[
            str, tuple[str, list[tuple[str, dict[str, Any], ModuleInstance | None]]]
        ] = {}
        self._busy: set[Any] = set()
        self._namespaces: dict[str, Any] = {}
        for block, path in config.providers:
            key = self._provider_key(block, path)
            self.providers[key] = self._default_tags(block, path)

    @property
    def directory(self) -> str:
        return self.config.directory

    @property
    def module_path(self) -> str:
        return self.prefix[:-1] if self.prefix else ""

    # name resolution -----------------------------------------------------

    def root_value(self, name: str, scope: Scope) -> Any:
        ns = self._namespaces.get(name)
        if ns is not None:
            return ns
        if name == "var":
            ns = Namespace(self.var, "var")
        elif name == "local":
            ns = Namespace(self.local, "local")
        elif name == "module":
            ns = Namespace(self.module_value, "module")
        elif name == "data":
            ns = Namespace(
                lambda t: Namespace(functools.partial(self.resource_value, "data", t), f"data.{t}"),
                "data",
            )
        elif name == "path":
            ns = {
                "module": self.directory,
                "root": self.project.root_dir,
                "cwd": self.project.root_dir,
            }
        elif name == "terraform":
            ns = {"workspace": "default"}
        elif name in self.config.resource_types:
            ns = Namespace(functools.partial(self.resource_value, "managed", name), name)
        else:
            return INVALID
        self._namespaces[name] = ns
        return ns

    def _guard(self, key: Any, cache: dict[str, Any], name: str, compute: Callable[[], Any]) -> Any:
        if name in cache:
            return cache[name]
        if key in self._busy:
            return CYCLE
        self._busy.add(key)
        try:
            value = compute()
        finally:
            self._busy.discard(key)
        cache[name] = value
        return value

    def var(self, name: str) -> Any:
        return self._guard(("var", name), self._vars, name, lambda: self._compute_var(name))

    def _compute_var(self, name: str) -> Any:
        decl = self.config.variables.get(name)
        if decl is None:
            return INVALID
        block, path = decl
        ev = self.project.evaluator
        default_attr = block.attributes.get("default")
        if name in self.call_inputs:
            expr, scope = self.call_inputs[name]
            value = ev.ev(expr, scope)
            nullable = block.attributes.get("nullable")
            if (
                value is None
                and default_attr is not None
                and nullable is not None
                and (isinstance(nullable.expr, Literal) and nullable.expr.value is False)
            ):
                value = ev.ev(default_attr.expr, Scope(self, path))
        elif name in self.inputs:
            value = self.inputs[name]
        elif default_attr is not None:
            value = ev.ev(default_attr.expr, Scope(self, path))
            value = convert(value, type_name(block), ev, path)
            return _defaulted(apply_type(value, type_expr(block), ev, path), f"var.{name}")
        else:
            return Unknown(f"variable {name} has no value")
        value = convert(value, type_name(block), ev, path)
        return apply_type(value, type_expr(block), ev, path)

    def local(self, name: str) -> Any:
        return self._guard(("local", name), self._locals, name, lambda: self._compute_local(name))

    def _compute_local(self, name: str) -> Any:
        decl = self.config.locals.get(name)
        if decl is None:
            return INVALID
        attr, path = decl
        return self.project.evaluator.ev(attr.expr, Scope(self, path))

    def output(self, name: str) -> Any:
        return self._guard(
            ("output", name), self._outputs, name, lambda: self._compute_output(name)
        )

    def _compute_output(self, name: str) -> Any:
        decl = self.config.outputs.get(name)
        if decl is None:
            return INVALID
        block, path = decl
        attr = block.attributes.get("value")
        if attr is None:
            return None
        return self.project.evaluator.ev(attr.expr, Scope(self, path))

    # resources -------------------------------------------------------------

    def node_id(self, address: str) -> str:
        return f"{self.project.root_dir}::{address}"

    def address(self, decl: Decl, suffix: str) -> str:
        head = (
            f"data.{decl.type}.{decl.name}" if decl.mode == "data" else f"{decl.type}.{decl.name}"
        )
        return f"{self.prefix}{head}{suffix}"

    def expansion(self, decl: Decl) -> tuple[str, list[Instance]]:
        key = (decl.mode, decl.type, decl.name)
        cached = self._expansions.get(key)
        if cached is None:
            if ("expand", key) in self._busy:
                return "unknown", [("", _unknown_bindings(decl.block))]
            self._busy.add(("expand", key))
            try:
                cached = self.expand(decl.block, decl.path)
            finally:
                self._busy.discard(("expand", key))
            self._expansions[key] = cached
        return cached

    def expand(self, block: Block, path: str) -> tuple[str, list[Instance]]:
        """("single"|"count"|"for_each"|"unknown", instances) for a block's meta-arguments."""
        ev = self.project.evaluator
        scope = Scope(self, path)
        count_attr = block.attributes.get("count")
        if count_attr is not None:
            n = ev.ev(count_attr.expr, scope)
            if isinstance(n, Unknown):
                return "unknown", [("", _unknown_bindings(block))]
            try:
                total = int(to_number(n))
            except (FunctionError, ValueError, OverflowError):
                return "unknown", [("", _unknown_bindings(block))]
            if total > MAX_INSTANCES:
                return "unknown", [("", _unknown_bindings(block))]
            return "count", [(f"[{i}]", {"count": {"index": i}}) for i in range(max(total, 0))]
        each_attr = block.attributes.get("for_each")
        if each_attr is not None:
            coll = ev.ev(each_attr.expr, scope)
            if isinstance(coll, (dict, list)) and (
                len(coll) > MAX_INSTANCES or any(len(str(k)) > MAX_KEY for k in coll)
            ):  # a runaway input, not a configuration: one unknown instance
                return "unknown", [("", _unknown_bindings(block))]
            if isinstance(coll, dict):
                pairs = [(str(k), coll[k]) for k in sorted(coll)]
            elif isinstance(coll, list) and all(
                isinstance(v, (str, int, float)) and not isinstance(v, bool) for v in coll
            ):
                keys = sorted({str(v) for v in coll})
                pairs = [(k, k) for k in keys]
            else:
                return "unknown", [("", _unknown_bindings(block))]
            return "for_each", [
                (f"[{json.dumps(k, ensure_ascii=False)}]", {"each": {"key": k, "value": v}})
                for k, v in pairs
            ]
        return "single", [("", {})]

    def resource_value(self, mode: str, type_: str, name: str) -> Any:
        decl = self.config.resources.get((mode, type_, name))
        if decl is None:
            return INVALID
        kind, instances = self.expansion(decl)
        objs = [
            (suffix, self._resource_obj(decl, suffix, bindings)) for suffix, bindings in instances
        ]
        if kind == "count":
            return [obj for _, obj in objs]
        if kind == "for_each":
            return {
                bindings["each"]["key"]: obj
                for (_, bindings), (_, obj) in zip(instances, objs, strict=True)
            }
        return objs[0][1]

    def _resource_obj(self, decl: Decl, suffix: str, bindings: dict[str, Any]) -> ResourceObj:
        node_id = self.node_id(self.address(decl, suffix))
        return ResourceObj(node_id, lambda attr: self.resource_attr(decl, bindings, node_id, attr))

    def resource_attr(self, decl: Decl, bindings: dict[str, Any], node_id: str, attr: str) -> Any:
        if decl.mode == "data":
            special = self.project.data_attr(self, decl, bindings, node_id, attr)
            return special if special is not None else Ref(node_id, attr)
        spec = decl.block.attributes.get(attr)
        if spec is None or attr in ("count", "for_each", "provider", "depends_on"):
            return Ref(node_id, attr)
        key = ("attr", node_id, attr)
        if key in self._busy:
            return Ref(node_id, attr)
        self._busy.add(key)
        try:
            value = self.project.evaluator.ev(spec.expr, Scope(self, decl.path, bindings))
        finally:
            self._busy.discard(key)
        if isinstance(value, Unknown) and not isinstance(value, Ref):
            return Ref(node_id, attr)
        return value

    # modules -------------------------------------------------------------

    def children(
        self, name: str
    ) -> tuple[str, list[tuple[str, dict[str, Any], ModuleInstance | None]]]:
        cached = self._children.get(name)
        if cached is not None:
            return cached
        if ("children", name) in self._busy:
            return "unknown", []
        self._busy.add(("children", name))
        try:
            cached = self._make_children(name)
        finally:
            self._busy.discard(("children", name))
        self._children[name] = cached
        return cached

    def _make_children(
        self, name: str
    ) -> tuple[str, list[tuple[str, dict[str, Any], ModuleInstance | None]]]:
        block, path = self.config.module_calls[name]
        kind, instances = self.expand(block, path)
        target = self._module_dir(name, block)
        cfg = None
        if target is not None and target in self.chain:
            dirs = (*self.chain, target)
            base = os.path.commonpath(dirs)
            if base in dirs:
                base = os.path.dirname(base)
            cycle = " → ".join(os.path.relpath(d, base) for d in dirs)
            self.project.report(
                path, block.line, f'module "{name}" calls a module that is already being '
                f"evaluated: the module sources form a cycle ({cycle}); it is not evaluated",
            )
        elif target is not None and len(self.chain) >= MAX_DEPTH:
            self.project.report(
                path, block.line, f'module "{name}" is nested more than {MAX_DEPTH} module '
                "calls deep; it is not evaluated",
            )
        elif target is not None and self.project.confinement.inside(target):
            cfg = self.project.loader.get(target)
        elif target is not None:
            log.debug("module %s: source %s is outside the scanned directories; not read",
                      name, target)
        out = []
        for suffix, bindings in instances:
            child = None
            if cfg is not None:
                caller = Scope(self, path, bindings)
                call_inputs = {
                    k: (a.expr, caller) for k, a in block.attributes.items() if k not in MODULE_META
                }
                child = ModuleInstance(
                    self.project,
                    cfg,
                    f"{self.prefix}module.{name}{suffix}.",
                    {},
                    call_inputs,
                    (*self.chain, cfg.directory),
                    (*self.call_path, name),
                    self._child_providers(block),
                )
                child.call_locations = (
                    *self.call_locations, Location(path, block.line, block.end_line)
                )
            out.append((suffix, bindings, child))
        return kind, out

    def _module_dir(self, name: str, block: Block) -> str | None:
        local = local_source_dir(self.directory, block)
        if local is not None:
            return local
        if source_text(block) is None:
            return None
        return self.project.loader.downloaded(
            self.project.root_dir, ".".join((*self.call_path, name))
        )

    def module_value(self, name: str) -> Any:
        if name not in self.config.module_calls:
            return INVALID
        kind, items = self.children(name)
        objs = [self._module_obj(child) for _, _, child in items]
        if kind == "count":
            return objs
        if kind == "for_each":
            return {b["each"]["key"]: o for (_, b, _), o in zip(items, objs, strict=True)}
        return objs[0] if objs else Unknown("module instance")

    @staticmethod
    def _module_obj(child: ModuleInstance | None) -> Any:
        if child is None:
            return Unknown("module source not available")
        return Namespace(child.output, f"module {child.module_path}")

    # providers -----------------------------------------------------------

    def _provider_key(self, block: Block, path: str) -> str:
        alias = block.attributes.get("alias")
        name = block.labels[0]
        if alias is not None and isinstance(alias.expr, Literal) and alias.expr.value:
            return f"{name}.{alias.expr.value}"
        return name

    def _default_tags(self, block: Block, path: str) -> ProviderDefaults:
        address = f"{self.prefix}provider.{self._provider_key(block, path)}"
        for dt in sub_blocks(block, "default_tags"):
            attr = dt.attributes.get("tags")
            if attr is not None:
                keys = {
                    key: Location(path, item.line, item.line)
                    for item in getattr(attr.expr, "items", ())
                    if (key := text_of(item.key)) is not None
                }
                return ProviderDefaults(
                    self.project.evaluator.ev(attr.expr, Scope(self, path)), address,
                    Location(path, attr.line, attr.end_line), keys,
                )
        return ProviderDefaults(None, address, Location(path, block.line, block.end_line))

    def _child_providers(self, block: Block) -> dict[str, ProviderDefaults]:
        attr = block.attributes.get("providers")
        if attr is None or not isinstance(attr.expr, ObjectExpr):
            return {k: v for k, v in self.providers.items() if "." not in k}
        out: dict[str, ProviderDefaults] = {}
        for item in attr.expr.items:
            key = text_of(item.key)
            source = text_of(item.value)
            if key and source and source in self.providers:
                out[key] = self.providers[source]
        return out

    def provider_defaults(self, block: Block, resource_type: str) -> ProviderDefaults | None:
        """The provider configuration a resource uses (its `provider`, else the default
        one of its type's provider), or None when the module sees none."""
        attr = block.attributes.get("provider")
        key = text_of(attr.expr) if attr is not None else None
        if key is None:
            key = resource_type.split("_", 1)[0]
        return self.providers.get(key)


def _unknown_bindings(block: Block) -> dict[str, Any]:
    if "for_each" in block.attributes:
        return {"each": {"key": Unknown("for_each key"), "value": Unknown("for_each value")}}
    return {"count": {"index": Unknown("count index")}}


def _defaulted(value: Any, origin: str) -> Any:
    """A variable's default with its texts (and those of a list) marked as such, so a
    message can say `var.admin_cidr defaults to 0.0.0.0/0`."""
    if type(value) is str:
        return DefaultedStr(value, origin)
    if type(value) is list and any(type(v) is str for v in value):
        return [DefaultedStr(v, origin) if type(v) is str else v for v in value]
    return value
