"""The fact spec: every normalized kind and fact, and where each language writes it.

This table is the one truth about resource types. For each kind it says which
Terraform, CloudFormation and IAM types become it and, for each fact, the
Terraform attribute path, the CloudFormation property path, the converter, and
the value when nothing is written (AWS's default, or none). Both adapters fill
facts from it through `fill()`, so the same resource yields the same facts in
either language. Hand code remains only for shapes a row cannot express; such
facts are declared here as `Shaped` (ingress rules, routes, block devices,
policies, encryption blocks), facts that linking.py computes across nodes as
`Linked`. `facts.py` holds the value types; `describe()` renders this table
(`python -m linter.fact_spec`), and a test fails when an adapter produces a
kind or fact that is not declared here.

Paths are dotted (`cluster_config.instance_count`); `a|b` lists alternatives
(the first one written wins); `[]` takes a field of every item of a list
(`SubnetMappings[].SubnetId`). In Terraform a nested block is its first block.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field, replace
from typing import Any

from linter.convert import NOVALUE, lift, to_bool, to_int, to_list, to_lower, to_str
from linter.facts import PolicyDocument
from linter.model import Choice, Location, Node, Ref, Unknown


class _Absent:
    def __repr__(self) -> str:
        return "ABSENT"


#: Default meaning "no fact when nothing is written" (rules read it as None).
ABSENT: Any = _Absent()
#: A path step taking the rest of the path from every item of a list.
EACH = "[]"


@dataclass(frozen=True)
class Fresh:
    """A default that is a new Unknown per node (never one shared object, which
    would compare equal to itself across nodes)."""

    reason: str


@dataclass(frozen=True)
class Conv:
    """A converter from a written value to the fact's normalized value."""

    name: str
    fn: Callable[[Any], Any]

    def __call__(self, value: Any) -> Any:
        return self.fn(value)


BOOL = Conv("bool", to_bool)
INT = Conv("int", to_int)
STR = Conv("str", to_str)
LOWER = Conv("lower-case str", to_lower)
LIST = Conv("list", to_list)
INTS = Conv("list of int", lambda v: lift(lambda x: [to_int(i) for i in to_list(x)], v))
VALUE = Conv("value", lambda v: v)


def _internal_to_scheme(value: Any) -> Any:
    internal = to_bool(value)
    if internal is True:
        return "internal"
    if internal is False:
        return "internet-facing"
    return internal


def _kms_encrypted(value: Any) -> Any:
    """A Kinesis encryption type as "encrypted": KMS yes, NONE no."""
    return lift(lambda v: v == "kms" if v in ("kms", "none") else Unknown(
        f"encryption type {v!r}"), to_lower(value))


#: Kinesis' `encryption_type`/`EncryptionType` ("KMS"|"NONE") as a flag.
KMS_ENCRYPTED = Conv("KMS|NONE → bool", _kms_encrypted)

#: Terraform's `internal` flag as a load balancer scheme.
SCHEME_OF_INTERNAL = Conv("internal → scheme", _internal_to_scheme)


@dataclass(frozen=True)
class Src:
    """One place a fact may be written: a path, optionally its own converter (when
    the languages spell the value differently) and the native types it applies to."""

    path: tuple[str, ...]
    conv: Conv | None = None
    types: tuple[str, ...] = ()

    def text(self) -> str:
        return ".".join(self.path).replace(".[]", "[]")


SrcSpec = str | Src | tuple[Src, ...]


def _parse(spec: SrcSpec) -> tuple[Src, ...]:
    if isinstance(spec, Src):
        return (spec,)
    if isinstance(spec, tuple):
        return spec
    out = []
    for alt in spec.split("|") if spec else ():
        out.append(Src(tuple(alt.replace("[]", ".[]").split("."))))
    return tuple(out)


@dataclass(frozen=True)
class Fact:
    """A fact copied from one written value (the first alternative written)."""

    name: str
    conv: Conv
    tf: tuple[Src, ...] = ()
    cfn: tuple[Src, ...] = ()
    default: Any = ABSENT
    #: Terraform: prefer the resource an expression names (`aws_s3_bucket.b.bucket`
    #: is a known string, but the fact should say which bucket) - top-level paths only.
    ref: bool = False
    doc: str = ""

    def sources(self, language: str) -> tuple[Src, ...]:
        return self.tf if language == "terraform" else self.cfn if language == (
            "cloudformation") else ()


def fact(name: str, conv: Conv, tf: SrcSpec = "", cfn: SrcSpec = "", *, default: Any = ABSENT,
         ref: bool = False, doc: str = "") -> Fact:
    return Fact(name, conv, _parse(tf), _parse(cfn), default, ref, doc)


def ref(name: str, tf: SrcSpec = "", cfn: SrcSpec = "", *, doc: str = "") -> Fact:
    """A fact naming another resource (a Ref when it is in the scan)."""
    return fact(name, VALUE, tf, cfn, ref=True, doc=doc or "Ref|str")


def refs(name: str, tf: SrcSpec = "", cfn: SrcSpec = "", *, doc: str = "") -> Fact:
    """A list of other resources (one written value becomes a one-item list)."""
    return fact(name, LIST, tf, cfn, ref=True, doc=doc or "list of Ref|str")


@dataclass(frozen=True)
class Derived:
    """A fact computed by one shared function from several written values (each
    read like a Fact, None when not written)."""

    name: str
    inputs: tuple[Fact, ...]
    compute: Callable[..., Any]
    default: Any = ABSENT
    doc: str = ""


@dataclass(frozen=True)
class Shaped:
    """A fact whose shape a row cannot express, filled by hand code in every
    adapter that produces the kind (helpers shared in linter/convert.py)."""

    name: str
    doc: str


@dataclass(frozen=True)
class Linked:
    """A fact linking.py sets from other nodes, the same way for every language."""

    name: str
    doc: str


Row = Fact | Derived | Shaped | Linked


@dataclass(frozen=True)
class Target:
    """What a separate policy or configuration resource configures: linking.py
    resolves the fact, records the resolved targets in the resource's `targets`
    and the resource in each target's `attached`. (Network associations have
    their own linking: see the `Linked` rows of subnets, VPCs and route tables.)"""

    fact: str
    kind: str
    role: str


@dataclass(frozen=True)
class KindSpec:
    kind: str
    doc: str
    terraform: tuple[str, ...] = ()
    cloudformation: tuple[str, ...] = ()
    iam: tuple[str, ...] = ()
    rows: tuple[Row, ...] = ()
    #: A separate resource: the facts that name what it configures.
    targets: tuple[Target, ...] = ()
    #: The kind a resource policy on this kind governs (PolicyDocument.governs).
    governs: str | None = None
    #: How a related location names a node of this kind ("launch template").
    noun: str = ""

    def row(self, name: str) -> Row | None:
        return next((r for r in self.rows if r.name == name), None)


def kind(name: str, doc: str, *rows: Row, tf: tuple[str, ...] = (),
         cfn: tuple[str, ...] = (), iam: tuple[str, ...] = (),
         targets: tuple[Target, ...] = (), governs: str | None = None,
         noun: str = "") -> KindSpec:
    return KindSpec(name, doc, tf, cfn, iam, rows, targets, governs, noun)


