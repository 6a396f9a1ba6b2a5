"""The normalized vocabulary adapters write and rules read.

This module is the contract between the Terraform, CloudFormation and IAM
adapters on one side and the rules on the other: a rule never looks at
`node.native_type` or `node.source` to decide what something means. Values may
be Unknown (or Ref, an Unknown that names another node) anywhere; a rule treats
an Unknown as "no evidence".

Which kinds exist, which facts each carries, where Terraform and
CloudFormation write them and what an unwritten one means is declared once in
linter/fact_spec.py (rendered as docs/facts.md by `python -m linter.fact_spec`);
both adapters fill facts from it, and a test fails when a node carries a kind
or fact it does not declare. This module holds the value types of the facts
that are not plain values: IngressRule, NaclEntry, Route, BlockDevice,
Encryption, Statement and PolicyDocument.

Undecided conditions (CloudFormation `Fn::If` whose condition depends on a
parameter with no value): a scalar fact holds a `linter.model.Choice` (an
Unknown whose `.options` are (label, value) pairs; iterate
`linter.model.branches(value)` to report the insecure branch by its label,
e.g. "when condition UseSsl is false"). List facts are expanded instead: an
IngressRule, NaclEntry, Route, BlockDevice or Statement that differs between
branches appears once per branch with `when` set to the branch's label
(Statement.label() includes it), so rules see every candidate.

Every node also carries `tags`/`taggable` directly (see Node), not as facts;
`fact_locs["tags"]` is where the resource's own tags are written (absent when
they come only from defaults), `fact_locs["tags.<Key>"]` one tag, and for
Terraform provider default_tags `fact_locs["default_tags"]` and
`fact_locs["default_tags.<Key>"]`.
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
    #: (name, source) for each source that is a parameter's or variable's default
    #: (("SSHLocation", "0.0.0.0/0")): words for the message, never part of evidence.
    defaults: tuple[tuple[str, str], ...] = field(default=(), compare=False)


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
    `declared` False: the root volume, which no mapping declares (it follows the
    AMI's block device mapping; `location` is the resource header).
    """

    name: str
    encrypted: bool | Unknown | None
    location: Location
    when: str = ""  # see IngressRule.when
    declared: bool = True


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
    maps principal type ("AWS", "Service", "Federated", "*") to values;
    `not_principals` is the same for `NotPrincipal` (everyone except those).
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
    not_principals: dict[str, tuple[Any, ...]] | Unknown | None = None

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

    `policy_type` is "identity", "resource", "trust" or "endpoint" (a VPC endpoint
    policy, which only limits what may pass through the endpoint and grants
    nothing). `name` says which of
    the node's documents it is ("inline policy 'x'", "AssumeRolePolicyDocument",
    "policy"). `statements` is empty when the document itself is Unknown,
    in which case `unknown` is True. `governs` is the kind of resource a
    resource policy applies to ("kms.key" for a key policy, whether written in
    the key or as a separate aws_kms_key_policy), from the fact spec, so rules
    that treat one service's policies specially need not know how either
    language spells them.
    """

    policy_type: str
    name: str
    statements: tuple[Statement, ...]
    location: Location
    unknown: bool = False
    governs: str | None = None
