"""public-subnet rules and linter.network over hand-built graphs."""

from __future__ import annotations

from linter.config import Config
from linter.facts import Route
from linter.model import UNKNOWN, Severity
from linter.network import availability_zones, is_world, public_path, route_table_of
from rules.public_subnet import (
    DataStoreInPublicSubnet,
    InstanceInPublicSubnet,
    PubliclyAccessibleDataStore,
)
from tests.test_rules_support import graph, loc, node, ref, run


def vpc_with(target: str = "igw", *, inline: bool = True, associate: bool = True):
    """A VPC with one subnet whose route table sends 0.0.0.0/0 to `target`."""
    vpc = node("aws_vpc.main", "ec2.vpc")
    igw = node("aws_internet_gateway.gw", "ec2.internet_gateway", facts={"vpc": ref(vpc)})
    nat = node("aws_nat_gateway.nat", "ec2.nat_gateway")
    gateway = igw if target == "igw" else nat
    route = Route("0.0.0.0/0", ref(gateway), "gateway" if target == "igw" else "nat", loc(30))
    table = node("aws_route_table.public", "ec2.route_table", facts={
        "vpc": ref(vpc), **({"routes": [route]} if inline else {})})
    subnet = node("aws_subnet.a", "ec2.subnet", facts={
        "vpc": ref(vpc), "availability_zone": "eu-west-1a", "map_public_ip": True})
    nodes = [vpc, igw, nat, table, subnet]
    if not inline:
        nodes.append(node("aws_route.internet", "ec2.route", facts={
            "route_table": ref(table), "routes": [route]}))
    if associate:
        nodes.append(node("aws_route_table_association.a", "ec2.route_table_association",
                          facts={"subnet": ref(subnet), "route_table": ref(table)}))
    return nodes, subnet


def test_is_world() -> None:
    assert is_world("0.0.0.0/0") and is_world("::/0") and is_world("10.0.0.0/0")
    assert not is_world("10.0.0.0/8") and not is_world(UNKNOWN) and not is_world("bogus/0")


def test_explicit_association_and_separate_route() -> None:
    nodes, subnet = vpc_with(inline=False)
    g = graph(*nodes)
    path = public_path(g, subnet)
    assert path is not None
    assert path.route_table.address == "aws_route_table.public"
    assert path.gateway_label == "aws_internet_gateway.gw"


def test_nat_route_is_not_public() -> None:
    nodes, subnet = vpc_with("nat")
    assert public_path(graph(*nodes), subnet) is None


def test_main_route_table_used_without_association() -> None:
    nodes, subnet = vpc_with(associate=False)
    g = graph(*nodes)
    assert route_table_of(g, subnet) is None  # no main table declared: AWS's local-only one
    vpc, table = nodes[0], nodes[3]
    main = node("aws_main_route_table_association.m", "ec2.main_route_table_association",
                facts={"vpc": ref(vpc), "route_table": ref(table)})
    g = graph(*nodes, main)
    choice = route_table_of(g, subnet)
    assert choice is not None and choice.how == "main"
    assert "(the VPC's main route table)" in public_path(g, subnet).explain()


def test_default_route_table_is_main() -> None:
    nodes, subnet = vpc_with(associate=False)
    vpc = nodes[0]
    default = node("aws_default_route_table.d", "ec2.route_table", facts={
        "main_for_vpc": ref(vpc, "default_route_table_id"),
        "routes": [Route("::/0", ref(nodes[1]), "gateway", loc(40))]})
    path = public_path(graph(*nodes, default), subnet)
    assert path is not None and path.route_table is default


def test_instance_message_explains_the_path() -> None:
    nodes, subnet = vpc_with()
    inst = node("aws_instance.x", "ec2.instance", 50, facts={"subnets": [ref(subnet)]},
                fact_lines={"subnets": 52})
    [f] = run(InstanceInPublicSubnet, graph(*nodes, inst))
    assert f.message.startswith(
        "aws_instance.x is in subnet aws_subnet.a, whose route table aws_route_table.public "
        "routes 0.0.0.0/0 to aws_internet_gateway.gw"
    )
    assert "public IPs on launch" in f.message
    assert f.location.start_line == 52
    inst.facts["public_ip"] = True
    [f] = run(InstanceInPublicSubnet, graph(*nodes, inst))
    assert f.message.endswith("; the instance is given a public IP address")


