"""CloudFormation adapter: one node per resource that exists, with facts.

Parameters (defaults, CLI values, parameter files), conditions and intrinsics
are evaluated by `cfn_eval.Evaluator`; `cfn_kinds` maps each type to a kind
and its facts; `cfn_sam` reads what SAM's transform would generate that the
rules care about (SAM `Globals` are merged into each serverless resource).
Resources whose Condition is false are not created, so they are not nodes.
A bug while adapting one template is an internal error at that template (IAC999);
the other templates are still adapted.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable, Mapping
from typing import Any

from linter import fact_spec
from linter.adapters import AdaptContext, AdaptResult, guarded
from linter.adapters.boundary import Exporter
from linter.adapters.cfn_eval import NOVALUE, Evaluator, export
from linter.adapters.cfn_foreach import MAX_INSTANCES, Budget, expand_resources
from linter.adapters.cfn_kinds import ResourceView, fill_facts
from linter.adapters.cfn_schema import tag_support
from linter.adapters.cfn_values import combine
from linter.directives import metadata_directives
from linter.loaders.cloudformation import CfnTemplate
from linter.model import Choice, Location, Node, ParseError, Ref, Source, Unknown, is_known


def adapt(documents: Iterable[object], ctx: AdaptContext) -> AdaptResult:
    result = AdaptResult()
    overrides, errors = load_parameter_overrides(ctx)
    result.errors.extend(errors)
    for template in documents:
        if not isinstance(template, CfnTemplate):
            continue
        guarded(result, template.path, "the CloudFormation adapter",
                functools.partial(adapt_template, template, overrides, result),
                too_deep="template is nested too deeply")
    return result


# ------------------------------------------------------------------ parameters


def load_parameter_overrides(ctx: AdaptContext) -> tuple[dict[str, Any], list[ParseError]]:
    """Parameter values from --cfn-params files (in order) then --cfn-param (wins)."""
    values: dict[str, Any] = {}
    errors: list[ParseError] = []
    for path in ctx.cfn_param_files:
        try:
            with open(path, encoding="utf-8-sig") as fh:
                data = json.load(fh)
        except (OSError, ValueError) as exc:
            line = getattr(exc, "lineno", 1)
            errors.append(ParseError(str(path), line, f"cannot read parameters file: {exc}"))
            continue
        parsed = parse_parameter_file(data)
        if parsed is None:
            errors.append(ParseError(
                str(path), 1,
                'parameters file must be [{"ParameterKey": ..., "ParameterValue": ...}] '
                'or {"Parameters": {...}}',
            ))
            continue
        values.update(parsed)
    values.update(ctx.cfn_params)
    return values, errors


def parse_parameter_file(data: Any) -> dict[str, Any] | None:
    """Both shapes CloudFormation tooling writes: the CLI's list and CodePipeline's map."""
    if isinstance(data, list):
        out: dict[str, Any] = {}
        for item in data:
            if not isinstance(item, dict) or "ParameterKey" not in item:
                return None
            if "ParameterValue" in item:
                out[str(item["ParameterKey"])] = _param_text(item["ParameterValue"])
        return out
    if isinstance(data, dict):
        params = data.get("Parameters", data if all(
            not isinstance(v, (dict, list)) for v in data.values()) else None)
        if isinstance(params, dict):
            return {str(k): _param_text(v) for k, v in params.items()}
    return None


def _param_text(value: Any) -> Any:
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return value if isinstance(value, str) else str(value)


# ------------------------------------------------------------------ template


def adapt_template(
    template: CfnTemplate, overrides: Mapping[str, Any], result: AdaptResult
) -> None:
    doc = template.template
    ev = Evaluator(doc, template.path, overrides, template.location)
    declared: dict[str, tuple[dict[str, Any], tuple[Any, ...]]] = {}
    budget = Budget()
    for logical_id, res, path in expand_resources(ev.resources, ev.evaluate, budget):
        if isinstance(res, dict) and isinstance(logical_id, str):
            declared.setdefault(logical_id, (res, path))
    if budget.exceeded is not None:
        where = template.location(budget.exceeded)
        result.errors.append(ParseError(
            template.path, where.start_line,
            f"Fn::ForEach loops stamp out more than {MAX_INSTANCES:,} instances (iaclint's "
            "limit); the resources after that are not checked"))
    for logical_id in declared:
        ev.node_ids[logical_id] = node_id(template.path, logical_id)
    # A resource whose Condition is false is never created.
    existing: list[tuple[str, dict[str, Any], Any, tuple[Any, ...]]] = []
    for logical_id, (res, path) in declared.items():
        cond = res.get("Condition")
        decided = ev.condition(cond) if cond is not None else True
        if decided is False:
            ev.node_ids.pop(logical_id, None)
            continue
        existing.append((logical_id, res, decided, path))
    nodes: list[Node] = []
    unknowns = 0
    exporter = Exporter(export)
    for logical_id, res, decided, path in existing:
        node = build_node(template, ev, logical_id, res, decided, path)
        # Read as SAM even when the Transform line is missing: the intent is clear.
        if node.native_type.startswith("AWS::Serverless::"):
            from linter.adapters.cfn_sam import apply_sam

            apply_sam(node, ResourceView(node, node.attrs))
        fact_spec.finish(node)
        exporter.node(node)  # evaluator types stop here (linter/adapters/boundary.py)
        unknowns += _count_unknowns(node.attrs)
        nodes.append(node)
    result.nodes.extend(nodes)
    result.stats["cfn_resources"] = result.stats.get("cfn_resources", 0) + len(nodes)
    result.stats["cfn_unknown_values"] = result.stats.get("cfn_unknown_values", 0) + unknowns


def node_id(template_path: str, logical_id: str) -> str:
    return f"{template_path}::{logical_id}"


def build_node(
    template: CfnTemplate, ev: Evaluator, logical_id: str, res: Mapping[str, Any], decided: Any,
    base: tuple[Any, ...] | None = None,
) -> Node:
    rtype = res.get("Type")
    rtype = rtype if isinstance(rtype, str) else "Unknown"
    base = base or ("Resources", logical_id)
    node = Node(
        id=node_id(template.path, logical_id),
        address=logical_id,
        native_type=rtype,
        kind=fact_spec.kind_of("cloudformation", rtype),
        source=Source.CLOUDFORMATION,
        location=template.location(base),
        origin=template.path,
    )
    node.ignores = metadata_directives(
        res.get("Metadata"), template.location, base, node.location.start_line
    )
    ev.seen_refs = []
    raw_props = res.get("Properties")
    globals_ = _sam_globals(template.template, rtype)
    if globals_:
        raw_props = _merge_globals(globals_, raw_props if isinstance(raw_props, dict) else {})
    locs: dict[tuple[Any, ...], Location] = {}
    cond = res.get("Condition")
    # Inside a resource whose Condition is undecided, that condition holds.
    ev.context = {cond: True} if decided is not True and isinstance(cond, str) else {}
    try:
        props = (ev.evaluate(raw_props, (*base, "Properties"), (), locs)
                 if raw_props is not None else {})
    finally:
        ev.context = {}
    if isinstance(props, Choice):
        props = _choice_of_dicts(props)
    if not isinstance(props, dict):
        props = {}
    node.attrs = props
    node.attr_locs = locs
    refs: list[Ref] = list(dict.fromkeys(ev.seen_refs))
    depends = res.get("DependsOn")
    for dep in depends if isinstance(depends, list) else [depends]:
        if isinstance(dep, str) and dep in ev.node_ids:
            refs.append(Ref(ev.node_ids[dep], None))
    if refs:
        node.facts["references"] = list(dict.fromkeys(refs))
    if decided is not True:
        name = res.get("Condition")
        node.facts["condition"] = name if isinstance(name, str) else Unknown("condition")
    support = tag_support(rtype)
    node.taggable = support.taggable
    if support.taggable or support.prop in props:
        _tags(node, props, support.prop)
    fill_facts(node, props)
    return node


def _choice_of_dicts(choice: Choice) -> dict[str, Any] | None:
    """`Properties: !If [C, {...}, {...}]` as one dict whose values are choices."""
    options = [(label, {} if value is NOVALUE else value) for label, value in choice.options]
    if not all(isinstance(value, dict) for _, value in options):
        return None
    keys = list(dict.fromkeys(k for _, value in options for k in value))
    return {k: combine([(label, value.get(k, NOVALUE)) for label, value in options])
            for k in keys}


_GLOBAL_SECTIONS = {
    "AWS::Serverless::Function": "Function",
    "AWS::Serverless::Api": "Api",
    "AWS::Serverless::HttpApi": "HttpApi",
    "AWS::Serverless::SimpleTable": "SimpleTable",
    "AWS::Serverless::StateMachine": "StateMachine",
    "AWS::Serverless::LayerVersion": "LayerVersion",
}


def _sam_globals(doc: Mapping[str, Any], rtype: str) -> dict[str, Any] | None:
    section = _GLOBAL_SECTIONS.get(rtype)
    globals_ = doc.get("Globals")
    if section is None or not isinstance(globals_, dict):
        return None
    found = globals_.get(section)
    return found if isinstance(found, dict) else None


def _merge_globals(globals_: Mapping[str, Any], props: Mapping[str, Any]) -> dict[str, Any]:
    """SAM's rule: maps merge (resource wins), lists join, scalars are overridden.
    The resource's own list items come first so their indexes (and lines) stay
    right; values that come from Globals are located at the resource."""
    out: dict[str, Any] = dict(globals_)
    for key, value in props.items():
        base = out.get(key)
        if isinstance(base, dict) and isinstance(value, dict) and not _is_intrinsic(value):
            out[key] = _merge_globals(base, value)
        elif isinstance(base, list) and isinstance(value, list):
            out[key] = [*value, *base]
        else:
            out[key] = value
    return out


def _is_intrinsic(value: Mapping[str, Any]) -> bool:
    return len(value) == 1 and next(iter(value)).startswith(("Fn::", "Ref"))


def _tags(node: Node, props: Mapping[str, Any], prop: str) -> None:
    if prop not in props:
        return
    raw = props[prop]
    node.fact_locs["tags"] = node.attr_loc(prop)
    if isinstance(raw, Unknown) and not isinstance(raw, Choice):
        node.tags = raw
        return
    tags: dict[str, Any] = {}
    if isinstance(raw, dict):
        for key, value in raw.items():
            tags[key] = value
            node.fact_locs[f"tags.{key}"] = node.attr_loc(prop, key)
    elif isinstance(raw, list):
        for i, item in enumerate(raw):
            if not isinstance(item, dict):
                continue
            key = item.get("Key")
            if isinstance(key, str):
                tags[key] = item.get("Value", "")
                node.fact_locs[f"tags.{key}"] = node.attr_loc(prop, i)
            elif isinstance(key, Unknown):
                node.tags = Unknown("a tag key is unknown")
                return
    else:
        node.tags = Unknown("tags are not a list or map")
        return
    node.tags = tags


def _count_unknowns(value: Any) -> int:
    if isinstance(value, Unknown):
        return 0 if isinstance(value, Ref) else 1
    if isinstance(value, dict):
        return sum(_count_unknowns(v) for v in value.values())
    if isinstance(value, list):
        return sum(_count_unknowns(v) for v in value)
    return 0


__all__ = ["NOVALUE", "adapt", "is_known", "load_parameter_overrides", "parse_parameter_file"]