def governed(name: str, doc: str, *rows: Row, tf: tuple[str, ...] = (),
             cfn: tuple[str, ...] = (), noun: str = "") -> KindSpec:
    """A resource whose resource policies - written in it, or separate resources
    linking attaches to it - govern it."""
    return kind(name, doc, *rows, POLICIES, ATTACHED, tf=tf, cfn=cfn, governs=name, noun=noun)


def policy_for(name: str, doc: str, target: Fact, target_kind: str, role: str, *,
               tf: tuple[str, ...] = (), cfn: tuple[str, ...] = (), noun: str = "") -> KindSpec:
    """A policy written as its own resource: `target` names the resource it governs."""
    return kind(name, doc, target, POLICIES, TARGETS, tf=tf, cfn=cfn,
                targets=(Target(target.name, target_kind, role),), governs=target_kind,
                noun=noun)


# --------------------------------------------------------------------------- shared rows

POLICIES = Shaped("policies", "list[PolicyDocument] (policy documents written on the "
                  "resource; Terraform policies.py, CloudFormation cfn_kinds.py)")
MANAGED_ARNS = Shaped("managed_policy_arns", "list[tuple[str|Unknown, Location]] "
                      "(managed policies attached to it)")
ATTACHED = Linked("attached", "list[Ref] (separate resources that configure it: policies, "
                  "encryption configuration)")
TARGETS = Linked("targets", "list[tuple[Ref, role]] (the resolved resources it configures)")
AZ = fact("availability_zone", VALUE, "availability_zone", "AvailabilityZone",
          doc="str|Unknown (when written)")
SUBNET_IDS = fact("subnets", LIST, "subnet_ids", "SubnetIds|Subnets", doc="list (subnet Refs/ids)")


def _principals(tf: tuple[str, str, str], cfn: tuple[str, str, str]) -> tuple[Fact, ...]:
    """The roles, users and groups a policy or attachment gives its permissions to."""
    return tuple(refs(name, t, c) for name, t, c in zip(("roles", "users", "groups"), tf, cfn,
                                                        strict=True))


#: Managed policy (CloudFormation lists its principals), inline policy, attachment.
MANAGED_PRINCIPALS = _principals(("", "", ""), ("Roles", "Users", "Groups"))
INLINE_PRINCIPALS = _principals(("role", "user", "group"),
                                ("Roles|RoleName", "Users|UserName", "Groups|GroupName"))
ATTACHED_PRINCIPALS = _principals(("role|roles", "user|users", "group|groups"), ("", "", ""))
PRINCIPALS = (Target("roles", "iam.role", "role"), Target("users", "iam.user", "user"),
              Target("groups", "iam.group", "group"))

BLOCK_DEVICES = Shaped("block_devices", "list[BlockDevice] (a root volume no mapping declares "
                       "is an item with `declared` False; none for a launch template that "
                       "names no AMI or an instance launched from a template)")
#: The IAM Identity Center permission set a separate policy or attachment configures.
PERMISSION_SET = ref("permission_set", "permission_set_arn", "")
PERMISSION_SET_TARGET = Target("permission_set", "sso.permission_set", "permission set")

#: Facts any node may carry, whatever its kind (or none).
COMMON: tuple[Shaped, ...] = (
    Shaped("references", "list[Ref] (CloudFormation: everything it names - Ref, GetAtt, Sub, "
           "DependsOn - so graph edges exist even when the value became a string)"),
    Shaped("condition", "str (CloudFormation: the undecided Condition it exists under)"),
    Shaped("count_unknown", "True (Terraform: from a count/for_each that could not be "
           "evaluated)"),
    Shaped("default_tags_from", "str (Terraform: the provider whose default_tags it inherits, "
           "\"provider.aws.west\")"),
)


def _ipv6_block(amazon: Any, ipv6_block: Any, ipv4_block: Any) -> Any:
    """Whether a VPC CIDR block association adds IPv6: an Amazon-provided block or any
    IPv6 block/pool does; one that writes only an IPv4 block does not; an
    aws_vpc_ipv6_cidr_block_association (no IPv4 field) always does."""
    if amazon is True or ipv6_block is not None:
        return True
    if isinstance(amazon, Unknown):  # a Choice included: may
        return amazon
    return not (amazon is False or ipv4_block is not None)


def _cache_nodes(clusters: Any, replicas: Any, group_replicas: Any, primary: Any,
                 shards: Any) -> Any:
    """Nodes per shard of a replication group (primary + replicas): what failover needs."""
    if clusters is not None:
        return clusters
    if replicas is not None:
        return lift(lambda r: r + 1, replicas)
    if group_replicas is not None:
        counts = group_replicas if isinstance(group_replicas, list) else []
        if counts and all(isinstance(c, int) and not isinstance(c, bool) for c in counts):
            return min(counts) + 1
        return Unknown("replica counts of the node groups")
    if primary is not None:
        return Unknown("members declared separately")
    if shards is not None:
        return 1  # replicas per node group default to 0
    return None


# --------------------------------------------------------------------------- the table

