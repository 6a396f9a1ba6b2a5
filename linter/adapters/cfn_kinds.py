"""CloudFormation resources → normalized facts, driven by linter/fact_spec.py.

Which types become which kinds, and every fact a table row can express, live
in the fact spec (shared with Terraform). What remains here is the hand code
for shapes a row cannot express, in CloudFormation's spelling: ingress rules,
NACL entries, routes, block devices, S3 encryption, and policies. Each shape
builder reads the evaluated Properties of one resource through a
`ResourceView` and writes facts with the location of the property that
produced them (the resource header when the property is missing).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from typing import Any

from linter import convert, fact_spec
from linter.adapters.cfn_conditions import join_when
from linter.adapters.cfn_eval import SubText
from linter.adapters.cfn_values import as_items, expand, has_choice
from linter.convert import to_bool, unknown_ingress
from linter.facts import BlockDevice, Encryption, IngressRule, NaclEntry, PolicyDocument, Route
from linter.model import Choice, Location, Node, Unknown, branches
from linter.policy import parse_policy


@dataclass
class ResourceView:
    """The evaluated Properties of one resource plus where each path is written."""

    node: Node
    props: dict[str, Any]

    def get(self, *path: Any) -> Any:
        """The value at `path` (None when absent; Unknown below an unknown)."""
        value: Any = self.props
        for key in path:
            if isinstance(value, Unknown) and not isinstance(value, Choice):
                return value
            if isinstance(key, int):
                if not isinstance(value, list) or not -len(value) <= key < len(value):
                    return None
                value = value[key]
            else:
                if not isinstance(value, dict):
                    return Unknown("inside an unknown value") if isinstance(value, Choice) else None
                value = value.get(key)
            if value is None:
                return None
        return value

    def has(self, *path: Any) -> bool:
        return self.get(*path) is not None

    def loc(self, *path: Any) -> Location:
        return self.node.attr_loc(*path) if path else self.node.location

    def fact(self, name: str, value: Any, *path: Any) -> None:
        """Record fact `name` and where it was written (the header when not written)."""
        self.node.facts[name] = value
        self.node.fact_locs[name] = self.loc(*path) if path and self.has(*path) else (
            self.loc(*path[:-1]) if len(path) > 1 and self.has(*path[:-1]) else self.node.location
        )

    def fact_if(self, name: str, value: Any, *path: Any) -> None:
        """Record the fact only when its property is written."""
        if self.has(*path):
            self.fact(name, value, *path)


Builder = Callable[[ResourceView], None]


def items_of(value: Any, deep: bool = True) -> Iterator[tuple[str, int, Any]]:
    """(branch label, index, item) for each item of a list property, with the
    undecided branches of the list and of each item spelled out (`deep`: also
    those nested inside an item; otherwise only an item that is itself a choice)."""
    outer = expand(value) if isinstance(value, Choice) else [("", value)]
    for label, lst in outer:
        for i, entry in enumerate(as_items(lst)):
            shallow = not deep and not isinstance(entry, Choice)
            for inner, item in [("", entry)] if shallow else expand(entry):
                joined = join_when(label, inner)
                if joined is not None:
                    yield joined, i, item


# ------------------------------------------------------------------ network


def _ingress_rules(view: ResourceView, entry: Any, path: tuple[Any, ...]) -> list[IngressRule]:
    """IngressRules for one SecurityGroupIngress entry (both branches of an undecided If)."""
    out: list[IngressRule] = []
    for label, item in expand(entry):
        if isinstance(item, Unknown) or not isinstance(item, dict):
            if isinstance(item, Unknown):
                out.append(replace(unknown_ingress(item, view.loc(*path)), when=label))
            continue
        cidrs = tuple(item[key] for key in ("CidrIp", "CidrIpv6") if item.get(key) is not None)
        where = next((k for k in ("CidrIp", "CidrIpv6") if item.get(k) is not None), None)
        loc = view.loc(*path, where) if where else view.loc(*path)
        out.append(convert.ingress_rule(item.get("IpProtocol"), item.get("FromPort"),
                                        item.get("ToPort"), cidrs, loc, item.get("Description"),
                                        when=label))
    return out


def security_group(view: ResourceView) -> None:
    rules: list[IngressRule] = []
    for label, i, entry in items_of(view.get("SecurityGroupIngress")):
        found = _ingress_rules(view, entry, ("SecurityGroupIngress", i))
        for r in found:
            joined = join_when(label, r.when)
            if joined is not None:
                rules.append(replace(r, when=joined) if label else r)
    ingress = view.get("SecurityGroupIngress")
    if isinstance(ingress, Unknown) and not isinstance(ingress, Choice):
        rules.append(unknown_ingress(ingress, view.loc("SecurityGroupIngress")))
    view.fact("ingress", rules, "SecurityGroupIngress")


def security_group_ingress(view: ResourceView) -> None:
    view.fact("ingress", _ingress_rules(view, view.props, ()), "CidrIp")


def security_group_egress(view: ResourceView) -> None:
    view.node.facts["ingress"] = []


_NACL_KEYS = ("Egress", "Protocol", "PortRange", "CidrBlock", "Ipv6CidrBlock", "RuleAction",
              "RuleNumber", "Icmp")


def nacl_entry(view: ResourceView) -> None:
    entries: list[NaclEntry] = []
    where = next((k for k in ("CidrBlock", "Ipv6CidrBlock") if view.has(k)), None)
    relevant = {k: view.props[k] for k in _NACL_KEYS if k in view.props}
    for label, props in expand(relevant):
        egress = to_bool(props.get("Egress"))
        if egress is not False and egress is not None:
            continue  # outbound, or a direction that is not known: no evidence of ingress
        ports = props.get("PortRange")
        entries.append(convert.nacl_entry(
            props.get("RuleNumber"), props.get("RuleAction"), props.get("Protocol"),
            ports.get("From") if isinstance(ports, dict) else ports,
            ports.get("To") if isinstance(ports, dict) else ports,
            tuple(props[k] for k in ("CidrBlock", "Ipv6CidrBlock") if props.get(k) is not None),
            view.loc(where) if where else view.node.location, when=label,
        ))
    view.fact("nacl_ingress", entries, where or "CidrBlock")


def network_acl(view: ResourceView) -> None:
    view.node.facts["nacl_ingress"] = []


def route_table(view: ResourceView) -> None:
    view.node.facts["routes"] = []


def route(view: ResourceView) -> None:
    keys = ("DestinationCidrBlock", "DestinationIpv6CidrBlock",
            *convert.route_keys("cloudformation"))
    relevant = {k: view.props[k] for k in keys if k in view.props}
    routes: list[Route] = []
    loc = view.node.location
    for label, props in expand(relevant):
        found = convert.route(props, "cloudformation",
                              ("DestinationCidrBlock", "DestinationIpv6CidrBlock"), loc, label)
        dest_key = next((k for k in ("DestinationCidrBlock", "DestinationIpv6CidrBlock")
                         if props.get(k) is not None), None)
        target_key = next((k for k in convert.route_keys("cloudformation")
                           if props.get(k) is not None and props.get(k) != ""), None)
        loc = view.loc(dest_key) if dest_key else view.node.location
        if target_key:
            t = view.loc(target_key)
            loc = Location(loc.path, min(loc.start_line, t.start_line),
                           max(loc.end_line, t.end_line))
        routes.append(replace(found, location=loc))
    view.node.facts["routes"] = routes
    view.node.fact_locs["routes"] = loc


# ------------------------------------------------------------------ compute


def _block_devices(view: ResourceView, *base: Any) -> list[BlockDevice]:
    devices: list[BlockDevice] = []
    for label, i, item in items_of(view.get(*base)):
        if not isinstance(item, dict) or item.get("NoDevice") is not None:
            continue
        if "VirtualName" in item and "Ebs" not in item:
            continue  # an instance-store volume, not EBS
        name = item.get("DeviceName")
        name = name if isinstance(name, str) else f"#{i + 1}"
        ebs = item.get("Ebs")
        encrypted = to_bool(ebs.get("Encrypted")) if isinstance(ebs, dict) else (
            ebs if isinstance(ebs, Unknown) else None
        )
        if isinstance(ebs, dict) and ebs.get("Encrypted") is not None:
            loc = view.loc(*base, i, "Ebs", "Encrypted")
        elif isinstance(ebs, dict):
            loc = view.loc(*base, i, "Ebs")
        else:
            loc = view.loc(*base, i)
        devices.append(BlockDevice(name, encrypted, loc, when=label))
    return devices


def _undeclared_root(view: ResourceView, *base: Any) -> list[BlockDevice]:
    """The root volume when no mapping declares it: it follows the AMI's mapping."""
    mappings = view.get(*base)
    names = [item.get("DeviceName") if isinstance(item, dict) else None
             for _label, _i, item in items_of(mappings)]
    return convert.undeclared_root(mappings, names, view.node.location)


