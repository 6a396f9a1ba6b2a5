"""CloudFormation adapter: nodes, kinds, facts and where each fact is written."""

from __future__ import annotations

from pathlib import Path

import pytest

from linter.adapters import AdaptContext
from linter.adapters.cloudformation import adapt
from linter.config import Config
from linter.facts import BlockDevice, Encryption, IngressRule, Route
from linter.loaders.cloudformation import CfnTemplate, load_cloudformation
from linter.model import Graph, Node, Ref, Source, is_known
from tests.conftest import FIXTURES, linked

CFN = FIXTURES / "cloudformation"


def line_of(path: Path, needle: str) -> int:
    for number, text in enumerate(path.read_text().splitlines(), 1):
        if needle in text:
            return number
    raise AssertionError(f"{needle!r} not in {path}")


def build(path: Path, **ctx: object) -> dict[str, Node]:
    doc = load_cloudformation(str(path), path.read_bytes())
    assert isinstance(doc, CfnTemplate)
    result = adapt([doc], AdaptContext(config=Config(), root=str(path.parent), **ctx))
    assert result.errors == []
    return linked(result.nodes)


def build_text(tmp_path: Path, text: str, **ctx: object) -> dict[str, Node]:
    path = tmp_path / "template.yaml"
    path.write_text(text)
    return build(path, **ctx)


@pytest.fixture(scope="module")
def network() -> dict[str, Node]:
    return build(CFN / "network.yaml")


@pytest.fixture(scope="module")
def iam() -> dict[str, Node]:
    return build(CFN / "iam.json")


def test_one_node_per_resource_with_ids_and_kinds(network: dict[str, Node]) -> None:
    path = str(CFN / "network.yaml")
    sg = network["WebSG"]
    assert sg.id == f"{path}::WebSG"
    assert sg.source is Source.CLOUDFORMATION
    assert sg.native_type == "AWS::EC2::SecurityGroup"
    assert sg.origin == path
    kinds = {a: n.kind for a, n in network.items()}
    assert kinds["WebSG"] == "ec2.security_group"
    assert kinds["DbIngress"] == "ec2.security_group_rule"
    assert kinds["DefaultRoute"] == "ec2.route"
    assert kinds["PublicAssociation"] == "ec2.route_table_association"
    assert kinds["Igw"] == "ec2.internet_gateway"
    assert kinds["Web"] == "ec2.instance"
    assert kinds["Data"] == "ec2.volume"
    assert kinds["Db"] == "rds.instance"
    assert kinds["DbSubnets"] == "rds.subnet_group"
    assert kinds["Logs"] == kinds["Plain"] == "s3.bucket"
    assert kinds["Param"] is None  # unmapped types are still nodes
    assert len(network) == 16


def test_node_location_is_the_resource_block(network: dict[str, Node]) -> None:
    path = CFN / "network.yaml"
    loc = network["Db"].location
    assert loc.start_line == line_of(path, "  Db:")
    assert loc.end_line == line_of(path, "      Tags: []")


def test_inline_ingress_rules_are_normalized_and_located(network: dict[str, Node]) -> None:
    path = CFN / "network.yaml"
    rules = network["WebSG"].fact("ingress")
    assert all(isinstance(r, IngressRule) for r in rules)
    # The parameter default resolves; IpProtocol 6 is tcp; string ports become ints;
    # NoValue removes the last entry; a security-group source carries no CIDR.
    ssh, https, all_from_sg = rules
    assert (ssh.protocol, ssh.from_port, ssh.to_port, ssh.sources) == ("tcp", 22, 22,
                                                                        ("0.0.0.0/0",))
    assert ssh.location.start_line == line_of(path, "CidrIp: !Ref AdminCidr")
    assert (https.protocol, https.from_port, https.sources) == ("tcp", 443, ("::/0",))
    assert https.location.start_line == line_of(path, "CidrIpv6: ::/0")
    assert (all_from_sg.protocol, all_from_sg.from_port, all_from_sg.sources) == ("-1", -1, ())


def test_standalone_ingress_resource(network: dict[str, Node]) -> None:
    node = network["DbIngress"]
    (rule,) = node.fact("ingress")
    assert (rule.protocol, rule.from_port, rule.to_port) == ("udp", 53, 53)
    assert node.fact("security_group") == Ref(network["WebSG"].id)
    assert rule.location.start_line == line_of(CFN / "network.yaml", "CidrIp: 10.0.0.0/8")


