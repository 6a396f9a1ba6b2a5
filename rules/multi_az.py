"""multi-az: single points of failure in one availability zone.

Stateful services (databases, caches, brokers, search) are high severity: losing
their AZ loses data or the service. Compute and networking are medium.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from linter.model import Finding, Node, Related, Severity, is_known
from linter.network import (
    as_list,
    availability_zones,
    resolve_subnets,
    single_subnet,
    subnets_routing_to,
)
from rules._base import BuiltinRule, failing, known_str, not_true, when

if TYPE_CHECKING:
    from linter.config import Config
    from linter.model import Graph

_AZ_NAME = re.compile(r"^([a-z]{2}(-[a-z]+)+-\d+[a-z]|[a-z]{3,4}\d-az\d+)$")
#: RDS engines whose instances cannot be Multi-AZ or belong to a cluster instead.
_NO_MULTI_AZ_PREFIXES = ("aurora", "docdb", "neptune", "sqlserver-ex", "sqlserver-web")


def _off(node: Node, name: str) -> str | None:
    """How the flag is off ("is false", "is not set", with the branch of an undecided
    condition when it is one), or None when it is on or unknown."""
    found = failing(node.fact(name), not_true)
    if found is None:
        return None
    label, value = found
    return ("is false" if value is False else "is not set") + when(label)


def _count(value: Any) -> int | None:
    """A known integer count (never a bool, which Python counts as an int)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None


class RdsInstanceNotMultiAz(BuiltinRule):
    id = "IAC020"
    title = "RDS DB instance is not Multi-AZ"
    category = "multi-az"
    severity = Severity.HIGH
    description = (
        "A single-AZ DB instance is unavailable for the whole outage when its availability "
        "zone or host fails, and recovery means restoring from a backup with data loss up to "
        "the last backup. Multi-AZ keeps a synchronous standby in another zone and fails "
        "over automatically. Aurora members are checked on their cluster instead."
    )
    remediation = {
        "terraform": "Set `multi_az = true` on the `aws_db_instance`.",
        "cloudformation": "Set `MultiAZ: true` on the `AWS::RDS::DBInstance`.",
    }
    links = (
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/Concepts.MultiAZ.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-5",
    )
    tags = ("availability", "rds", "database")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for node in graph.of_kind("rds.instance"):
            if node.fact("cluster") is not None or node.fact("replica_of") is not None:
                continue  # Aurora members fail over in their cluster; replicas are spares
            engine = node.fact("engine")
            if not is_known(engine):
                continue
            if isinstance(engine, str) and engine.lower().startswith(_NO_MULTI_AZ_PREFIXES):
                continue
            state = _off(node, "multi_az")
            if state is None:
                continue
            what = f" ({engine})" if isinstance(engine, str) else ""
            yield self.finding(
                node,
                f"RDS instance {node.address}{what} is single-AZ: Multi-AZ {state}",
                node.fact_loc("multi_az"),
            )


class AuroraClusterSingleInstance(BuiltinRule):
    id = "IAC021"
    title = "Aurora cluster has fewer than two instances"
    category = "multi-az"
    severity = Severity.HIGH
    description = (
        "An Aurora cluster stores data across three AZs, but with a single DB instance "
        "there is nothing to fail over to: an AZ or instance failure makes the database "
        "unavailable until a new instance is created. A reader in another AZ is promoted "
        "within about a minute."
    )
    remediation = {
        "terraform": (
            "Declare at least two `aws_rds_cluster_instance` resources (e.g. `count = 2`) "
            "with `cluster_identifier` pointing at the cluster."
        ),
        "cloudformation": (
            "Declare at least two `AWS::RDS::DBInstance` resources whose "
            "`DBClusterIdentifier` is the cluster."
        ),
    }
    links = (
        "https://docs.aws.amazon.com/AmazonRDS/latest/AuroraUserGuide/Concepts.AuroraHighAvailability.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-15",
    )
    tags = ("availability", "rds", "aurora", "database")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for cluster in graph.of_kind("rds.cluster"):
            engine = cluster.fact("engine")
            if not (isinstance(engine, str) and is_known(engine)):
                continue
            if not engine.lower().startswith("aurora"):
                continue  # Multi-AZ DB clusters are multi-AZ by construction
            mode = cluster.fact("engine_mode")
            if not (mode is None or (isinstance(mode, str) and is_known(mode))):
                continue
            if mode is not None and mode.lower() == "serverless":
                continue  # Serverless v1 has no instances and is managed by AWS
            members = [
                n for n in graph.referrers(cluster)
                if graph.resolve(n.fact("cluster")) is cluster
            ]
            if any(n.fact("count_unknown") is True for n in members):
                continue
            if len(members) >= 2:
                continue
            if members:
                what = f"has 1 instance ({members[0].address})"
            else:  # instances may be declared outside the scanned code
                what = ("has no DB instance in the scanned code (instances declared "
                        "elsewhere are not visible here)")
            yield self.finding(
                cluster,
                f"Aurora cluster {cluster.address} {what}: "
                "make sure it has a second instance in another AZ so the cluster can fail over",
                related=[Related.of(m, "cluster instance") for m in members],
            )


