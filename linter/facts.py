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
  s3.bucket                 encryption: Encryption|None (inline configuration);
                            encryption_from: Ref (set by linking when the encryption
                            comes from a separate s3.bucket_encryption resource)
  s3.bucket_encryption      bucket: Ref|str; encryption: Encryption
                            (aws_s3_bucket_server_side_encryption_configuration)
  iam.* and any node that carries policies (s3.bucket_policy, sqs.queue_policy,
  kms.key, lambda functions with SAM policies, standalone policy files):
                            policies: list[PolicyDocument]
                            managed_policy_arns: list[tuple[str|Unknown, Location]]

  Added for the rule families of issue 5 (rules/ reads them; absent = not written):
  rds.cluster               engine_mode: str|Unknown|None ("provisioned", "serverless")
  rds.instance, rds.cluster replica_of: Ref|str|Unknown|None (replicate_source_db,
                            SourceDBInstanceIdentifier / SourceDBClusterIdentifier);
                            snapshot: Ref|str|Unknown|None (snapshot_identifier,
                            DBSnapshotIdentifier / SnapshotIdentifier): encryption and
                            Multi-AZ of replicas and restores come from elsewhere
  docdb.cluster, neptune.cluster  subnet_group; storage_encrypted
  docdb.subnet_group, neptune.subnet_group, redshift.subnet_group  subnets: list
  redshift.cluster          subnet_group; publicly_accessible; encrypted: bool|Unknown|None
  opensearch.domain         (aws_opensearch_domain, aws_elasticsearch_domain, AWS::OpenSearch
                            Service::Domain, AWS::Elasticsearch::Domain) subnets: list (VPC
                            options); zone_awareness: bool|Unknown|None;
                            instance_count: int|Unknown|None
  msk.cluster               subnets: list (client subnets)
  mq.broker                 subnets: list; deployment_mode: str|Unknown|None;
                            publicly_accessible
  elb.load_balancer         (aws_lb/aws_alb, ElasticLoadBalancingV2::LoadBalancer) subnets:
                            list (subnet_mapping / SubnetMappings included)
  elb.classic_load_balancer (aws_elb, ElasticLoadBalancing::LoadBalancer) subnets;
                            availability_zones: list
  efs.file_system           encrypted: bool|Unknown|None; availability_zone:
                            str|Unknown|None (One Zone storage when written)
  dynamodb.table            sse_enabled: bool|Unknown|None
  any node from a count/for_each that could not be evaluated: count_unknown: True
  fact_locs["tags"]         where the resource's own tags are written (absent when the
                            tags come only from defaults); fact_locs["tags.<Key>"] one tag
  any node whose tags inherit provider default_tags (Terraform): default_tags_from: str
                            (the provider, "provider.aws", "provider.aws.west");
                            fact_locs["default_tags"] where its tags are written,
                            fact_locs["default_tags.<Key>"] one key
  iam.role_policy / iam.user_policy / iam.group_policy, iam.policy_attachment (Terraform)
                            roles / users / groups: list (who gets the permissions)

  Added by the CloudFormation / IAM JSON adapters:
  ec2.vpc_gateway_attachment  vpc; internet_gateway: Ref|str (the gateway's `vpc`
                            fact is also filled from it)
  ec2.network_acl_association  subnet; network_acl (the ACL's `subnets` also get it)
  ec2.instance, ec2.volume, rds.instance  availability_zone: str|Unknown (when written)
  ec2.subnet (CloudFormation) availability_zone "Fn::GetAZs[i]" for `!Select [i, !GetAZs '']`:
                            a symbolic name, equal only to the same index of the same region
  ec2.nat_gateway           connectivity: "public"|"private" (when written)
  autoscaling.group         min_size: int|Unknown
  elb.load_balancer, elb.classic_load_balancer  scheme: "internal"|"internet-facing"
  rds.cluster               instance_class (Multi-AZ DB clusters)
  elasticache.cluster       engine; az_mode; replication_group
  elasticache.replication_group  engine; transit_encryption
  redshift.cluster          cluster_type; multi_az
  opensearch.domain         encrypted; policies (AccessPolicies)
  msk.cluster               num_nodes
  efs.file_system           policies (FileSystemPolicy); efs.mount_target: file_system; subnet
  docdb.instance, neptune.instance  cluster: Ref|str
  iam.role / iam.user / iam.group  policies (trust + inline), managed_policy_arns
  iam.policy (inline AWS::IAM::Policy), iam.managed_policy  policies; roles/users/groups
  s3.bucket_policy          bucket; sqs.queue_policy: queues; sns.topic_policy: topics;
  secretsmanager.resource_policy, s3.access_point, ecr.repository, apigateway.rest_api,
  logs.resource_policy, backup.vault, codeartifact.domain/repository, events.bus_policy
                            policies (resource); iam.policy also from AWS::IAM::Role/User/
                            GroupPolicy; kms.key also from AWS::KMS::ReplicaKey
  kms.key                   policies (KeyPolicy); key_rotation: bool|Unknown|None
  lambda.function           (AWS::Lambda::Function, AWS::Serverless::Function) subnets;
                            role; SAM functions: policies (inline statements) and
                            managed_policy_arns (bare names such as AdministratorAccess
                            become arn:aws:iam::aws:policy/AdministratorAccess)
  stepfunctions.state_machine  (AWS::Serverless::StateMachine) as SAM functions
  iam.policy_document       (a standalone policy JSON file) policies
  iam.role / iam.user / iam.group / iam.policy from an authorization-details export:
                            policies; managed_policy_arns
  any CloudFormation node   references: list[Ref] (everything it names: Ref, GetAtt,
                            Sub, DependsOn, so graph edges exist even when the value
                            became a string); condition: str when its Condition is
                            undecided (the resource may not exist)

Undecided conditions (CloudFormation `Fn::If` whose condition depends on a
parameter with no value): a scalar fact holds a `linter.model.Choice` (an
Unknown whose `.options` are (label, value) pairs; iterate
`linter.model.branches(value)` to report the insecure branch by its label,
e.g. "when condition UseSsl is false"). List facts are expanded instead: an
IngressRule, NaclEntry, Route, BlockDevice or Statement that differs between
branches appears once per branch with `when` set to the branch's label
(Statement.label() includes it), so rules see every candidate.

Every node also carries `tags`/`taggable` directly (see Node), not as facts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from linter.model import Location, Unknown


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
    #: When this rule exists only in one branch of an undecided condition
    #: ("when condition IsProd is false"); "" when it always applies.
    when: str = ""


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
    when: str = ""  # see IngressRule.when


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
    when: str = ""  # see IngressRule.when


@dataclass(frozen=True)
class BlockDevice:
    """An EBS block device attached to an instance or launch template.

    `encrypted` is True/False when written, None when not written, or Unknown.
    """

    name: str
    encrypted: bool | Unknown | None
    location: Location
    when: str = ""  # see IngressRule.when


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
    #: When this variant of the statement applies (an undecided CloudFormation
    #: condition chose its values); "" when it always applies.
    when: str = ""

    def loc(self, key: str) -> Location:
        return self.locations.get(key, self.location)

    def value_loc(self, key: str, value: Any) -> Location:
        """Where one value of a listed key ("Action", "NotAction", "Resource",
        "NotResource") is written, e.g. the `"*"` line inside a multi-line
        Action list; the key's location when not recorded separately."""
        items = {"Action": self.actions, "NotAction": self.not_actions,
                 "Resource": self.resources, "NotResource": self.not_resources}.get(key)
        if items:
            for i, item in enumerate(items):
                if item is value or (type(item) is type(value) and item == value):
                    return self.locations.get(f"{key}[{i}]", self.loc(key))
        return self.loc(key)

    def label(self) -> str:
        text = f"statement {self.sid!r}" if self.sid else f"statement #{self.index + 1}"
        return f"{text} ({self.when})" if self.when else text


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
