"""multi-az rules over hand-built graphs."""

from __future__ import annotations

from linter.facts import Route
from linter.model import UNKNOWN
from rules.multi_az import (
    AuroraClusterSingleInstance,
    AutoScalingGroupSingleAz,
    EfsOneZone,
    ElastiCacheNoFailover,
    LoadBalancerSingleAz,
    MqSingleInstance,
    OpenSearchNoZoneAwareness,
    RdsInstanceNotMultiAz,
    SingleNatGatewayManyAzs,
)
from tests.test_rules_support import graph, loc, node, ref, run


def test_rds_instance_multi_az() -> None:
    bad = node("aws_db_instance.a", "rds.instance", 3, facts={"engine": "postgres"})
    off = node("aws_db_instance.b", "rds.instance", facts={"engine": "mysql", "multi_az": False},
               fact_lines={"multi_az": 9})
    good = node("aws_db_instance.c", "rds.instance", facts={"engine": "mysql", "multi_az": True})
    unknown = node("aws_db_instance.d", "rds.instance", facts={"multi_az": UNKNOWN})
    member = node("aws_rds_cluster_instance.m", "rds.instance", facts={
        "engine": "aurora-mysql", "cluster": ref("aws_rds_cluster.c")})
    express = node("aws_db_instance.e", "rds.instance", facts={"engine": "sqlserver-ex"})
    found = run(RdsInstanceNotMultiAz, graph(bad, off, good, unknown, member, express))
    assert [(f.address, f.location.start_line) for f in found] == [
        ("aws_db_instance.a", 3), ("aws_db_instance.b", 9)]
    assert found[0].message == "RDS instance aws_db_instance.a (postgres) is single-AZ: " \
        "Multi-AZ is not set"


def test_aurora_cluster_counts_members() -> None:
    cluster = node("aws_rds_cluster.c", "rds.cluster", facts={"engine": "aurora-postgresql"})
    m0 = node("aws_rds_cluster_instance.m[0]", "rds.instance", facts={"cluster": ref(cluster)})
    m1 = node("aws_rds_cluster_instance.m[1]", "rds.instance", facts={"cluster": ref(cluster)})
    [f] = run(AuroraClusterSingleInstance, graph(cluster, m0))
    assert "has 1 instance (aws_rds_cluster_instance.m[0])" in f.message
    assert run(AuroraClusterSingleInstance, graph(cluster, m0, m1)) == []
    serverless = node("aws_rds_cluster.s", "rds.cluster", facts={"engine_mode": "serverless"})
    multi_az_cluster = node("aws_rds_cluster.p", "rds.cluster", facts={"engine": "postgres"})
    assert run(AuroraClusterSingleInstance, graph(serverless, multi_az_cluster)) == []


def test_elasticache_replication_group() -> None:
    bad = node("aws_elasticache_replication_group.r", "elasticache.replication_group", facts={
        "num_nodes": 1, "automatic_failover": False}, fact_lines={"automatic_failover": 6})
    good = node("aws_elasticache_replication_group.g", "elasticache.replication_group", facts={
        "num_nodes": 2, "automatic_failover": True, "multi_az": True})
    [f] = run(ElastiCacheNoFailover, graph(bad, good))
    assert f.address.endswith(".r") and "has 1 node" in f.message
    assert "automatic failover is false" in f.message and "Multi-AZ is not set" in f.message


def test_elasticache_failover_on_without_multi_az_is_not_said_to_be_unable() -> None:
    """With automatic failover and two nodes the group can fail over: only Multi-AZ is off."""
    rg = node("aws_elasticache_replication_group.r", "elasticache.replication_group", facts={
        "num_nodes": 2, "automatic_failover": True})
    [f] = run(ElastiCacheNoFailover, graph(rg))
    assert "cannot fail over" not in f.message
    assert "may not survive an AZ failure" in f.message and "Multi-AZ is not set" in f.message
    one = node("aws_elasticache_replication_group.o", "elasticache.replication_group", facts={
        "num_nodes": 1, "automatic_failover": True})
    [f] = run(ElastiCacheNoFailover, graph(one))
    assert "cannot fail over" in f.message


def test_aurora_cluster_without_instances_in_the_code() -> None:
    """Instances may live outside the template: never "has 0 instances"."""
    cluster = node("aws_rds_cluster.c", "rds.cluster", facts={"engine": "aurora-mysql"})
    [f] = run(AuroraClusterSingleInstance, graph(cluster))
    assert "0 instances" not in f.message
    assert "has no DB instance in the scanned code" in f.message


def subnet(name: str, zone) -> object:
    return node(f"aws_subnet.{name}", "ec2.subnet", facts={"availability_zone": zone})


