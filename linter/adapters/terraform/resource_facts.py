"""Terraform resources → normalized facts, driven by linter/fact_spec.py.

Which types become which kinds, and every fact a table row can express, live
in the fact spec (shared with CloudFormation). What remains here is the hand
code for shapes a row cannot express, in Terraform's spelling: inline ingress
rules, NACL entries and routes, block devices, S3 encryption blocks, and the
policies of every shape (with policies.py). Nested blocks are lists of dicts,
whether they were written as blocks, attributes or JSON.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from linter import convert, fact_spec
from linter.adapters.terraform.policies import POLICY_ATTRS, make_policy
from linter.adapters.terraform.values import HOLE_END, HOLE_START, PartialText
from linter.convert import to_bool
from linter.facts import BlockDevice, Encryption, IngressRule, NaclEntry, Route
from linter.model import Location, Node, Ref, Unknown

if TYPE_CHECKING:
    from linter.adapters.terraform.view import ResourceView as _View


def kind_of(native_type: str) -> str | None:
    return fact_spec.kind_of("terraform", native_type)


# --------------------------------------------------------------------------- helpers


def _block_paths(node: Node, name: str) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    return _block_paths_of(node.attrs, (), name)


def _block_paths_of(
    value: dict[str, Any], path: tuple[Any, ...], name: str
) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    inner = value.get(name)
    if isinstance(inner, dict):
        return [((*path, name), inner)]
    if isinstance(inner, list):
        return [((*path, name, i), v) for i, v in enumerate(inner) if isinstance(v, dict)]
    return []


def _written(b: dict[str, Any], *names: str) -> list[str]:
    """`names` whose value is set come first: the location should show the one that counts."""
    return [n for n in names if b.get(n) is not None] + [n for n in names if b.get(n) is None]


def _loc(node: Node, path: tuple[Any, ...], *names: str) -> Location:
    for n in names:
        loc = node.attr_locs.get((*path, n))
        if loc is not None:
            return loc
    return node.attr_loc(*path)


def _ref_or_value(node: Node, view: _View, name: str) -> Any:
    value = node.attrs.get(name)
    if isinstance(value, Ref) or value is None:
        return value
    ref = view.reference(name)
    return ref if ref is not None else value


# --------------------------------------------------------------------------- shapes


def _ingress_rule(
    node: Node, path: tuple[Any, ...], b: dict[str, Any], v4: str, v6: str, proto_key: str
) -> IngressRule:
    return convert.ingress_rule(
        b.get(proto_key), b.get("from_port"), b.get("to_port"),
        convert.sources(b.get(v4), b.get(v6)),
        _loc(node, path, *_written(b, v4, v6), proto_key), b.get("description"),
    )


def _security_group(node: Node, view: _View) -> None:
    ingress = node.attrs.get("ingress")
    if isinstance(ingress, Unknown):
        rules = [convert.unknown_ingress(ingress, node.attr_loc("ingress"))]
    else:
        rules = [
            _ingress_rule(node, p, b, "cidr_blocks", "ipv6_cidr_blocks", "protocol")
            for p, b in _block_paths(node, "ingress")
        ]
    node.facts["ingress"] = rules
    node.fact_locs["ingress"] = node.attr_loc("ingress")


def _sg_rule(node: Node, view: _View) -> None:
    rules = []
    if node.attrs.get("type") == "ingress":
        rules = [_ingress_rule(node, (), node.attrs, "cidr_blocks", "ipv6_cidr_blocks", "protocol")]
    node.facts["ingress"] = rules


def _vpc_ingress_rule(node: Node, view: _View) -> None:
    rules = []
    if node.native_type == "aws_vpc_security_group_ingress_rule":
        rules = [_ingress_rule(node, (), node.attrs, "cidr_ipv4", "cidr_ipv6", "ip_protocol")]
    node.facts["ingress"] = rules


def _nacl_entry(
    node: Node, path: tuple[Any, ...], b: dict[str, Any], number_key: str, v4: str, v6: str
) -> NaclEntry:
    return convert.nacl_entry(
        b.get(number_key), b.get("action") if "action" in b else b.get("rule_action"),
        b.get("protocol"), b.get("from_port"), b.get("to_port"),
        convert.sources(b.get(v4), b.get(v6)), _loc(node, path, *_written(b, v4, v6), "protocol"),
    )


def _network_acl(node: Node, view: _View) -> None:
    node.facts["nacl_ingress"] = [
        _nacl_entry(node, p, b, "rule_no", "cidr_block", "ipv6_cidr_block")
        for p, b in _block_paths(node, "ingress")
    ]


def _network_acl_rule(node: Node, view: _View) -> None:
    egress = to_bool(node.attrs.get("egress"))
    entries = []
    if egress is False or egress is None:  # an unknown direction is no evidence
        entries = [
            _nacl_entry(node, (), node.attrs, "rule_number", "cidr_block", "ipv6_cidr_block")
        ]
    node.facts["nacl_ingress"] = entries


def _route(node: Node, path: tuple[Any, ...], b: dict[str, Any], v4: str, v6: str) -> Route:
    return convert.route(b, "terraform", (v4, v6), _loc(node, path, *_written(b, v4, v6)))


def _route_table(node: Node, view: _View) -> None:
    node.facts["routes"] = [
        _route(node, p, b, "cidr_block", "ipv6_cidr_block") for p, b in _block_paths(node, "route")
    ]


def _route_resource(node: Node, view: _View) -> None:
    node.facts["routes"] = [
        _route(node, (), node.attrs, "destination_cidr_block", "destination_ipv6_cidr_block")
    ]


def _devices(
    node: Node, name: str, default_name: str, nested: str | None = None
) -> list[BlockDevice]:
    out = []
    for path, b in _block_paths(node, name):
        label = b.get("device_name") if isinstance(b.get("device_name"), str) else default_name
        target, tpath = b, path
        if nested is not None:
            inner = _block_paths_of(b, path, nested)
            if not inner:
                continue
            tpath, target = inner[0]
        out.append(
            BlockDevice(str(label), to_bool(target.get("encrypted")),
                        _loc(node, tpath, "encrypted"))
        )
    return out


def _undeclared_root(node: Node) -> list[BlockDevice]:
    """The root volume when no root_block_device declares it and no launch template
    decides it: it follows the AMI's mapping."""
    if _block_paths(node, "root_block_device") or node.attrs.get("launch_template") is not None:
        return []
    return convert.undeclared_root(node.attrs.get("root_block_device"), (), node.location)


