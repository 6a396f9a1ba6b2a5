"""One root module evaluated end to end: module instances walked, nodes built.

Nodes are created for every resource instance (after count/for_each) and data
source in the root module and in every local or downloaded module it calls.
Attributes are evaluated with their nested and `dynamic` blocks, locations are
recorded for each attribute (in the file that wrote it), and the kind-specific
facts are filled by resource_facts. Only then do the evaluator's own value types
(partial texts, `jsonencode` results, lazy references) become plain values or
Unknowns (linter/adapters/boundary.py): facts may use them, nodes never hold them.
"""

from __future__ import annotations

import contextlib
import functools
import os
from typing import Any

from linter.adapters import AdaptContext
from linter.adapters.boundary import Exporter
from linter.adapters.terraform.config import ConfigLoader, Decl, ModuleConfig
from linter.adapters.terraform.evaluator import Evaluator, Scope, text_of
from linter.adapters.terraform.instance import ModuleInstance, sub_blocks
from linter.adapters.terraform.limits import MAX_NODES, MAX_STEPS, Confinement
from linter.adapters.terraform.policies import policy_document
from linter.adapters.terraform.resource_facts import fill_facts, kind_of
from linter.adapters.terraform.values import ResourceObj, SymbolicList, export, plain
from linter.adapters.terraform.variables import root_inputs
from linter.loaders.hcl_ast import Block, Traversal
from linter.model import Location, Node, ParseError, Ref, Source, Unknown

RESOURCE_META = frozenset({"count", "for_each", "provider", "depends_on"})
SKIPPED_BLOCKS = frozenset({"lifecycle", "provisioner", "connection", "timeouts"})
DATA_NODE_TYPES = frozenset({"aws_iam_policy_document"})


@functools.lru_cache(maxsize=1)
def taggable_types() -> frozenset[str]:
    path = os.path.join(
        os.path.dirname(os.path.dirname(os.path.dirname(__file__))),
        "data",
        "terraform-aws-taggable-resources.txt",
    )
    try:
        with open(path, encoding="utf-8") as fh:
            return frozenset(
                line.strip() for line in fh if line.strip() and not line.startswith("#")
            )
    except OSError:
        return frozenset()


class _Stop(Exception):
    """The root module produced more than MAX_NODES nodes and module instances."""