class ElastiCacheNoFailover(BuiltinRule):
    id = "IAC022"
    title = "ElastiCache replication group cannot fail over to another AZ"
    category = "multi-az"
    severity = Severity.HIGH
    description = (
        "A Redis/Valkey replication group without automatic failover and Multi-AZ, or with "
        "a single node, loses its primary (and its in-memory data) when the node's AZ fails. "
        "With replicas in other AZs and failover enabled, a replica is promoted instead."
    )
    remediation = {
        "terraform": (
            "Set `automatic_failover_enabled = true`, `multi_az_enabled = true` and at least "
            "two nodes (`num_cache_clusters = 2` or `replicas_per_node_group >= 1`)."
        ),
        "cloudformation": (
            "Set `AutomaticFailoverEnabled: true`, `MultiAZEnabled: true` and "
            "`NumCacheClusters: 2` or more (or `ReplicasPerNodeGroup >= 1`)."
        ),
    }
    links = (
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/dg/AutoFailover.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/elasticache-controls.html",
    )
    tags = ("availability", "elasticache", "cache")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for node in graph.of_kind("elasticache.replication_group"):
            problems: list[tuple[str, str]] = []
            nodes = _count(node.fact("num_nodes"))
            if nodes is not None and nodes < 2:
                problems.append(("num_nodes", f"has {nodes} node"))
            failover = _off(node, "automatic_failover")
            if failover is not None:
                problems.append(("automatic_failover", f"automatic failover {failover}"))
            multi_az = _off(node, "multi_az")
            if multi_az is not None:
                problems.append(("multi_az", f"Multi-AZ {multi_az}"))
            if not problems:
                continue
            located = [name for name, _ in problems if name in node.fact_locs]
            loc = node.fact_loc(located[0]) if located else node.location
            if [name for name, _ in problems] == ["multi_az"] and nodes is not None:
                # failover is on with replicas: it can fail over, but AWS is not asked
                # to keep the replicas in other AZs
                headline = (f"ElastiCache replication group {node.address} may not survive "
                            f"an AZ failure (automatic failover is on with {nodes} nodes, "
                            "but they are not required to be in different AZs): ")
            else:
                headline = f"ElastiCache replication group {node.address} cannot fail over: "
            yield self.finding(node, headline + "; ".join(text for _, text in problems), loc)


