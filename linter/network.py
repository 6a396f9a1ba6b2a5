"""Graph queries about networks that several rule families share.

Publicness of a subnet is a property of the graph, not of one resource: the
subnet's route table (explicit association, else the VPC's main route table)
must route the whole internet to an internet gateway. Every answer here is
"known public", "known not public" or None for "cannot tell"; rules report
only the first.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from linter.facts import Route
from linter.model import Graph, Node, Related, Unknown, is_known, list_items


def is_world(cidr: Any) -> bool:
    """True for a known CIDR that covers the whole IPv4 or IPv6 address space."""
    if not isinstance(cidr, str) or not is_known(cidr):
        return False
    text = cidr.strip()
    if "/" not in text:
        return False
    try:
        return ipaddress.ip_network(text, strict=False).prefixlen == 0
    except ValueError:
        return False


def world_sources(sources: Iterable[Any]) -> list[str]:
    """The whole-internet CIDRs among `sources`, in order, without duplicates."""
    out: list[str] = []
    for s in sources:
        if is_world(s) and s.strip() not in out:
            out.append(s.strip())
    return out


def is_ipv6_world(cidr: str) -> bool:
    """True for a whole-internet CIDR (see is_world) that is IPv6 (::/0)."""
    return ":" in cidr


def vpc_may_have_ipv6(graph: Graph, vpc_value: Any) -> bool:
    """False only when the VPC is in the scan and known to be IPv4-only: no
    `assign_generated_ipv6_cidr_block = true`, no IPv6 block or pool written on it, and
    no IPv6 CIDR block association (aws_vpc_ipv6_cidr_block_association,
    AWS::EC2::VPCCidrBlock) that names it or names a VPC the scan cannot resolve.
    An unknown or unresolvable VPC may have IPv6."""
    vpc = graph.resolve(vpc_value) if vpc_value is not None else None
    if vpc is None or vpc.kind != "ec2.vpc":
        return True
    generated = vpc.fact("ipv6_generated")
    if (generated is not None and generated is not False) or vpc.fact("ipv6_cidr") is not None:
        return True
    for block in graph.of_kind("ec2.vpc_cidr_block"):
        if block.fact("ipv6") is False:
            continue
        target = graph.resolve(block.fact("vpc"))
        if target is None or target.id == vpc.id:
            return True
    return False


def same_node(graph: Graph, value: Any, node: Node) -> bool:
    """True when `value` is a Ref that resolves to `node`."""
    target = graph.resolve(value)
    return target is not None and target.id == node.id


def as_list(value: Any) -> list[Any] | None:
    """A known list value, or None when the value is Unknown/absent."""
    if value is None or not is_known(value):
        return None
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


# --------------------------------------------------------------------------- routes


@dataclass(frozen=True)
class RouteTableChoice:
    """The route table that governs a subnet and why."""

    route_table: Node
    #: "association" (explicit), "main" (the VPC's main route table).
    how: str
    #: The node that made the choice (association or main association), if any.
    via: Node | None = None


@dataclass(frozen=True)
class PublicPath:
    """Evidence that a subnet is public: subnet → route table → route → gateway."""

    subnet: Node
    route_table: Node
    how: str
    route: Route
    gateway: Node | None
    gateway_label: str
    map_public_ip: bool
    #: The (main) route table association that chose the table, if one is declared.
    via: Node | None = None
    #: The node the route is written in: the table itself or a separate route resource.
    route_owner: Node | None = None

    def explain(self) -> str:
        main = " (the VPC's main route table)" if self.how == "main" else ""
        text = (
            f"subnet {self.subnet.address}, whose route table "
            f"{self.route_table.address}{main} routes {self.route.destination} "
            f"to {self.gateway_label}"
        )
        if self.route.when:
            text += f" ({self.route.when})"
        if self.map_public_ip:
            text += "; the subnet also assigns public IPs on launch"
        return text

    def related(self) -> list[Related]:
        """Each hop as a located place: subnet, association, table, route, gateway."""
        main = self.how == "main"
        out = [Related.of(self.subnet, "subnet")]
        if self.via is not None:
            role = "main route table association" if main else "route table association"
            out.append(Related.of(self.via, role))
        table = self.route_table
        out.append(Related.of(table, "main route table" if main else "route table"))
        branch = f" ({self.route.when})" if self.route.when else ""
        out.append(Related.of(self.route_owner or table,
                              f"route {self.route.destination} to internet gateway{branch}",
                              self.route.location))
        if self.gateway is not None:
            out.append(Related.of(self.gateway, "internet gateway"))
        return out


def paths_related(paths: Iterable[PublicPath]) -> list[Related]:
    """The first path hop by hop, then the subnet of every other public path."""
    out: list[Related] = []
    for n, path in enumerate(paths):
        if n == 0:
            out.extend(path.related())
        else:
            out.append(Related.of(path.subnet, "another public subnet"))
    return out


def route_table_of(graph: Graph, subnet: Node) -> RouteTableChoice | None:
    """The route table in force for `subnet`, or None when it cannot be told (linking.py
    has attached explicit associations to the subnet and main tables to the VPC)."""
    if subnet.fact("route_table") is not None:
        table = graph.resolve(subnet.fact("route_table"))
        if table is None:
            return None
        return RouteTableChoice(table, "association", graph.resolve(subnet.fact(
            "route_table_from")))
    vpc = graph.resolve(subnet.fact("vpc"))
    if vpc is None:
        return None
    # No main route table is declared: AWS creates one with only the local route.
    main = graph.resolve(vpc.fact("main_route_table"))
    if main is None:
        return None
    return RouteTableChoice(main, "main", graph.resolve(vpc.fact("main_route_table_from")))


def routes_of(graph: Graph, table: Node) -> list[Route]:
    """Inline routes of `table` plus separate route resources that point at it."""
    return [route for route, _owner in owned_routes(graph, table)]


def owned_routes(graph: Graph, table: Node) -> list[tuple[Route, Node]]:
    """As routes_of, each with the node it is written in (the table or a route resource)."""
    routes: list[tuple[Route, Node]] = []
    inline = table.fact("routes")
    if isinstance(inline, (list, tuple)):
        routes.extend((r, table) for r in inline if isinstance(r, Route))
    for ref in list_items(table.fact("route_resources")):
        node = graph.resolve(ref)
        extra = node.fact("routes") if node is not None else None
        if node is not None and isinstance(extra, (list, tuple)):
            routes.extend((r, node) for r in extra if isinstance(r, Route))
    return routes


def internet_gateway_of(graph: Graph, route: Route) -> tuple[Node | None, str] | None:
    """(gateway node, label) when `route` targets an internet gateway, else None."""
    if route.target_type in ("nat", "egress_only", "instance", "transit", "peering",
                             "endpoint"):
        return None
    target = graph.resolve(route.target)
    if target is not None:
        if target.kind == "ec2.internet_gateway":
            return target, target.address
        return None
    if isinstance(route.target, str) and route.target.startswith("igw-"):
        return None, route.target
    return None


def internet_route(
    graph: Graph, table: Node
) -> tuple[Route, Node, Node | None, str] | None:
    """The first route of `table` that sends the whole internet to an internet gateway:
    (route, the node it is written in, gateway node, gateway label)."""
    for route, owner in owned_routes(graph, table):
        if not is_world(route.destination):
            continue
        gateway = internet_gateway_of(graph, route)
        if gateway is not None:
            return route, owner, gateway[0], gateway[1]
    return None


def public_path(graph: Graph, subnet: Node) -> PublicPath | None:
    """Why `subnet` is public, or None when it is not (or cannot be shown to be)."""
    choice = route_table_of(graph, subnet)
    if choice is None:
        return None
    found = internet_route(graph, choice.route_table)
    if found is None:
        return None
    route, owner, gateway, label = found
    return PublicPath(
        subnet=subnet,
        route_table=choice.route_table,
        how=choice.how,
        route=route,
        gateway=gateway,
        gateway_label=label,
        map_public_ip=subnet.fact("map_public_ip") is True,
        via=choice.via,
        route_owner=owner,
    )


# --------------------------------------------------------------------------- subnets


def subnet_values(graph: Graph, node: Node) -> list[Any] | None:
    """The subnet values a resource is placed in: its own `subnets`, or those of
    its subnet group. None when they cannot be known."""
    own = node.fact("subnets")
    if own is not None:
        return as_list(own)
    group_value = node.fact("subnet_group")
    if group_value is None:
        return None
    group = graph.resolve(group_value)
    if group is None:
        return None
    return as_list(group.fact("subnets"))


def resolve_subnets(graph: Graph, values: Iterable[Any]) -> Iterator[Node]:
    for value in values:
        target = graph.resolve(value)
        if target is not None and target.kind == "ec2.subnet":
            yield target


def public_paths(graph: Graph, node: Node) -> list[PublicPath]:
    """Evidence for every known-public subnet that `node` is placed in."""
    values = subnet_values(graph, node)
    if not values:
        return []
    out: list[PublicPath] = []
    seen: set[str] = set()
    for subnet in resolve_subnets(graph, values):
        if subnet.id in seen:
            continue
        seen.add(subnet.id)
        path = public_path(graph, subnet)
        if path is not None:
            out.append(path)
    return out


def availability_zones(graph: Graph, subnet_list: Iterable[Any]) -> set[str] | None:
    """The AZs a list of subnets spans, or None when any subnet or AZ is unknown."""
    zones: set[str] = set()
    values = list(subnet_list)
    if not values:
        return None
    for value in values:
        subnet = graph.resolve(value)
        if subnet is None or subnet.kind != "ec2.subnet":
            return None
        zone = subnet.fact("availability_zone")
        if not isinstance(zone, str) or not is_known(zone):
            return None
        zones.add(zone)
    return zones


def single_subnet(graph: Graph, subnet_list: Iterable[Any]) -> bool:
    """True when the list names exactly one subnet (so exactly one AZ)."""
    nodes = {n.id for n in resolve_subnets(graph, subnet_list)}
    values = list(subnet_list)
    if any(isinstance(v, Unknown) and graph.resolve(v) is None for v in values):
        return False
    literal = {v for v in values if isinstance(v, str) and is_known(v)}
    return len(nodes) + len(literal) == 1


def subnets_routing_to(graph: Graph, gateway: Node) -> list[Node]:
    """Subnets whose route table sends some traffic to `gateway` (e.g. a NAT gateway)."""
    tables: dict[str, Node] = {}
    for table in graph.of_kind("ec2.route_table"):
        if any(same_node(graph, r.target, gateway) for r in routes_of(graph, table)):
            tables[table.id] = table
    subnets: dict[str, Node] = {}
    for subnet in graph.of_kind("ec2.subnet"):
        choice = route_table_of(graph, subnet)
        if choice is not None and choice.route_table.id in tables:
            subnets[subnet.id] = subnet
    return list(subnets.values())