SPEC: tuple[KindSpec, ...] = (
    # ------------------------------------------------------------ network
    kind("ec2.security_group", "A security group and its inline rules.",
         Shaped("ingress", "list[IngressRule] (inline ingress rules)"),
         ref("vpc", "vpc_id", "VpcId"),
         tf=("aws_security_group", "aws_default_security_group"),
         cfn=("AWS::EC2::SecurityGroup",), noun="security group"),
    kind("ec2.security_group_rule", "A standalone security group rule (egress rules carry no "
         "ingress).",
         Shaped("ingress", "list[IngressRule] (one, or none for an egress rule)"),
         ref("security_group", "security_group_id", "GroupId|GroupName"),
         tf=("aws_security_group_rule", "aws_vpc_security_group_ingress_rule",
             "aws_vpc_security_group_egress_rule"),
         cfn=("AWS::EC2::SecurityGroupIngress", "AWS::EC2::SecurityGroupEgress"),
         noun="security group rule"),
    kind("ec2.network_acl", "A network ACL and its inline entries.",
         Shaped("nacl_ingress", "list[NaclEntry] (inline inbound entries)"),
         fact("subnets", LIST, "subnet_ids", doc="list (also from network ACL associations, "
              "by linking)"),
         ref("vpc", "vpc_id", "VpcId"),
         tf=("aws_network_acl", "aws_default_network_acl"), cfn=("AWS::EC2::NetworkAcl",),
         noun="network ACL"),
    kind("ec2.network_acl_rule", "A standalone network ACL entry.",
         Shaped("nacl_ingress", "list[NaclEntry] (one, or none for an egress entry)"),
         ref("network_acl", "network_acl_id", "NetworkAclId"),
         tf=("aws_network_acl_rule",), cfn=("AWS::EC2::NetworkAclEntry",),
         noun="network ACL rule"),
    kind("ec2.network_acl_association", "Puts a subnet under a network ACL (linking adds "
         "the subnet to the ACL's `subnets`).",
         ref("subnet", "subnet_id", "SubnetId"),
         ref("network_acl", "network_acl_id", "NetworkAclId"),
         tf=("aws_network_acl_association",), cfn=("AWS::EC2::SubnetNetworkAclAssociation",),
         noun="network ACL association"),
    kind("ec2.vpc", "A VPC.",
         fact("cidr_block", STR, "cidr_block", "CidrBlock", doc="str"),
         fact("ipv6_generated", BOOL, "assign_generated_ipv6_cidr_block",
              doc="bool|Unknown (Terraform only: CloudFormation adds IPv6 with an "
                  "AWS::EC2::VPCCidrBlock, kind ec2.vpc_cidr_block)"),
         fact("ipv6_cidr", VALUE, "ipv6_cidr_block|ipv6_ipam_pool_id",
              doc="str|Unknown (Terraform only: an IPv6 block or IPAM pool written on "
                  "the VPC)"),
         Linked("main_route_table", "Ref|Unknown (its main route table, from a main route "
                "table association or an aws_default_route_table)"),
         Linked("main_route_table_from", "Ref (the main route table association that chose it)"),
         tf=("aws_vpc", "aws_default_vpc"), cfn=("AWS::EC2::VPC",), noun="VPC"),
    kind("ec2.subnet", "A subnet.",
         ref("vpc", "vpc_id", "VpcId"),
         fact("availability_zone", VALUE, "availability_zone|availability_zone_id",
              "AvailabilityZone|AvailabilityZoneId", default=Fresh("chosen by AWS"),
              doc="str|Unknown (CloudFormation `!Select [i, !GetAZs '']` is the symbolic "
                  "\"Fn::GetAZs[i]\", equal only to the same index of the same region)"),
         fact("map_public_ip", BOOL, "map_public_ip_on_launch", "MapPublicIpOnLaunch",
              doc="bool|Unknown"),
         Linked("route_table", "Ref|Unknown (the route table its explicit association names)"),
         Linked("route_table_from", "Ref (that route table association)"),
         tf=("aws_subnet", "aws_default_subnet"), cfn=("AWS::EC2::Subnet",), noun="subnet"),
    kind("ec2.internet_gateway", "An internet gateway.",
         ref("vpc", "vpc_id", doc="Ref|str (also from a gateway attachment, by linking)"),
         tf=("aws_internet_gateway",), cfn=("AWS::EC2::InternetGateway",),
         noun="internet gateway"),
    kind("ec2.vpc_cidr_block", "Adds a CIDR block to a VPC (network.vpc_may_have_ipv6 "
         "reads the IPv6 ones).",
         ref("vpc", "vpc_id", "VpcId"),
         Derived("ipv6", (
             fact("amazon", BOOL, cfn="AmazonProvidedIpv6CidrBlock"),
             fact("ipv6_block", VALUE, cfn="Ipv6CidrBlock|Ipv6Pool|Ipv6IpamPoolId"),
             fact("ipv4_block", VALUE, cfn="CidrBlock|Ipv4IpamPoolId"),
         ), _ipv6_block,
             doc="bool|Unknown (true for aws_vpc_ipv6_cidr_block_association; an "
                 "AWS::EC2::VPCCidrBlock with only an IPv4 block is false)"),
         tf=("aws_vpc_ipv6_cidr_block_association",), cfn=("AWS::EC2::VPCCidrBlock",),
         noun="VPC CIDR block"),
    kind("ec2.vpc_gateway_attachment", "Attaches an internet gateway to a VPC (linking "
         "gives the gateway its `vpc`).",
         ref("vpc", "vpc_id", "VpcId"),
         ref("internet_gateway", "internet_gateway_id", "InternetGatewayId"),
         tf=("aws_internet_gateway_attachment",), cfn=("AWS::EC2::VPCGatewayAttachment",),
         noun="gateway attachment"),
    kind("ec2.nat_gateway", "A NAT gateway.",
         ref("subnet", "subnet_id", "SubnetId"),
         fact("connectivity", LOWER, "connectivity_type", "ConnectivityType",
              default="public", doc="\"public\"|\"private\" (AWS default public)"),
         tf=("aws_nat_gateway",), cfn=("AWS::EC2::NatGateway",), noun="NAT gateway"),
    kind("ec2.route_table", "A route table and its inline routes.",
         ref("vpc", "vpc_id", "VpcId"),
         Shaped("routes", "list[Route] (inline routes)"),
         ref("main_for_vpc", "default_route_table_id",
             doc="Ref|str (aws_default_route_table: the VPC it is the main table of)"),
         Linked("route_resources", "list[Ref] (separate ec2.route resources that add to it)"),
         tf=("aws_route_table", "aws_default_route_table"), cfn=("AWS::EC2::RouteTable",),
         noun="route table"),
    kind("ec2.route", "One route written as its own resource.",
         ref("route_table", "route_table_id", "RouteTableId"),
         Shaped("routes", "list[Route] (one)"),
         tf=("aws_route",), cfn=("AWS::EC2::Route",), noun="route"),
    kind("ec2.route_table_association", "Puts a subnet under a route table.",
         ref("subnet", "subnet_id", "SubnetId"), ref("route_table", "route_table_id",
                                                     "RouteTableId"),
         tf=("aws_route_table_association",), cfn=("AWS::EC2::SubnetRouteTableAssociation",),
         noun="route table association"),
    kind("ec2.main_route_table_association", "Makes a route table the VPC's main one.",
         ref("vpc", "vpc_id"), ref("route_table", "route_table_id"),
         tf=("aws_main_route_table_association",), noun="main route table association"),
    governed("ec2.vpc_endpoint", "A VPC endpoint (its endpoint policy only filters what "
             "passes through it).", ref("vpc", "vpc_id", "VpcId"),
             tf=("aws_vpc_endpoint",), cfn=("AWS::EC2::VPCEndpoint",), noun="VPC endpoint"),
    policy_for("ec2.vpc_endpoint_policy", "A VPC endpoint's policy as its own resource.",
               ref("vpc_endpoint", "vpc_endpoint_id"), "ec2.vpc_endpoint", "VPC endpoint",
               tf=("aws_vpc_endpoint_policy",), noun="VPC endpoint policy"),
    # ------------------------------------------------------------ compute
    kind("ec2.instance", "An EC2 instance.",
         Shaped("subnets", "list (its subnet and those of its network interfaces; absent "
                "when none is written)"),
         BLOCK_DEVICES,
         fact("source_dest_check", BOOL, "source_dest_check", "SourceDestCheck",
              doc="bool|Unknown"),
         Shaped("public_ip", "bool|Unknown (Terraform associate_public_ip_address; "
                "CloudFormation any network interface's AssociatePublicIpAddress)"),
         AZ,
         tf=("aws_instance",), cfn=("AWS::EC2::Instance",), noun="instance"),
    kind("ec2.launch_template", "A launch template.",
         BLOCK_DEVICES,
         Shaped("subnets", "list (subnets of its network interfaces; absent when none)"),
         Shaped("public_ip", "bool|Unknown (any network interface's public IP flag)"),
         tf=("aws_launch_template",), cfn=("AWS::EC2::LaunchTemplate",),
         noun="launch template"),
    kind("ec2.launch_configuration", "A launch configuration.",
         BLOCK_DEVICES,
         fact("public_ip", BOOL, "associate_public_ip_address", "AssociatePublicIpAddress",
              doc="bool|Unknown"),
         tf=("aws_launch_configuration",), cfn=("AWS::AutoScaling::LaunchConfiguration",),
         noun="launch configuration"),
    kind("ec2.volume", "An EBS volume.",
         fact("encrypted", BOOL, "encrypted", "Encrypted", doc="bool|Unknown"), AZ,
         tf=("aws_ebs_volume",), cfn=("AWS::EC2::Volume",), noun="EBS volume"),
    kind("ec2.ebs_encryption_by_default", "The account's EBS encryption-by-default switch.",
         fact("enabled", BOOL, "enabled", default=True, doc="bool|Unknown (default true)"),
         tf=("aws_ebs_encryption_by_default",)),
    kind("autoscaling.group", "An auto scaling group.",
         fact("subnets", LIST, "vpc_zone_identifier", "VPCZoneIdentifier", doc="list"),
         fact("availability_zones", LIST, "availability_zones", "AvailabilityZones",
              doc="list"),
         ref("launch",
             "launch_template.id|launch_template.name|launch_configuration|"
             "mixed_instances_policy.launch_template.launch_template_specification."
             "launch_template_id|mixed_instances_policy.launch_template."
             "launch_template_specification.launch_template_name",
             "LaunchTemplate.LaunchTemplateId|LaunchTemplate.LaunchTemplateName|"
             "LaunchConfigurationName|MixedInstancesPolicy.LaunchTemplate."
             "LaunchTemplateSpecification.LaunchTemplateId|MixedInstancesPolicy.LaunchTemplate."
             "LaunchTemplateSpecification.LaunchTemplateName|InstanceId",
             doc="Ref|str (launch template, launch configuration or instance)"),
         fact("min_size", INT, "min_size", "MinSize", doc="int|Unknown"),
         tf=("aws_autoscaling_group",), cfn=("AWS::AutoScaling::AutoScalingGroup",),
         noun="auto scaling group"),
    kind("lambda.function", "A Lambda function (SAM functions carry the policies SAM would "
         "give their generated role).",
         fact("subnets", LIST, "vpc_config.subnet_ids", "VpcConfig.SubnetIds", doc="list"),
         ref("role", "role", "Role"),
         POLICIES, MANAGED_ARNS,
         tf=("aws_lambda_function",),
         cfn=("AWS::Lambda::Function", "AWS::Serverless::Function"), noun="function"),
    kind("lambda.permission", "A Lambda layer permission.",
         tf=("aws_lambda_layer_version_permission",),
         cfn=("AWS::Lambda::LayerVersionPermission",)),
    kind("lambda.layer_version", "A Lambda layer version.",
         tf=("aws_lambda_layer_version",),
         cfn=("AWS::Lambda::LayerVersion", "AWS::Serverless::LayerVersion")),
    kind("stepfunctions.state_machine", "A Step Functions state machine.",
         ref("role", "role_arn", "RoleArn|Role"), POLICIES, MANAGED_ARNS,
         tf=("aws_sfn_state_machine",),
         cfn=("AWS::StepFunctions::StateMachine", "AWS::Serverless::StateMachine"),
         noun="state machine"),
    kind("serverless.application", "A nested SAM application.",
         cfn=("AWS::Serverless::Application",)),
    kind("serverless.connector", "A SAM connector.", cfn=("AWS::Serverless::Connector",)),
    kind("appsync.graphql_api", "An AppSync GraphQL API.",
         tf=("aws_appsync_graphql_api",),
         cfn=("AWS::AppSync::GraphQLApi", "AWS::Serverless::GraphQLApi")),
    kind("apigateway.http_api", "An API Gateway HTTP/WebSocket API.",
         tf=("aws_apigatewayv2_api",),
         cfn=("AWS::ApiGatewayV2::Api", "AWS::Serverless::HttpApi")),
    # ------------------------------------------------------------ load balancers
    kind("elb.load_balancer", "An application, network or gateway load balancer.",
         fact("subnets", LIST, "subnets|subnet_mapping[].subnet_id",
              "Subnets|SubnetMappings[].SubnetId", doc="list (subnet mappings included)"),
         fact("scheme", LOWER, Src(("internal",), SCHEME_OF_INTERNAL), "Scheme",
              default="internet-facing", doc="\"internal\"|\"internet-facing\" (AWS default "
              "internet-facing)"),
         fact("lb_type", LOWER, "load_balancer_type", "Type", default="application",
              doc="\"application\"|\"network\"|\"gateway\" (default application)"),
         tf=("aws_lb", "aws_alb"), cfn=("AWS::ElasticLoadBalancingV2::LoadBalancer",),
         noun="load balancer"),
    kind("elb.classic_load_balancer", "A classic load balancer.",
         fact("subnets", LIST, "subnets", "Subnets", doc="list"),
         fact("availability_zones", LIST, "availability_zones", "AvailabilityZones",
              doc="list"),
         fact("scheme", LOWER, Src(("internal",), SCHEME_OF_INTERNAL), "Scheme",
              default="internet-facing", doc="\"internal\"|\"internet-facing\" (AWS default "
              "internet-facing)"),
         tf=("aws_elb",), cfn=("AWS::ElasticLoadBalancing::LoadBalancer",),
         noun="load balancer"),
    # ------------------------------------------------------------ data stores
    kind("rds.instance", "An RDS DB instance (an Aurora member when `cluster` is set).",
         fact("engine", LOWER, "engine", "Engine", doc="str|Unknown"),
         fact("multi_az", BOOL, "multi_az", "MultiAZ", doc="bool|Unknown"),
         ref("cluster", Src(("cluster_identifier",), types=("aws_rds_cluster_instance",)),
             "DBClusterIdentifier", doc="Ref|str (Aurora member)"),
         ref("subnet_group", "db_subnet_group_name", "DBSubnetGroupName"),
         fact("publicly_accessible", BOOL, "publicly_accessible", "PubliclyAccessible",
              doc="bool|Unknown"),
         fact("storage_encrypted", BOOL, "storage_encrypted", "StorageEncrypted",
              doc="bool|Unknown"),
         ref("replica_of", "replicate_source_db", "SourceDBInstanceIdentifier",
             doc="Ref|str (a read replica: encryption and Multi-AZ come from elsewhere)"),
         ref("snapshot", "snapshot_identifier", "DBSnapshotIdentifier",
             doc="Ref|str (restored from a snapshot)"),
         fact("deletion_protection", BOOL, "deletion_protection", "DeletionProtection",
              default=False,
              doc="bool|Unknown (AWS default false; an Aurora member's cluster decides)"),
         AZ,
         tf=("aws_db_instance", "aws_rds_cluster_instance"), cfn=("AWS::RDS::DBInstance",),
         noun="DB instance"),
    kind("rds.cluster", "An RDS/Aurora DB cluster.",
         fact("engine", LOWER, "engine", "Engine", default="aurora",
              doc="str|Unknown (\"aurora\" when not written: the Terraform provider's former "
                  "default; CloudFormation requires it)"),
         fact("engine_mode", LOWER, "engine_mode", "EngineMode",
              doc="\"provisioned\"|\"serverless\"|…"),
         ref("subnet_group", "db_subnet_group_name", "DBSubnetGroupName"),
         fact("storage_encrypted", BOOL, "storage_encrypted", "StorageEncrypted",
              doc="bool|Unknown"),
         fact("publicly_accessible", BOOL, "publicly_accessible", "PubliclyAccessible",
              doc="bool|Unknown"),
         fact("instance_class", STR, "db_cluster_instance_class", "DBClusterInstanceClass",
              doc="str (Multi-AZ DB clusters)"),
         ref("replica_of", "replication_source_identifier", "SourceDBClusterIdentifier"),
         ref("snapshot", "snapshot_identifier", "SnapshotIdentifier"),
         tf=("aws_rds_cluster",), cfn=("AWS::RDS::DBCluster",), noun="DB cluster"),
    kind("rds.subnet_group", "An RDS subnet group.", SUBNET_IDS,
         tf=("aws_db_subnet_group",), cfn=("AWS::RDS::DBSubnetGroup",), noun="subnet group"),
    kind("docdb.cluster", "A DocumentDB cluster.",
         ref("subnet_group", "db_subnet_group_name", "DBSubnetGroupName"),
         fact("storage_encrypted", BOOL, "storage_encrypted", "StorageEncrypted",
              doc="bool|Unknown"),
         tf=("aws_docdb_cluster",), cfn=("AWS::DocDB::DBCluster",), noun="DocumentDB cluster"),
    kind("docdb.instance", "A DocumentDB instance.",
         ref("cluster", "cluster_identifier", "DBClusterIdentifier"),
         tf=("aws_docdb_cluster_instance",), cfn=("AWS::DocDB::DBInstance",)),
    kind("docdb.subnet_group", "A DocumentDB subnet group.", SUBNET_IDS,
         tf=("aws_docdb_subnet_group",), cfn=("AWS::DocDB::DBSubnetGroup",),
         noun="subnet group"),
    kind("neptune.cluster", "A Neptune cluster.",
         ref("subnet_group", "neptune_subnet_group_name", "DBSubnetGroupName"),
         fact("storage_encrypted", BOOL, "storage_encrypted", "StorageEncrypted",
              doc="bool|Unknown"),
         tf=("aws_neptune_cluster",), cfn=("AWS::Neptune::DBCluster",),
         noun="Neptune cluster"),
    kind("neptune.instance", "A Neptune instance.",
         ref("cluster", "cluster_identifier", "DBClusterIdentifier"),
         tf=("aws_neptune_cluster_instance",), cfn=("AWS::Neptune::DBInstance",)),
    kind("neptune.subnet_group", "A Neptune subnet group.", SUBNET_IDS,
         tf=("aws_neptune_subnet_group",), cfn=("AWS::Neptune::DBSubnetGroup",),
         noun="subnet group"),
    kind("elasticache.cluster", "An ElastiCache cache cluster.",
         fact("engine", LOWER, "engine", "Engine", doc="str|Unknown"),
         ref("subnet_group", "subnet_group_name", "CacheSubnetGroupName"),
         fact("num_nodes", INT, "num_cache_nodes", "NumCacheNodes", doc="int|Unknown"),
         fact("az_mode", LOWER, "az_mode", "AZMode", doc="\"single-az\"|\"cross-az\""),
         ref("replication_group", "replication_group_id", "ReplicationGroupId"),
         tf=("aws_elasticache_cluster",), cfn=("AWS::ElastiCache::CacheCluster",),
         noun="cache cluster"),
    kind("elasticache.replication_group", "An ElastiCache (Redis/Valkey) replication group.",
         fact("engine", LOWER, "engine", "Engine", default="redis",
              doc="str|Unknown (default redis)"),
         ref("subnet_group", "subnet_group_name", "CacheSubnetGroupName"),
         fact("automatic_failover", BOOL, "automatic_failover_enabled",
              "AutomaticFailoverEnabled", doc="bool|Unknown"),
         fact("multi_az", BOOL, "multi_az_enabled", "MultiAZEnabled", doc="bool|Unknown"),
         Derived("num_nodes", (
             fact("clusters", INT, "num_cache_clusters|number_cache_clusters",
                  "NumCacheClusters"),
             fact("replicas", INT, "replicas_per_node_group", "ReplicasPerNodeGroup"),
             fact("group_replicas", INTS, cfn="NodeGroupConfiguration[].ReplicaCount"),
             fact("primary", VALUE, cfn="PrimaryClusterId"),
             fact("shards", INT, "num_node_groups", "NumNodeGroups"),
         ), _cache_nodes, default=1,
             doc="int|Unknown (nodes per shard, primary included; 1 when nothing is "
                 "written: NumCacheClusters/num_cache_clusters default to 1)"),
         fact("at_rest_encryption", BOOL, "at_rest_encryption_enabled",
              "AtRestEncryptionEnabled", doc="bool|Unknown"),
         fact("transit_encryption", BOOL, "transit_encryption_enabled",
              "TransitEncryptionEnabled", doc="bool|Unknown"),
         tf=("aws_elasticache_replication_group",),
         cfn=("AWS::ElastiCache::ReplicationGroup",), noun="replication group"),
    kind("elasticache.subnet_group", "An ElastiCache subnet group.", SUBNET_IDS,
         tf=("aws_elasticache_subnet_group",), cfn=("AWS::ElastiCache::SubnetGroup",),
         noun="subnet group"),
    kind("redshift.cluster", "A Redshift cluster.",
         ref("subnet_group", "cluster_subnet_group_name", "ClusterSubnetGroupName"),
         fact("publicly_accessible", BOOL, "publicly_accessible", "PubliclyAccessible",
              doc="bool|Unknown"),
         fact("encrypted", BOOL, "encrypted", "Encrypted", doc="bool|Unknown"),
         fact("cluster_type", LOWER, "cluster_type", "ClusterType",
              doc="\"single-node\"|\"multi-node\""),
         fact("multi_az", BOOL, "multi_az", "MultiAZ", doc="bool|Unknown"),
         tf=("aws_redshift_cluster",), cfn=("AWS::Redshift::Cluster",),
         noun="Redshift cluster"),
    kind("redshift.subnet_group", "A Redshift subnet group.", SUBNET_IDS,
         tf=("aws_redshift_subnet_group",), cfn=("AWS::Redshift::ClusterSubnetGroup",),
         noun="subnet group"),
    kind("opensearch.domain", "An OpenSearch or Elasticsearch domain.",
         fact("subnets", LIST, "vpc_options.subnet_ids", "VPCOptions.SubnetIds",
              doc="list (VPC options)"),
         fact("zone_awareness", BOOL, "cluster_config.zone_awareness_enabled",
              "ClusterConfig.ZoneAwarenessEnabled|ElasticsearchClusterConfig."
              "ZoneAwarenessEnabled", doc="bool|Unknown"),
         fact("instance_count", INT, "cluster_config.instance_count",
              "ClusterConfig.InstanceCount|ElasticsearchClusterConfig.InstanceCount",
              default=1, doc="int|Unknown (AWS default 1)"),
         fact("encrypted", BOOL, "encrypt_at_rest.enabled", "EncryptionAtRestOptions.Enabled",
              doc="bool|Unknown"),
         POLICIES, ATTACHED,
         tf=("aws_opensearch_domain", "aws_elasticsearch_domain"),
         cfn=("AWS::OpenSearchService::Domain", "AWS::Elasticsearch::Domain"),
         governs="opensearch.domain", noun="domain"),
    policy_for("opensearch.domain_policy", "A domain's access policy as its own resource.",
               ref("domain", "domain_name"), "opensearch.domain", "domain",
               tf=("aws_opensearch_domain_policy", "aws_elasticsearch_domain_policy"),
               noun="domain policy"),
    kind("msk.cluster", "An MSK (Kafka) cluster.",
         fact("subnets", LIST, "broker_node_group_info.client_subnets",
              "BrokerNodeGroupInfo.ClientSubnets", doc="list (client subnets)"),
         fact("num_nodes", INT, "number_of_broker_nodes", "NumberOfBrokerNodes",
              doc="int|Unknown"),
         tf=("aws_msk_cluster",), cfn=("AWS::MSK::Cluster",), noun="MSK cluster"),
    kind("mq.broker", "An Amazon MQ broker.",
         fact("subnets", LIST, "subnet_ids", "SubnetIds", doc="list"),
         fact("deployment_mode", STR, "deployment_mode", "DeploymentMode",
              doc="str|Unknown (not written: SINGLE_INSTANCE, which rules say)"),
         fact("publicly_accessible", BOOL, "publicly_accessible", "PubliclyAccessible",
              doc="bool|Unknown"),
         tf=("aws_mq_broker",), cfn=("AWS::AmazonMQ::Broker",), noun="broker"),
    governed("efs.file_system", "An EFS file system.",
             fact("encrypted", BOOL, "encrypted", "Encrypted", doc="bool|Unknown"),
             fact("availability_zone", VALUE, "availability_zone_name", "AvailabilityZoneName",
                  doc="str|Unknown (One Zone storage when written)"),
             tf=("aws_efs_file_system",), cfn=("AWS::EFS::FileSystem",), noun="file system"),
    policy_for("efs.file_system_policy", "A file system policy as its own resource.",
               ref("file_system", "file_system_id"), "efs.file_system", "file system",
               tf=("aws_efs_file_system_policy",), noun="file system policy"),
    kind("efs.mount_target", "An EFS mount target.",
         ref("file_system", "file_system_id", "FileSystemId"), ref("subnet", "subnet_id",
                                                                   "SubnetId"),
         tf=("aws_efs_mount_target",), cfn=("AWS::EFS::MountTarget",)),
    kind("dax.cluster", "A DynamoDB Accelerator (DAX) cluster.",
         fact("encrypted", BOOL, "server_side_encryption.enabled",
              "SSESpecification.SSEEnabled", doc="bool|Unknown (AWS default false)"),
         tf=("aws_dax_cluster",), cfn=("AWS::DAX::Cluster",), noun="DAX cluster"),
    kind("kinesis.stream", "A Kinesis data stream.",
         fact("encrypted", KMS_ENCRYPTED, "encryption_type", "StreamEncryption.EncryptionType",
              doc="bool|Unknown (KMS true, NONE false; not written: not encrypted, the "
                  "AWS default)"),
         tf=("aws_kinesis_stream",), cfn=("AWS::Kinesis::Stream",), noun="stream"),
    kind("workspaces.workspace", "A WorkSpaces virtual desktop.",
         fact("root_volume_encrypted", BOOL, "root_volume_encryption_enabled",
              "RootVolumeEncryptionEnabled", doc="bool|Unknown (AWS default false)"),
         fact("user_volume_encrypted", BOOL, "user_volume_encryption_enabled",
              "UserVolumeEncryptionEnabled", doc="bool|Unknown (AWS default false)"),
         tf=("aws_workspaces_workspace",), cfn=("AWS::WorkSpaces::Workspace",),
         noun="WorkSpace"),
    kind("dynamodb.table", "A DynamoDB table.",
         fact("sse_enabled", BOOL, "server_side_encryption.enabled", "SSESpecification.SSEEnabled",
              doc="bool|Unknown"),
         tf=("aws_dynamodb_table",),
         cfn=("AWS::DynamoDB::Table", "AWS::Serverless::SimpleTable"), noun="table"),
    # ------------------------------------------------------------ S3
    governed("s3.bucket", "An S3 bucket.",
             Shaped("encryption", "Encryption (inline configuration)"),
             Linked("encryption_from", "Ref (the s3.bucket_encryption its encryption came "
                    "from)"),
             tf=("aws_s3_bucket",), cfn=("AWS::S3::Bucket",), noun="bucket"),
    kind("s3.bucket_encryption", "A bucket's encryption configuration as its own resource "
         "(linking copies it onto the bucket).",
         ref("bucket", "bucket"), Shaped("encryption", "Encryption"), TARGETS,
         tf=("aws_s3_bucket_server_side_encryption_configuration",),
         targets=(Target("bucket", "s3.bucket", "bucket"),), noun="encryption configuration"),
    policy_for("s3.bucket_policy", "A bucket policy.", ref("bucket", "bucket", "Bucket"),
               "s3.bucket", "bucket", tf=("aws_s3_bucket_policy",),
               cfn=("AWS::S3::BucketPolicy",), noun="bucket policy"),
    kind("s3.access_point", "An S3 access point (its policy governs the access point).",
         ref("bucket", "bucket", "Bucket"), POLICIES, TARGETS,
         tf=("aws_s3_access_point",), cfn=("AWS::S3::AccessPoint",),
         targets=(Target("bucket", "s3.bucket", "bucket"),), governs="s3.access_point",
         noun="access point"),
    # ------------------------------------------------------------ queues, topics, keys, secrets
    governed("sqs.queue", "An SQS queue.", tf=("aws_sqs_queue",), cfn=("AWS::SQS::Queue",),
             noun="queue"),
    policy_for("sqs.queue_policy", "A queue policy.", refs("queues", "queue_url", "Queues|Queue"),
               "sqs.queue", "queue", tf=("aws_sqs_queue_policy",),
               cfn=("AWS::SQS::QueuePolicy", "AWS::SQS::QueueInlinePolicy"),
               noun="queue policy"),
    governed("sns.topic", "An SNS topic.", tf=("aws_sns_topic",), cfn=("AWS::SNS::Topic",),
             noun="topic"),
    policy_for("sns.topic_policy", "A topic policy.", refs("topics", "arn", "Topics|TopicArn"),
               "sns.topic", "topic", tf=("aws_sns_topic_policy",),
               cfn=("AWS::SNS::TopicPolicy", "AWS::SNS::TopicInlinePolicy"),
               noun="topic policy"),
    governed("kms.key", "A KMS key (its key policy is written inline).",
             fact("key_rotation", BOOL, "enable_key_rotation", "EnableKeyRotation",
                  doc="bool|Unknown"),
             tf=("aws_kms_key",), cfn=("AWS::KMS::Key", "AWS::KMS::ReplicaKey"), noun="key"),
    policy_for("kms.key_policy", "A key policy as its own resource (aws_kms_key_policy).",
               ref("key", "key_id"), "kms.key", "key", tf=("aws_kms_key_policy",),
               noun="key policy"),
    governed("secretsmanager.secret", "A Secrets Manager secret.",
             tf=("aws_secretsmanager_secret",), cfn=("AWS::SecretsManager::Secret",),
             noun="secret"),
    policy_for("secretsmanager.resource_policy", "A secret's resource policy.",
               ref("secret", "secret_arn", "SecretId"), "secretsmanager.secret", "secret",
               tf=("aws_secretsmanager_secret_policy",),
               cfn=("AWS::SecretsManager::ResourcePolicy",), noun="secret policy"),
    governed("ecr.repository", "An ECR repository (CloudFormation writes its policy inline).",
             tf=("aws_ecr_repository",), cfn=("AWS::ECR::Repository",), noun="repository"),
    policy_for("ecr.repository_policy", "A repository policy as its own resource.",
               ref("repository", "repository"), "ecr.repository", "repository",
               tf=("aws_ecr_repository_policy",), noun="repository policy"),
    governed("apigateway.rest_api", "An API Gateway REST API.",
             tf=("aws_api_gateway_rest_api",),
             cfn=("AWS::ApiGateway::RestApi", "AWS::Serverless::Api"), noun="REST API"),
    policy_for("apigateway.rest_api_policy", "A REST API's policy as its own resource.",
               ref("rest_api", "rest_api_id"), "apigateway.rest_api", "REST API",
               tf=("aws_api_gateway_rest_api_policy",), noun="REST API policy"),
    kind("logs.resource_policy", "A CloudWatch Logs resource policy.", POLICIES,
         tf=("aws_cloudwatch_log_resource_policy",), cfn=("AWS::Logs::ResourcePolicy",),
         governs="logs.resource_policy", noun="log resource policy"),
    governed("backup.vault", "A Backup vault (CloudFormation writes its policy inline).",
             tf=("aws_backup_vault",), cfn=("AWS::Backup::BackupVault",), noun="backup vault"),
    policy_for("backup.vault_policy", "A Backup vault policy as its own resource.",
               ref("vault", "backup_vault_name"), "backup.vault", "backup vault",
               tf=("aws_backup_vault_policy",), noun="vault policy"),
    governed("glacier.vault", "A Glacier vault.", tf=("aws_glacier_vault",), noun="vault"),
    governed("codeartifact.domain", "A CodeArtifact domain.",
             tf=("aws_codeartifact_domain",), cfn=("AWS::CodeArtifact::Domain",), noun="domain"),
    governed("codeartifact.repository", "A CodeArtifact repository.",
             tf=("aws_codeartifact_repository",), cfn=("AWS::CodeArtifact::Repository",),
             noun="repository"),
    kind("events.bus", "An EventBridge event bus.",
         tf=("aws_cloudwatch_event_bus",), cfn=("AWS::Events::EventBus",), noun="event bus"),
    kind("events.bus_policy", "An EventBridge event bus policy.", POLICIES,
         cfn=("AWS::Events::EventBusPolicy",), governs="events.bus", noun="event bus policy"),
    # ------------------------------------------------------------ IAM
    kind("iam.role", "An IAM role: trust policy, inline policies, managed policies.",
         POLICIES, MANAGED_ARNS, ATTACHED,
         tf=("aws_iam_role",), cfn=("AWS::IAM::Role",), iam=("iam_role_detail",),
         noun="role"),
    kind("iam.user", "An IAM user.", POLICIES, MANAGED_ARNS, ATTACHED,
         tf=("aws_iam_user",), cfn=("AWS::IAM::User",), iam=("iam_user_detail",), noun="user"),
    kind("iam.group", "An IAM group.", POLICIES, MANAGED_ARNS, ATTACHED,
         tf=("aws_iam_group",), cfn=("AWS::IAM::Group",), iam=("iam_group_detail",),
         noun="group"),
    kind("iam.managed_policy", "A customer managed policy (attached by roles/users/groups "
         "or attachments that name it).",
         POLICIES, *MANAGED_PRINCIPALS, TARGETS,
         tf=("aws_iam_policy",), cfn=("AWS::IAM::ManagedPolicy",),
         iam=("iam_managed_policy_detail",), targets=PRINCIPALS, noun="managed policy"),
    kind("iam.inline_policy", "An inline policy written as its own resource, embedded in the "
         "roles, users and groups it names.",
         POLICIES, *INLINE_PRINCIPALS, TARGETS,
         tf=("aws_iam_role_policy", "aws_iam_user_policy", "aws_iam_group_policy"),
         cfn=("AWS::IAM::Policy", "AWS::IAM::RolePolicy", "AWS::IAM::UserPolicy",
              "AWS::IAM::GroupPolicy"),
         targets=PRINCIPALS, noun="inline policy"),
    kind("iam.policy_attachment", "Attaches a managed policy to roles, users or groups.",
         *ATTACHED_PRINCIPALS, MANAGED_ARNS, TARGETS,
         tf=("aws_iam_role_policy_attachment", "aws_iam_user_policy_attachment",
             "aws_iam_group_policy_attachment", "aws_iam_policy_attachment"),
         targets=PRINCIPALS, noun="policy attachment"),
    kind("iam.instance_profile", "An instance profile.",
         tf=("aws_iam_instance_profile",), cfn=("AWS::IAM::InstanceProfile",),
         noun="instance profile"),
    kind("iam.policy_document", "A standalone policy document file.", POLICIES,
         iam=("iam_policy_document",), noun="policy document"),
    # ------------------------------------------------------------ IAM Identity Center
    kind("sso.permission_set", "An IAM Identity Center permission set: the inline policy and "
         "AWS managed policies written in it (CloudFormation), or attached by the separate "
         "resources below (Terraform).", POLICIES, MANAGED_ARNS, ATTACHED,
         tf=("aws_ssoadmin_permission_set",), cfn=("AWS::SSO::PermissionSet",),
         noun="permission set"),
    kind("sso.permission_set_inline_policy", "An IAM Identity Center permission set's "
         "inline policy.", PERMISSION_SET, POLICIES, TARGETS,
         tf=("aws_ssoadmin_permission_set_inline_policy",), targets=(PERMISSION_SET_TARGET,),
         noun="permission set policy"),
    kind("sso.managed_policy_attachment", "Attaches an AWS managed policy to an IAM Identity "
         "Center permission set.", PERMISSION_SET, MANAGED_ARNS, TARGETS,
         tf=("aws_ssoadmin_managed_policy_attachment",), targets=(PERMISSION_SET_TARGET,),
         noun="permission set attachment"),
)

