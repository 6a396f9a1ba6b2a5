"""Terraform plan JSON → nodes with the same kinds and facts as the same resource in `.tf`.

A plan (`terraform show -json plan.out`) has every value Terraform could resolve:
registry modules, workspaces, data sources, variables. Its format is HashiCorp's
"JSON Output Format" (https://developer.hashicorp.com/terraform/internals/json-format);
the fields read here are:

- `planned_values.root_module` (values representation): `resources[]` with `address`,
  `mode`, `type`, `name`, `index`, `values` (`sensitive_values` is not needed: the
  values are present either way), and `child_modules[]` with `address` and their
  own `resources`/`child_modules` (at most MAX_DEPTH deep). Only mode "managed"
  becomes a node; data sources are not resources to report.
- `resource_changes[]`: `address`, `mode`, `change.actions` (["delete"] is not
  reported), `change.after` (only when `planned_values` is missing) and
  `change.after_unknown`, the same shape as the values with `true` where a value
  is known only after apply: such a value is an Unknown, never a finding. A
  top-level value that is unknown only because the provider computes it and the
  configuration does not write it (`id`, an unset `multi_az`) is unwritten, as in
  `.tf`: the fact spec's AWS default applies.
- `configuration.root_module`: `resources[]` with `address` and `expressions`,
  `module_calls{NAME: {source, expressions, module}}` and `outputs{NAME: {expression}}`;
  an expression is `{"constant_value": …}` or `{"references": [...]}`, and a nested
  block's expressions are an object (single) or a list of them (list/set blocks).

References: a value that is unknown (`vpc_id = aws_vpc.main.id`) or that a fact
reads as a reference (`db_subnet_group_name`) becomes a Ref to the node its
expression's `references` name, in the same module instance, through
`module.X.output` and a child module's `var.x` (at most MAX_HOPS steps). When an
expression names more than one object, or a count/for_each resource without an
index and the referrer has no instance of the same key, it stays a plain Unknown:
a wrong edge could make a finding, a missing one cannot.

Locations: when the module's `.tf` files are in the scan (the root module is the
plan's directory, a child module's local `source` is relative to its caller's),
a node points at its `resource` block and its attributes at their lines there
(nested blocks are matched to the plan's values by their constant arguments);
otherwise at the resource's entry and values in the plan file. Only files the
scan loaded are read; a remote module source is never looked for.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from linter.adapters.boundary import Exporter
from linter.adapters.terraform.config import ModuleConfig
from linter.adapters.terraform.project import _asg_tags, taggable_types
from linter.adapters.terraform.resource_facts import fill_facts, kind_of
from linter.adapters.terraform.values import LocMap, export
from linter.loaders.hcl_ast import Block, Literal, TerraformFile
from linter.loaders.terraform_plan import PlanFile
from linter.model import Location, Node, ParseError, Ref, Source, Unknown

#: child_modules nesting followed; an untrusted plan could nest without end.
MAX_DEPTH = 64
#: Steps through module outputs and input variables when resolving a reference.
MAX_HOPS = 8
_KEYWORDS = frozenset({"var", "local", "data", "module", "count", "each", "path", "self",
                       "terraform"})
_NAME = r"[A-Za-z_][A-Za-z0-9_-]*"
_KEY = r'\[(?:"(?:[^"\\]|\\.)*"|\d+)\]'
_RESOURCE_REF = re.compile(rf"^({_NAME})\.({_NAME})({_KEY})?(?:\.({_NAME}))?")
_MODULE_REF = re.compile(rf"^module\.({_NAME})({_KEY})?(?:\.({_NAME}))?")
_VAR_REF = re.compile(rf"^var\.({_NAME})")
_MODULE_STEP = re.compile(rf"module\.({_NAME})({_KEY})?")


class Malformed(Exception):
    """A plan whose structure is not the documented one, at a key path of the plan."""

    def __init__(self, where: tuple[Any, ...], message: str) -> None:
        super().__init__(message)
        self.where = where
        self.message = message


def index_key(index: Any) -> str:
    """The address suffix of an instance key: `[0]`, `["logs"]`, or "" for none."""
    if index is None:
        return ""
    if isinstance(index, bool) or not isinstance(index, (int, str)):
        raise TypeError
    return f"[{index}]" if isinstance(index, int) else f"[{json.dumps(index, ensure_ascii=False)}]"


def module_steps(address: str) -> list[tuple[str, str]]:
    """`module.a["x"].module.b` → [("a", '["x"]'), ("b", "")]."""
    return [(m.group(1), m.group(2) or "") for m in _MODULE_STEP.finditer(address)]


def _at(path: tuple[Any, ...], *more: Any) -> tuple[Any, ...]:
    return (*path, *more)


def _is_expr(value: Any) -> bool:
    return isinstance(value, dict) and set(value) <= {"constant_value", "references"}


def _same(a: Any, b: Any) -> bool:
    """Equal values, a list compared as a set (a plan orders set attributes its own way)."""
    if isinstance(a, list) and isinstance(b, list):
        return sorted(json.dumps(x, sort_keys=True) for x in a) == sorted(
            json.dumps(x, sort_keys=True) for x in b)
    return bool(a == b)


def _roots(expr: Any) -> list[str]:
    """The distinct objects an expression names, in order: Terraform lists `a.b.c`,
    then `a.b` and `a` for one traversal; the longest stands for them."""
    refs = expr.get("references") if _is_expr(expr) else None
    if not isinstance(refs, list):
        return []
    roots: list[str] = []
    for r in refs:
        if isinstance(r, str) and not any(
                seen == r or seen.startswith((r + ".", r + "[")) for seen in roots):
            roots.append(r)
    return roots


def _key_order(key: str) -> tuple[int, Any]:
    """Instance keys in Terraform's order: numbers numerically, strings lexically."""
    inner = key[1:-1]
    return (0, int(inner)) if inner.isdigit() else (1, inner)