def test_routes_associations_and_gateway_vpc(network: dict[str, Node]) -> None:
    (route,) = network["DefaultRoute"].fact("routes")
    assert isinstance(route, Route)
    assert route.destination == "0.0.0.0/0"
    assert route.target == Ref(network["Igw"].id)
    assert route.target_type == "gateway"
    assert network["DefaultRoute"].fact("route_table") == Ref(network["PublicRouteTable"].id)
    assoc = network["PublicAssociation"]
    assert assoc.fact("subnet") == Ref(network["PublicSubnet"].id)
    # The gateway's VPC comes from its VPCGatewayAttachment.
    assert network["Igw"].fact("vpc") == Ref(network["Vpc"].id)
    subnet = network["PublicSubnet"]
    assert subnet.fact("map_public_ip") is True
    assert subnet.fact("availability_zone") == "Fn::GetAZs[0]"


def test_instance_facts(network: dict[str, Node]) -> None:
    path = CFN / "network.yaml"
    web = network["Web"]
    assert web.fact("subnets") == [Ref(network["PublicSubnet"].id)]
    assert web.fact("source_dest_check") is False
    devices = web.fact("block_devices")
    assert [d.name for d in devices] == ["/dev/xvda", "/dev/xvdb"]  # ephemeral skipped
    assert all(isinstance(d, BlockDevice) for d in devices)
    assert devices[0].encrypted is False
    assert devices[0].location.start_line == line_of(path, "Encrypted: false")
    assert devices[1].encrypted is None
    assert network["Data"].fact("encrypted") is True
    assert network["Data"].fact_loc("encrypted").start_line == line_of(path, "Encrypted: true")


def test_bucket_encryption(network: dict[str, Node]) -> None:
    path = CFN / "network.yaml"
    enc = network["Logs"].fact("encryption")
    assert isinstance(enc, Encryption)
    assert (enc.algorithm, enc.kms_key) == ("aws:kms", "alias/logs")
    assert enc.location.start_line == line_of(path, "SSEAlgorithm: aws:kms")
    assert network["Plain"].fact("encryption") is None
    assert network["Plain"].fact_loc("encryption") == network["Plain"].location


def test_database_facts(network: dict[str, Node]) -> None:
    db = network["Db"]
    assert db.fact("engine") == "mysql"
    assert db.fact("multi_az") is False
    assert db.fact("publicly_accessible") is True
    assert db.fact("storage_encrypted") is None
    assert db.fact_loc("storage_encrypted") == db.location  # missing: the header
    assert db.fact("subnet_group") == Ref(network["DbSubnets"].id)
    assert network["DbSubnets"].fact("subnets") == [Ref(network["PublicSubnet"].id)]


def test_tags_and_taggability(network: dict[str, Node]) -> None:
    path = CFN / "network.yaml"
    sg = network["WebSG"]
    assert sg.taggable is True
    assert sg.tags == {"Name": "dev-web", "Team": "platform"}  # Fn::Sub resolved
    assert sg.fact_locs["tags"].start_line == line_of(path, "      Tags:")
    assert sg.fact_locs["tags.Team"].start_line == line_of(path, "- Key: Team")
    assert network["Db"].tags == {}
    assert network["Plain"].tags is None and network["Plain"].taggable is True
    # Types whose schema says they take no tags.
    assert network["DbIngress"].taggable is False
    assert network["DefaultRoute"].taggable is False
    # A map-shaped Tags property (AWS::SSM::Parameter).
    assert network["Param"].tags == {"Owner": "me"}


def test_references_become_graph_edges(network: dict[str, Node]) -> None:
    graph = Graph()
    for node in network.values():
        graph.add(node)
    graph.connect_refs()
    assert network["Vpc"] in graph.references(network["WebSG"])
    # DependsOn and GetAtt count as references too.
    assert network["IgwAttachment"] in graph.references(network["DefaultRoute"])
    assert network["Web"] in graph.references(network["Data"])