def _interface_subnets(view: ResourceView, *base: Any) -> list[Any]:
    out: list[Any] = []
    for ni in as_items(view.get(*base)):
        for _label, item in branches(ni):
            if isinstance(item, dict) and item.get("SubnetId") is not None:
                out.append(item["SubnetId"])
    return out


def _interface_public_ip(view: ResourceView, *base: Any) -> None:
    """The public-IP flag: True when any network interface asks for one."""
    values = [
        to_bool(item.get("AssociatePublicIpAddress"))
        for ni in as_items(view.get(*base))
        for _label, item in branches(ni)
        if isinstance(item, dict) and item.get("AssociatePublicIpAddress") is not None
    ]
    if values:
        view.fact("public_ip", True if any(v is True for v in values) else values[0], *base)


def instance(view: ResourceView) -> None:
    subnets: list[Any] = []
    if view.has("SubnetId"):
        subnets.append(view.get("SubnetId"))
    subnets.extend(_interface_subnets(view, "NetworkInterfaces"))
    if subnets:
        view.fact("subnets", subnets, "SubnetId" if view.has("SubnetId") else "NetworkInterfaces")
    devices = _block_devices(view, "BlockDeviceMappings")
    if not view.has("LaunchTemplate"):  # otherwise the launch template decides
        devices += _undeclared_root(view, "BlockDeviceMappings")
    view.fact("block_devices", devices, "BlockDeviceMappings")
    _interface_public_ip(view, "NetworkInterfaces")


