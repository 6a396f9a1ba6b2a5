"""Every resource type of the six rule families maps to its kind and facts."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.adapters import AdaptContext
from linter.adapters.cloudformation import adapt
from linter.config import Config
from linter.facts import NaclEntry
from linter.loaders.cloudformation import CfnTemplate, load_cloudformation
from linter.model import Node, Ref, is_known
from tests.conftest import FIXTURES, linked

PATH = FIXTURES / "cloudformation" / "families.yaml"


def line_of(needle: str) -> int:
    for number, text in enumerate(PATH.read_text().splitlines(), 1):
        if needle in text:
            return number
    raise AssertionError(needle)


@pytest.fixture(scope="module")
def n() -> dict[str, Node]:
    doc = load_cloudformation(str(PATH), PATH.read_bytes())
    assert isinstance(doc, CfnTemplate)
    return linked(adapt([doc], AdaptContext(Config(), str(PATH.parent))).nodes)


def ref(n: dict[str, Node], name: str, attr: str | None = None) -> Ref:
    return Ref(n[name].id, attr)


def test_network_acl_entries(n: dict[str, Node]) -> None:
    (entry,) = n["AclSsh"].fact("nacl_ingress")
    assert isinstance(entry, NaclEntry)
    assert (entry.rule_number, entry.action, entry.protocol) == (100, "allow", "tcp")
    assert (entry.from_port, entry.to_port, entry.sources) == (22, 22, ("0.0.0.0/0",))
    assert entry.location.start_line == line_of("CidrBlock: 0.0.0.0/0")
    assert n["AclSsh"].fact("network_acl") == ref(n, "Acl")
    assert n["AclOut"].fact("nacl_ingress") == []  # egress entries are not ingress
    assert n["Acl"].kind == "ec2.network_acl"
    assert n["Acl"].fact("subnets") == ["subnet-1"]  # from the association
    assert n["Egress"].kind == "ec2.security_group_rule"
    assert n["Egress"].fact("ingress") == []  # an egress rule grants no ingress


def test_launch_templates_configurations_and_groups(n: dict[str, Node]) -> None:
    template = n["Template"]
    assert template.kind == "ec2.launch_template"
    (device,) = template.fact("block_devices")
    assert device.encrypted is True
    assert template.fact("subnets") == ["subnet-1"]
    assert template.fact("public_ip") is True
    config = n["Config"]
    assert config.kind == "ec2.launch_configuration"
    assert config.fact("block_devices")[0].encrypted is None
    assert config.fact("public_ip") is False
    group = n["Group"]
    assert group.kind == "autoscaling.group"
    assert group.fact("subnets") == ["subnet-1", "subnet-2"]
    assert group.fact("launch") == ref(n, "Template")
    assert group.fact("min_size") == 1
    assert group.tags == {"Name": "web"} and group.taggable


def test_load_balancers(n: dict[str, Node]) -> None:
    assert n["Alb"].kind == "elb.load_balancer"
    assert n["Alb"].fact("subnets") == ["subnet-1", "subnet-2"]
    assert n["Alb"].fact("scheme") == "internet-facing"
    assert n["Clb"].kind == "elb.classic_load_balancer"
    assert n["Clb"].fact("availability_zones") == ["us-east-1a"]


def test_caches(n: dict[str, Node]) -> None:
    redis = n["Redis"]
    assert redis.kind == "elasticache.replication_group"
    assert (redis.fact("num_nodes"), redis.fact("automatic_failover")) == (1, False)
    assert redis.fact("multi_az") is None
    assert redis.fact("at_rest_encryption") is False
    assert redis.fact_loc("at_rest_encryption").start_line == line_of(
        "AtRestEncryptionEnabled: false")
    assert redis.fact("subnet_group") == ref(n, "CacheSubnets")
    assert n["CacheSubnets"].fact("subnets") == ["subnet-1"]
    assert n["Memcached"].kind == "elasticache.cluster"
    assert n["Memcached"].fact("num_nodes") == 2


def test_warehouses_search_streams_brokers(n: dict[str, Node]) -> None:
    dw = n["Warehouse"]
    assert dw.kind == "redshift.cluster"
    assert (dw.fact("encrypted"), dw.fact("publicly_accessible")) == (False, True)
    search = n["Search"]
    assert search.kind == "opensearch.domain"
    assert (search.fact("instance_count"), search.fact("zone_awareness")) == (3, False)
    assert search.fact("subnets") == ["subnet-1"]
    (policy,) = search.fact("policies")
    assert policy.policy_type == "resource" and policy.statements[0].actions == ("es:*",)
    assert n["Kafka"].kind == "msk.cluster"
    assert n["Kafka"].fact("subnets") == ["subnet-1", "subnet-2"]
    broker = n["Broker"]
    assert broker.kind == "mq.broker"
    assert broker.fact("deployment_mode") == "SINGLE_INSTANCE"
    assert broker.fact("publicly_accessible") is False


def test_document_graph_file_and_table_stores(n: dict[str, Node]) -> None:
    assert n["Docs"].kind == "docdb.cluster"
    assert n["Docs"].fact("storage_encrypted") is False
    assert n["DocsMember"].fact("cluster") == ref(n, "Docs")
    assert n["Graph"].kind == "neptune.cluster"
    files = n["Files"]
    assert files.kind == "efs.file_system"
    assert (files.fact("encrypted"), files.fact("availability_zone")) == (False, "us-east-1a")
    assert n["Table"].kind == "dynamodb.table"
    assert n["Table"].fact("sse_enabled") is False
    member = n["AuroraMember"]
    assert member.fact("cluster") == ref(n, "Aurora")
    assert member.fact("engine") == "aurora-postgresql"


def test_iam_principals_and_resource_policies(n: dict[str, Node]) -> None:
    queue_policy = n["QueuePolicy"]
    assert queue_policy.kind == "sqs.queue_policy"
    assert queue_policy.fact("queues") == [ref(n, "Queue")]
    stmt = queue_policy.fact("policies")[0].statements[0]
    assert stmt.resources == (ref(n, "Queue", "Arn"),)
    assert n["TopicPolicy"].kind == "sns.topic_policy"
    group = n["Admins"]
    assert group.kind == "iam.group"
    assert [a for a, _ in group.fact("managed_policy_arns")] == [
        "arn:aws:iam::aws:policy/IAMFullAccess"]
    bob = n["Bob"]
    assert bob.kind == "iam.user"
    assert bob.fact("policies")[0].statements[0].actions == ("ec2:*",)
    policy = n["RolePolicy"]
    assert policy.kind == "iam.inline_policy"
    assert policy.fact("users") == [ref(n, "Bob")]
    doc = policy.fact("policies")[0]
    assert doc.name == "policy 'inline'"
    assert doc.statements[0].not_actions == ("iam:*",)


def test_every_node_is_known_by_id(n: dict[str, Node]) -> None:
    assert all(x.id.endswith(f"::{x.address}") for x in n.values())
    assert all(x.kind for x in n.values())
    assert not is_known(n["Group"].attrs["LaunchTemplate"]["Version"])


def test_more_resource_policies(tmp_path: Path) -> None:
    path = tmp_path / "t.yaml"
    path.write_text(text := """