def pair_items(items: list[Any], exprs: list[Any]) -> dict[int, int]:
    """Value item → configuration block, for the blocks of one type: one each, or the
    only block whose constant arguments all agree with the item."""
    if len(items) == 1 and len(exprs) == 1:
        return {0: 0}
    out: dict[int, int] = {}
    used: set[int] = set()
    for i, item in enumerate(items):
        if not isinstance(item, dict):
            continue
        fits = [
            j for j, block in enumerate(exprs)
            if j not in used and isinstance(block, dict) and all(
                _same(item.get(k), e["constant_value"]) for k, e in block.items()
                if _is_expr(e) and "constant_value" in e and k in item
            )
        ]
        if len(fits) == 1:
            out[i] = fits[0]
            used.add(fits[0])
    return out


@dataclass
class _Module:
    """One module of the plan's `configuration` and where its `.tf` files are."""

    resources: dict[str, dict[str, Any]] = field(default_factory=dict)
    calls: dict[str, dict[str, Any]] = field(default_factory=dict)
    outputs: dict[str, Any] = field(default_factory=dict)
    directory: str | None = None


@dataclass
class _Resource:
    address: str
    module: str  # module instance address, "" at the root
    calls: tuple[str, ...]
    type: str
    name: str
    key: str
    values: Any
    where: tuple[Any, ...]  # the entry's key path in the plan


