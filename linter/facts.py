"""The normalized vocabulary adapters write and rules read.

This module is the contract between the Terraform, CloudFormation and IAM
adapters on one side and the rules on the other: a rule never looks at
`node.native_type` or `node.source` to decide what something means. Values may
be Unknown (or Ref, an Unknown that names another node) anywhere; a rule treats
an Unknown as "no evidence".

Kinds and the facts each carries (all optional; absent means "not written"):

  ec2.security_group        ingress: list[IngressRule] (inline rules); vpc: Ref|str
  ec2.security_group_rule   ingress: list[IngressRule] (a standalone ingress rule
                            resource; egress rule resources carry none);
                            security_group: Ref|str
  ec2.network_acl           nacl_ingress: list[NaclEntry]; subnets: list
  ec2.network_acl_rule      nacl_ingress: list[NaclEntry]; network_acl: Ref|str
  ec2.vpc                   (none needed yet)
  ec2.subnet                vpc: Ref|str; availability_zone: str|Unknown;
                            map_public_ip: bool|Unknown|None
  ec2.internet_gateway      vpc: Ref|str
  ec2.nat_gateway           subnet: Ref|str
  ec2.route_table           vpc: Ref|str; routes: list[Route];
                            main_for_vpc: Ref|str (aws_default_route_table)
  ec2.route                 route_table: Ref|str; routes: list[Route] (one)
  ec2.route_table_association  subnet: Ref|str; route_table: Ref|str
  ec2.main_route_table_association  vpc: Ref|str; route_table: Ref|str
  ec2.instance              subnets: list (subnet ids/Refs); block_devices:
                            list[BlockDevice]; source_dest_check: bool|Unknown|None;
                            public_ip: bool|Unknown|None
  ec2.launch_template       block_devices: list[BlockDevice]; subnets: list
  ec2.launch_configuration  block_devices: list[BlockDevice]
  ec2.volume                encrypted: bool|Unknown|None
  ec2.ebs_encryption_by_default  enabled: bool|Unknown|None
  autoscaling.group         subnets: list; availability_zones: list;
                            launch: Ref|str|None (template or configuration)
  rds.instance              engine: str|Unknown|None; multi_az: bool|Unknown|None;
                            cluster: Ref|str|None (Aurora member);
                            subnet_group: Ref|str|None;
                            publicly_accessible: bool|Unknown|None;
                            storage_encrypted: bool|Unknown|None
  rds.cluster               engine; subnet_group; storage_encrypted; publicly_accessible
  rds.subnet_group          subnets: list
  elasticache.cluster       subnet_group; num_nodes: int|Unknown|None;
                            at_rest_encryption: bool|Unknown|None
  elasticache.replication_group  subnet_group; automatic_failover: bool|Unknown|None;
                            multi_az: bool|Unknown|None; num_nodes: int|Unknown|None;
                            at_rest_encryption: bool|Unknown|None
  elasticache.subnet_group  subnets: list
  s3.bucket                 encryption: Encryption|None (inline configuration)
  s3.bucket_encryption      bucket: Ref|str; encryption: Encryption
                            (aws_s3_bucket_server_side_encryption_configuration)
  iam.* and any node that carries policies (s3.bucket_policy, sqs.queue_policy,
  kms.key, lambda functions with SAM policies, standalone policy files):
                            policies: list[PolicyDocument]
                            managed_policy_arns: list[tuple[str|Unknown, Location]]

Every node also carries `tags`/`taggable` directly (see Node), not as facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from linter.model import Location, Unknown

Value = Any  # str | int | float | bool | None | list | dict | Unknown


@dataclass(frozen=True)
class IngressRule:
    """One inbound permission, normalized from either language.

    `protocol` is lower-case text: "tcp", "udp", "icmp", "icmpv6" or "-1" for all
    (numbers such as "6" are translated to names by the adapter when known).
    Ports are ints, -1 when the protocol carries no ports (all traffic), or Unknown.
    `sources` are CIDR strings (IPv4 and IPv6 together) or Unknown; security group
    and prefix-list sources are not CIDRs and are left out.
    """

    protocol: str | Unknown
    from_port: int | Unknown
    to_port: int | Unknown
    sources: tuple[str | Unknown, ...]
    location: Location
    description: str | Unknown | None = None


@dataclass(frozen=True)
class NaclEntry:
    """One network ACL entry that applies to inbound traffic."""

    rule_number: int | Unknown | None
    action: str | Unknown  # "allow" | "deny"
    protocol: str | Unknown
    from_port: int | Unknown
    to_port: int | Unknown
    sources: tuple[str | Unknown, ...]
    location: Location


@dataclass(frozen=True)
class Route:
    """A route: destination CIDR and what it points at.

    `target` is a Ref to the gateway node, or its literal id ("igw-0abc"), or
    Unknown. `target_type` is what the adapter could tell from the attribute
    name alone: "gateway" (gateway_id / GatewayId, which may be an internet or
    virtual private gateway), "nat", "instance", "transit", "peering",
    "endpoint", "egress_only", "other".
    """

    destination: str | Unknown
    target: Any
    target_type: str
    location: Location


@dataclass(frozen=True)
class BlockDevice:
    """An EBS block device attached to an instance or launch template.

    `encrypted` is True/False when written, None when not written, or Unknown.
    """

    name: str
    encrypted: bool | Unknown | None
    location: Location


@dataclass(frozen=True)
class Encryption:
    """A server-side encryption setting. `algorithm` None means not configured."""

    algorithm: str | Unknown | None
    location: Location
    kms_key: Any = None


@dataclass(frozen=True)
class Statement:
    """One IAM policy statement in a language-neutral form.

    List-valued fields hold strings or Unknowns; `None` means the key is absent
    (so `not_actions is None` distinguishes "Action" statements). `principals`
    maps principal type ("AWS", "Service", "Federated", "*") to values.
    `locations` maps "Action", "NotAction", "Resource", "Principal" to where
    that key's value is written, falling back to `location`.
    """

    sid: str | None
    effect: str | Unknown
    actions: tuple[Any, ...] | None
    not_actions: tuple[Any, ...] | None
    resources: tuple[Any, ...] | None
    not_resources: tuple[Any, ...] | None
    principals: dict[str, tuple[Any, ...]] | Unknown | None
    conditions: dict[str, Any] | Unknown | None
    location: Location
    locations: dict[str, Location] = field(default_factory=dict)
    index: int = 0

    def loc(self, key: str) -> Location:
        return self.locations.get(key, self.location)

    def label(self) -> str:
        return f"statement {self.sid!r}" if self.sid else f"statement #{self.index + 1}"


@dataclass(frozen=True)
class PolicyDocument:
    """A policy document attached to (or being) a node.

    `policy_type` is "identity", "resource" or "trust". `name` says which of
    the node's documents it is ("inline policy 'x'", "AssumeRolePolicyDocument",
    "policy"). `statements` is empty when the document itself is Unknown,
    in which case `unknown` is True.
    """

    policy_type: str
    name: str
    statements: tuple[Statement, ...]
    location: Location
    unknown: bool = False