def launch_template(view: ResourceView) -> None:
    data = ("LaunchTemplateData",)
    devices = _block_devices(view, *data, "BlockDeviceMappings")
    image = view.get(*data, "ImageId")
    if image is not None and image != "":  # without an AMI its user picks the volumes
        devices += _undeclared_root(view, *data, "BlockDeviceMappings")
    view.fact("block_devices", devices, *data, "BlockDeviceMappings")
    subnets = _interface_subnets(view, *data, "NetworkInterfaces")
    if subnets:
        view.fact("subnets", subnets, *data, "NetworkInterfaces")
    _interface_public_ip(view, *data, "NetworkInterfaces")


def launch_configuration(view: ResourceView) -> None:
    view.fact("block_devices", _block_devices(view, "BlockDeviceMappings")
              + _undeclared_root(view, "BlockDeviceMappings"), "BlockDeviceMappings")


# ------------------------------------------------------------------ S3


def s3_bucket(view: ResourceView) -> None:
    enc = view.get("BucketEncryption")
    if enc is None:
        view.fact("encryption", None)
        return
    rules = view.get("BucketEncryption", "ServerSideEncryptionConfiguration")
    rule_list = rules if isinstance(rules, list) else []
    default = rule_list[0].get("ServerSideEncryptionByDefault") if rule_list and isinstance(
        rule_list[0], dict) else None
    base = ("BucketEncryption", "ServerSideEncryptionConfiguration", 0,
            "ServerSideEncryptionByDefault")
    if isinstance(enc, Unknown) or isinstance(rules, Unknown):
        value = Encryption(Unknown("encryption configuration"), view.loc("BucketEncryption"))
    elif isinstance(default, dict):
        algorithm = default.get("SSEAlgorithm")
        where = (*base, "SSEAlgorithm") if algorithm is not None else base
        value = Encryption(algorithm, view.loc(*where), default.get("KMSMasterKeyID"))
    elif isinstance(default, Unknown):
        value = Encryption(default, view.loc(*base))
    else:
        value = Encryption(None, view.loc("BucketEncryption"))
    view.node.facts["encryption"] = value
    view.node.fact_locs["encryption"] = value.location


# ------------------------------------------------------------------ policies


def add_policy(view: ResourceView, doc: PolicyDocument) -> None:
    policies = view.node.facts.setdefault("policies", [])
    policies.append(doc)
    view.node.fact_locs.setdefault("policies", doc.location)


def _policy(view: ResourceView, path: tuple[Any, ...], policy_type: str, name: str) -> None:
    value = view.get(*path)
    if value is None:
        return
    for doc in policy_documents(value, lambda sub: view.loc(*path, *sub), policy_type, name):
        add_policy(view, doc)