def test_bastion_tag_and_nat_instance_are_exempt() -> None:
    nodes, subnet = vpc_with()
    bastion = node("aws_instance.bastion", "ec2.instance", facts={"subnets": [ref(subnet)]},
                   tags={"Tier": "Bastion"})
    nat = node("aws_instance.nat", "ec2.instance", facts={
        "subnets": [ref(subnet)], "source_dest_check": False})
    other = node("aws_instance.app", "ec2.instance", facts={"subnets": [ref(subnet)]},
                 tags={"Tier": "app"})
    found = run(InstanceInPublicSubnet, graph(*nodes, bastion, nat, other))
    assert [f.address for f in found] == ["aws_instance.app"]
    found = run(InstanceInPublicSubnet, graph(*nodes, bastion),
                Config(public_facing_tags={"Role": ["edge"]}))
    assert [f.address for f in found] == ["aws_instance.bastion"]


def test_asg_uses_launch_template_tags_and_subnets() -> None:
    nodes, subnet = vpc_with()
    lt = node("aws_launch_template.web", "ec2.launch_template")
    asg = node("aws_autoscaling_group.web", "autoscaling.group", facts={
        "subnets": [ref(subnet)], "launch": ref(lt)})
    [f] = run(InstanceInPublicSubnet, graph(*nodes, lt, asg))
    assert f.message.startswith("aws_autoscaling_group.web launches aws_launch_template.web into")
    lt.tags = {"Tier": "edge"}
    assert run(InstanceInPublicSubnet, graph(*nodes, lt, asg)) == []


def test_database_through_subnet_group_and_never_exempt() -> None:
    nodes, subnet = vpc_with()
    group = node("aws_db_subnet_group.db", "rds.subnet_group", facts={"subnets": [ref(subnet)]})
    db = node("aws_db_instance.db", "rds.instance", facts={"subnet_group": ref(group, "name")},
              tags={"Tier": "public"})
    member = node("aws_rds_cluster_instance.m", "rds.instance", facts={
        "subnet_group": ref(group, "name"), "cluster": ref("aws_rds_cluster.c")})
    [f] = run(DataStoreInPublicSubnet, graph(*nodes, group, db, member))
    assert f.address == "aws_db_instance.db"
    assert "subnet aws_subnet.a" in f.message


def test_private_database_not_reported() -> None:
    nodes, subnet = vpc_with("nat")
    group = node("aws_db_subnet_group.db", "rds.subnet_group", facts={"subnets": [ref(subnet)]})
    db = node("aws_db_instance.db", "rds.instance", facts={"subnet_group": ref(group)})
    assert run(DataStoreInPublicSubnet, graph(*nodes, group, db)) == []


def test_publicly_accessible() -> None:
    db = node("aws_db_instance.db", "rds.instance", facts={"publicly_accessible": True},
              fact_lines={"publicly_accessible": 7})
    off = node("aws_db_instance.off", "rds.instance", facts={"publicly_accessible": False})
    unknown = node("aws_db_instance.u", "rds.instance", facts={"publicly_accessible": UNKNOWN})
    [f] = run(PubliclyAccessibleDataStore, graph(db, off, unknown))
    assert f.address == "aws_db_instance.db" and f.location.start_line == 7
    assert f.severity is Severity.HIGH


def test_availability_zones_needs_every_subnet_known() -> None:
    a = node("aws_subnet.a", "ec2.subnet", facts={"availability_zone": "x-1a"})
    b = node("aws_subnet.b", "ec2.subnet", facts={"availability_zone": UNKNOWN})
    g = graph(a, b)
    assert availability_zones(g, [ref(a)]) == {"x-1a"}
    assert availability_zones(g, [ref(a), ref(b)]) is None


def test_conditional_resource_is_said_so() -> None:
    db = node("Database", "rds.instance", facts={"publicly_accessible": True,
                                                 "condition": "CreateDb"})
    [f] = run(PubliclyAccessibleDataStore, graph(db))
    assert f.message.endswith("(the resource exists only when condition CreateDb is true)")