Resources:
  Api:
    Type: AWS::ApiGateway::RestApi
    Properties:
      Name: api
      Policy:
        Statement: [{Effect: Allow, Principal: "*", Action: execute-api:Invoke, Resource: "*"}]
  Bus:
    Type: AWS::Events::EventBusPolicy
    Properties:
      StatementId: all
      Statement:
        Effect: Allow
        Principal: "*"
        Action: events:PutEvents
        Resource: "*"
  OldBus:
    Type: AWS::Events::EventBusPolicy
    Properties:
      StatementId: legacy
      Action: events:PutEvents
      Principal: "*"
  Logs:
    Type: AWS::Logs::ResourcePolicy
    Properties:
      PolicyName: p
      PolicyDocument: >-
        {"Statement": [{"Effect": "Allow", "Principal": {"Service": "x"},
        "Action": "logs:*", "Resource": "*"}]}
  RolePolicy:
    Type: AWS::IAM::RolePolicy
    Properties:
      RoleName: r
      PolicyName: inline
      PolicyDocument: {Statement: [{Effect: Allow, Action: "*", Resource: "*"}]}
""")
    doc = load_cloudformation(str(path), path.read_bytes())
    n = {x.address: x for x in adapt([doc], AdaptContext(Config(), str(tmp_path))).nodes}
    assert n["Api"].fact("policies")[0].statements[0].principals == {"*": ("*",)}
    bus = n["Bus"].fact("policies")[0].statements[0]
    assert bus.actions == ("events:PutEvents",) and bus.principals == {"*": ("*",)}
    lines = text.splitlines()
    assert lines[bus.loc("Action").start_line - 1].strip() == "Action: events:PutEvents"
    old = n["OldBus"].fact("policies")[0].statements[0]
    assert (old.sid, old.actions) == ("legacy", ("events:PutEvents",))
    assert lines[old.loc("Action").start_line - 1].strip() == "Action: events:PutEvents"
    assert old.loc("Action").start_line > bus.loc("Action").start_line
    assert n["Logs"].fact("policies")[0].statements[0].actions == ("logs:*",)
    role_policy = n["RolePolicy"]
    assert role_policy.kind == "iam.inline_policy" and role_policy.fact("roles") == ["r"]
    assert role_policy.fact("policies")[0].statements[0].actions == ("*",)