BY_KIND: dict[str, KindSpec] = {k.kind: k for k in SPEC}


def _index(attr: str) -> dict[str, str]:
    out: dict[str, str] = {}
    for spec in SPEC:
        for native in getattr(spec, attr):
            if native in out:
                raise ValueError(f"{native} maps to {out[native]} and {spec.kind}")
            out[native] = spec.kind
    return out


TERRAFORM_KINDS = _index("terraform")
CLOUDFORMATION_KINDS = _index("cloudformation")


def kind_of(language: str, native_type: str) -> str | None:
    """The normalized kind of a native type, or None when no rule needs one."""
    table = TERRAFORM_KINDS if language == "terraform" else CLOUDFORMATION_KINDS
    return table.get(native_type)


def noun(kind_name: str | None, default: str = "") -> str:
    """How related locations name a node of this kind ("launch template")."""
    spec = BY_KIND.get(kind_name or "")
    return spec.noun if spec is not None and spec.noun else default


def declared(kind_name: str | None) -> set[str]:
    """Every fact a node of this kind may carry (the common ones included)."""
    names = {c.name for c in COMMON}
    spec = BY_KIND.get(kind_name or "")
    if spec is not None:
        names.update(r.name for r in spec.rows)
    return names


# --------------------------------------------------------------------------- filling