def test_asg_and_lb_single_az() -> None:
    a, a2, b = subnet("a", "us-east-1a"), subnet("a2", "us-east-1a"), subnet("b", "us-east-1b")
    one = node("aws_autoscaling_group.one", "autoscaling.group", facts={
        "subnets": [ref(a), ref(a2)]}, fact_lines={"subnets": 4})
    two = node("aws_autoscaling_group.two", "autoscaling.group",
               facts={"subnets": [ref(a), ref(b)]})
    zones = node("aws_autoscaling_group.z", "autoscaling.group", facts={
        "availability_zones": ["us-east-1c"]})
    unknown = node("aws_autoscaling_group.u", "autoscaling.group", facts={"subnets": UNKNOWN})
    found = run(AutoScalingGroupSingleAz, graph(a, a2, b, one, two, zones, unknown))
    assert [f.address for f in found] == ["aws_autoscaling_group.one", "aws_autoscaling_group.z"]
    assert "2 subnets all sit in us-east-1a" in found[0].message
    lb = node("aws_lb.web", "elb.load_balancer", facts={"subnets": [ref(b)]})
    [f] = run(LoadBalancerSingleAz, graph(a, b, lb))
    assert "only subnet is in us-east-1b" in f.message


def test_single_unknown_zone_subnet_is_still_one_az() -> None:
    u = subnet("u", UNKNOWN)
    lb = node("aws_lb.web", "elb.load_balancer", facts={"subnets": [ref(u)]})
    [f] = run(LoadBalancerSingleAz, graph(u, lb))
    assert "single subnet" in f.message


def test_mq_and_opensearch() -> None:
    single = node("aws_mq_broker.a", "mq.broker", facts={"deployment_mode": "SINGLE_INSTANCE"})
    unset = node("aws_mq_broker.b", "mq.broker")
    ha = node("aws_mq_broker.c", "mq.broker", facts={"deployment_mode": "ACTIVE_STANDBY_MULTI_AZ"})
    assert [f.address for f in run(MqSingleInstance, graph(single, unset, ha))] == [
        "aws_mq_broker.a", "aws_mq_broker.b"]
    lone = node("aws_opensearch_domain.a", "opensearch.domain", facts={"instance_count": 1})
    za = node("aws_opensearch_domain.b", "opensearch.domain", facts={
        "instance_count": 3, "zone_awareness": True})
    nz = node("aws_opensearch_domain.c", "opensearch.domain", facts={
        "instance_count": 3, "zone_awareness": False})
    found = run(OpenSearchNoZoneAwareness, graph(lone, za, nz))
    assert [f.address for f in found] == ["aws_opensearch_domain.a", "aws_opensearch_domain.c"]


def _nat_network(zones: tuple[str, str], associated: int = 2):
    """A NAT gateway routed to by subnets in `zones` (fresh nodes: linking writes to them)."""
    nat = node("aws_nat_gateway.this", "ec2.nat_gateway")
    table = node("aws_route_table.private", "ec2.route_table", facts={
        "routes": [Route("0.0.0.0/0", ref(nat), "nat", loc(3))]})
    a, b = subnet("a", zones[0]), subnet("b", zones[1])
    assoc = [
        node(f"aws_route_table_association.{s.address[-1]}", "ec2.route_table_association",
             facts={"subnet": ref(s), "route_table": ref(table)})
        for s in (a, b)
    ]
    return graph(nat, table, a, b, *assoc[:associated])


def test_single_nat_gateway_for_two_azs() -> None:
    [f] = run(SingleNatGatewayManyAzs, _nat_network(("eu-west-1a", "eu-west-1b")))
    assert "2 AZs (eu-west-1a, eu-west-1b);" in f.message
    [f] = run(SingleNatGatewayManyAzs, _nat_network(("${GetAZs}[0]", "${GetAZs}[1]")))
    assert "in 2 AZs; an outage" in f.message
    assert run(SingleNatGatewayManyAzs, _nat_network(("${GetAZs}[0]", "${GetAZs}[1]"), 1)) == []


def test_efs_one_zone() -> None:
    one = node("aws_efs_file_system.a", "efs.file_system",
               facts={"availability_zone": "us-east-1a"})
    regional = node("aws_efs_file_system.b", "efs.file_system")
    [f] = run(EfsOneZone, graph(one, regional))
    assert f.address == "aws_efs_file_system.a"


def test_choice_multi_az_reports_branch() -> None:
    from linter.model import Choice

    db = node("Db", "rds.instance", facts={"engine": "mysql", "multi_az": Choice(
        [("when condition Ha is true", True), ("when condition Ha is false", None)])})
    [f] = run(RdsInstanceNotMultiAz, graph(db))
    assert f.message.endswith("Multi-AZ is not set (when condition Ha is false)")