class MemcachedSingleAz(BuiltinRule):
    id = "IAC029"
    title = "Memcached cluster keeps all its nodes in one AZ"
    category = "multi-az"
    severity = Severity.MEDIUM
    description = (
        "A Memcached cluster has no replication: each node holds its own share of the keys. "
        "With `single-az` (the default) every node is in one availability zone, so losing "
        "that zone empties the whole cache at once and every read falls through to the "
        "database. `cross-az` spreads the nodes so that an AZ failure loses only its share. "
        "One-node clusters (nothing to spread) and Redis/Valkey clusters (their replication "
        "groups are checked by IAC022) are not reported."
    )
    remediation = {
        "terraform": (
            "Set `az_mode = \"cross-az\"` on the `aws_elasticache_cluster` (with "
            "`num_cache_nodes` of 2 or more; `preferred_availability_zones` may list them)."
        ),
        "cloudformation": (
            "Set `AZMode: cross-az` on the `AWS::ElastiCache::CacheCluster` (with "
            "`NumCacheNodes` of 2 or more; `PreferredAvailabilityZones` may list them)."
        ),
    }
    links = (
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/mem-ug/FaultTolerance.html",
        "https://docs.aws.amazon.com/AmazonElastiCache/latest/APIReference/API_CreateCacheCluster.html",
    )
    tags = ("availability", "elasticache", "cache")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for node in graph.of_kind("elasticache.cluster"):
            if node.fact("replication_group") is not None:
                continue  # a member of a replication group: IAC022 checks the group
            if known_str(node.fact("engine")) != "memcached":
                continue
            nodes = _count(node.fact("num_nodes"))
            if nodes is None or nodes < 2:
                continue
            found = failing(
                node.fact("az_mode"),
                lambda v: v is None or (known_str(v) or "") == "single-az",
            )
            if found is None:
                continue
            label, mode = found
            written = "is single-az" if mode else "is not set (defaults to single-az)"
            yield self.finding(
                node,
                f"Memcached cluster {node.address} keeps all {nodes} nodes in one AZ: "
                f"AZ mode {written}{when(label)}",
                node.fact_loc("az_mode"),
            )


def subnet_related(subnets: Iterable[Node], role: str = "subnet") -> list[Related]:
    """Each subnet where its availability zone is written ("subnet in us-east-1a")."""
    out = []
    for subnet in subnets:
        zone = known_str(subnet.fact("availability_zone"))
        where = f" in {zone}" if zone and _AZ_NAME.match(zone) else ""
        out.append(Related.of(subnet, role + where, subnet.fact_loc("availability_zone")))
    return out


def _single_az(graph: Graph, node: Node) -> tuple[str, str, list[Related]] | None:
    """(fact name, explanation, the subnets behind it) when `node`'s subnets/AZs are
    known to be one AZ."""
    zones_value = as_list(node.fact("availability_zones"))
    zones_known = [z for z in zones_value or () if isinstance(z, str) and is_known(z)]
    if zones_value and len(zones_known) == len(zones_value) and len(set(zones_known)) == 1:
        return "availability_zones", f"its only availability zone is {zones_known[0]}", []
    subnets = as_list(node.fact("subnets"))
    if not subnets:
        return None
    placed = subnet_related(dict.fromkeys(resolve_subnets(graph, subnets)))
    zones = availability_zones(graph, subnets)
    if zones is not None and len(zones) == 1:
        zone = next(iter(zones))
        where = zone if _AZ_NAME.match(zone) else "the same AZ"
        if len(placed) == 1:
            return "subnets", f"its only subnet is in {where}", placed
        return "subnets", f"its {len(placed)} subnets all sit in {where}", placed
    if single_subnet(graph, subnets):
        return "subnets", "it has a single subnet", placed
    return None


class AutoScalingGroupSingleAz(BuiltinRule):
    id = "IAC023"
    title = "Auto scaling group spans a single availability zone"
    category = "multi-az"
    severity = Severity.MEDIUM
    description = (
        "An auto scaling group can only replace instances in the zones it is given; when "
        "all its subnets are in one AZ, an AZ outage takes the whole group down. Spreading "
        "the group over two or more AZs lets it rebalance capacity."
    )
    remediation = {
        "terraform": "List subnets in at least two AZs in `vpc_zone_identifier`.",
        "cloudformation": "List subnets in at least two AZs in `VPCZoneIdentifier`.",
    }
    links = (
        "https://docs.aws.amazon.com/autoscaling/ec2/userguide/ec2-auto-scaling-availability-zone-balanced.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/autoscaling-controls.html#autoscaling-2",
    )
    tags = ("availability", "autoscaling", "compute")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for node in graph.of_kind("autoscaling.group"):
            single = _single_az(graph, node)
            if single is not None:
                yield self.finding(
                    node,
                    f"auto scaling group {node.address} is in one AZ: {single[1]}",
                    node.fact_loc(single[0]),
                    related=single[2],
                )