@dataclass
class Properties:
    """The written values of one resource as an adapter sees them.

    `root` is the evaluated attributes (Terraform) or Properties (CloudFormation);
    `blocks`: a key applied to a list takes its first item (Terraform nested
    blocks); `reference(name)`: the resource a top-level expression names, if any.
    """

    node: Node
    root: Any
    language: str
    blocks: bool = False
    reference: Callable[[str], Any] | None = None
    _walked: dict[tuple[str, ...], tuple[Any, tuple[Any, ...]]] = field(
        default_factory=dict, init=False, repr=False)

    def walk(self, path: tuple[str, ...]) -> tuple[Any, tuple[Any, ...]]:
        """(value, the concrete attribute path with list indexes); value None when
        not written, an Unknown when an enclosing value is unknown."""
        if path not in self._walked:
            self._walked[path] = self._walk(self.root, path, ())
        return self._walked[path]

    def _walk(self, value: Any, path: tuple[str, ...],
              where: tuple[Any, ...]) -> tuple[Any, tuple[Any, ...]]:
        for i, key in enumerate(path):
            if value is NOVALUE or value is None:
                return None, where
            if isinstance(value, Choice):
                return Unknown("inside an undecided value"), where
            if isinstance(value, Unknown):
                return value, where
            if key == EACH:
                items = []
                for n, item in enumerate(value if isinstance(value, list) else [value]):
                    found, _ = self._walk(item, path[i + 1:], (*where, n))
                    if found is not None and found is not NOVALUE:
                        items.append(found)
                return (items if items else None), where
            if isinstance(value, list) and self.blocks:
                first = next(((n, v) for n, v in enumerate(value) if isinstance(v, dict)), None)
                if first is None:
                    return None, where
                where = (*where, first[0])
                value = first[1]
            if not isinstance(value, dict):
                return None, where
            value = value.get(key)
            where = (*where, key)
        return (None if value is NOVALUE else value), where

    def location(self, where: tuple[Any, ...]) -> Location:
        return self.node.attr_loc(*where)


