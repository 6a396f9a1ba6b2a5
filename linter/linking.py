"""Cross-node linking, the same for every language: the one place where a
resource learns what other resources say about it.

Terraform and CloudFormation both let a separate resource configure another: a
bucket policy or an encryption configuration for a bucket, an inline policy for
a role, an association that puts a subnet under a route table or a network
ACL, an attachment that gives an internet gateway its VPC. Adapters record
only the pointer (a fact holding a Ref); this pass, run once on the whole
graph, resolves it. Which facts point where is declared in the fact spec
(`KindSpec.targets`); the facts set here are its `Linked` rows.

Findings stay on the resource that is written wrong; linking only lets rules
see the effective configuration and name the path (`Finding.related`).
"""

from __future__ import annotations

from linter import fact_spec
from linter.model import Graph, Node, Ref, Unknown, list_items


def link(graph: Graph) -> None:
    _attach_targets(graph)
    _attach_bucket_encryption(graph)
    _attach_gateways(graph)
    _attach_nacl_subnets(graph)
    _attach_route_tables(graph)


def _resolved(graph: Graph, value: object, kind: str) -> list[Node]:
    out = []
    for item in list_items(value):
        target = graph.resolve(item)
        if target is not None and target.kind == kind:
            out.append(target)
    return out


def _attach_targets(graph: Graph) -> None:
    """A separate resource's `targets` (what it configures, with the role each plays),
    and each target's `attached` (the separate resources configuring it)."""
    for node in graph:
        spec = fact_spec.BY_KIND.get(node.kind or "")
        if spec is None or not spec.targets:
            continue
        found: list[tuple[Ref, str]] = []
        for target in spec.targets:
            for other in _resolved(graph, node.fact(target.fact), target.kind):
                found.append((Ref(other.id), target.role))
                attached = [r for r in list_items(other.fact("attached")) if isinstance(r, Ref)]
                if not any(r.target == node.id for r in attached):
                    other.facts["attached"] = [*attached, Ref(node.id)]
        if found:
            node.facts["targets"] = found


def _attach_bucket_encryption(graph: Graph) -> None:
    """A bucket without inline encryption takes its separate configuration's."""
    for cfg in graph.of_kind("s3.bucket_encryption"):
        for bucket in _resolved(graph, cfg.fact("bucket"), "s3.bucket")[:1]:
            if bucket.fact("encryption") is None and cfg.fact("encryption") is not None:
                bucket.facts["encryption"] = cfg.fact("encryption")
                bucket.fact_locs["encryption"] = cfg.fact_loc("encryption")
                bucket.facts["encryption_from"] = Ref(cfg.id)


def _attach_gateways(graph: Graph) -> None:
    """An internet gateway's VPC, when a gateway attachment names it."""
    for attachment in graph.of_kind("ec2.vpc_gateway_attachment"):
        for igw in _resolved(graph, attachment.fact("internet_gateway"),
                             "ec2.internet_gateway")[:1]:
            if igw.fact("vpc") is None and attachment.fact("vpc") is not None:
                igw.facts["vpc"] = attachment.fact("vpc")
                igw.fact_locs["vpc"] = attachment.fact_loc("vpc")


def _attach_nacl_subnets(graph: Graph) -> None:
    """A network ACL's subnets include those its associations name."""
    for association in graph.of_kind("ec2.network_acl_association"):
        subnet = association.fact("subnet")
        if subnet is None:
            continue
        for acl in _resolved(graph, association.fact("network_acl"), "ec2.network_acl")[:1]:
            acl.facts["subnets"] = [*list_items(acl.fact("subnets")), subnet]
            acl.fact_locs.setdefault("subnets", association.location)


def _attach_route_tables(graph: Graph) -> None:
    """Which route table governs each subnet and VPC, and which separate routes
    belong to each table.

    A subnet's table is the one its explicit association names (Unknown when an
    association names a table the scan cannot see); otherwise the network code
    falls back to the VPC's `main_route_table`, chosen by a main route table
    association or by an aws_default_route_table.
    """
    for route in sorted(graph.of_kind("ec2.route"), key=lambda n: n.id):
        for table in _resolved(graph, route.fact("route_table"), "ec2.route_table")[:1]:
            table.facts.setdefault("route_resources", []).append(Ref(route.id))
    associations: dict[str, list[Node]] = {}
    subnets: dict[str, Node] = {}
    for assoc in sorted(graph.of_kind("ec2.route_table_association"), key=lambda n: n.id):
        for subnet in _resolved(graph, assoc.fact("subnet"), "ec2.subnet")[:1]:
            associations.setdefault(subnet.id, []).append(assoc)
            subnets[subnet.id] = subnet
    for subnet_id, assocs in associations.items():
        # AWS allows one association per subnet; with several (alternatives the scan
        # cannot tell apart) the first decides, unless one names an unseen table.
        tables = [graph.resolve(a.fact("route_table")) for a in assocs]
        subnet = subnets[subnet_id]
        first = tables[0]
        subnet.facts["route_table"] = (
            Ref(first.id) if first is not None and None not in tables
            else Unknown("an associated route table is not in the scan")
        )
        subnet.facts["route_table_from"] = Ref(assocs[0].id)
    mains = sorted(graph.of_kind("ec2.main_route_table_association"), key=lambda n: n.id)
    for assoc in mains:
        for vpc in _resolved(graph, assoc.fact("vpc"), "ec2.vpc")[:1]:
            if "main_route_table" in vpc.facts:
                continue
            main = graph.resolve(assoc.fact("route_table"))
            vpc.facts["main_route_table"] = (
                Ref(main.id) if main is not None
                else Unknown("the main route table is not in the scan")
            )
            vpc.facts["main_route_table_from"] = Ref(assoc.id)
    for table in sorted(graph.of_kind("ec2.route_table"), key=lambda n: n.id):
        for vpc in _resolved(graph, table.fact("main_for_vpc"), "ec2.vpc")[:1]:
            vpc.facts.setdefault("main_route_table", Ref(table.id))