def _public_ip(node: Node, values: list[Any], *where: Any) -> None:
    """The public-IP flag: True when any interface asks for one."""
    written = [to_bool(v) for v in values if v is not None]
    if not written:
        return
    node.facts["public_ip"] = True if any(v is True for v in written) else written[0]
    node.fact_locs["public_ip"] = node.attr_loc(*where)


def _instance(node: Node, view: _View) -> None:
    subnet = _ref_or_value(node, view, "subnet_id")
    subnets = [subnet] if subnet is not None else []
    for _, ni in _block_paths(node, "network_interface"):
        if ni.get("subnet_id") is not None:
            subnets.append(ni["subnet_id"])
    if subnets:
        node.facts["subnets"] = subnets
        node.fact_locs["subnets"] = node.attr_loc("subnet_id")
    node.facts["block_devices"] = _devices(node, "root_block_device", "root") + _devices(
        node, "ebs_block_device", "ebs") + _undeclared_root(node)
    _public_ip(node, [node.attrs.get("associate_public_ip_address")],
               "associate_public_ip_address")


def _launch_template(node: Node, view: _View) -> None:
    node.facts["block_devices"] = _devices(node, "block_device_mappings", "device", nested="ebs")
    image = node.attrs.get("image_id")
    if image is not None and image != "":  # without an AMI its user picks the volumes
        node.facts["block_devices"] += convert.undeclared_root(
            node.attrs.get("block_device_mappings"),
            [b.get("device_name") for _, b in _block_paths(node, "block_device_mappings")],
            node.location)
    interfaces = [ni for _, ni in _block_paths(node, "network_interfaces")]
    subnets = [ni["subnet_id"] for ni in interfaces if ni.get("subnet_id") is not None]
    if subnets:
        node.facts["subnets"] = subnets
        node.fact_locs["subnets"] = node.attr_loc("network_interfaces")
    _public_ip(node, [ni.get("associate_public_ip_address") for ni in interfaces],
               "network_interfaces")


def _launch_configuration(node: Node, view: _View) -> None:
    node.facts["block_devices"] = _devices(node, "root_block_device", "root") + _devices(
        node, "ebs_block_device", "ebs"
    ) + _undeclared_root(node)


def _sse(node: Node, path: tuple[Any, ...], cfg: dict[str, Any]) -> Encryption | None:
    for rpath, rule in _block_paths_of(cfg, path, "rule"):
        for dpath, default in _block_paths_of(
            rule, rpath, "apply_server_side_encryption_by_default"
        ):
            alg = default.get("sse_algorithm")
            return Encryption(
                alg, _loc(node, dpath, "sse_algorithm"), default.get("kms_master_key_id")
            )
        return Encryption(None, _loc(node, rpath))
    return None


def _s3_bucket(node: Node, view: _View) -> None:
    enc = None
    for path, cfg in _block_paths(node, "server_side_encryption_configuration"):
        enc = _sse(node, path, cfg)
    if isinstance(node.attrs.get("server_side_encryption_configuration"), Unknown):
        enc = Encryption(
            Unknown("encryption"), node.attr_loc("server_side_encryption_configuration")
        )
    node.facts["encryption"] = enc
    if enc is not None:
        node.fact_locs["encryption"] = enc.location