class PlanAdapter:
    """Nodes for one plan file."""

    def __init__(self, doc: PlanFile, scanned: dict[str, list[TerraformFile]]) -> None:
        self.doc = doc
        self.scanned = scanned
        self.modules: dict[tuple[str, ...], _Module] = {}
        self.instances: dict[tuple[str, str, str], dict[str, str]] = {}
        self.module_instances: set[str] = set()
        self.unknowns: dict[str, Any] = {}
        self.deleted: set[str] = set()
        self._configs: dict[str, ModuleConfig | None] = {}
        #: The first child module nested deeper than MAX_DEPTH (not checked).
        self.too_deep: tuple[Any, ...] = ()
        self.exporter = Exporter(export)

    # structure -------------------------------------------------------------

    def _get(self, value: Any, key: str, kind: type, where: tuple[Any, ...]) -> Any:
        item = value.get(key) if isinstance(value, dict) else None
        if item is not None and not isinstance(item, kind):
            raise Malformed((*where, key), f"Terraform plan: `{key}` is not "
                            f"{'an object' if kind is dict else 'a list'}")
        return item

    def run(self) -> list[Node]:
        data = self.doc.data
        self._changes(data)
        self._configuration(self._get(self._get(data, "configuration", dict, ()),
                                      "root_module", dict, ("configuration",)), (),
                            ("configuration", "root_module"),
                            os.path.dirname(self.doc.path), 0)
        resources = self._planned(data)
        seen: set[str] = set()
        for r in resources:
            if r.address in seen:
                raise Malformed(r.where, f"Terraform plan: resource {r.address} appears twice")
            seen.add(r.address)
            node_id = self.node_id(r.address)
            self.instances.setdefault((r.module, r.type, r.name), {})[r.key] = node_id
        return [node for r in resources if (node := self._node(r)) is not None]

    def node_id(self, address: str) -> str:
        return f"{self.doc.path}::{address}"

    def _changes(self, data: dict[str, Any]) -> None:
        changes = self._get(data, "resource_changes", list, ())
        for i, rc in enumerate(changes or ()):
            change = self._get(rc, "change", dict, ("resource_changes", i))
            address = rc.get("address") if isinstance(rc, dict) else None
            if not isinstance(address, str) or change is None:
                continue
            actions = change.get("actions")
            if actions == ["delete"]:
                self.deleted.add(address)
            self.unknowns[address] = change.get("after_unknown")

    def _configuration(self, module: Any, calls: tuple[str, ...], where: tuple[Any, ...],
                       directory: str | None, depth: int) -> None:
        if module is None or depth > MAX_DEPTH:
            return
        conf = _Module(directory=directory if directory in self.scanned else None)
        self.modules[calls] = conf
        for i, res in enumerate(self._get(module, "resources", list, where) or ()):
            if isinstance(res, dict) and isinstance(res.get("address"), str):
                conf.resources[res["address"]] = res
            elif not isinstance(res, dict):
                raise Malformed((*where, "resources", i), "Terraform plan: a configuration "
                                "resource is not an object")
        outputs = self._get(module, "outputs", dict, where) or {}
        conf.outputs = outputs
        for name, call in (self._get(module, "module_calls", dict, where) or {}).items():
            if not isinstance(call, dict):
                raise Malformed((*where, "module_calls", name),
                                "Terraform plan: a module call is not an object")
            conf.calls[name] = call
            source = call.get("source")
            child_dir = None
            if directory is not None and isinstance(source, str) and (
                    source.startswith(("./", "../")) or source in (".", "..")):
                child_dir = os.path.normpath(os.path.join(directory, source))
            self._configuration(self._get(call, "module", dict, (*where, "module_calls", name)),
                                (*calls, name), (*where, "module_calls", name, "module"),
                                child_dir, depth + 1)

    def _planned(self, data: dict[str, Any]) -> list[_Resource]:
        out: list[_Resource] = []
        planned = self._get(data, "planned_values", dict, ())
        if planned is None:
            return self._from_changes(data)
        stack: list[tuple[Any, tuple[Any, ...], int]] = [
            (self._get(planned, "root_module", dict, ("planned_values",)),
             ("planned_values", "root_module"), 0)]
        while stack:
            module, where, depth = stack.pop()
            if module is None:
                continue
            if depth > MAX_DEPTH:
                self.too_deep = self.too_deep or where
                continue
            address = module.get("address", "") if depth else ""
            if not isinstance(address, str):
                raise Malformed((*where, "address"), "Terraform plan: a module address is "
                                "not a string")
            self.module_instances.add(address)
            calls = tuple(name for name, _ in module_steps(address))
            for i, res in enumerate(self._get(module, "resources", list, where) or ()):
                item = self._resource(res, (*where, "resources", i), address, calls,
                                      res.get("values") if isinstance(res, dict) else None)
                if item is not None:
                    out.append(item)
            children = self._get(module, "child_modules", list, where) or []
            for j in reversed(range(len(children))):
                child = children[j]
                if not isinstance(child, dict):
                    raise Malformed((*where, "child_modules", j),
                                    "Terraform plan: a child module is not an object")
                stack.append((child, (*where, "child_modules", j), depth + 1))
        return out

    def _from_changes(self, data: dict[str, Any]) -> list[_Resource]:
        """Without `planned_values`: each change's `after` (deleted ones have none)."""
        out = []
        for i, rc in enumerate(self._get(data, "resource_changes", list, ()) or ()):
            if not isinstance(rc, dict) or not isinstance(rc.get("change"), dict):
                continue
            module = rc.get("module_address", "")
            module = module if isinstance(module, str) else ""
            calls = tuple(name for name, _ in module_steps(module))
            self.module_instances.add(module)
            item = self._resource(rc, ("resource_changes", i), module, calls,
                                  rc["change"].get("after"))
            if item is not None:
                out.append(item)
        return out

    def _resource(self, res: Any, where: tuple[Any, ...], module: str,
                  calls: tuple[str, ...], values: Any) -> _Resource | None:
        if not isinstance(res, dict):
            raise Malformed(where, "Terraform plan: a resource is not an object")
        if res.get("mode", "managed") != "managed":
            return None
        address, type_, name = res.get("address"), res.get("type"), res.get("name")
        if not all(isinstance(v, str) and v for v in (address, type_, name)):
            raise Malformed(where, "Terraform plan: a resource without a string `address`, "
                            "`type` and `name`")
        assert isinstance(address, str) and isinstance(type_, str) and isinstance(name, str)
        if address in self.deleted or values is None:
            return None
        if not isinstance(values, dict):
            raise Malformed((*where, "values"), "Terraform plan: resource values are not an "
                            "object")
        try:
            key = index_key(res.get("index"))
        except TypeError:
            raise Malformed((*where, "index"), "Terraform plan: a resource index is neither "
                            "a number nor a string") from None
        return _Resource(address, module, calls, type_, name, key, values, where)

    # references --------------------------------------------------------------

    def _refs(self, expr: Any, module: str, calls: tuple[str, ...], own_key: str,
              hops: int = 0) -> Ref | None:
        """The one object an expression names, as a Ref, or None."""
        if hops > MAX_HOPS:
            return None
        roots = _roots(expr)
        if len(roots) != 1:
            return None
        return self._resolve(roots[0], module, calls, own_key, hops)

    def _item_refs(self, expr: Any, count: int, module: str, calls: tuple[str, ...],
                   own_key: str, hops: int = 0) -> list[Ref | None]:
        """Refs for the items of a list whose items are unknown (`subnet_ids`): item i is
        the i-th object the expression names when it names as many, or, for one
        count/for_each resource named without a key (`aws_subnet.a[*].id`) with as many
        instances, its i-th instance in key order; through module outputs too."""
        roots = _roots(expr)
        if hops > MAX_HOPS:
            return [None] * count
        if len(roots) == count and count > 1:
            return [self._resolve(root, module, calls, own_key, hops) for root in roots]
        if len(roots) == 1:
            m = _MODULE_REF.match(roots[0])
            if m:
                found_output = self._output(m, module, calls, own_key)
                if found_output is None:
                    return [None] * count
                expr, inner, inner_calls = found_output
                return self._item_refs(expr, count, inner, inner_calls, "", hops + 1)
            m = _RESOURCE_REF.match(roots[0])
            if m and m.group(1) not in _KEYWORDS and not m.group(3) and not m.group(4):
                found = self.instances.get((module, m.group(1), m.group(2))) or {}
                if len(found) == count:
                    return [Ref(found[k], None) for k in sorted(found, key=_key_order)]
            if count == 1:
                return [self._resolve(roots[0], module, calls, own_key, hops)]
        return [None] * count

    def _resolve(self, ref: str, module: str, calls: tuple[str, ...], own_key: str,
                 hops: int) -> Ref | None:
        m = _MODULE_REF.match(ref)
        if m:
            found_output = self._output(m, module, calls, own_key)
            if found_output is None:
                return None
            expr, inner, inner_calls = found_output
            return self._refs(expr, inner, inner_calls, "", hops + 1)
        m = _VAR_REF.match(ref)
        if m:
            if not calls:
                return None
            parent = self.modules.get(calls[:-1])
            call = parent.calls.get(calls[-1]) if parent else None
            exprs = call.get("expressions") if isinstance(call, dict) else None
            steps = module_steps(module)
            if not isinstance(exprs, dict) or not steps:
                return None
            outer = module[: module.rfind("module.")].rstrip(".")
            return self._refs(exprs.get(m.group(1)), outer, calls[:-1], steps[-1][1], hops + 1)
        m = _RESOURCE_REF.match(ref)
        if not m or m.group(1) in _KEYWORDS:
            return None
        instances = self.instances.get((module, m.group(1), m.group(2)))
        target = self._pick(instances or {}, m.group(3), own_key)
        return Ref(target, m.group(4)) if target is not None else None

    def _output(self, m: re.Match[str], module: str, calls: tuple[str, ...], own_key: str
                ) -> tuple[Any, str, tuple[str, ...]] | None:
        """For `module.NAME[key].OUTPUT`: the output's expression, the module instance
        it is evaluated in and that module's call path; None when not one instance."""
        name, key, output = m.group(1), m.group(2), m.group(3)
        child = self.modules.get((*calls, name))
        out = child.outputs.get(output) if child is not None and output else None
        if not isinstance(out, dict):
            return None
        call = f"{module}.module.{name}" if module else f"module.{name}"
        chosen = self._pick({k: f"{call}{k}" for k in self._module_keys(call)}, key, own_key)
        return None if chosen is None else (out.get("expression"), chosen, (*calls, name))

    def _module_keys(self, call_address: str) -> list[str]:
        out = []
        for inst in self.module_instances:
            if inst == call_address:
                out.append("")
            elif inst.startswith(call_address + "[") and "." not in inst[len(call_address):]:
                out.append(inst[len(call_address):])
        return out

    @staticmethod
    def _pick(instances: dict[str, str], key: str | None, own_key: str) -> str | None:
        """The instance a reference names: its key; without one the only instance, or
        the one with the referrer's own key (`aws_subnet.a[count.index]`)."""
        if key:
            return instances.get(key)
        if len(instances) == 1:
            return next(iter(instances.values()))
        return instances.get(own_key) if own_key else None

    # values ------------------------------------------------------------------

    def _merge(self, value: Any, mask: Any, expr: Any, r: _Resource, depth: int,
               outer: Any = None) -> Any:
        """`value` with every part `after_unknown` marks true as an Unknown: a Ref when
        its configuration expression names one object. `outer` is the attribute
        expression around a nested value (an attribute-as-blocks such as a route table's
        `route` has one expression for all its items): it stands in when it names one."""
        if mask is True:
            ref = self._refs(expr if _is_expr(expr) else outer, r.module, r.calls, r.key)
            return ref if ref is not None else Unknown("known after apply")
        if depth > MAX_DEPTH:
            return value
        if _is_expr(expr):
            outer, expr = expr, None
        if isinstance(mask, dict) and (value is None or isinstance(value, dict)):
            out = dict(value or {})
            for k, m in mask.items():
                if m is True or isinstance(m, (dict, list)):
                    sub = expr.get(k) if isinstance(expr, dict) else None
                    out[k] = self._merge(out.get(k), m, sub, r, depth + 1, outer)
            return out
        if isinstance(mask, list) and (value is None or isinstance(value, list)):
            items = list(value or [])
            if outer is not None and expr is None:  # an attribute's own list
                refs = self._item_refs(outer, len(mask), r.module, r.calls, r.key)
            exprs = expr if isinstance(expr, list) else [expr] if isinstance(expr, dict) else []
            pairs = pair_items(items, exprs)
            for i, m in enumerate(mask):
                item: Any
                if m is True and outer is not None and expr is None:
                    found = refs[i]
                    item = found if found is not None else Unknown("known after apply")
                elif m is True or isinstance(m, (dict, list)):
                    sub = exprs[pairs[i]] if i in pairs else None
                    item = self._merge(items[i] if i < len(items) else None, m, sub, r,
                                       depth + 1, outer)
                else:
                    continue
                if i < len(items):
                    items[i] = item
                else:
                    items.append(item)
            return items
        return value

    # locations ---------------------------------------------------------------

    def _config(self, directory: str) -> ModuleConfig | None:
        if directory not in self._configs:
            files = self.scanned.get(directory)
            self._configs[directory] = ModuleConfig.build(directory, files) if files else None
        return self._configs[directory]

    def _declaration(self, r: _Resource) -> tuple[Block, str] | None:
        conf = self.modules.get(r.calls)
        if conf is None or conf.directory is None:
            return None
        cfg = self._config(conf.directory)
        decl = cfg.resources.get(("managed", r.type, r.name)) if cfg else None
        return (decl.block, decl.path) if decl is not None else None

    def _enclosing(self, r: _Resource) -> tuple[Location, ...]:
        out: list[Location] = []
        for i in range(len(r.calls)):
            conf = self.modules.get(r.calls[:i])
            cfg = self._config(conf.directory) if conf and conf.directory else None
            call = cfg.module_calls.get(r.calls[i]) if cfg else None
            if call is None:
                return tuple(out)
            block, path = call
            out.append(Location(path, block.line, block.end_line))
        return tuple(out)

    def _plan_locs(self, value: Any, where: tuple[Any, ...], path: tuple[Any, ...],
                   locs: dict[tuple[Any, ...], Location], depth: int) -> None:
        if depth > MAX_DEPTH:
            return
        items = (value.items() if isinstance(value, dict)
                 else enumerate(value) if isinstance(value, list) else ())
        for k, v in items:
            hit = self.doc.locations.get((*where, k))
            if hit is not None:
                locs[_at(path, k)] = Location(self.doc.path, *hit)
            self._plan_locs(v, (*where, k), (*path, k), locs, depth + 1)

    def _tf_locs(self, block: Block, file: str, values: Any, path: tuple[Any, ...],
                 locs: dict[tuple[Any, ...], Location], depth: int) -> None:
        """Attribute lines in the `.tf` block; a nested block's value item is matched to
        the static block whose literal arguments it agrees with (`pair_items`)."""
        if depth > MAX_DEPTH or not isinstance(values, dict):
            return
        for name, attr in block.attributes.items():
            locs[_at(path, name)] = Location(attr.path or file, attr.line, attr.end_line)
        for name in dict.fromkeys(b.type for b in block.blocks):
            blocks = block.blocks_of(name)
            value = values.get(name)
            if isinstance(value, dict):
                locs[_at(path, name)] = Location(file, blocks[0].line, blocks[0].end_line)
                self._tf_locs(blocks[0], file, value, _at(path, name), locs, depth + 1)
            elif isinstance(value, list):
                literals = [{k: {"constant_value": a.expr.value} for k, a in b.attributes.items()
                             if isinstance(a.expr, Literal)} for b in blocks]
                for i, j in pair_items(value, literals).items():
                    b = blocks[j]
                    locs[_at(path, name, i)] = Location(file, b.line, b.end_line)
                    self._tf_locs(b, file, value[i], _at(path, name, i), locs, depth + 1)

    # nodes -------------------------------------------------------------------

    def _node(self, r: _Resource) -> Node | None:
        conf = self.modules.get(r.calls)
        cres = conf.resources.get(f"{r.type}.{r.name}") if conf else None
        exprs = cres.get("expressions") if isinstance(cres, dict) else None
        exprs = exprs if isinstance(exprs, dict) else {}
        mask = self.unknowns.get(r.address)
        mask = mask if isinstance(mask, dict) else None  # documented: an object like values
        attrs = self._merge(r.values, mask, exprs, r, 0)
        declared = self._declaration(r)
        if isinstance(cres, dict) and isinstance(mask, dict):
            for name in _unwritten(mask, exprs, declared[0] if declared else None):
                attrs[name] = None
        locs: dict[tuple[Any, ...], Location] = {}
        if declared is not None:
            block, file = declared
            location = Location(file, block.line, block.end_line)
            self._tf_locs(block, file, attrs, (), locs, 0)
        else:
            location = self.doc.location(r.where)
            self._plan_locs(r.values, (*r.where, "values"), (), locs, 0)
        node = Node(
            id=self.node_id(r.address),
            address=r.address,
            native_type=r.type,
            kind=kind_of(r.type),
            source=Source.TERRAFORM,
            location=location,
            attrs=attrs,
            attr_locs=locs,
            module=r.module,
            origin=self.doc.path,
            enclosing=self._enclosing(r) if declared is not None else (),
        )
        node.taggable = r.type in taggable_types() or r.type == "aws_autoscaling_group"
        self._tags(node)

        def reference(name: str) -> Ref | None:
            return self._refs(exprs.get(name), r.module, r.calls, r.key)

        fill_facts(node, dict(attrs), _PlanView(reference))
        self.exporter.node(node)
        return node

    @staticmethod
    def _tags(node: Node) -> None:
        """Effective tags: `tags_all` (own tags merged with the provider's default_tags,
        as the plan computed them), else `tags`; none written is None."""
        attrs = node.attrs
        if node.native_type == "aws_autoscaling_group":
            tags: Any = _asg_tags(attrs.get("tags"), attrs.get("tag"))
        else:
            tags = attrs.get("tags_all")
            tags = attrs.get("tags") if tags is None else tags
        if isinstance(tags, Unknown):
            node.tags = Unknown("tags")
        elif isinstance(tags, dict):
            node.tags = {k: v for k, v in tags.items() if v is not None} or None
        else:
            node.tags = None
        own = attrs.get("tags")
        if isinstance(own, dict) and own:
            node.fact_locs["tags"] = node.attr_loc("tags")
            for key in own:
                if ("tags", key) in node.attr_locs:
                    node.fact_locs[f"tags.{key}"] = node.attr_locs[("tags", key)]