def _read(props: Properties, row: Fact) -> tuple[bool, Any, Location | None]:
    """(written, converted value, where) for one row; where it would be written (the
    nearest enclosing block that is written) when it is not."""
    sources = [s for s in row.sources(props.language)
               if not s.types or props.node.native_type in s.types]
    for src in sources:
        value, where = props.walk(src.path)
        if value is None:
            continue
        if (row.ref and props.reference is not None and len(src.path) == 1
                and not isinstance(value, Ref)):
            named = props.reference(src.path[0])
            value = named if named is not None else value
        if isinstance(value, Ref) and type(value) is not Ref:
            value = Ref(value.target, value.attr)
        return True, (src.conv or row.conv)(value), props.location(where)
    for src in sources:
        for end in range(len(src.path) - 1, 0, -1):
            if EACH in src.path[:end]:
                continue
            value, where = props.walk(src.path[:end])
            if value is None:
                continue
            if props.blocks and isinstance(value, list):  # a block: where its first is
                first = next((n for n, v in enumerate(value) if isinstance(v, dict)), None)
                where = where if first is None else (*where, first)
            return False, None, props.location(where)
    return False, None, None


def _default(value: Any) -> Any:
    return Unknown(value.reason) if isinstance(value, Fresh) else value


def _set(node: Node, name: str, written: bool, value: Any, loc: Location | None,
         default: Any) -> None:
    if written:
        node.facts[name] = value
    elif default is not ABSENT:
        node.facts[name] = _default(default)
    if loc is not None:
        node.fact_locs[name] = loc