def policy_documents(
    value: Any, locate: Callable[[tuple[Any, ...]], Location], policy_type: str, name: str
) -> list[PolicyDocument]:
    """PolicyDocuments for a policy value; a statement that differs between the
    branches of an undecided condition appears once per branch (`when` set)."""
    out: list[PolicyDocument] = []
    if isinstance(value, SubText):  # JSON text from Fn::Sub: only its unknown values stay unknown
        value = value.document()
    docs = expand(value) if isinstance(value, Choice) else [("", value)]
    for label, doc in docs:
        doc_name = f"{name} ({label})" if label else name
        stmts = doc.get("Statement") if isinstance(doc, dict) else None
        stmt_variants = expand(stmts) if isinstance(stmts, Choice) else [("", stmts)]
        for stmts_label, stmt_value in stmt_variants:
            full = join_when(label, stmts_label)
            if full is None:
                continue
            full_name = f"{name} ({full})" if full else doc_name
            if not (isinstance(stmt_value, list) and has_choice(stmt_value)):
                plain = {**doc, "Statement": stmt_value} if isinstance(doc, dict) else doc
                out.append(parse_policy(plain, locate, policy_type=policy_type, name=full_name))
                continue
            origin: list[int] = []
            labels: list[str] = []
            flat: list[Any] = []
            for i, stmt in enumerate(stmt_value):
                for when, variant in expand(stmt):
                    if join_when(full, when) is None:
                        continue  # cannot happen in this document's branch
                    origin.append(i)
                    labels.append(when)
                    flat.append(variant)

            def shifted(sub: tuple[Any, ...], _o: list[int] = origin) -> Location:
                if len(sub) >= 2 and sub[0] == "Statement" and isinstance(sub[1], int):
                    return locate(("Statement", _o[sub[1]], *sub[2:]))
                return locate(sub)

            parsed = parse_policy({**doc, "Statement": flat}, shifted,
                                  policy_type=policy_type, name=full_name)
            statements = tuple(
                replace(s, index=origin[s.index], when=labels[s.index]) for s in parsed.statements
            )
            out.append(replace(parsed, statements=statements))
    return out


def _resource_policy(view: ResourceView, key: str, name: str) -> None:
    _policy(view, (key,), "resource", name)


def _inline_policies(view: ResourceView, key: str = "Policies") -> None:
    for label, i, item in items_of(view.get(key), deep=False):
        if not isinstance(item, dict):
            continue
        pname = item.get("PolicyName")
        name = (f"inline policy {pname!r}" if isinstance(pname, str)
                else f"inline policy #{i + 1}")
        name = f"{name} ({label})" if label else name
        doc = item.get("PolicyDocument")
        if doc is None:
            continue
        path: tuple[Any, ...] = (key, i, "PolicyDocument")

        def locate(sub: tuple[Any, ...], _p: tuple[Any, ...] = path) -> Location:
            return view.loc(*_p, *sub)

        for parsed in policy_documents(doc, locate, "identity", name):
            add_policy(view, parsed)


def managed_arns(view: ResourceView, key: str = "ManagedPolicyArns") -> None:
    value = view.get(key)
    if value is None:
        return
    items: list[tuple[Any, Location]] = []
    if isinstance(value, (list, Choice)):
        for _label, i, arn in items_of(value):
            items.append((arn, view.loc(key, i)))
    else:
        items.append((value, view.loc(key)))
    view.fact("managed_policy_arns", items, key)


def iam_role(view: ResourceView) -> None:
    _policy(view, ("AssumeRolePolicyDocument",), "trust", "AssumeRolePolicyDocument")
    _inline_policies(view)
    managed_arns(view)


def iam_user_or_group(view: ResourceView) -> None:
    _inline_policies(view)
    managed_arns(view)


def iam_policy(view: ResourceView) -> None:
    pname = view.get("PolicyName") if view.has("PolicyName") else view.get("ManagedPolicyName")
    name = f"policy {pname!r}" if isinstance(pname, str) else "PolicyDocument"
    _policy(view, ("PolicyDocument",), "identity", name)


def sso_permission_set(view: ResourceView) -> None:
    """IAM Identity Center: the inline policy and the AWS managed policies of a permission
    set (what Terraform writes as separate resources)."""
    _policy(view, ("InlinePolicy",), "identity", "InlinePolicy")
    managed_arns(view, "ManagedPolicies")


def resource_policy(key: str) -> Builder:
    """The resource policy written in property `key` (named after it)."""

    def build(view: ResourceView) -> None:
        _resource_policy(view, key, key)

    return build