def _unwritten(mask: dict[str, Any], exprs: dict[str, Any], block: Block | None) -> list[str]:
    """Top-level attributes the plan leaves unknown although the configuration does not
    write them: computed by the provider (`id`, an unset `multi_az`), so AWS's default
    applies, which the fact spec says for an unwritten value, as for the same resource
    in `.tf`. Anything written (a variable, a reference) stays unknown; so does what a
    `dynamic` block may write, when the `.tf` declaration says there is one."""
    dynamic = {b.labels[0] for b in block.blocks_of("dynamic") if b.labels} if block else set()
    return [
        name for name, m in mask.items()
        if m is True and name not in exprs and name not in dynamic and (
            block is None or (name not in block.attributes and not block.blocks_of(name)))
    ]


class _PlanView:
    """What fact extraction may ask (view.ResourceView): references come from the
    plan's configuration; policy texts in a plan are plain JSON strings."""

    def __init__(self, reference: Callable[[str], Ref | None]) -> None:
        self.locmap = LocMap()
        self._reference = reference

    def reference(self, name: str) -> Ref | None:
        return self._reference(name)


def plan_nodes(doc: PlanFile, scanned: dict[str, list[TerraformFile]],
               errors: list[ParseError]) -> list[Node]:
    """The plan's resources as nodes; a plan not shaped as documented is a located
    parse error (IAC000) and gives no nodes."""
    adapter = PlanAdapter(doc, scanned)
    try:
        nodes = adapter.run()
    except Malformed as exc:
        errors.append(ParseError(doc.path, doc.location(exc.where).start_line, exc.message))
        return []
    if adapter.too_deep:
        errors.append(ParseError(doc.path, doc.location(adapter.too_deep).start_line,
                                 f"Terraform plan: child modules nested more than {MAX_DEPTH} "
                                 "deep were not checked"))
    return nodes