class LoadBalancerSingleAz(BuiltinRule):
    id = "IAC024"
    title = "Load balancer spans a single availability zone"
    category = "multi-az"
    severity = Severity.MEDIUM
    description = (
        "A load balancer only has nodes in the zones of its subnets; with a single AZ, "
        "an outage of that zone takes down the entry point to every target behind it. "
        "Enable at least two AZs so that traffic fails over."
    )
    remediation = {
        "terraform": "Give `subnets` (or `subnet_mapping`) subnets in at least two AZs.",
        "cloudformation": "Give `Subnets` (or `SubnetMappings`) subnets in at least two AZs.",
    }
    links = (
        "https://docs.aws.amazon.com/elasticloadbalancing/latest/userguide/how-elastic-load-balancing-works.html#availability-zones",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/elb-controls.html",
    )
    tags = ("availability", "elb", "network")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for node in graph.of_kind("elb.load_balancer", "elb.classic_load_balancer"):
            single = _single_az(graph, node)
            if single is not None:
                yield self.finding(
                    node,
                    f"load balancer {node.address} is in one AZ: {single[1]}",
                    node.fact_loc(single[0]),
                    related=single[2],
                )


class MqSingleInstance(BuiltinRule):
    id = "IAC025"
    title = "Amazon MQ broker runs as a single instance"
    category = "multi-az"
    severity = Severity.HIGH
    description = (
        "A SINGLE_INSTANCE broker lives in one AZ: when it fails, producers and consumers "
        "stop and messages on its storage are unavailable. Active/standby (ActiveMQ) or "
        "cluster (RabbitMQ) deployments keep a broker in another AZ."
    )
    remediation = {
        "terraform": (
            "Set `deployment_mode = \"ACTIVE_STANDBY_MULTI_AZ\"` (ActiveMQ) or "
            "`\"CLUSTER_MULTI_AZ\"` (RabbitMQ); the default is SINGLE_INSTANCE."
        ),
        "cloudformation": (
            "Set `DeploymentMode: ACTIVE_STANDBY_MULTI_AZ` (ActiveMQ) or `CLUSTER_MULTI_AZ` "
            "(RabbitMQ)."
        ),
    }
    links = (
        "https://docs.aws.amazon.com/amazon-mq/latest/developer-guide/active-standby-broker-deployment.html",
    )
    tags = ("availability", "mq", "messaging")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for node in graph.of_kind("mq.broker"):
            found = failing(
                node.fact("deployment_mode"),
                lambda v: v is None or (known_str(v) or "").upper() == "SINGLE_INSTANCE",
            )
            if found is None:
                continue
            label, mode = found
            written = "is SINGLE_INSTANCE" if mode else "is not set (defaults to SINGLE_INSTANCE)"
            yield self.finding(
                node,
                f"MQ broker {node.address} runs in one AZ: deployment mode {written}"
                f"{when(label)}",
                node.fact_loc("deployment_mode"),
            )


class OpenSearchNoZoneAwareness(BuiltinRule):
    id = "IAC026"
    title = "OpenSearch domain is not zone-aware"
    category = "multi-az"
    severity = Severity.HIGH
    description = (
        "Without zone awareness all data nodes of an OpenSearch/Elasticsearch domain are in "
        "one AZ, so an AZ outage makes the cluster red and can lose unreplicated shards. "
        "Zone awareness spreads nodes and replicas over two or three AZs."
    )
    remediation = {
        "terraform": (
            "In `cluster_config`, set `zone_awareness_enabled = true` with "
            "`zone_awareness_config { availability_zone_count = 2 or 3 }` and an "
            "`instance_count` that is a multiple of it."
        ),
        "cloudformation": (
            "In `ClusterConfig`, set `ZoneAwarenessEnabled: true` with "
            "`ZoneAwarenessConfig.AvailabilityZoneCount` 2 or 3 and a matching `InstanceCount`."
        ),
    }
    links = (
        "https://docs.aws.amazon.com/opensearch-service/latest/developerguide/managedomains-multiaz.html",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/opensearch-controls.html",
    )
    tags = ("availability", "opensearch", "search")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for node in graph.of_kind("opensearch.domain"):
            count = _count(node.fact("instance_count"))
            if count == 1:
                yield self.finding(
                    node,
                    f"OpenSearch domain {node.address} has a single data node, so it is in one AZ",
                    node.fact_loc("instance_count"),
                )
                continue
            state = _off(node, "zone_awareness")
            if state is not None:
                yield self.finding(
                    node,
                    f"OpenSearch domain {node.address} keeps all nodes in one AZ: zone awareness "
                    f"{state}",
                    node.fact_loc("zone_awareness"),
                )


