"""No rule crashes on odd or unknown fact values: bad facts mean "no evidence", not a traceback."""

from __future__ import annotations

import itertools

import pytest

from linter.config import Config
from linter.facts import (
    BlockDevice,
    Encryption,
    IngressRule,
    NaclEntry,
    PolicyDocument,
    Route,
    Statement,
)
from linter.model import UNKNOWN, Ref
from rules import RULES
from tests.test_rules_support import graph, loc, node

KINDS = [
    "ec2.security_group", "ec2.security_group_rule", "ec2.network_acl", "ec2.network_acl_rule",
    "ec2.subnet", "ec2.route_table", "ec2.route", "ec2.route_table_association",
    "ec2.main_route_table_association", "ec2.instance", "ec2.launch_template",
    "ec2.launch_configuration", "ec2.volume", "ec2.ebs_encryption_by_default",
    "ec2.nat_gateway", "autoscaling.group", "rds.instance", "rds.cluster", "rds.subnet_group",
    "elasticache.replication_group", "elb.load_balancer", "mq.broker", "opensearch.domain",
    "efs.file_system", "dynamodb.table", "s3.bucket", "kms.key", "iam.inline_policy",
    "iam.managed_policy", "iam.policy_attachment", "kms.key_policy", "ec2.vpc",
    "ec2.vpc_gateway_attachment", "ec2.network_acl_association", "s3.bucket_policy",
    "s3.bucket_encryption",
]
FACTS = [
    "ingress", "nacl_ingress", "subnets", "subnet_group", "vpc", "routes", "route_table",
    "subnet", "main_for_vpc", "network_acl", "block_devices", "encrypted", "enabled",
    "engine", "engine_mode", "multi_az", "cluster", "publicly_accessible", "storage_encrypted",
    "num_nodes", "automatic_failover", "availability_zones", "availability_zone",
    "deployment_mode", "zone_awareness", "instance_count", "sse_enabled", "encryption",
    "policies", "managed_policy_arns", "launch", "source_dest_check", "at_rest_encryption",
    "replica_of", "snapshot", "main_route_table", "main_route_table_from", "route_table_from",
    "route_resources", "targets", "attached", "internet_gateway", "bucket", "roles", "key",
    "network_acl",
]
ODD_VALUES = [
    UNKNOWN, None, True, 0, "x", [], {}, [UNKNOWN], [None, 3, "s"], Ref("/scan::nowhere"),
    [IngressRule(UNKNOWN, UNKNOWN, UNKNOWN, (UNKNOWN,), loc(1)),
     IngressRule("tcp", 22, UNKNOWN, ("0.0.0.0/0",), loc(2))],
    [NaclEntry(UNKNOWN, UNKNOWN, "tcp", 22, 22, ("::/0",), loc(3)),
     NaclEntry(None, "allow", UNKNOWN, 0, 0, ("0.0.0.0/0",), loc(4))],
    [Route(UNKNOWN, UNKNOWN, "gateway", loc(5)), Route("0.0.0.0/0", "igw-1", "gateway", loc(6))],
    [BlockDevice("root", UNKNOWN, loc(7))],
    Encryption(UNKNOWN, loc(8)),
    [PolicyDocument("resource", "p", (Statement(
        None, "Allow", (UNKNOWN, "*"), (UNKNOWN,), ("*",), None, UNKNOWN, UNKNOWN, loc(9)),),
        loc(9))],
    [("arn:aws:iam::aws:policy/AdministratorAccess", None), "AdministratorAccess", UNKNOWN],
]


@pytest.mark.parametrize("value_index", range(len(ODD_VALUES)))
def test_rules_survive_odd_facts(value_index: int) -> None:
    value = ODD_VALUES[value_index]
    nodes = [
        node(f"r.n{i}", kind, facts=dict.fromkeys(FACTS, value),
             tags=value if isinstance(value, dict) or value is UNKNOWN else {"Tier": value},
             taggable=True)
        for i, kind in enumerate(KINDS)
    ]
    g = graph(*nodes)
    configs = [Config(), Config(required_tags=["Owner"], include_partial_wildcards=True,
                                tag_value_patterns={"Tier": "^a$"})]
    for rule, config in itertools.product(RULES, configs):
        list(rule().check(g, config))