def fill(node: Node, props: Properties) -> None:
    """Fill every table fact of the node's kind from its written values."""
    spec = BY_KIND.get(node.kind or "")
    if spec is None:
        return
    for row in spec.rows:
        if isinstance(row, Fact):
            written, value, loc = _read(props, row)
            _set(node, row.name, written, value, loc, row.default)
        elif isinstance(row, Derived):
            args: dict[str, Any] = {}
            first: tuple[bool, Location | None] | None = None
            for item in row.inputs:
                written, value, loc = _read(props, item)
                args[item.name] = value if written else None
                if written and (first is None or not first[0]):
                    first = (True, loc)
                elif first is None and loc is not None:
                    first = (False, loc)
            value = row.compute(**args)
            _set(node, row.name, value is not None, value,
                 first[1] if first is not None else None, row.default)


def finish(node: Node) -> None:
    """After the hand code: a kind that carries policies has a (maybe empty) list of
    them, each resource policy marked with the kind it governs."""
    spec = BY_KIND.get(node.kind or "")
    if spec is None:
        return
    if spec.row("policies") is not None:
        node.facts.setdefault("policies", [])
    docs = node.facts.get("policies")
    if spec.governs is None or not isinstance(docs, list):
        return
    node.facts["policies"] = [
        replace(d, governs=spec.governs)
        if isinstance(d, PolicyDocument) and d.policy_type == "resource" else d
        for d in docs
    ]