class SingleNatGatewayManyAzs(BuiltinRule):
    id = "IAC027"
    title = "One NAT gateway serves private subnets in several availability zones"
    category = "multi-az"
    severity = Severity.MEDIUM
    description = (
        "A NAT gateway is a zonal resource: when its AZ fails, private subnets in the other "
        "zones that route through it lose outbound internet access too. One NAT gateway per "
        "AZ, each used by the subnets of its own zone, removes the shared dependency."
    )
    remediation = {
        "terraform": (
            "Create one `aws_nat_gateway` per AZ and give each AZ's private route table a "
            "`0.0.0.0/0` route to the gateway in the same AZ (terraform-aws-vpc: "
            "`one_nat_gateway_per_az = true`)."
        ),
        "cloudformation": (
            "Create one `AWS::EC2::NatGateway` per AZ and route each AZ's private route table "
            "to the gateway in the same AZ."
        ),
    }
    links = (
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-nat-gateway.html",
    )
    tags = ("availability", "network", "nat")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for gateway in graph.of_kind("ec2.nat_gateway"):
            served = subnets_routing_to(graph, gateway)
            zones = sorted(
                {z for s in served if isinstance(z := s.fact("availability_zone"), str)
                 and is_known(z)}
            )
            if len(zones) < 2:
                continue
            # Symbolic zones ("the i-th AZ of the region") are distinct but not worth printing.
            names = f" ({', '.join(zones)})" if all(_AZ_NAME.match(z) for z in zones) else ""
            yield self.finding(
                gateway,
                f"NAT gateway {gateway.address} is the only way out for private subnets in "
                f"{len(zones)} AZs{names}; an outage of its AZ cuts them all off",
                related=subnet_related(sorted(served, key=lambda s: s.address), "private subnet"),
            )


class EfsOneZone(BuiltinRule):
    id = "IAC028"
    title = "EFS file system uses One Zone storage"
    category = "multi-az"
    severity = Severity.LOW
    description = (
        "EFS One Zone stores data in a single AZ: it is cheaper, but the data is unavailable "
        "during an outage of that AZ and can be lost if the zone is destroyed. Use it only "
        "for data that can be recreated."
    )
    remediation = {
        "terraform": "Remove `availability_zone_name` to use Regional (multi-AZ) storage.",
        "cloudformation": "Remove `AvailabilityZoneName` to use Regional (multi-AZ) storage.",
    }
    links = (
        "https://docs.aws.amazon.com/efs/latest/ug/storage-classes.html",
    )
    tags = ("availability", "efs", "storage")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for node in graph.of_kind("efs.file_system"):
            zone: Any = node.fact("availability_zone")
            if zone is None or not is_known(zone):
                continue
            yield self.finding(
                node,
                f"EFS file system {node.address} stores its data only in {zone} (One Zone)",
                node.fact_loc("availability_zone"),
            )


RULES = [
    RdsInstanceNotMultiAz,
    AuroraClusterSingleInstance,
    ElastiCacheNoFailover,
    AutoScalingGroupSingleAz,
    LoadBalancerSingleAz,
    MqSingleInstance,
    OpenSearchNoZoneAwareness,
    SingleNatGatewayManyAzs,
    EfsOneZone,
    MemcachedSingleAz,
]