def event_bus_policy(view: ResourceView) -> None:
    """EventBusPolicy takes one statement (`Statement`) or the older Action/Principal form."""
    statement = view.get("Statement")
    if statement is not None:
        # {"Statement": ...} mirrors the Properties, so its paths are property paths.
        for doc in policy_documents({"Statement": statement}, lambda sub: view.loc(*sub),
                                    "resource", "Statement"):
            add_policy(view, doc)
    elif view.has("Action") and view.has("Principal"):
        legacy = {"Statement": [{"Sid": view.get("StatementId"), "Effect": "Allow",
                                 "Action": view.get("Action"), "Principal": view.get("Principal"),
                                 "Condition": view.get("Condition")}]}

        def locate_legacy(sub: tuple[Any, ...]) -> Location:
            key = sub[-1] if len(sub) == 3 else None
            names = {"Sid": "StatementId"}
            return view.loc(names.get(key, key)) if key and view.has(
                names.get(key, key)) else view.node.location

        add_policy(view, parse_policy(legacy, locate_legacy, policy_type="resource",
                                      name="EventBusPolicy"))


def vpc_endpoint(view: ResourceView) -> None:
    _policy(view, ("PolicyDocument",), "endpoint", "PolicyDocument")


def kms_key(view: ResourceView) -> None:
    _resource_policy(view, "KeyPolicy", "KeyPolicy")


#: Hand code for the `Shaped` facts of the fact spec, by CloudFormation type (the
#: kind and every table fact come from linter/fact_spec.py).
SHAPES: dict[str, Builder] = {
    "AWS::EC2::SecurityGroup": security_group,
    "AWS::EC2::SecurityGroupIngress": security_group_ingress,
    "AWS::EC2::SecurityGroupEgress": security_group_egress,
    "AWS::EC2::NetworkAcl": network_acl,
    "AWS::EC2::NetworkAclEntry": nacl_entry,
    "AWS::EC2::RouteTable": route_table,
    "AWS::EC2::Route": route,
    "AWS::EC2::Instance": instance,
    "AWS::EC2::LaunchTemplate": launch_template,
    "AWS::AutoScaling::LaunchConfiguration": launch_configuration,
    "AWS::EC2::VPCEndpoint": vpc_endpoint,
    "AWS::OpenSearchService::Domain": resource_policy("AccessPolicies"),
    "AWS::Elasticsearch::Domain": resource_policy("AccessPolicies"),
    "AWS::EFS::FileSystem": resource_policy("FileSystemPolicy"),
    "AWS::S3::Bucket": s3_bucket,
    "AWS::S3::BucketPolicy": resource_policy("PolicyDocument"),
    "AWS::SQS::QueuePolicy": resource_policy("PolicyDocument"),
    "AWS::SNS::TopicPolicy": resource_policy("PolicyDocument"),
    "AWS::SecretsManager::ResourcePolicy": resource_policy("ResourcePolicy"),
    "AWS::S3::AccessPoint": resource_policy("Policy"),
    "AWS::ECR::Repository": resource_policy("RepositoryPolicyText"),
    "AWS::SQS::QueueInlinePolicy": resource_policy("PolicyDocument"),
    "AWS::SNS::TopicInlinePolicy": resource_policy("PolicyDocument"),
    "AWS::ApiGateway::RestApi": resource_policy("Policy"),
    "AWS::Logs::ResourcePolicy": resource_policy("PolicyDocument"),
    "AWS::Backup::BackupVault": resource_policy("AccessPolicy"),
    "AWS::CodeArtifact::Domain": resource_policy("PermissionsPolicyDocument"),
    "AWS::CodeArtifact::Repository": resource_policy("PermissionsPolicyDocument"),
    "AWS::Events::EventBusPolicy": event_bus_policy,
    "AWS::KMS::Key": kms_key,
    "AWS::KMS::ReplicaKey": kms_key,
    "AWS::IAM::Role": iam_role,
    "AWS::SSO::PermissionSet": sso_permission_set,
    "AWS::IAM::User": iam_user_or_group,
    "AWS::IAM::Group": iam_user_or_group,
    "AWS::IAM::Policy": iam_policy,
    "AWS::IAM::ManagedPolicy": iam_policy,
    "AWS::IAM::RolePolicy": iam_policy,
    "AWS::IAM::UserPolicy": iam_policy,
    "AWS::IAM::GroupPolicy": iam_policy,
}


def fill_facts(node: Node, props: dict[str, Any]) -> None:
    """Table facts from the spec, then the hand-coded shapes of the node's type."""
    fact_spec.fill(node, fact_spec.Properties(node, props, "cloudformation"))
    shape = SHAPES.get(node.native_type)
    if shape is not None:
        shape(ResourceView(node, props))