def _s3_encryption(node: Node, view: _View) -> None:
    enc = _sse(node, (), node.attrs)
    if enc is None:
        enc = Encryption(
            Unknown("rule") if isinstance(node.attrs.get("rule"), Unknown) else None,
            node.attr_loc("rule"),
        )
    node.facts["encryption"] = enc
    node.fact_locs["encryption"] = enc.location


#: Hand code for the `Shaped` facts of the fact spec, by Terraform type.
SHAPES: dict[str, Callable[[Node, _View], None]] = {
    "aws_security_group": _security_group,
    "aws_default_security_group": _security_group,
    "aws_security_group_rule": _sg_rule,
    "aws_vpc_security_group_ingress_rule": _vpc_ingress_rule,
    "aws_vpc_security_group_egress_rule": _vpc_ingress_rule,
    "aws_network_acl": _network_acl,
    "aws_default_network_acl": _network_acl,
    "aws_network_acl_rule": _network_acl_rule,
    "aws_route_table": _route_table,
    "aws_default_route_table": _route_table,
    "aws_route": _route_resource,
    "aws_instance": _instance,
    "aws_launch_template": _launch_template,
    "aws_launch_configuration": _launch_configuration,
    "aws_s3_bucket": _s3_bucket,
    "aws_s3_bucket_server_side_encryption_configuration": _s3_encryption,
}

_ATTACHMENTS = {
    "aws_iam_role_policy_attachment",
    "aws_iam_user_policy_attachment",
    "aws_iam_group_policy_attachment",
    "aws_iam_policy_attachment",
}


def _policies(node: Node, raw: dict[str, Any], view: _View) -> None:
    docs = []
    for attr, policy_type, name in POLICY_ATTRS.get(node.native_type, ()):
        if attr not in raw or raw[attr] is None:
            continue
        label = (
            f"{name} {node.attrs['name']!r}"
            if name == "inline policy" and isinstance(node.attrs.get("name"), str)
            else name
        )
        docs.append(
            make_policy(
                raw[attr], node.attr_loc(attr), view.locmap, policy_type=policy_type, name=label
            )
        )
    if node.native_type == "aws_iam_role":
        inline = raw.get("inline_policy")
        for i, item in enumerate(inline if isinstance(inline, list) else []):
            if not isinstance(item, dict) or item.get("policy") is None:
                continue
            pname = item.get("name")
            label = f"inline policy {pname!r}" if isinstance(pname, str) else "inline policy"
            docs.append(
                make_policy(
                    item["policy"],
                    node.attr_loc("inline_policy", i, "policy"),
                    view.locmap,
                    policy_type="identity",
                    name=label,
                )
            )
    if docs:
        node.facts["policies"] = docs
    arns: list[tuple[Any, Location]] = []
    if node.native_type in _ATTACHMENTS and "policy_arn" in node.attrs:
        arns.append((_managed_arn(node.attrs["policy_arn"]), node.attr_loc("policy_arn")))
    if node.native_type in ("aws_iam_role", "aws_iam_user", "aws_iam_group") and (
        "managed_policy_arns" in node.attrs
    ):
        value = node.attrs["managed_policy_arns"]
        for i, arn in enumerate(value if isinstance(value, list) else [value]):
            arns.append((_managed_arn(arn), node.attr_loc("managed_policy_arns", i)))
    if node.native_type == "aws_ssoadmin_managed_policy_attachment" and (
        "managed_policy_arn" in node.attrs
    ):
        arns.append((_managed_arn(node.attrs["managed_policy_arn"]),
                     node.attr_loc("managed_policy_arn")))
    if arns:
        node.facts["managed_policy_arns"] = arns


_PARTITION_HOLE_ARN = re.compile(
    f"^arn:{HOLE_START}\\d+{HOLE_END}:iam::aws:policy/([^{HOLE_START}]+)$"
)


def _managed_arn(value: Any) -> Any:
    """`arn:${partition}:iam::aws:policy/X` names AWS managed policy X whatever the
    partition; the fact spells it with the commercial partition so rules can read it."""
    if isinstance(value, PartialText):
        m = _PARTITION_HOLE_ARN.match(value.text)
        if m:
            return f"arn:aws:iam::aws:policy/{m.group(1)}"
    return value


def fill_facts(node: Node, raw: dict[str, Any], view: _View) -> None:
    """Table facts from the spec, then the hand-coded shapes and the policies."""
    fact_spec.fill(node, fact_spec.Properties(
        node, node.attrs, "terraform", blocks=True, reference=view.reference))
    shape = SHAPES.get(node.native_type)
    if shape is not None:
        shape(node, view)
    _policies(node, raw, view)
    fact_spec.finish(node)