def test_iam_policies_from_a_json_template(iam: dict[str, Node]) -> None:
    path = CFN / "iam.json"
    role = iam["AppRole"]
    assert role.kind == "iam.role"
    trust, inline = role.fact("policies")
    assert (trust.policy_type, trust.name) == ("trust", "AssumeRolePolicyDocument")
    assert trust.statements[0].principals == {"Service": ("lambda.amazonaws.com",)}
    assert (inline.policy_type, inline.name) == ("identity", "inline policy 'everything'")
    (stmt,) = inline.statements
    assert stmt.sid == "AllOfS3" and stmt.actions == ("s3:*",)
    assert stmt.loc("Action").start_line == line_of(path, '"Action": "s3:*"')
    assert not is_known(stmt.resources[0])  # a Join over a Ref
    arns = role.fact("managed_policy_arns")
    assert [a for a, _ in arns] == [
        "arn:aws:iam::aws:policy/AdministratorAccess",
        "arn:aws:iam::aws:policy/ReadOnlyAccess",  # Fn::Sub with AWS::Partition
    ]
    assert arns[0][1].start_line == line_of(path, "policy/AdministratorAccess")


def test_resource_policies(iam: dict[str, Node]) -> None:
    policy = iam["BucketPolicy"]
    assert policy.kind == "s3.bucket_policy"
    assert policy.fact("bucket") == Ref(iam["Bucket"].id)
    (doc,) = policy.fact("policies")
    assert doc.policy_type == "resource"
    assert doc.statements[0].principals == {"*": ("*",)}
    key = iam["Key"]
    (kdoc,) = key.fact("policies")
    assert kdoc.statements[0].not_actions == ("kms:Decrypt",)
    managed = iam["Managed"]
    assert managed.kind == "iam.managed_policy"
    assert managed.fact("policies")[0].statements[0].actions == ("*",)
    assert managed.fact("roles") == [Ref(iam["AppRole"].id)]


def test_false_condition_removes_the_resource(tmp_path: Path) -> None:
    nodes = build_text(tmp_path, """
Conditions:
  Never: !Equals [a, b]
Resources:
  Kept:
    Type: AWS::S3::Bucket
  Gone:
    Type: AWS::S3::Bucket
    Condition: Never
  Policy:
    Type: AWS::S3::BucketPolicy
    Properties:
      Bucket: !If [Never, !Ref Gone, !Ref Kept]
      PolicyDocument: {Statement: []}
""")
    assert set(nodes) == {"Kept", "Policy"}
    assert nodes["Policy"].fact("bucket") == Ref(nodes["Kept"].id)


def test_protocol_names(tmp_path: Path) -> None:
    entries = "".join(
        f"        - {{IpProtocol: '{p}', FromPort: 1, ToPort: 2, CidrIp: 0.0.0.0/0}}\n"
        for p in ("-1", "all", "6", "17", "1", "58", "TCP", "50")
    )
    nodes = build_text(tmp_path, "Resources:\n  SG:\n    Type: AWS::EC2::SecurityGroup\n"
                       "    Properties:\n      SecurityGroupIngress:\n" + entries)
    rules = nodes["SG"].fact("ingress")
    assert [r.protocol for r in rules] == ["-1", "-1", "tcp", "udp", "icmp", "icmpv6", "tcp",
                                           "50"]
    assert [(r.from_port, r.to_port) for r in rules][:3] == [(-1, -1), (-1, -1), (1, 2)]
    assert (rules[-1].from_port, rules[-1].to_port) == (-1, -1)  # ESP: no ports


def test_replicas_and_restores_are_marked(tmp_path: Path) -> None:
    nodes = build_text(tmp_path, """
Resources:
  Primary:
    Type: AWS::RDS::DBInstance
    Properties: {Engine: mysql, DBInstanceClass: db.t3.micro}
  Replica:
    Type: AWS::RDS::DBInstance
    Properties: {SourceDBInstanceIdentifier: !Ref Primary, DBInstanceClass: db.t3.micro}
  Restored:
    Type: AWS::RDS::DBInstance
    Properties: {DBSnapshotIdentifier: snap-1, DBInstanceClass: db.t3.micro}
  Cluster:
    Type: AWS::RDS::DBCluster
    Properties: {Engine: aurora-mysql, SnapshotIdentifier: snap-2}
""")
    assert nodes["Replica"].fact("replica_of") == Ref(nodes["Primary"].id)
    assert nodes["Restored"].fact("snapshot") == "snap-1"
    assert nodes["Cluster"].fact("snapshot") == "snap-2"
    assert "replica_of" not in nodes["Primary"].facts
