"""public-subnet: backend resources placed where the internet can route to them."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from linter import fact_spec
from linter.model import Finding, Node, Related, Severity
from linter.network import PublicPath, paths_related, public_paths
from rules._base import BuiltinRule, fact_is, failing, tag_matches, when

if TYPE_CHECKING:
    from linter.config import Config
    from linter.model import Graph

#: Stateful services that never belong in a public subnet.
DATA_STORE_KINDS = (
    "rds.instance",
    "rds.cluster",
    "elasticache.cluster",
    "elasticache.replication_group",
    "redshift.cluster",
    "opensearch.domain",
    "msk.cluster",
    "mq.broker",
    "docdb.cluster",
    "neptune.cluster",
)

_PUBLIC_ROUTE_HELP = (
    "A subnet is public when its route table (the explicit association, else the VPC's "
    "main route table) sends 0.0.0.0/0 or ::/0 to an internet gateway."
)


def _path_message(node: Node, paths: list[PublicPath], verb: str = "is in") -> str:
    first = paths[0]
    text = f"{node.address} {verb} {first.explain()}"
    if len(paths) > 1:
        others = ", ".join(p.subnet.address for p in paths[1:4])
        more = ", …" if len(paths) > 4 else ""
        text += f" (also public: {others}{more})"
    return text


def _related(graph: Graph, node: Node, paths: list[PublicPath]) -> list[Related]:
    """The subnet group the resource is placed through (if any), then the public path."""
    out: list[Related] = []
    group = graph.resolve(node.fact("subnet_group"))
    if group is not None and node.fact("subnets") is None:
        out.append(Related.of(group, "subnet group"))
    return out + paths_related(paths)


class InstanceInPublicSubnet(BuiltinRule):
    id = "IAC010"
    title = "EC2 instance or auto scaling group in a public subnet"
    category = "public-subnet"
    severity = Severity.MEDIUM
    description = (
        "Compute placed in a subnet that routes to an internet gateway is one security-group "
        "mistake away from the internet, and gets a public address whenever the subnet or "
        "launch configuration assigns one. " + _PUBLIC_ROUTE_HELP + " Bastions, NAT instances "
        "and edge proxies that are public on purpose are exempt when tagged as such "
        "(`public_facing_tags`) or when source/destination checking is off."
    )
    remediation = {
        "terraform": (
            "Launch the instance (`subnet_id`) or the group (`vpc_zone_identifier`) in private "
            "subnets that route 0.0.0.0/0 to a NAT gateway and put a load balancer in the "
            "public subnets; tag intentionally public hosts, e.g. `Tier = \"bastion\"`."
        ),
        "cloudformation": (
            "Use private subnets in `SubnetId` / `VPCZoneIdentifier` and put a load balancer "
            "in the public subnets; tag intentionally public hosts, e.g. `Tier: bastion`."
        ),
    }
    links = (
        "https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html",
        "https://docs.aws.amazon.com/vpc/latest/userguide/vpc-example-private-subnets-nat.html",
    )
    tags = ("network", "subnet", "ec2")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for node in graph.of_kind("ec2.instance"):
            if self._exempt([node], config):
                continue
            paths = public_paths(graph, node)
            if paths:
                message = _path_message(node, paths)
                if fact_is(node, "public_ip", True):
                    message += "; the instance is given a public IP address"
                yield self.finding(node, message, node.fact_loc("subnets"),
                                   related=paths_related(paths))
        for group in graph.of_kind("autoscaling.group"):
            launch = graph.resolve(group.fact("launch"))
            candidates = [group] + ([launch] if launch is not None else [])
            if self._exempt(candidates, config):
                continue
            paths = public_paths(graph, group)
            if paths:
                verb = f"launches {launch.address} into" if launch is not None else "launches into"
                launched = [Related.of(launch, fact_spec.noun(launch.kind, "launch template"))
                            ] if launch is not None else []
                yield self.finding(
                    group, _path_message(group, paths, verb), group.fact_loc("subnets"),
                    related=launched + paths_related(paths),
                )

    @staticmethod
    def _exempt(nodes: list[Node], config: Config) -> bool:
        for node in nodes:
            if tag_matches(node, config.public_facing_tags):
                return True
            if failing(node.fact("source_dest_check"), lambda v: v is False):
                return True  # a NAT instance (in at least one branch: no evidence otherwise)
        return False


class DataStoreInPublicSubnet(BuiltinRule):
    id = "IAC011"
    title = "Database or data store in a public subnet"
    category = "public-subnet"
    severity = Severity.HIGH
    description = (
        "Databases, caches, search domains, brokers and warehouses hold the data an attacker "
        "wants; in a subnet that routes to an internet gateway they are one flag "
        "(publicly accessible) or one security-group rule away from exposure. "
        + _PUBLIC_ROUTE_HELP
        + " Data stores are never exempt."
    )
    remediation = {
        "terraform": (
            "Build the subnet group (`aws_db_subnet_group`, `aws_elasticache_subnet_group`, …) "
            "or `subnet_ids` from private subnets only."
        ),
        "cloudformation": (
            "Build `DBSubnetGroup`/`CacheSubnetGroup`/`SubnetIds` from private subnets only."
        ),
    }
    links = (
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html",
        "https://docs.aws.amazon.com/vpc/latest/userguide/configure-subnets.html",
    )
    tags = ("network", "subnet", "database")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for node in graph.of_kind(*DATA_STORE_KINDS):
            if node.fact("cluster") is not None:
                continue  # an Aurora member: reported on its cluster
            paths = public_paths(graph, node)
            if not paths:
                continue
            where = "subnet_group" if node.fact("subnets") is None else "subnets"
            yield self.finding(node, _path_message(node, paths), node.fact_loc(where),
                               related=_related(graph, node, paths))


class PubliclyAccessibleDataStore(BuiltinRule):
    id = "IAC012"
    title = "Database is publicly accessible"
    category = "public-subnet"
    severity = Severity.HIGH
    description = (
        "A database marked publicly accessible gets a public DNS name and address, so "
        "anything the security group lets in can reach it from the internet. Databases "
        "should be reached from inside the VPC or through a bastion or VPN."
    )
    remediation = {
        "terraform": "Set `publicly_accessible = false` (the default) and remove the override.",
        "cloudformation": "Set `PubliclyAccessible: false` or remove the property.",
    }
    links = (
        "https://docs.aws.amazon.com/AmazonRDS/latest/UserGuide/USER_VPC.WorkingWithRDSInstanceinaVPC.html#USER_VPC.Hiding",
        "https://docs.aws.amazon.com/securityhub/latest/userguide/rds-controls.html#rds-2",
    )
    tags = ("network", "database", "internet")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for node in graph:
            found = failing(node.fact("publicly_accessible"), lambda v: v is True)
            if found is None:
                continue
            paths = public_paths(graph, node)
            extra = f"; it is in {paths[0].explain()}" if paths else ""
            severity = Severity.CRITICAL if paths else None
            yield self.finding(
                node,
                f"{node.address} is publicly accessible{when(found[0])}{extra}",
                node.fact_loc("publicly_accessible"),
                severity,
                related=_related(graph, node, paths),
            )


RULES = [InstanceInPublicSubnet, DataStoreInPublicSubnet, PubliclyAccessibleDataStore]
