"""CloudFormation resource types → normalized kinds and facts (linter/facts.py).

This is the only place that knows CloudFormation property names. Each builder
reads the evaluated Properties of one resource through a `ResourceView` and
writes facts with the location of the property that produced them (the
resource header when the property is missing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from linter.adapters.cfn_values import (
    as_items,
    expand,
    has_choice,
    lift,
    protocol,
    to_bool,
    to_int,
    to_lower,
    to_str,
)
from linter.facts import BlockDevice, Encryption, IngressRule, NaclEntry, PolicyDocument, Route
from linter.model import Choice, Location, Node, Unknown, branches, is_known
from linter.policy import parse_policy


@dataclass
class ResourceView:
    """The evaluated Properties of one resource plus where each path is written."""

    node: Node
    props: dict[str, Any]

    def get(self, *path: Any) -> Any:
        """The value at `path` (None when absent; Unknown below an unknown)."""
        value: Any = self.props
        for key in path:
            if isinstance(value, Unknown) and not isinstance(value, Choice):
                return value
            if isinstance(key, int):
                if not isinstance(value, list) or not -len(value) <= key < len(value):
                    return None
                value = value[key]
            else:
                if not isinstance(value, dict):
                    return Unknown("inside an unknown value") if isinstance(value, Choice) else None
                value = value.get(key)
            if value is None:
                return None
        return value

    def has(self, *path: Any) -> bool:
        return self.get(*path) is not None

    def loc(self, *path: Any) -> Location:
        return self.node.attr_loc(*path) if path else self.node.location

    def fact(self, name: str, value: Any, *path: Any) -> None:
        """Record fact `name` and where it was written (the header when not written)."""
        self.node.facts[name] = value
        self.node.fact_locs[name] = self.loc(*path) if path and self.has(*path) else (
            self.loc(*path[:-1]) if len(path) > 1 and self.has(*path[:-1]) else self.node.location
        )

    def fact_if(self, name: str, value: Any, *path: Any) -> None:
        """Record the fact only when its property is written."""
        if self.has(*path):
            self.fact(name, value, *path)


Builder = Callable[[ResourceView], None]


def join_labels(outer: str, inner: str) -> str:
    if outer and inner:
        return f"{outer} and {inner.removeprefix('when ')}"
    return outer or inner


def items_of(value: Any, deep: bool = True) -> Iterator[tuple[str, int, Any]]:
    """(branch label, index, item) for each item of a list property, with the
    undecided branches of the list and of each item spelled out (`deep`: also
    those nested inside an item; otherwise only an item that is itself a choice)."""
    outer = expand(value) if isinstance(value, Choice) else [("", value)]
    for label, lst in outer:
        for i, entry in enumerate(as_items(lst)):
            shallow = not deep and not isinstance(entry, Choice)
            for inner, item in [("", entry)] if shallow else expand(entry):
                yield join_labels(label, inner), i, item


# ------------------------------------------------------------------ network


def _ingress_rules(view: ResourceView, entry: Any, path: tuple[Any, ...]) -> list[IngressRule]:
    """IngressRules for one SecurityGroupIngress entry (both branches of an undecided If)."""
    out: list[IngressRule] = []
    for label, item in expand(entry):
        if isinstance(item, Unknown) or not isinstance(item, dict):
            if isinstance(item, Unknown):
                loc = view.loc(*path)
                out.append(IngressRule(item, item, item, (item,), loc, when=label))
            continue
        proto = protocol(item.get("IpProtocol"))
        from_port, to_port = _ports(proto, item.get("FromPort"), item.get("ToPort"))
        sources = tuple(
            item[key] for key in ("CidrIp", "CidrIpv6") if item.get(key) is not None
        )
        where = next((k for k in ("CidrIp", "CidrIpv6") if item.get(k) is not None), None)
        loc = view.loc(*path, where) if where else view.loc(*path)
        desc = item.get("Description")
        out.append(IngressRule(proto, from_port, to_port, sources, loc,
                               desc if isinstance(desc, (str, Unknown)) else None, when=label))
    return out


def _ports(proto: Any, from_port: Any, to_port: Any) -> tuple[Any, Any]:
    if proto == "-1":
        return -1, -1
    if isinstance(proto, str) and proto not in ("tcp", "udp", "icmp", "icmpv6"):
        return -1, -1  # other IP protocols carry no ports: all of that protocol
    lo, hi = to_int(from_port), to_int(to_port)
    if lo is None and hi is None:
        return Unknown("ports not set"), Unknown("ports not set")
    if lo is None:
        lo = hi
    if hi is None:
        hi = lo
    return lo, hi


def security_group(view: ResourceView) -> None:
    rules: list[IngressRule] = []
    for label, i, entry in items_of(view.get("SecurityGroupIngress")):
        found = _ingress_rules(view, entry, ("SecurityGroupIngress", i))
        rules.extend(replace(r, when=join_labels(label, r.when)) if label else r for r in found)
    ingress = view.get("SecurityGroupIngress")
    if isinstance(ingress, Unknown) and not isinstance(ingress, Choice):
        rules.append(IngressRule(ingress, ingress, ingress, (ingress,),
                                 view.loc("SecurityGroupIngress")))
    view.fact("ingress", rules, "SecurityGroupIngress")
    view.fact_if("vpc", view.get("VpcId"), "VpcId")


def security_group_ingress(view: ResourceView) -> None:
    view.fact("ingress", _ingress_rules(view, view.props, ()), "CidrIp")
    group = view.get("GroupId") if view.has("GroupId") else view.get("GroupName")
    view.fact("security_group", group, "GroupId" if view.has("GroupId") else "GroupName")


def security_group_egress(view: ResourceView) -> None:
    view.fact("security_group", view.get("GroupId"), "GroupId")


_NACL_KEYS = ("Egress", "Protocol", "PortRange", "CidrBlock", "Ipv6CidrBlock", "RuleAction",
              "RuleNumber", "Icmp")


def nacl_entry(view: ResourceView) -> None:
    view.fact_if("network_acl", view.get("NetworkAclId"), "NetworkAclId")
    entries: list[NaclEntry] = []
    where = next((k for k in ("CidrBlock", "Ipv6CidrBlock") if view.has(k)), None)
    relevant = {k: view.props[k] for k in _NACL_KEYS if k in view.props}
    for label, props in expand(relevant):
        if to_bool(props.get("Egress")) is True:
            continue  # outbound entries are not ingress (an unknown direction is kept)
        proto = protocol(props.get("Protocol"))
        ports = props.get("PortRange")
        lo = ports.get("From") if isinstance(ports, dict) else ports
        hi = ports.get("To") if isinstance(ports, dict) else ports
        from_port, to_port = _ports(proto, lo, hi)
        if proto in ("tcp", "udp") and lo is None and hi is None:
            from_port, to_port = 0, 65535  # a TCP/UDP entry without a range: every port
        sources = tuple(
            props[k] for k in ("CidrBlock", "Ipv6CidrBlock") if props.get(k) is not None
        )
        action = to_lower(props.get("RuleAction"))
        entries.append(NaclEntry(
            rule_number=to_int(props.get("RuleNumber")),
            action=action if action is not None else Unknown("no action"),
            protocol=proto,
            from_port=from_port,
            to_port=to_port,
            sources=sources,
            location=view.loc(where) if where else view.node.location,
            when=label,
        ))
    view.fact("nacl_ingress", entries, where or "CidrBlock")


def network_acl(view: ResourceView) -> None:
    view.fact("nacl_ingress", [])
    view.fact_if("vpc", view.get("VpcId"), "VpcId")


def subnet_nacl_association(view: ResourceView) -> None:
    view.fact_if("subnet", view.get("SubnetId"), "SubnetId")
    view.fact_if("network_acl", view.get("NetworkAclId"), "NetworkAclId")


def vpc(view: ResourceView) -> None:
    view.fact_if("cidr_block", view.get("CidrBlock"), "CidrBlock")


def subnet(view: ResourceView) -> None:
    view.fact_if("vpc", view.get("VpcId"), "VpcId")
    if view.has("AvailabilityZone"):
        view.fact("availability_zone", view.get("AvailabilityZone"), "AvailabilityZone")
    elif view.has("AvailabilityZoneId"):
        view.fact("availability_zone", view.get("AvailabilityZoneId"), "AvailabilityZoneId")
    else:
        view.fact("availability_zone", Unknown("chosen by AWS"))
    view.fact("map_public_ip", to_bool(view.get("MapPublicIpOnLaunch")), "MapPublicIpOnLaunch")


def internet_gateway(view: ResourceView) -> None:
    pass  # its VPC comes from an AWS::EC2::VPCGatewayAttachment (see cloudformation.py)


def gateway_attachment(view: ResourceView) -> None:
    view.fact_if("vpc", view.get("VpcId"), "VpcId")
    view.fact_if("internet_gateway", view.get("InternetGatewayId"), "InternetGatewayId")


def nat_gateway(view: ResourceView) -> None:
    view.fact_if("subnet", view.get("SubnetId"), "SubnetId")
    view.fact_if("connectivity", to_lower(view.get("ConnectivityType")), "ConnectivityType")


def route_table(view: ResourceView) -> None:
    view.fact_if("vpc", view.get("VpcId"), "VpcId")
    view.fact("routes", [])


_ROUTE_TARGETS = (
    ("GatewayId", "gateway"),
    ("NatGatewayId", "nat"),
    ("InstanceId", "instance"),
    ("TransitGatewayId", "transit"),
    ("VpcPeeringConnectionId", "peering"),
    ("VpcEndpointId", "endpoint"),
    ("EgressOnlyInternetGatewayId", "egress_only"),
    ("NetworkInterfaceId", "other"),
    ("CarrierGatewayId", "other"),
    ("LocalGatewayId", "other"),
    ("CoreNetworkArn", "other"),
)


def route(view: ResourceView) -> None:
    view.fact_if("route_table", view.get("RouteTableId"), "RouteTableId")
    keys = ("DestinationCidrBlock", "DestinationIpv6CidrBlock", *(k for k, _ in _ROUTE_TARGETS))
    relevant = {k: view.props[k] for k in keys if k in view.props}
    routes: list[Route] = []
    loc = view.node.location
    for label, props in expand(relevant):
        dest_key = next((k for k in ("DestinationCidrBlock", "DestinationIpv6CidrBlock")
                         if props.get(k) is not None), None)
        destination = props[dest_key] if dest_key else Unknown("prefix-list destination")
        target_key, target_type = next(
            ((k, t) for k, t in _ROUTE_TARGETS if props.get(k) is not None), (None, "other")
        )
        target = props[target_key] if target_key else Unknown("no target")
        loc = view.loc(dest_key) if dest_key else view.node.location
        if target_key:
            t = view.loc(target_key)
            loc = Location(loc.path, min(loc.start_line, t.start_line),
                           max(loc.end_line, t.end_line))
        routes.append(Route(destination, target, target_type, loc, when=label))
    view.node.facts["routes"] = routes
    view.node.fact_locs["routes"] = loc


def route_table_association(view: ResourceView) -> None:
    view.fact_if("subnet", view.get("SubnetId"), "SubnetId")
    view.fact_if("route_table", view.get("RouteTableId"), "RouteTableId")


# ------------------------------------------------------------------ compute


def _block_devices(view: ResourceView, *base: Any) -> list[BlockDevice]:
    devices: list[BlockDevice] = []
    for label, i, item in items_of(view.get(*base)):
        if not isinstance(item, dict) or item.get("NoDevice") is not None:
            continue
        if "VirtualName" in item and "Ebs" not in item:
            continue  # an instance-store volume, not EBS
        name = item.get("DeviceName")
        name = name if isinstance(name, str) else f"#{i + 1}"
        ebs = item.get("Ebs")
        encrypted = to_bool(ebs.get("Encrypted")) if isinstance(ebs, dict) else (
            ebs if isinstance(ebs, Unknown) else None
        )
        if isinstance(ebs, dict) and ebs.get("Encrypted") is not None:
            loc = view.loc(*base, i, "Ebs", "Encrypted")
        elif isinstance(ebs, dict):
            loc = view.loc(*base, i, "Ebs")
        else:
            loc = view.loc(*base, i)
        devices.append(BlockDevice(name, encrypted, loc, when=label))
    return devices


def _interface_subnets(view: ResourceView, *base: Any) -> list[Any]:
    out: list[Any] = []
    for ni in as_items(view.get(*base)):
        for _label, item in branches(ni):
            if isinstance(item, dict) and item.get("SubnetId") is not None:
                out.append(item["SubnetId"])
    return out


def _interface_public_ip(view: ResourceView, *base: Any) -> Any:
    values = [
        to_bool(item.get("AssociatePublicIpAddress"))
        for ni in as_items(view.get(*base))
        for _label, item in branches(ni)
        if isinstance(item, dict) and item.get("AssociatePublicIpAddress") is not None
    ]
    if any(v is True for v in values):
        return True
    return values[0] if values else None


def instance(view: ResourceView) -> None:
    subnets: list[Any] = []
    if view.has("SubnetId"):
        subnets.append(view.get("SubnetId"))
    subnets.extend(_interface_subnets(view, "NetworkInterfaces"))
    if subnets:
        view.fact("subnets", subnets, "SubnetId" if view.has("SubnetId") else "NetworkInterfaces")
    view.fact("block_devices", _block_devices(view, "BlockDeviceMappings"), "BlockDeviceMappings")
    view.fact("source_dest_check", to_bool(view.get("SourceDestCheck")), "SourceDestCheck")
    public = _interface_public_ip(view, "NetworkInterfaces")
    view.fact("public_ip", public, "NetworkInterfaces")
    view.fact_if("availability_zone", view.get("AvailabilityZone"), "AvailabilityZone")


def launch_template(view: ResourceView) -> None:
    data = ("LaunchTemplateData",)
    view.fact("block_devices", _block_devices(view, *data, "BlockDeviceMappings"),
              *data, "BlockDeviceMappings")
    subnets = _interface_subnets(view, *data, "NetworkInterfaces")
    if subnets:
        view.fact("subnets", subnets, *data, "NetworkInterfaces")
    view.fact("public_ip", _interface_public_ip(view, *data, "NetworkInterfaces"),
              *data, "NetworkInterfaces")


def launch_configuration(view: ResourceView) -> None:
    view.fact("block_devices", _block_devices(view, "BlockDeviceMappings"), "BlockDeviceMappings")
    view.fact("public_ip", to_bool(view.get("AssociatePublicIpAddress")),
              "AssociatePublicIpAddress")


def volume(view: ResourceView) -> None:
    view.fact("encrypted", to_bool(view.get("Encrypted")), "Encrypted")
    view.fact_if("availability_zone", view.get("AvailabilityZone"), "AvailabilityZone")


def autoscaling_group(view: ResourceView) -> None:
    if view.has("VPCZoneIdentifier"):
        view.fact("subnets", _list(view.get("VPCZoneIdentifier")), "VPCZoneIdentifier")
    if view.has("AvailabilityZones"):
        view.fact("availability_zones", _list(view.get("AvailabilityZones")), "AvailabilityZones")
    for path in (
        ("LaunchTemplate", "LaunchTemplateId"),
        ("LaunchTemplate", "LaunchTemplateName"),
        ("MixedInstancesPolicy", "LaunchTemplate", "LaunchTemplateSpecification",
         "LaunchTemplateId"),
        ("MixedInstancesPolicy", "LaunchTemplate", "LaunchTemplateSpecification",
         "LaunchTemplateName"),
        ("LaunchConfigurationName",),
        ("InstanceId",),
    ):
        if view.has(*path):
            view.fact("launch", view.get(*path), *path)
            break
    view.fact_if("min_size", to_int(view.get("MinSize")), "MinSize")


def _list(value: Any) -> Any:
    if isinstance(value, (list, Unknown)):
        return value
    return [value]


def load_balancer(view: ResourceView) -> None:
    subnets: list[Any] = []
    where = "Subnets"
    if view.has("Subnets"):
        subnets = _list(view.get("Subnets"))
    elif view.has("SubnetMappings"):
        where = "SubnetMappings"
        subnets = [
            m.get("SubnetId") for m in as_items(view.get("SubnetMappings"))
            if isinstance(m, dict)
        ]
    if view.has(where):
        view.fact("subnets", subnets, where)
    view.fact_if("scheme", to_lower(view.get("Scheme")), "Scheme")
    view.fact_if("lb_type", to_lower(view.get("Type")), "Type")


def classic_load_balancer(view: ResourceView) -> None:
    if view.has("Subnets"):
        view.fact("subnets", _list(view.get("Subnets")), "Subnets")
    if view.has("AvailabilityZones"):
        view.fact("availability_zones", _list(view.get("AvailabilityZones")),
                  "AvailabilityZones")
    view.fact_if("scheme", to_lower(view.get("Scheme")), "Scheme")


# ------------------------------------------------------------------ data stores


def _engine(view: ResourceView, default: str | None = None) -> None:
    if view.has("Engine"):
        view.fact("engine", to_lower(view.get("Engine")), "Engine")
    elif default is not None:
        view.fact("engine", default)


def db_instance(view: ResourceView) -> None:
    _engine(view)
    view.fact("multi_az", to_bool(view.get("MultiAZ")), "MultiAZ")
    view.fact_if("cluster", view.get("DBClusterIdentifier"), "DBClusterIdentifier")
    view.fact_if("subnet_group", view.get("DBSubnetGroupName"), "DBSubnetGroupName")
    view.fact("publicly_accessible", to_bool(view.get("PubliclyAccessible")),
              "PubliclyAccessible")
    view.fact("storage_encrypted", to_bool(view.get("StorageEncrypted")), "StorageEncrypted")
    view.fact_if("replica_of", view.get("SourceDBInstanceIdentifier"),
                 "SourceDBInstanceIdentifier")
    view.fact_if("snapshot", view.get("DBSnapshotIdentifier"), "DBSnapshotIdentifier")
    view.fact_if("availability_zone", view.get("AvailabilityZone"), "AvailabilityZone")


def db_cluster(view: ResourceView) -> None:
    _engine(view)
    view.fact_if("engine_mode", to_lower(view.get("EngineMode")), "EngineMode")
    view.fact_if("subnet_group", view.get("DBSubnetGroupName"), "DBSubnetGroupName")
    view.fact("storage_encrypted", to_bool(view.get("StorageEncrypted")), "StorageEncrypted")
    view.fact("publicly_accessible", to_bool(view.get("PubliclyAccessible")),
              "PubliclyAccessible")
    view.fact_if("instance_class", view.get("DBClusterInstanceClass"), "DBClusterInstanceClass")
    view.fact_if("replica_of", view.get("SourceDBClusterIdentifier"), "SourceDBClusterIdentifier")
    view.fact_if("snapshot", view.get("SnapshotIdentifier"), "SnapshotIdentifier")


def subnet_group(view: ResourceView) -> None:
    for key in ("SubnetIds", "Subnets"):
        if view.has(key):
            view.fact("subnets", _list(view.get(key)), key)
            return


def docdb_like_instance(view: ResourceView) -> None:
    view.fact_if("cluster", view.get("DBClusterIdentifier"), "DBClusterIdentifier")


def docdb_like_cluster(view: ResourceView) -> None:
    view.fact_if("subnet_group", view.get("DBSubnetGroupName"), "DBSubnetGroupName")
    view.fact("storage_encrypted", to_bool(view.get("StorageEncrypted")), "StorageEncrypted")


def cache_cluster(view: ResourceView) -> None:
    _engine(view)
    view.fact_if("subnet_group", view.get("CacheSubnetGroupName"), "CacheSubnetGroupName")
    view.fact_if("num_nodes", to_int(view.get("NumCacheNodes")), "NumCacheNodes")
    view.fact_if("az_mode", to_lower(view.get("AZMode")), "AZMode")
    view.fact_if("replication_group", view.get("ReplicationGroupId"), "ReplicationGroupId")


def replication_group(view: ResourceView) -> None:
    _engine(view)
    view.fact_if("subnet_group", view.get("CacheSubnetGroupName"), "CacheSubnetGroupName")
    view.fact("automatic_failover", to_bool(view.get("AutomaticFailoverEnabled")),
              "AutomaticFailoverEnabled")
    view.fact("multi_az", to_bool(view.get("MultiAZEnabled")), "MultiAZEnabled")
    view.fact("at_rest_encryption", to_bool(view.get("AtRestEncryptionEnabled")),
              "AtRestEncryptionEnabled")
    view.fact_if("transit_encryption", to_bool(view.get("TransitEncryptionEnabled")),
                 "TransitEncryptionEnabled")
    if view.has("NumCacheClusters"):
        view.fact("num_nodes", to_int(view.get("NumCacheClusters")), "NumCacheClusters")
    elif view.has("ReplicasPerNodeGroup"):
        replicas = to_int(view.get("ReplicasPerNodeGroup"))
        view.fact("num_nodes", lift(lambda r: r + 1, replicas), "ReplicasPerNodeGroup")
    elif view.has("NodeGroupConfiguration"):
        groups = view.get("NodeGroupConfiguration")
        counts = [
            to_int(g.get("ReplicaCount")) for g in as_items(groups) if isinstance(g, dict)
        ]
        if counts and all(isinstance(c, int) and is_known(c) for c in counts):
            view.fact("num_nodes", min(counts) + 1, "NodeGroupConfiguration")
    elif view.has("PrimaryClusterId"):
        view.fact("num_nodes", Unknown("members declared separately"), "PrimaryClusterId")
    else:
        view.fact("num_nodes", 1)  # NumCacheClusters defaults to 1: a lone primary


def redshift_cluster(view: ResourceView) -> None:
    view.fact_if("subnet_group", view.get("ClusterSubnetGroupName"), "ClusterSubnetGroupName")
    view.fact("encrypted", to_bool(view.get("Encrypted")), "Encrypted")
    view.fact("publicly_accessible", to_bool(view.get("PubliclyAccessible")),
              "PubliclyAccessible")
    view.fact_if("cluster_type", to_lower(view.get("ClusterType")), "ClusterType")
    view.fact_if("multi_az", to_bool(view.get("MultiAZ")), "MultiAZ")


def opensearch_domain(view: ResourceView) -> None:
    cfg_key = "ClusterConfig" if view.has("ClusterConfig") else "ElasticsearchClusterConfig"
    if view.has("VPCOptions", "SubnetIds"):
        view.fact("subnets", _list(view.get("VPCOptions", "SubnetIds")),
                  "VPCOptions", "SubnetIds")
    view.fact("instance_count", to_int(view.get(cfg_key, "InstanceCount")) if view.has(
        cfg_key, "InstanceCount") else 1, cfg_key, "InstanceCount")
    view.fact("zone_awareness", to_bool(view.get(cfg_key, "ZoneAwarenessEnabled")),
              cfg_key, "ZoneAwarenessEnabled")
    view.fact("encrypted", to_bool(view.get("EncryptionAtRestOptions", "Enabled")),
              "EncryptionAtRestOptions", "Enabled")
    _resource_policy(view, "AccessPolicies", "AccessPolicies")


def msk_cluster(view: ResourceView) -> None:
    path = ("BrokerNodeGroupInfo", "ClientSubnets")
    if view.has(*path):
        view.fact("subnets", _list(view.get(*path)), *path)
    view.fact_if("num_nodes", to_int(view.get("NumberOfBrokerNodes")), "NumberOfBrokerNodes")


def mq_broker(view: ResourceView) -> None:
    if view.has("SubnetIds"):
        view.fact("subnets", _list(view.get("SubnetIds")), "SubnetIds")
    view.fact("deployment_mode", to_str(view.get("DeploymentMode")), "DeploymentMode")
    view.fact("publicly_accessible", to_bool(view.get("PubliclyAccessible")),
              "PubliclyAccessible")


def efs_file_system(view: ResourceView) -> None:
    view.fact("encrypted", to_bool(view.get("Encrypted")), "Encrypted")
    view.fact_if("availability_zone", view.get("AvailabilityZoneName"), "AvailabilityZoneName")
    _resource_policy(view, "FileSystemPolicy", "FileSystemPolicy")


def efs_mount_target(view: ResourceView) -> None:
    view.fact_if("file_system", view.get("FileSystemId"), "FileSystemId")
    view.fact_if("subnet", view.get("SubnetId"), "SubnetId")


def dynamodb_table(view: ResourceView) -> None:
    view.fact("sse_enabled", to_bool(view.get("SSESpecification", "SSEEnabled")),
              "SSESpecification", "SSEEnabled")


def s3_bucket(view: ResourceView) -> None:
    enc = view.get("BucketEncryption")
    if enc is None:
        view.fact("encryption", None)
        return
    rules = view.get("BucketEncryption", "ServerSideEncryptionConfiguration")
    rule_list = rules if isinstance(rules, list) else []
    default = rule_list[0].get("ServerSideEncryptionByDefault") if rule_list and isinstance(
        rule_list[0], dict) else None
    base = ("BucketEncryption", "ServerSideEncryptionConfiguration", 0,
            "ServerSideEncryptionByDefault")
    if isinstance(enc, Unknown) or isinstance(rules, Unknown):
        value = Encryption(Unknown("encryption configuration"), view.loc("BucketEncryption"))
    elif isinstance(default, dict):
        algorithm = default.get("SSEAlgorithm")
        where = (*base, "SSEAlgorithm") if algorithm is not None else base
        value = Encryption(algorithm, view.loc(*where), default.get("KMSMasterKeyID"))
    elif isinstance(default, Unknown):
        value = Encryption(default, view.loc(*base))
    else:
        value = Encryption(None, view.loc("BucketEncryption"))
    view.node.facts["encryption"] = value
    view.node.fact_locs["encryption"] = value.location


# ------------------------------------------------------------------ policies


def add_policy(view: ResourceView, doc: PolicyDocument) -> None:
    policies = view.node.facts.setdefault("policies", [])
    policies.append(doc)
    view.node.fact_locs.setdefault("policies", doc.location)


def _policy(view: ResourceView, path: tuple[Any, ...], policy_type: str, name: str) -> None:
    value = view.get(*path)
    if value is None:
        return
    for doc in policy_documents(value, lambda sub: view.loc(*path, *sub), policy_type, name):
        add_policy(view, doc)


def policy_documents(
    value: Any, locate: Callable[[tuple[Any, ...]], Location], policy_type: str, name: str
) -> list[PolicyDocument]:
    """PolicyDocuments for a policy value; a statement that differs between the
    branches of an undecided condition appears once per branch (`when` set)."""
    out: list[PolicyDocument] = []
    docs = expand(value) if isinstance(value, Choice) else [("", value)]
    for label, doc in docs:
        doc_name = f"{name} ({label})" if label else name
        stmts = doc.get("Statement") if isinstance(doc, dict) else None
        stmt_variants = expand(stmts) if isinstance(stmts, Choice) else [("", stmts)]
        for stmts_label, stmt_value in stmt_variants:
            full = join_labels(label, stmts_label)
            full_name = f"{name} ({full})" if full else doc_name
            if not (isinstance(stmt_value, list) and has_choice(stmt_value)):
                plain = {**doc, "Statement": stmt_value} if isinstance(doc, dict) else doc
                out.append(parse_policy(plain, locate, policy_type=policy_type, name=full_name))
                continue
            origin: list[int] = []
            labels: list[str] = []
            flat: list[Any] = []
            for i, stmt in enumerate(stmt_value):
                for when, variant in expand(stmt):
                    origin.append(i)
                    labels.append(when)
                    flat.append(variant)

            def shifted(sub: tuple[Any, ...], _o: list[int] = origin) -> Location:
                if len(sub) >= 2 and sub[0] == "Statement" and isinstance(sub[1], int):
                    return locate(("Statement", _o[sub[1]], *sub[2:]))
                return locate(sub)

            parsed = parse_policy({**doc, "Statement": flat}, shifted,
                                  policy_type=policy_type, name=full_name)
            statements = tuple(
                replace(s, index=origin[s.index], when=labels[s.index]) for s in parsed.statements
            )
            out.append(replace(parsed, statements=statements))
    return out


def _resource_policy(view: ResourceView, key: str, name: str) -> None:
    _policy(view, (key,), "resource", name)


def _inline_policies(view: ResourceView, key: str = "Policies") -> None:
    for label, i, item in items_of(view.get(key), deep=False):
        if not isinstance(item, dict):
            continue
        pname = item.get("PolicyName")
        name = (f"inline policy {pname!r}" if isinstance(pname, str)
                else f"inline policy #{i + 1}")
        name = f"{name} ({label})" if label else name
        doc = item.get("PolicyDocument")
        if doc is None:
            continue
        path = (key, i, "PolicyDocument")
        for parsed in policy_documents(doc, lambda sub, _p=path: view.loc(*_p, *sub),
                                       "identity", name):
            add_policy(view, parsed)


def managed_arns(view: ResourceView, key: str = "ManagedPolicyArns") -> None:
    value = view.get(key)
    if value is None:
        return
    items: list[tuple[Any, Location]] = []
    if isinstance(value, (list, Choice)):
        for _label, i, arn in items_of(value):
            items.append((arn, view.loc(key, i)))
    else:
        items.append((value, view.loc(key)))
    view.fact("managed_policy_arns", items, key)


def iam_role(view: ResourceView) -> None:
    _policy(view, ("AssumeRolePolicyDocument",), "trust", "AssumeRolePolicyDocument")
    _inline_policies(view)
    managed_arns(view)
    view.node.facts.setdefault("policies", [])


def iam_user_or_group(view: ResourceView) -> None:
    _inline_policies(view)
    managed_arns(view)
    view.node.facts.setdefault("policies", [])


def iam_policy(view: ResourceView) -> None:
    pname = view.get("PolicyName") if view.has("PolicyName") else view.get("ManagedPolicyName")
    name = f"policy {pname!r}" if isinstance(pname, str) else "PolicyDocument"
    _policy(view, ("PolicyDocument",), "identity", name)
    view.node.facts.setdefault("policies", [])
    for key, fact in (("Roles", "roles"), ("Users", "users"), ("Groups", "groups"),
                      ("RoleName", "roles"), ("UserName", "users"), ("GroupName", "groups")):
        view.fact_if(fact, _list(view.get(key)), key)


def resource_policy(key: str, target_key: str, target_fact: str) -> Builder:
    def build(view: ResourceView) -> None:
        _resource_policy(view, key, key)
        view.node.facts.setdefault("policies", [])
        view.fact_if(target_fact, view.get(target_key), target_key)

    return build


def event_bus_policy(view: ResourceView) -> None:
    """EventBusPolicy takes one statement (`Statement`) or the older Action/Principal form."""
    statement = view.get("Statement")
    if statement is not None:
        # {"Statement": ...} mirrors the Properties, so its paths are property paths.
        for doc in policy_documents({"Statement": statement}, lambda sub: view.loc(*sub),
                                    "resource", "Statement"):
            add_policy(view, doc)
    elif view.has("Action") and view.has("Principal"):
        legacy = {"Statement": [{"Sid": view.get("StatementId"), "Effect": "Allow",
                                 "Action": view.get("Action"), "Principal": view.get("Principal"),
                                 "Condition": view.get("Condition")}]}

        def locate_legacy(sub: tuple[Any, ...]) -> Location:
            key = sub[-1] if len(sub) == 3 else None
            names = {"Sid": "StatementId"}
            return view.loc(names.get(key, key)) if key and view.has(
                names.get(key, key)) else view.node.location

        add_policy(view, parse_policy(legacy, locate_legacy, policy_type="resource",
                                      name="EventBusPolicy"))
    view.node.facts.setdefault("policies", [])


def kms_key(view: ResourceView) -> None:
    _resource_policy(view, "KeyPolicy", "KeyPolicy")
    view.node.facts.setdefault("policies", [])
    view.fact_if("key_rotation", to_bool(view.get("EnableKeyRotation")), "EnableKeyRotation")


def lambda_function(view: ResourceView) -> None:
    if view.has("VpcConfig", "SubnetIds"):
        view.fact("subnets", _list(view.get("VpcConfig", "SubnetIds")), "VpcConfig", "SubnetIds")
    view.fact_if("role", view.get("Role"), "Role")


#: CloudFormation type → (kind, builder). Types not listed still become nodes
#: (kind None) so tagging and references see them.
KINDS: dict[str, tuple[str, Builder | None]] = {
    "AWS::EC2::SecurityGroup": ("ec2.security_group", security_group),
    "AWS::EC2::SecurityGroupIngress": ("ec2.security_group_rule", security_group_ingress),
    "AWS::EC2::SecurityGroupEgress": ("ec2.security_group_rule", security_group_egress),
    "AWS::EC2::NetworkAcl": ("ec2.network_acl", network_acl),
    "AWS::EC2::NetworkAclEntry": ("ec2.network_acl_rule", nacl_entry),
    "AWS::EC2::SubnetNetworkAclAssociation": ("ec2.network_acl_association",
                                              subnet_nacl_association),
    "AWS::EC2::VPC": ("ec2.vpc", vpc),
    "AWS::EC2::Subnet": ("ec2.subnet", subnet),
    "AWS::EC2::InternetGateway": ("ec2.internet_gateway", internet_gateway),
    "AWS::EC2::VPCGatewayAttachment": ("ec2.vpc_gateway_attachment", gateway_attachment),
    "AWS::EC2::NatGateway": ("ec2.nat_gateway", nat_gateway),
    "AWS::EC2::RouteTable": ("ec2.route_table", route_table),
    "AWS::EC2::Route": ("ec2.route", route),
    "AWS::EC2::SubnetRouteTableAssociation": ("ec2.route_table_association",
                                              route_table_association),
    "AWS::EC2::Instance": ("ec2.instance", instance),
    "AWS::EC2::LaunchTemplate": ("ec2.launch_template", launch_template),
    "AWS::AutoScaling::LaunchConfiguration": ("ec2.launch_configuration", launch_configuration),
    "AWS::EC2::Volume": ("ec2.volume", volume),
    "AWS::AutoScaling::AutoScalingGroup": ("autoscaling.group", autoscaling_group),
    "AWS::ElasticLoadBalancingV2::LoadBalancer": ("elb.load_balancer", load_balancer),
    "AWS::ElasticLoadBalancing::LoadBalancer": ("elb.classic_load_balancer",
                                                classic_load_balancer),
    "AWS::RDS::DBInstance": ("rds.instance", db_instance),
    "AWS::RDS::DBCluster": ("rds.cluster", db_cluster),
    "AWS::RDS::DBSubnetGroup": ("rds.subnet_group", subnet_group),
    "AWS::DocDB::DBCluster": ("docdb.cluster", docdb_like_cluster),
    "AWS::DocDB::DBInstance": ("docdb.instance", docdb_like_instance),
    "AWS::DocDB::DBSubnetGroup": ("docdb.subnet_group", subnet_group),
    "AWS::Neptune::DBCluster": ("neptune.cluster", docdb_like_cluster),
    "AWS::Neptune::DBInstance": ("neptune.instance", docdb_like_instance),
    "AWS::Neptune::DBSubnetGroup": ("neptune.subnet_group", subnet_group),
    "AWS::ElastiCache::CacheCluster": ("elasticache.cluster", cache_cluster),
    "AWS::ElastiCache::ReplicationGroup": ("elasticache.replication_group", replication_group),
    "AWS::ElastiCache::SubnetGroup": ("elasticache.subnet_group", subnet_group),
    "AWS::Redshift::Cluster": ("redshift.cluster", redshift_cluster),
    "AWS::Redshift::ClusterSubnetGroup": ("redshift.subnet_group", subnet_group),
    "AWS::OpenSearchService::Domain": ("opensearch.domain", opensearch_domain),
    "AWS::Elasticsearch::Domain": ("opensearch.domain", opensearch_domain),
    "AWS::MSK::Cluster": ("msk.cluster", msk_cluster),
    "AWS::AmazonMQ::Broker": ("mq.broker", mq_broker),
    "AWS::EFS::FileSystem": ("efs.file_system", efs_file_system),
    "AWS::EFS::MountTarget": ("efs.mount_target", efs_mount_target),
    "AWS::DynamoDB::Table": ("dynamodb.table", dynamodb_table),
    "AWS::S3::Bucket": ("s3.bucket", s3_bucket),
    "AWS::S3::BucketPolicy": ("s3.bucket_policy",
                              resource_policy("PolicyDocument", "Bucket", "bucket")),
    "AWS::SQS::QueuePolicy": ("sqs.queue_policy",
                              resource_policy("PolicyDocument", "Queues", "queues")),
    "AWS::SNS::TopicPolicy": ("sns.topic_policy",
                              resource_policy("PolicyDocument", "Topics", "topics")),
    "AWS::SecretsManager::ResourcePolicy": (
        "secretsmanager.resource_policy",
        resource_policy("ResourcePolicy", "SecretId", "secret"),
    ),
    "AWS::S3::AccessPoint": ("s3.access_point", resource_policy("Policy", "Bucket", "bucket")),
    "AWS::ECR::Repository": ("ecr.repository",
                             resource_policy("RepositoryPolicyText", "RepositoryName", "name")),
    "AWS::SQS::QueueInlinePolicy": ("sqs.queue_policy",
                                    resource_policy("PolicyDocument", "Queue", "queues")),
    "AWS::SNS::TopicInlinePolicy": ("sns.topic_policy",
                                    resource_policy("PolicyDocument", "TopicArn", "topics")),
    "AWS::ApiGateway::RestApi": ("apigateway.rest_api",
                                 resource_policy("Policy", "Name", "name")),
    "AWS::Logs::ResourcePolicy": ("logs.resource_policy",
                                  resource_policy("PolicyDocument", "PolicyName", "name")),
    "AWS::Backup::BackupVault": ("backup.vault",
                                 resource_policy("AccessPolicy", "BackupVaultName", "name")),
    "AWS::CodeArtifact::Domain": ("codeartifact.domain", resource_policy(
        "PermissionsPolicyDocument", "DomainName", "name")),
    "AWS::CodeArtifact::Repository": ("codeartifact.repository", resource_policy(
        "PermissionsPolicyDocument", "RepositoryName", "name")),
    "AWS::Events::EventBusPolicy": ("events.bus_policy", event_bus_policy),
    "AWS::KMS::ReplicaKey": ("kms.key", kms_key),
    "AWS::Lambda::LayerVersionPermission": ("lambda.permission", None),
    "AWS::KMS::Key": ("kms.key", kms_key),
    "AWS::SQS::Queue": ("sqs.queue", None),
    "AWS::SNS::Topic": ("sns.topic", None),
    "AWS::IAM::Role": ("iam.role", iam_role),
    "AWS::IAM::User": ("iam.user", iam_user_or_group),
    "AWS::IAM::Group": ("iam.group", iam_user_or_group),
    "AWS::IAM::Policy": ("iam.policy", iam_policy),
    "AWS::IAM::ManagedPolicy": ("iam.managed_policy", iam_policy),
    "AWS::IAM::RolePolicy": ("iam.policy", iam_policy),
    "AWS::IAM::UserPolicy": ("iam.policy", iam_policy),
    "AWS::IAM::GroupPolicy": ("iam.policy", iam_policy),
    "AWS::IAM::InstanceProfile": ("iam.instance_profile", None),
    "AWS::Lambda::Function": ("lambda.function", lambda_function),
}
