"""Terraform resource types → normalized kinds and facts (see linter/facts.py).

This is the only place that knows AWS provider attribute names. Each extractor
reads the evaluated attributes (nested blocks are lists of dicts, whether they
were written as blocks, attributes or JSON) and the recorded locations.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from linter.adapters.terraform.functions import FunctionError, to_number
from linter.adapters.terraform.policies import POLICY_ATTRS, make_policy
from linter.adapters.terraform.values import HOLE_END, HOLE_START, PartialText
from linter.facts import BlockDevice, Encryption, IngressRule, NaclEntry, Route
from linter.model import Location, Node, Ref, Unknown, list_items

if TYPE_CHECKING:
    from linter.adapters.terraform.view import ResourceView as _View

KINDS: dict[str, str] = {
    "aws_security_group": "ec2.security_group",
    "aws_default_security_group": "ec2.security_group",
    "aws_security_group_rule": "ec2.security_group_rule",
    "aws_vpc_security_group_ingress_rule": "ec2.security_group_rule",
    "aws_vpc_security_group_egress_rule": "ec2.security_group_rule",
    "aws_network_acl": "ec2.network_acl",
    "aws_default_network_acl": "ec2.network_acl",
    "aws_network_acl_rule": "ec2.network_acl_rule",
    "aws_vpc": "ec2.vpc",
    "aws_default_vpc": "ec2.vpc",
    "aws_subnet": "ec2.subnet",
    "aws_default_subnet": "ec2.subnet",
    "aws_internet_gateway": "ec2.internet_gateway",
    "aws_nat_gateway": "ec2.nat_gateway",
    "aws_route_table": "ec2.route_table",
    "aws_default_route_table": "ec2.route_table",
    "aws_route": "ec2.route",
    "aws_route_table_association": "ec2.route_table_association",
    "aws_main_route_table_association": "ec2.main_route_table_association",
    "aws_instance": "ec2.instance",
    "aws_launch_template": "ec2.launch_template",
    "aws_launch_configuration": "ec2.launch_configuration",
    "aws_ebs_volume": "ec2.volume",
    "aws_ebs_encryption_by_default": "ec2.ebs_encryption_by_default",
    "aws_autoscaling_group": "autoscaling.group",
    "aws_db_instance": "rds.instance",
    "aws_rds_cluster_instance": "rds.instance",
    "aws_rds_cluster": "rds.cluster",
    "aws_db_subnet_group": "rds.subnet_group",
    "aws_elasticache_cluster": "elasticache.cluster",
    "aws_elasticache_replication_group": "elasticache.replication_group",
    "aws_elasticache_subnet_group": "elasticache.subnet_group",
    "aws_s3_bucket": "s3.bucket",
    "aws_s3_bucket_server_side_encryption_configuration": "s3.bucket_encryption",
    "aws_s3_bucket_policy": "s3.bucket_policy",
    "aws_iam_policy": "iam.policy",
    "aws_iam_role_policy": "iam.role_policy",
    "aws_iam_user_policy": "iam.user_policy",
    "aws_iam_group_policy": "iam.group_policy",
    "aws_iam_role": "iam.role",
    "aws_iam_user": "iam.user",
    "aws_iam_group": "iam.group",
    "aws_iam_role_policy_attachment": "iam.policy_attachment",
    "aws_iam_user_policy_attachment": "iam.policy_attachment",
    "aws_iam_group_policy_attachment": "iam.policy_attachment",
    "aws_iam_policy_attachment": "iam.policy_attachment",
    "aws_sqs_queue": "sqs.queue",
    "aws_sqs_queue_policy": "sqs.queue_policy",
    "aws_sns_topic": "sns.topic",
    "aws_sns_topic_policy": "sns.topic_policy",
    "aws_kms_key": "kms.key",
    "aws_kms_key_policy": "kms.key_policy",
    "aws_ecr_repository_policy": "ecr.repository_policy",
    "aws_lambda_function": "lambda.function",
    "aws_lb": "elb.load_balancer",
    "aws_alb": "elb.load_balancer",
    "aws_elb": "elb.classic_load_balancer",
    "aws_docdb_cluster": "docdb.cluster",
    "aws_docdb_cluster_instance": "docdb.instance",
    "aws_docdb_subnet_group": "docdb.subnet_group",
    "aws_neptune_cluster": "neptune.cluster",
    "aws_neptune_cluster_instance": "neptune.instance",
    "aws_neptune_subnet_group": "neptune.subnet_group",
    "aws_redshift_cluster": "redshift.cluster",
    "aws_redshift_subnet_group": "redshift.subnet_group",
    "aws_opensearch_domain": "opensearch.domain",
    "aws_elasticsearch_domain": "opensearch.domain",
    "aws_msk_cluster": "msk.cluster",
    "aws_mq_broker": "mq.broker",
    "aws_efs_file_system": "efs.file_system",
    "aws_efs_file_system_policy": "efs.file_system_policy",
    "aws_efs_mount_target": "efs.mount_target",
    "aws_dynamodb_table": "dynamodb.table",
    "aws_internet_gateway_attachment": "ec2.vpc_gateway_attachment",
    "aws_network_acl_association": "ec2.network_acl_association",
    "aws_secretsmanager_secret_policy": "secretsmanager.resource_policy",
    "aws_s3_access_point": "s3.access_point",
}


def kind_of(native_type: str) -> str | None:
    return KINDS.get(native_type)


# --------------------------------------------------------------------------- helpers


def _block_paths(node: Node, name: str) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    value = node.attrs.get(name)
    if isinstance(value, dict):
        return [((name,), value)]
    if isinstance(value, list):
        return [((name, i), v) for i, v in enumerate(value) if isinstance(v, dict)]
    return []


def _bool(value: Any) -> bool | Unknown | None:
    if value is None or isinstance(value, (bool, Unknown)):
        return value
    if value in ("true", "false"):
        return value == "true"
    return Unknown("not a bool")


def _int(value: Any) -> int | Unknown:
    if isinstance(value, Unknown):
        return value
    try:
        n = to_number(value)
    except FunctionError:
        return Unknown("not a number")
    return int(n) if not isinstance(n, float) or n.is_integer() else Unknown("not an integer")


def _list(value: Any) -> list[Any]:
    return list_items(value)


def _sources(*values: Any) -> tuple[Any, ...]:
    return tuple(x for v in values for x in list_items(v) if x is not None)


_PROTOCOLS = {"-1": "-1", "all": "-1", "6": "tcp", "17": "udp", "1": "icmp", "58": "icmpv6"}


def protocol(value: Any) -> str | Unknown:
    if isinstance(value, Unknown):
        return value
    if value is None:
        return Unknown("no protocol")
    text = str(value).strip().lower()
    return _PROTOCOLS.get(text, text)


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


def _availability_zone(node: Node) -> None:
    if node.attrs.get("availability_zone") is not None:
        _set(node, "availability_zone", node.attrs["availability_zone"], "availability_zone")


def _set(node: Node, fact: str, value: Any, *attr_path: Any) -> None:
    node.facts[fact] = value
    if attr_path and tuple(attr_path) in node.attr_locs:
        node.fact_locs[fact] = node.attr_locs[tuple(attr_path)]


# --------------------------------------------------------------------------- extractors


def _ingress_rule(
    node: Node, path: tuple[Any, ...], b: dict[str, Any], v4: str, v6: str, proto_key: str
) -> IngressRule:
    proto = protocol(b.get(proto_key))
    if proto == "-1":
        from_port: Any = -1
        to_port: Any = -1
    else:
        from_port = (
            _int(b.get("from_port")) if b.get("from_port") is not None else Unknown("no port")
        )
        to_port = _int(b.get("to_port")) if b.get("to_port") is not None else from_port
    desc = b.get("description")
    return IngressRule(
        protocol=proto,
        from_port=from_port,
        to_port=to_port,
        sources=_sources(b.get(v4), b.get(v6)),
        location=_loc(node, path, *_written(b, v4, v6), proto_key),
        description=desc if isinstance(desc, (str, Unknown)) else None,
    )


def _security_group(node: Node, view: _View) -> None:
    rules = [
        _ingress_rule(node, p, b, "cidr_blocks", "ipv6_cidr_blocks", "protocol")
        for p, b in _block_paths(node, "ingress")
    ]
    if "ingress" in node.attrs and isinstance(node.attrs["ingress"], Unknown):
        rules = []
    node.facts["ingress"] = rules
    node.fact_locs["ingress"] = node.attr_loc("ingress")
    _set(node, "vpc", _ref_or_value(node, view, "vpc_id"), "vpc_id")


def _sg_rule(node: Node, view: _View) -> None:
    kind = node.attrs.get("type")
    rules = []
    if kind == "ingress":
        rules = [_ingress_rule(node, (), node.attrs, "cidr_blocks", "ipv6_cidr_blocks", "protocol")]
    node.facts["ingress"] = rules
    _set(
        node, "security_group", _ref_or_value(node, view, "security_group_id"), "security_group_id"
    )


def _vpc_ingress_rule(node: Node, view: _View) -> None:
    rules = []
    if node.native_type == "aws_vpc_security_group_ingress_rule":
        rules = [_ingress_rule(node, (), node.attrs, "cidr_ipv4", "cidr_ipv6", "ip_protocol")]
    node.facts["ingress"] = rules
    _set(
        node, "security_group", _ref_or_value(node, view, "security_group_id"), "security_group_id"
    )


def _nacl_entry(
    node: Node, path: tuple[Any, ...], b: dict[str, Any], number_key: str, v4: str, v6: str
) -> NaclEntry:
    proto = protocol(b.get("protocol"))
    action = b.get("action") if "action" in b else b.get("rule_action")
    return NaclEntry(
        rule_number=_int(b[number_key]) if b.get(number_key) is not None else None,
        action=action.lower() if isinstance(action, str) else Unknown("action"),
        protocol=proto,
        from_port=-1 if proto == "-1" else _int(b.get("from_port", Unknown("port"))),
        to_port=-1 if proto == "-1" else _int(b.get("to_port", Unknown("port"))),
        sources=_sources(b.get(v4), b.get(v6)),
        location=_loc(node, path, *_written(b, v4, v6), "protocol"),
    )


def _network_acl(node: Node, view: _View) -> None:
    node.facts["nacl_ingress"] = [
        _nacl_entry(node, p, b, "rule_no", "cidr_block", "ipv6_cidr_block")
        for p, b in _block_paths(node, "ingress")
    ]
    _set(node, "subnets", _list(node.attrs.get("subnet_ids")), "subnet_ids")


def _network_acl_rule(node: Node, view: _View) -> None:
    egress = _bool(node.attrs.get("egress"))
    entries = []
    if egress is False or egress is None:
        entries = [
            _nacl_entry(node, (), node.attrs, "rule_number", "cidr_block", "ipv6_cidr_block")
        ]
    node.facts["nacl_ingress"] = entries
    _set(node, "network_acl", _ref_or_value(node, view, "network_acl_id"), "network_acl_id")


def _subnet(node: Node, view: _View) -> None:
    _set(node, "vpc", _ref_or_value(node, view, "vpc_id"), "vpc_id")
    az = node.attrs.get("availability_zone")
    if az is None:
        az = node.attrs.get("availability_zone_id")
    _set(
        node,
        "availability_zone",
        az if az is not None else Unknown("availability zone chosen by AWS"),
        "availability_zone",
    )
    _set(
        node,
        "map_public_ip",
        _bool(node.attrs.get("map_public_ip_on_launch")),
        "map_public_ip_on_launch",
    )


def _vpc_ref(node: Node, view: _View) -> None:
    _set(node, "vpc", _ref_or_value(node, view, "vpc_id"), "vpc_id")


def _nat(node: Node, view: _View) -> None:
    _set(node, "subnet", _ref_or_value(node, view, "subnet_id"), "subnet_id")
    conn = node.attrs.get("connectivity_type")
    _set(node, "connectivity", conn if conn is not None else "public", "connectivity_type")


_TARGETS = (
    ("gateway_id", "gateway"),
    ("nat_gateway_id", "nat"),
    ("instance_id", "instance"),
    ("transit_gateway_id", "transit"),
    ("vpc_peering_connection_id", "peering"),
    ("vpc_endpoint_id", "endpoint"),
    ("egress_only_gateway_id", "egress_only"),
    ("network_interface_id", "other"),
    ("carrier_gateway_id", "other"),
    ("local_gateway_id", "other"),
    ("core_network_arn", "other"),
)


def _route(node: Node, path: tuple[Any, ...], b: dict[str, Any], v4: str, v6: str) -> Route:
    dest = b.get(v4)
    if dest is None:
        dest = b.get(v6)
    if dest is None:
        dest = Unknown("destination prefix list")
    target: Any = Unknown("no target")
    target_type = "other"
    for key, ttype in _TARGETS:
        if b.get(key) is not None and b.get(key) != "":
            target, target_type = b[key], ttype
            break
    return Route(dest, target, target_type, _loc(node, path, *_written(b, v4, v6)))


def _route_table(node: Node, view: _View) -> None:
    _set(node, "vpc", _ref_or_value(node, view, "vpc_id"), "vpc_id")
    routes = [
        _route(node, p, b, "cidr_block", "ipv6_cidr_block") for p, b in _block_paths(node, "route")
    ]
    node.facts["routes"] = routes
    if node.native_type == "aws_default_route_table":
        _set(
            node,
            "main_for_vpc",
            _ref_or_value(node, view, "default_route_table_id"),
            "default_route_table_id",
        )


def _route_resource(node: Node, view: _View) -> None:
    _set(node, "route_table", _ref_or_value(node, view, "route_table_id"), "route_table_id")
    node.facts["routes"] = [
        _route(node, (), node.attrs, "destination_cidr_block", "destination_ipv6_cidr_block")
    ]


def _rt_association(node: Node, view: _View) -> None:
    _set(node, "subnet", _ref_or_value(node, view, "subnet_id"), "subnet_id")
    _set(node, "route_table", _ref_or_value(node, view, "route_table_id"), "route_table_id")


def _main_rt_association(node: Node, view: _View) -> None:
    _set(node, "vpc", _ref_or_value(node, view, "vpc_id"), "vpc_id")
    _set(node, "route_table", _ref_or_value(node, view, "route_table_id"), "route_table_id")


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
            BlockDevice(str(label), _bool(target.get("encrypted")), _loc(node, tpath, "encrypted"))
        )
    return out


def _block_paths_of(
    value: dict[str, Any], path: tuple[Any, ...], name: str
) -> list[tuple[tuple[Any, ...], dict[str, Any]]]:
    inner = value.get(name)
    if isinstance(inner, dict):
        return [((*path, name), inner)]
    if isinstance(inner, list):
        return [((*path, name, i), v) for i, v in enumerate(inner) if isinstance(v, dict)]
    return []


def _instance(node: Node, view: _View) -> None:
    subnet = _ref_or_value(node, view, "subnet_id")
    subnets = [subnet] if subnet is not None else []
    for _, ni in _block_paths(node, "network_interface"):
        if ni.get("subnet_id") is not None:
            subnets.append(ni["subnet_id"])
    _set(node, "subnets", subnets, "subnet_id")
    devices = _devices(node, "root_block_device", "root")
    # no root_block_device written: the root volume follows the AMI snapshot (unknown)
    devices += _devices(node, "ebs_block_device", "ebs")
    node.facts["block_devices"] = devices
    _set(node, "source_dest_check", _bool(node.attrs.get("source_dest_check")), "source_dest_check")
    _set(
        node,
        "public_ip",
        _bool(node.attrs.get("associate_public_ip_address")),
        "associate_public_ip_address",
    )
    _availability_zone(node)


def _launch_template(node: Node, view: _View) -> None:
    node.facts["block_devices"] = _devices(node, "block_device_mappings", "device", nested="ebs")
    subnets = [
        ni.get("subnet_id")
        for _, ni in _block_paths(node, "network_interfaces")
        if ni.get("subnet_id") is not None
    ]
    node.facts["subnets"] = subnets


def _launch_configuration(node: Node, view: _View) -> None:
    devices = _devices(node, "root_block_device", "root") + _devices(
        node, "ebs_block_device", "ebs"
    )
    node.facts["block_devices"] = devices


def _volume(node: Node, view: _View) -> None:
    _set(node, "encrypted", _bool(node.attrs.get("encrypted")), "encrypted")
    _availability_zone(node)


def _ebs_default(node: Node, view: _View) -> None:
    enabled = node.attrs.get("enabled", True)
    _set(node, "enabled", _bool(enabled), "enabled")


def _asg(node: Node, view: _View) -> None:
    _set(node, "subnets", _list(node.attrs.get("vpc_zone_identifier")), "vpc_zone_identifier")
    _set(
        node,
        "availability_zones",
        _list(node.attrs.get("availability_zones")),
        "availability_zones",
    )
    launch: Any = None
    for _, lt in _block_paths(node, "launch_template"):
        launch = lt.get("id") if lt.get("id") is not None else lt.get("name")
    if launch is None and node.attrs.get("launch_configuration") is not None:
        launch = _ref_or_value(node, view, "launch_configuration")
    if launch is None:
        for _, mip in _block_paths(node, "mixed_instances_policy"):
            for _, lt in _block_paths_of(mip, (), "launch_template"):
                for _, spec in _block_paths_of(lt, (), "launch_template_specification"):
                    launch = spec.get("launch_template_id", spec.get("launch_template_name"))
    if isinstance(launch, Ref):
        launch = Ref(launch.target, launch.attr)
    node.facts["launch"] = launch
    if node.attrs.get("min_size") is not None:
        _set(node, "min_size", _int(node.attrs["min_size"]), "min_size")


def _rds_instance(node: Node, view: _View) -> None:
    a = node.attrs
    _set(node, "engine", a.get("engine"), "engine")
    _set(node, "multi_az", _bool(a.get("multi_az")), "multi_az")
    cluster = (
        _ref_or_value(node, view, "cluster_identifier")
        if node.native_type == ("aws_rds_cluster_instance")
        else None
    )
    _set(node, "cluster", cluster, "cluster_identifier")
    _set(
        node,
        "subnet_group",
        _ref_or_value(node, view, "db_subnet_group_name"),
        "db_subnet_group_name",
    )
    _set(node, "publicly_accessible", _bool(a.get("publicly_accessible")), "publicly_accessible")
    _set(node, "storage_encrypted", _bool(a.get("storage_encrypted")), "storage_encrypted")
    if a.get("replicate_source_db") is not None:
        _set(
            node,
            "replica_of",
            _ref_or_value(node, view, "replicate_source_db"),
            "replicate_source_db",
        )
    _snapshot(node, view)
    _availability_zone(node)


def _snapshot(node: Node, view: _View) -> None:
    if node.attrs.get("snapshot_identifier") is not None:
        _set(
            node,
            "snapshot",
            _ref_or_value(node, view, "snapshot_identifier"),
            "snapshot_identifier",
        )
    source = node.attrs.get("replication_source_identifier")
    if source is not None:
        _set(
            node,
            "replica_of",
            _ref_or_value(node, view, "replication_source_identifier"),
            "replication_source_identifier",
        )


def _rds_cluster(node: Node, view: _View) -> None:
    a = node.attrs
    _set(node, "engine", a.get("engine"), "engine")
    _set(
        node,
        "subnet_group",
        _ref_or_value(node, view, "db_subnet_group_name"),
        "db_subnet_group_name",
    )
    _set(node, "storage_encrypted", _bool(a.get("storage_encrypted")), "storage_encrypted")
    _set(node, "publicly_accessible", _bool(a.get("publicly_accessible")), "publicly_accessible")
    _set(node, "engine_mode", a.get("engine_mode"), "engine_mode")
    _snapshot(node, view)


def _subnet_group(node: Node, view: _View) -> None:
    _set(node, "subnets", _list(node.attrs.get("subnet_ids")), "subnet_ids")


def _cache_cluster(node: Node, view: _View) -> None:
    a = node.attrs
    _set(node, "subnet_group", _ref_or_value(node, view, "subnet_group_name"), "subnet_group_name")
    nodes = a.get("num_cache_nodes")
    _set(node, "num_nodes", _int(nodes) if nodes is not None else None, "num_cache_nodes")
    _set(node, "at_rest_encryption", None)
    _set(node, "engine", a.get("engine"), "engine")
    _set(node, "az_mode", a.get("az_mode"), "az_mode")
    if a.get("replication_group_id") is not None:
        _set(
            node,
            "replication_group",
            _ref_or_value(node, view, "replication_group_id"),
            "replication_group_id",
        )


def _replication_group(node: Node, view: _View) -> None:
    a = node.attrs
    _set(node, "subnet_group", _ref_or_value(node, view, "subnet_group_name"), "subnet_group_name")
    _set(
        node,
        "automatic_failover",
        _bool(a.get("automatic_failover_enabled")),
        "automatic_failover_enabled",
    )
    _set(node, "multi_az", _bool(a.get("multi_az_enabled")), "multi_az_enabled")
    count = a.get("num_cache_clusters", a.get("number_cache_clusters"))
    if count is None and a.get("num_node_groups") is not None:
        groups = _int(a.get("num_node_groups"))
        replicas = _int(a.get("replicas_per_node_group", 0))
        count = (
            Unknown("node count")
            if isinstance(groups, Unknown) or isinstance(replicas, Unknown)
            else groups * (replicas + 1)
        )
    _set(node, "num_nodes", _int(count) if count is not None else None, "num_cache_clusters")
    _set(
        node,
        "at_rest_encryption",
        _bool(a.get("at_rest_encryption_enabled")),
        "at_rest_encryption_enabled",
    )


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
    _set(node, "bucket", _ref_or_value(node, view, "bucket"), "bucket")
    enc = _sse(node, (), node.attrs)
    if enc is None:
        enc = Encryption(
            Unknown("rule") if isinstance(node.attrs.get("rule"), Unknown) else None,
            node.attr_loc("rule"),
        )
    node.facts["encryption"] = enc
    node.fact_locs["encryption"] = enc.location


def _lb(node: Node, view: _View) -> None:
    subnets = list(_list(node.attrs.get("subnets")))
    for _, m in _block_paths(node, "subnet_mapping"):
        if m.get("subnet_id") is not None:
            subnets.append(m["subnet_id"])
    _set(node, "subnets", subnets, "subnets")
    internal = _bool(node.attrs.get("internal"))
    scheme: Any = internal
    if internal is None or internal is False:
        scheme = "internet-facing"
    elif internal is True:
        scheme = "internal"
    _set(node, "scheme", scheme, "internal")
    if node.native_type == "aws_elb":
        _set(
            node,
            "availability_zones",
            _list(node.attrs.get("availability_zones")),
            "availability_zones",
        )


def _first_block(node: Node, name: str) -> tuple[tuple[Any, ...], dict[str, Any]]:
    found = _block_paths(node, name)
    return found[0] if found else ((name,), {})


def _simple(facts: dict[str, tuple[str, str]], refs: tuple[str, ...] = ()) -> Any:
    """An extractor copying attributes to facts (`fact: (attribute, "bool"|"int"|"")`)."""

    def extract(node: Node, view: _View) -> None:
        for fact, (attr, conv) in facts.items():
            value = _ref_or_value(node, view, attr) if fact in refs else node.attrs.get(attr)
            if conv == "bool":
                value = _bool(value)
            elif conv == "int" and value is not None:
                value = _int(value)
            elif conv == "list":
                value = _list(value)
            _set(node, fact, value, attr)

    return extract


def _opensearch(node: Node, view: _View) -> None:
    vpc_path, vpc = _first_block(node, "vpc_options")
    _set(node, "subnets", _list(vpc.get("subnet_ids")), *vpc_path, "subnet_ids")
    cfg_path, cfg = _first_block(node, "cluster_config")
    _set(
        node,
        "zone_awareness",
        _bool(cfg.get("zone_awareness_enabled")),
        *cfg_path,
        "zone_awareness_enabled",
    )
    count = cfg.get("instance_count")
    _set(
        node,
        "instance_count",
        _int(count) if count is not None else None,
        *cfg_path,
        "instance_count",
    )
    enc_path, enc = _first_block(node, "encrypt_at_rest")
    _set(node, "encrypted", _bool(enc.get("enabled")), *enc_path, "enabled")


def _msk(node: Node, view: _View) -> None:
    path, info = _first_block(node, "broker_node_group_info")
    _set(node, "subnets", _list(info.get("client_subnets")), *path, "client_subnets")
    n = node.attrs.get("number_of_broker_nodes")
    _set(node, "num_nodes", _int(n) if n is not None else None, "number_of_broker_nodes")


def _dynamodb(node: Node, view: _View) -> None:
    path, sse = _first_block(node, "server_side_encryption")
    _set(node, "sse_enabled", _bool(sse.get("enabled")), *path, "enabled")


def _efs(node: Node, view: _View) -> None:
    _set(node, "encrypted", _bool(node.attrs.get("encrypted")), "encrypted")
    _set(
        node,
        "availability_zone",
        node.attrs.get("availability_zone_name"),
        "availability_zone_name",
    )


def _list_of_ref(name: str, attr: str) -> Any:
    def extract(node: Node, view: _View) -> None:
        value = _ref_or_value(node, view, attr)
        _set(node, name, [value] if value is not None else [], attr)

    return extract


EXTRACTORS: dict[str, Callable[[Node, _View], None]] = {
    "aws_security_group": _security_group,
    "aws_default_security_group": _security_group,
    "aws_security_group_rule": _sg_rule,
    "aws_vpc_security_group_ingress_rule": _vpc_ingress_rule,
    "aws_vpc_security_group_egress_rule": _vpc_ingress_rule,
    "aws_network_acl": _network_acl,
    "aws_default_network_acl": _network_acl,
    "aws_network_acl_rule": _network_acl_rule,
    "aws_subnet": _subnet,
    "aws_default_subnet": _subnet,
    "aws_internet_gateway": _vpc_ref,
    "aws_nat_gateway": _nat,
    "aws_route_table": _route_table,
    "aws_default_route_table": _route_table,
    "aws_route": _route_resource,
    "aws_route_table_association": _rt_association,
    "aws_main_route_table_association": _main_rt_association,
    "aws_instance": _instance,
    "aws_launch_template": _launch_template,
    "aws_launch_configuration": _launch_configuration,
    "aws_ebs_volume": _volume,
    "aws_ebs_encryption_by_default": _ebs_default,
    "aws_autoscaling_group": _asg,
    "aws_db_instance": _rds_instance,
    "aws_rds_cluster_instance": _rds_instance,
    "aws_rds_cluster": _rds_cluster,
    "aws_db_subnet_group": _subnet_group,
    "aws_elasticache_subnet_group": _subnet_group,
    "aws_elasticache_cluster": _cache_cluster,
    "aws_elasticache_replication_group": _replication_group,
    "aws_s3_bucket": _s3_bucket,
    "aws_s3_bucket_server_side_encryption_configuration": _s3_encryption,
    "aws_lb": _lb,
    "aws_alb": _lb,
    "aws_elb": _lb,
    "aws_docdb_cluster": _simple(
        {
            "subnet_group": ("db_subnet_group_name", ""),
            "storage_encrypted": ("storage_encrypted", "bool"),
        },
        refs=("subnet_group",),
    ),
    "aws_neptune_cluster": _simple(
        {
            "subnet_group": ("neptune_subnet_group_name", ""),
            "storage_encrypted": ("storage_encrypted", "bool"),
        },
        refs=("subnet_group",),
    ),
    "aws_docdb_cluster_instance": _simple(
        {"cluster": ("cluster_identifier", "")}, refs=("cluster",)
    ),
    "aws_neptune_cluster_instance": _simple(
        {"cluster": ("cluster_identifier", "")}, refs=("cluster",)
    ),
    "aws_docdb_subnet_group": _subnet_group,
    "aws_neptune_subnet_group": _subnet_group,
    "aws_redshift_subnet_group": _subnet_group,
    "aws_redshift_cluster": _simple(
        {
            "subnet_group": ("cluster_subnet_group_name", ""),
            "publicly_accessible": ("publicly_accessible", "bool"),
            "encrypted": ("encrypted", "bool"),
            "cluster_type": ("cluster_type", ""),
            "multi_az": ("multi_az", "bool"),
        },
        refs=("subnet_group",),
    ),
    "aws_opensearch_domain": _opensearch,
    "aws_elasticsearch_domain": _opensearch,
    "aws_msk_cluster": _msk,
    "aws_mq_broker": _simple(
        {
            "subnets": ("subnet_ids", "list"),
            "deployment_mode": ("deployment_mode", ""),
            "publicly_accessible": ("publicly_accessible", "bool"),
        }
    ),
    "aws_efs_file_system": _efs,
    "aws_efs_mount_target": _simple(
        {"file_system": ("file_system_id", ""), "subnet": ("subnet_id", "")},
        refs=("file_system", "subnet"),
    ),
    "aws_dynamodb_table": _dynamodb,
    "aws_internet_gateway_attachment": _simple(
        {"vpc": ("vpc_id", ""), "internet_gateway": ("internet_gateway_id", "")},
        refs=("vpc", "internet_gateway"),
    ),
    "aws_network_acl_association": _simple(
        {"subnet": ("subnet_id", ""), "network_acl": ("network_acl_id", "")},
        refs=("subnet", "network_acl"),
    ),
    "aws_s3_bucket_policy": _simple({"bucket": ("bucket", "")}, refs=("bucket",)),
    "aws_sqs_queue_policy": _list_of_ref("queues", "queue_url"),
    "aws_sns_topic_policy": _list_of_ref("topics", "arn"),
    # Who an inline policy or an attachment gives its permissions to.
    "aws_iam_role_policy": _list_of_ref("roles", "role"),
    "aws_iam_user_policy": _list_of_ref("users", "user"),
    "aws_iam_group_policy": _list_of_ref("groups", "group"),
    "aws_iam_role_policy_attachment": _list_of_ref("roles", "role"),
    "aws_iam_user_policy_attachment": _list_of_ref("users", "user"),
    "aws_iam_group_policy_attachment": _list_of_ref("groups", "group"),
    "aws_iam_policy_attachment": _simple(
        {"roles": ("roles", "list"), "users": ("users", "list"), "groups": ("groups", "list")}
    ),
    "aws_kms_key": _simple({"key_rotation": ("enable_key_rotation", "bool")}),
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
    extractor = EXTRACTORS.get(node.native_type)
    if extractor is not None:
        extractor(node, view)
    _policies(node, raw, view)