# --------------------------------------------------------------------------- documentation


def _cell(text: str) -> str:
    return text.replace("|", "\\|")


def _where(sources: tuple[Src, ...]) -> str:
    return " or ".join(
        f"`{s.text()}`" + "".join(f" ({x})" for x in (
            ", ".join(s.types), s.conv.name if s.conv else "") if x)
        for s in sources) or "-"


def describe() -> Iterator[str]:
    """The vocabulary as markdown (docs/facts.md): each kind, its types, its facts."""
    yield "# Fact vocabulary"
    yield ""
    yield "Generated from `linter/fact_spec.py` by `python -m linter.fact_spec`; do not edit."
    yield ""
    yield "Facts any node may carry: " + "; ".join(f"`{c.name}` {c.doc}" for c in COMMON) + "."
    for spec in SPEC:
        yield ""
        yield f"## {spec.kind}"
        yield ""
        yield spec.doc
        natives = [*spec.terraform, *spec.cloudformation, *spec.iam]
        yield ""
        yield "Types: " + ", ".join(f"`{n}`" for n in natives) + "."
        if spec.governs:
            yield f"Resource policies on it govern `{spec.governs}`."
        if spec.targets:
            yield "Configures: " + ", ".join(f"`{t.fact}` → `{t.kind}`" for t in spec.targets) \
                + " (attached by linking)."
        if not spec.rows:
            continue
        yield ""
        yield "| fact | Terraform | CloudFormation | converter | not written | meaning |"
        yield "| --- | --- | --- | --- | --- | --- |"
        for row in spec.rows:
            if isinstance(row, Fact):
                dflt = "absent" if row.default is ABSENT else repr(_default(row.default))
                cells = [_where(row.tf), _where(row.cfn), row.conv.name, dflt, row.doc]
            elif isinstance(row, Derived):
                tf = ", ".join(_where(i.tf) for i in row.inputs if i.tf)
                cfn = ", ".join(_where(i.cfn) for i in row.inputs if i.cfn)
                dflt = "absent" if row.default is ABSENT else repr(row.default)
                cells = [f"from {tf}", f"from {cfn}", "computed", dflt, row.doc]
            elif isinstance(row, Shaped):
                cells = ["by hand", "by hand", "-", "absent", row.doc]
            else:
                cells = ["linking", "linking", "-", "absent", row.doc]
            yield f"| `{row.name}` | " + " | ".join(_cell(c) for c in cells) + " |"


if __name__ == "__main__":  # pragma: no cover - documentation helper
    sys.stdout.write("\n".join(describe()) + "\n")