class Project:
    def __init__(
        self, root_dir: str, loader: ConfigLoader, ctx: AdaptContext,
        confinement: Confinement | None = None,
    ) -> None:
        self.root_dir = root_dir
        self.loader = loader
        self.ctx = ctx
        self.confinement = confinement or Confinement((ctx.root, root_dir))
        self.evaluator = Evaluator(self.confinement)
        self.nodes: list[Node] = []
        #: Located problems of the input found while evaluating (IAC000).
        self.errors: list[ParseError] = []
        self._walked = 0
        self.stats = {"tf_resources": 0, "tf_unknown_values": 0, "tf_modules": 0}
        self._policy_docs: dict[str, Any] = {}
        self._busy: set[str] = set()
        self.exporter = Exporter(export)

    def run(self, config: ModuleConfig) -> list[Node]:
        inputs = root_inputs(
            config.directory,
            self.evaluator,
            list(self.ctx.tf_var_files),
            self.ctx.tf_vars,
            self.ctx.env,
        )
        root = ModuleInstance(self, config, "", inputs, {}, (config.directory,), (), {})
        first = config.files[0].path if config.files else config.directory
        try:
            self._walk(root)
        except _Stop:
            self.report(first, 1, f"the root module makes more than {MAX_NODES} resources and "
                        "module instances; the rest were not evaluated")
        if self.evaluator.exhausted:
            self.report(first, 1, f"evaluating this root module took more than {MAX_STEPS} "
                        "steps; the values still unevaluated were left unknown")
        self.evaluator.locmap.clear()
        self.evaluator.functions.clear()
        return self.nodes

    def report(self, path: str, line: int, message: str) -> None:
        error = ParseError(path, line, message)
        if error not in self.errors:
            self.errors.append(error)

    def _count(self) -> None:
        self._walked += 1
        if self._walked > MAX_NODES:
            raise _Stop

    def _walk(self, instance: ModuleInstance) -> None:
        self._count()
        for decl in instance.config.resources.values():
            kind, items = instance.expansion(decl)
            for suffix, bindings in items:
                self._count()
                node = self._node(instance, decl, suffix, bindings)
                if node is not None and kind == "unknown":
                    node.facts["count_unknown"] = True
        for name in instance.config.module_calls:
            _, children = instance.children(name)
            for _, _, child in children:
                if child is not None:
                    self.stats["tf_modules"] += 1
                    self._walk(child)

    # nodes ---------------------------------------------------------------

    def _node(
        self, instance: ModuleInstance, decl: Decl, suffix: str, bindings: dict[str, Any]
    ) -> Node | None:
        if decl.mode == "data" and decl.type not in DATA_NODE_TYPES:
            return None
        address = instance.address(decl, suffix)
        block = decl.block
        scope = Scope(instance, decl.path, bindings)
        header = Location(decl.path, block.line, block.end_line)
        node = Node(
            id=instance.node_id(address),
            address=address,
            native_type=decl.type,
            kind=kind_of(decl.type) if decl.mode == "managed" else None,
            source=Source.TERRAFORM,
            location=header,
            module=instance.module_path,
            origin=self.root_dir,
            enclosing=instance.call_locations,
        )
        if decl.mode == "data":
            self.nodes.append(node)
            return node
        raw: dict[str, Any] = {}
        self.eval_body(block, scope, (), node.attrs, raw, node.attr_locs, top=True)
        for value in node.attrs.values():
            if isinstance(value, Unknown):
                self.stats["tf_unknown_values"] += 1
        self.stats["tf_resources"] += 1
        node.taggable = decl.type in taggable_types() or decl.type == "aws_autoscaling_group"
        self._tags(node, instance, block, raw)
        fill_facts(node, raw, _View(self, instance, decl, scope))
        self.exporter.node(node)  # evaluator types stop here (linter/adapters/boundary.py)
        self.nodes.append(node)
        return node

    def _tags(
        self, node: Node, instance: ModuleInstance, block: Block, raw: dict[str, Any]
    ) -> None:
        own: Any = raw.get("tags")
        if node.native_type == "aws_autoscaling_group":
            own = _asg_tags(own, raw.get("tag"))
        if "tags" in block.attributes:
            node.fact_locs["tags"] = node.attr_loc("tags")
            for path, loc in node.attr_locs.items():
                if len(path) == 2 and path[0] == "tags" and isinstance(path[1], str):
                    node.fact_locs[f"tags.{path[1]}"] = loc
        # the AWS provider does not apply default_tags to auto scaling groups
        provider = (
            None
            if node.native_type == "aws_autoscaling_group"
            else instance.provider_defaults(block, node.native_type)
        )
        own = plain(own)
        defaults = plain(provider.tags) if provider is not None else None
        if provider is not None and defaults is not None:
            node.facts["default_tags_from"] = provider.address
            node.fact_locs["default_tags"] = provider.location
            for key, loc in provider.key_locs.items():
                node.fact_locs[f"default_tags.{key}"] = loc
        if own is None and defaults is None:
            node.tags = None
        elif isinstance(own, Unknown) or isinstance(defaults, Unknown):
            node.tags = Unknown("tags")
        elif (own is not None and not isinstance(own, dict)) or (
            defaults is not None and not isinstance(defaults, dict)
        ):
            node.tags = Unknown("tags of unexpected type")
        else:
            merged = dict(defaults or {})
            merged.update(own or {})
            node.tags = {k: v for k, v in merged.items() if v is not None}

    def eval_body(
        self,
        block: Block,
        scope: Scope,
        prefix: tuple[Any, ...],
        attrs: dict[str, Any],
        raw: dict[str, Any],
        locs: dict[tuple[Any, ...], Location],
        top: bool = False,
    ) -> None:
        ev = self.evaluator
        for name, attr in block.attributes.items():
            if top and name in RESOURCE_META:
                continue
            here = scope.at(attr.path) if attr.path else scope
            value = ev.ev(attr.expr, here)
            raw[name] = value
            attrs[name] = plain(value)
            path = (*prefix, name)
            locs[path] = Location(here.path, attr.line, attr.end_line)
            self._record(path, value, locs, here.path, 0)
        block_names: set[str] = set()
        for child in block.blocks:
            if top and child.type in SKIPPED_BLOCKS:
                continue
            if child.type == "dynamic":
                if not child.labels:
                    continue
                name = child.labels[0]
                pairs = self._dynamic(child, scope)
            else:
                name = child.type
                pairs = [(child, scope)]
            if name in attrs and name not in block_names:
                continue  # an attribute of that name wins
            block_names.add(name)
            out_list = attrs.setdefault(name, [])
            raw_list = raw.setdefault(name, [])
            for b, s in pairs:
                item = (*prefix, name, len(out_list))
                sub: dict[str, Any] = {}
                sub_raw: dict[str, Any] = {}
                locs[item] = Location(s.path, b.line, b.end_line)
                self.eval_body(b, s, item, sub, sub_raw, locs)
                out_list.append(sub)
                raw_list.append(sub_raw)

    def _record(
        self,
        path: tuple[Any, ...],
        value: Any,
        locs: dict[tuple[Any, ...], Location],
        file: str,
        depth: int,
    ) -> None:
        if depth > 4 or not isinstance(value, (dict, list)):
            return
        m = self.evaluator.locmap.get(value)
        if not m:
            return
        for key, loc in m.items():
            if loc.path != file:
                continue
            here = (*path, key)
            locs[here] = loc
            with contextlib.suppress(KeyError, IndexError, TypeError):
                self._record(here, value[key], locs, file, depth + 1)

    def _dynamic(self, block: Block, scope: Scope) -> list[tuple[Block, Scope]]:
        contents = block.blocks_of("content") or sub_blocks(block, "content")
        if not contents:
            return []
        content = contents[0]
        it_attr = block.attributes.get("iterator")
        iterator = (text_of(it_attr.expr) if it_attr else None) or block.labels[0]
        fe = block.attributes.get("for_each")
        coll = self.evaluator.ev(fe.expr, scope) if fe else None
        if isinstance(coll, dict):
            pairs = [(k, coll[k]) for k in sorted(coll)]
        elif isinstance(coll, list):
            pairs = list(enumerate(coll))
        elif isinstance(coll, Unknown):
            pairs = [(Unknown("dynamic key"), Unknown("dynamic value"))]
        else:
            return []
        return [(content, scope.child({iterator: {"key": k, "value": v}})) for k, v in pairs]

    def expand_blocks(self, block: Block, name: str, scope: Scope) -> list[tuple[Block, Scope]]:
        """Static blocks called `name` and the blocks `dynamic "name"` generates."""
        out = [(b, scope) for b in sub_blocks(block, name)]
        for dyn in block.blocks_of("dynamic"):
            if dyn.labels and dyn.labels[0] == name:
                out.extend(self._dynamic(dyn, scope))
        return out

    # data sources ----------------------------------------------------------

    def data_attr(
        self,
        instance: ModuleInstance,
        decl: Decl,
        bindings: dict[str, Any],
        node_id: str,
        attr: str,
    ) -> Any:
        if decl.type == "aws_iam_policy_document" and attr in ("json", "minified_json"):
            if node_id in self._policy_docs:
                return self._policy_docs[node_id]
            if node_id in self._busy:
                return Ref(node_id, attr)
            self._busy.add(node_id)
            try:
                doc = policy_document(
                    decl.block,
                    Scope(instance, decl.path, bindings),
                    self.evaluator,
                    self.expand_blocks,
                )
            finally:
                self._busy.discard(node_id)
            self._policy_docs[node_id] = doc
            return doc
        if decl.type == "aws_availability_zones" and attr in ("names", "zone_ids"):
            return SymbolicList(f"{node_id.split('::', 1)[1]}.{attr}")
        return None

    def reference(self, expr: Any, scope: Scope) -> Ref | None:
        """The resource a traversal like `aws_s3_bucket.b.bucket` names, whatever its value."""
        if not isinstance(expr, Traversal):
            return None
        value = self.evaluator.ev(expr.source, scope)
        for i, step in enumerate(expr.steps):
            if isinstance(value, ResourceObj):
                rest = expr.steps[i:]
                attr = getattr(rest[0], "name", None) if rest else None
                return Ref(value.target, attr)
            value = self.evaluator.apply_steps(value, [step], scope)
        if isinstance(value, ResourceObj):
            return Ref(value.target, None)
        return None


def _asg_tags(tags: Any, tag_blocks: Any) -> Any:
    """An auto scaling group's tags: `tag` blocks or a list of {key, value} maps."""
    items: list[Any] = []
    if isinstance(tags, list):
        items.extend(tags)
    elif tags is not None:
        return tags
    if isinstance(tag_blocks, list):
        items.extend(tag_blocks)
    if tags is None and not items:
        return None
    out: dict[str, Any] = {}
    for item in items:
        if not isinstance(item, dict):
            return Unknown("tag of unexpected type")
        key = item.get("key")
        if not isinstance(key, str):
            return Unknown("tag key")
        out[key] = item.get("value")
    return out


class _View:
    """The resource being built, as fact extraction sees it (view.ResourceView)."""

    def __init__(
        self, project: Project, instance: ModuleInstance, decl: Decl, scope: Scope
    ) -> None:
        self.project = project
        self.instance = instance
        self.decl = decl
        self.scope = scope
        self.locmap = project.evaluator.locmap

    def reference(self, name: str) -> Ref | None:
        attr = self.decl.block.attributes.get(name)
        if attr is None:
            return None
        return self.project.reference(attr.expr, self.scope)
