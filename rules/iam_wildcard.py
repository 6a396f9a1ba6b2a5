"""iam-wildcard: policies that grant more than anyone can review.

Every policy document any adapter found (identity, resource, trust, SAM,
standalone JSON) arrives as `PolicyDocument` facts; Deny statements are never
reported, nor VPC endpoint policies, which only filter what other policies
grant. In a resource policy `Resource: *` means the resource itself, so the
"on every resource" escalation applies to identity policies only.

A Deny statement of the same document cancels an Allow's actions it covers
(`Grant.actions()`), but only when it is unconditional, names actions (no
NotAction/NotResource/NotPrincipal) and covers the same or broader resources
and principals; anything unknown cancels nothing.
"""

from __future__ import annotations

import hashlib
import itertools
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from linter import fact_spec
from linter.facts import PolicyDocument, Statement
from linter.model import (
    Finding,
    Location,
    Node,
    Related,
    Severity,
    is_known,
    list_items,
    refs_in,
)
from rules._base import TERRAFORM_CFN, BuiltinRule

if TYPE_CHECKING:
    from linter.config import Config
    from linter.model import Graph

ALL_LANGUAGES = (*TERRAFORM_CFN, "iam")
#: Services whose full wildcard on every resource is as good as admin.
ESCALATION_SERVICES = ("iam", "sts", "kms", "s3")
_ROOT_ARN = re.compile(r"^arn:aws[a-z-]*:iam::(?P<account>.+):root$")


@dataclass(frozen=True)
class Grant:
    """One Allow statement of one document of one node."""

    node: Node
    doc: PolicyDocument
    stmt: Statement
    #: The document's Deny statements that could cancel an Allow (`_may_cancel`),
    #: found once per document: a policy of 100,000 Allows has no pairwise work.
    denies: tuple[Statement, ...] = ()

    @property
    def identity(self) -> bool:
        return self.doc.policy_type == "identity"

    def where(self) -> str:
        return f"{self.doc.name} {self.stmt.label()}"

    def key(self) -> str:
        """The statement's identity for fingerprints: its document and Sid, or its
        normalized content when it has no Sid, never its position, so that inserting
        another statement before it does not make it a new finding."""
        return f"{self.doc.name} {statement_key(self.stmt)}"

    def resource_star(self) -> bool:
        return any(_known_str(r) == "*" for r in self.stmt.resources or ())

    def actions(self) -> list[str]:
        """The known actions this statement allows that no Deny of the same document
        cancels (see `_cancels`)."""
        denies = [d for d in self.denies if _cancels(d, self.stmt)]
        return [a for a in _actions(self.stmt.actions)
                if not any(_action_covered(a, d.actions) for d in denies)]

    def all_denied(self) -> bool:
        """Every action of the statement (Action or NotAction) is denied again."""
        denies = [d for d in self.denies if _cancels(d, self.stmt)]
        if self.stmt.not_actions is not None:
            return any(_action_covered("*", d.actions) for d in denies)
        known = _actions(self.stmt.actions)
        return bool(known) and len(known) == len(self.stmt.actions or ()) and not self.actions()


def _pattern_covers(pattern: str, value: str) -> bool:
    """True when every string matched by `value` (itself maybe a pattern) is matched by
    `pattern`; only exact text and one trailing `*` are understood, so the answer errs
    towards False."""
    pattern, value = pattern.strip().lower(), value.strip().lower()
    if pattern == "*" or pattern == value:
        return True
    head = pattern[:-1]
    return pattern.endswith("*") and "*" not in head and "?" not in head and value.startswith(head)


def _action_covered(action: str, deny_actions: Any) -> bool:
    return any(
        _pattern_covers(d, action) or (d.strip() == "*:*")
        for d in (_known_str(x) for x in deny_actions or ()) if d is not None
    )


def _covers_all(deny: tuple[Any, ...], allow: tuple[Any, ...]) -> bool:
    """Every (known) value of `allow` is covered by some known value of `deny`."""
    denied = [d for d in (_known_str(x) for x in deny) if d is not None]
    if "*" in (d.strip() for d in denied):
        return True
    for value in allow:
        text = _known_str(value)
        if text is None or not any(_pattern_covers(d, text) for d in denied):
            return False
    return bool(allow)


def _may_cancel(deny: Statement) -> bool:
    """The part of `_cancels` that does not depend on the Allow: effect Deny; no
    Condition, NotAction, NotResource or NotPrincipal."""
    effect = _known_str(deny.effect)
    if effect is None or effect.strip().lower() != "deny":
        return False
    if deny.conditions is not None and (not is_known(deny.conditions) or deny.conditions):
        return False
    if deny.not_actions is not None or deny.not_resources is not None:
        return False
    return deny.not_principals is None and deny.actions is not None


def _cancels(deny: Statement, allow: Statement) -> bool:
    """Whether the Deny statement `deny` applies wherever `allow` grants (for the actions
    it names): `_may_cancel`; the same or broader resources and principals; the same
    CloudFormation branch (or always). Anything unknown cancels nothing."""
    if not _may_cancel(deny):
        return False
    if deny.when and deny.when != allow.when:
        return False
    # Resources: a Deny on "*" covers any; otherwise every allowed resource is listed.
    if deny.resources is None:
        if allow.resources is not None or allow.not_resources is not None:
            return False
    elif allow.not_resources is not None or allow.resources is None:
        if not _covers_all(deny.resources, ("*",)):
            return False
    elif not _covers_all(deny.resources, allow.resources):
        return False
    # Principals: none in either (identity policies), "*" in the Deny, or the same ones.
    if deny.principals is None:
        return allow.principals is None and allow.not_principals is None
    if _anyone(deny.principals):
        return True
    return (
        allow.not_principals is None
        and isinstance(allow.principals, dict) and isinstance(deny.principals, dict)
        and _canonical(deny.principals) == _canonical(allow.principals)
        and "?" not in json.dumps(_canonical(allow.principals))
    )


def statement_key(stmt: Statement) -> str:
    branch = f" [{stmt.when}]" if stmt.when else ""
    if stmt.sid:
        return f"sid={stmt.sid}{branch}"
    content = json.dumps(
        [
            _canonical(stmt.effect),
            _canonical(stmt.actions),
            _canonical(stmt.not_actions),
            _canonical(stmt.resources),
            _canonical(stmt.not_resources),
            _canonical(stmt.principals),
            _canonical(stmt.conditions),
        ],
        sort_keys=True,
    )
    return f"content={hashlib.sha256(content.encode('utf-8')).hexdigest()[:16]}{branch}"


def _canonical(value: Any) -> Any:
    """Order- and case-insensitive where IAM is, Unknown as '?', for a content hash."""
    if not is_known(value):
        return "?"
    if isinstance(value, dict):
        return {str(k): _canonical(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        items = [_canonical(v) for v in value]
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True))
    if isinstance(value, str):
        return value.strip()
    return value if isinstance(value, (int, float, bool)) or value is None else str(value)


def _known_str(value: Any) -> str | None:
    return value if isinstance(value, str) and is_known(value) else None


#: Deny statements of one document compared with its Allows: every pair is compared,
#: so 15,000 of each would take minutes. No real policy comes near (AWS caps a policy
#: at 10,240 characters); past it the later Denies cancel nothing, which can only
#: add findings, never hide one.
MAX_DENIES = 100

#: Policy types that filter what other policies grant, and grant nothing themselves.
NON_GRANTING = frozenset({"endpoint"})


def grants(graph: Graph) -> Iterator[Grant]:
    """Every Allow statement in every policy document of the graph that grants access."""
    for node in graph:
        docs = node.fact("policies")
        if not isinstance(docs, (list, tuple)):
            continue
        for doc in docs:
            if not isinstance(doc, PolicyDocument) or doc.policy_type in NON_GRANTING:
                continue
            denies = tuple(itertools.islice(
                (s for s in doc.statements if _may_cancel(s)), MAX_DENIES))
            for stmt in doc.statements:
                effect = _known_str(stmt.effect)
                if effect is not None and effect.strip().lower() == "allow":
                    yield Grant(node, doc, stmt, denies)


def _targets(graph: Graph, node: Node) -> list[Related]:
    """The resources `node` configures, as linking attached them (bucket, role, …)."""
    out = []
    for item in list_items(node.fact("targets")):
        value, role = item if isinstance(item, tuple) and len(item) == 2 else (item, "target")
        target = graph.resolve(value)
        if target is not None:
            out.append(Related.of(target, str(role)))
    return out


def policy_related(graph: Graph, node: Node) -> list[Related]:
    """Where a policy's permissions land when that is written elsewhere: the bucket of
    a bucket policy, the role of an inline role policy, and for a managed policy each
    attachment (or role that lists it) with the principal it attaches to."""
    out = _targets(graph, node)
    for other in graph.referrers(node):
        attached = other.fact("managed_policy_arns")
        for item in attached if isinstance(attached, (list, tuple)) else ():
            value, loc = item if isinstance(item, tuple) and len(item) == 2 else (item, None)
            if not any(ref.target == node.id for ref in refs_in(value)):
                continue
            where = loc if isinstance(loc, Location) else other.location
            out.append(Related.of(other, fact_spec.noun(other.kind, "attached by"), where))
            out.extend(_targets(graph, other))
    return out


def _actions(values: Any) -> list[str]:
    """The known action strings, as written (so that Statement.value_loc finds them)."""
    return [a for a in values or () if _known_str(a)]


def _is_full(action: str) -> bool:
    return action.strip() in ("*", "*:*")


def _service_wildcard(action: str) -> str | None:
    """The service of a `service:*` action, else None."""
    service, sep, name = action.strip().partition(":")
    if sep and name == "*" and service and service != "*":
        return service.lower()
    return None


def _is_partial(action: str) -> bool:
    if _is_full(action) or _service_wildcard(action):
        return False
    return "*" in action or "?" in action


def _account_root(value: Any) -> str | None:
    """"own" for a principal that is, or may only be, the policy's own account root
    (`${AWS::AccountId}`, the caller identity: evaluated to Unknown); "literal" for
    an account root written as a literal account ID, which may be another account."""
    if not is_known(value):
        return "own"  # e.g. arn:aws:iam::${AWS::AccountId}:root, evaluated to Unknown
    if not isinstance(value, str):
        return None
    match = _ROOT_ARN.match(value.strip())
    if match is None:
        return None
    # A literal account ID may be any account: only a placeholder is "this account".
    return "literal" if match.group("account").isdigit() else "own"


def _default_key_policy(grant: Grant) -> str | None:
    """Whether the statement is AWS's default key-policy statement (kms:* to the key's
    account root) in a key policy written in the key or as its own resource: "own"
    when the root is certainly the key's own account, "literal" when it is written
    as an account ID (the key's own account or another one), else None."""
    if grant.doc.governs != "kms.key":
        return None
    principals = grant.stmt.principals
    if not isinstance(principals, dict) or set(principals) != {"AWS"}:
        return None
    kinds = {_account_root(p) for p in principals["AWS"]}
    if not kinds or None in kinds:
        return None
    return "literal" if "literal" in kinds else "own"


#: How a default key-policy statement naming a literal account is worded and rated.
_LITERAL_ROOT_NOTE = (
    ": AWS's default key-policy statement, which is only a risk when that account is "
    "not the key's own (another account's root would control the key)"
)


def _principal_values(principals: Any) -> str:
    """The known principal values, shortened, or "" when none is known."""
    if not isinstance(principals, dict):
        return ""
    values = [
        v for vs in principals.values() for v in vs if _known_str(v)
    ]
    if not values:
        return ""
    return ", ".join(values[:3]) + (", …" if len(values) > 3 else "")


def _principal_text(stmt: Statement) -> str:
    if stmt.not_principals is not None:
        listed = _principal_values(stmt.not_principals)
        return f" to every principal except {listed}" if listed else " to every principal"
    shown = _principal_values(stmt.principals)
    return f" to {shown}" if shown else ""


def _value_loc(stmt: Statement, key: str, value: Any) -> Location:
    """The line of one offending value inside a multi-line list, else the key's line."""
    finder = getattr(stmt, "value_loc", None)
    return finder(key, value) if callable(finder) else stmt.loc(key)


def _quote(actions: list[str]) -> str:
    return ", ".join(f"'{a}'" for a in actions[:5]) + (", …" if len(actions) > 5 else "")


class _IamRule(BuiltinRule):
    languages = ALL_LANGUAGES
    category = "iam-wildcard"
    links = (
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_action.html",
    )


class FullWildcardAction(_IamRule):
    id = "IAC040"
    title = "Policy allows every action ('*')"
    severity = Severity.CRITICAL
    description = (
        "An Allow statement with `Action: \"*\"` grants every current and future AWS API "
        "call; with `Resource: \"*\"` in an identity policy it is full administrator access. "
        "Anyone who obtains the role's or user's credentials owns the account."
    )
    remediation = {
        "terraform": "List the specific actions the workload calls in `actions`/`Action`.",
        "cloudformation": "List the specific actions the workload calls in `Action`.",
        "iam": "Replace `\"Action\": \"*\"` with the specific actions needed "
               "(IAM Access Analyzer can generate them from CloudTrail).",
    }
    tags = ("iam", "least-privilege", "admin")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for grant in grants(graph):
            full = [a for a in grant.actions() if _is_full(a)]
            default = _default_key_policy(grant)
            if not full or default == "own":
                continue
            if grant.identity and grant.resource_star():
                what = f"allows {_quote(full)} on Resource '*': full administrator access"
            elif grant.identity:
                what = f"allows every action ({_quote(full)})"
            else:
                what = f"allows every action ({_quote(full)}){_principal_text(grant.stmt)}"
            severity = self.severity
            if default == "literal":
                severity = Severity.LOW
                what = f"allows {_quote(full)}{_principal_text(grant.stmt)}{_LITERAL_ROOT_NOTE}"
            yield self.finding(
                grant.node, f"{grant.where()} {what}", _value_loc(grant.stmt, "Action", full[0]),
                severity, evidence=grant.key(), related=policy_related(graph, grant.node),
            )


class ServiceWildcardAction(_IamRule):
    id = "IAC041"
    title = "Policy allows every action of a service ('service:*')"
    severity = Severity.HIGH
    description = (
        "`service:*` grants every API of the service, including the destructive and "
        "permission-changing ones added in the future. `iam:*`, `sts:*`, `kms:*` and `s3:*` "
        "on every resource are critical: they allow privilege escalation or reading and "
        "deleting all data."
    )
    remediation = {
        "terraform": "Replace `service:*` with the specific actions needed.",
        "cloudformation": "Replace `service:*` with the specific actions needed.",
        "iam": "Replace `service:*` with the specific actions needed.",
    }
    tags = ("iam", "least-privilege")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for grant in grants(graph):
            wild = [a for a in grant.actions() if _service_wildcard(a)]
            default = _default_key_policy(grant)
            if not wild or default == "own":
                continue
            severity = self.severity
            escalation = [a for a in wild if _service_wildcard(a) in ESCALATION_SERVICES]
            suffix = ""
            first = wild[0]
            if default == "literal":
                severity = Severity.LOW
                suffix = f"{_principal_text(grant.stmt)}{_LITERAL_ROOT_NOTE}"
            elif grant.identity and escalation and grant.resource_star():
                severity = Severity.CRITICAL
                first = escalation[0]
                suffix = " on Resource '*' (privilege escalation or access to all data)"
            elif not grant.identity:
                suffix = _principal_text(grant.stmt)
            yield self.finding(
                grant.node,
                f"{grant.where()} allows {_quote(wild)}{suffix}",
                _value_loc(grant.stmt, "Action", first),
                severity,
                evidence=grant.key(), related=policy_related(graph, grant.node),
            )


class AllowNotAction(_IamRule):
    id = "IAC042"
    title = "Policy allows everything except a list (Allow with NotAction)"
    severity = Severity.HIGH
    description = (
        "`Effect: Allow` with `NotAction` grants every action that is not listed, including "
        "every API AWS adds later; with `Resource: \"*\"` it is nearly administrator access. "
        "It is almost always meant as a Deny with NotAction."
    )
    remediation = {
        "terraform": "Use `actions` with an explicit list, or make the statement a Deny.",
        "cloudformation": "Use `Action` with an explicit list, or make the statement a Deny.",
        "iam": "Use `Action` with an explicit list, or make the statement a Deny.",
    }
    tags = ("iam", "least-privilege")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for grant in grants(graph):
            if grant.stmt.not_actions is None:
                continue
            excluded = _actions(grant.stmt.not_actions)
            if not excluded or grant.all_denied():
                continue  # NotAction is unknown (it may well be absent): no evidence
            severity = self.severity
            suffix = ""
            if grant.identity and grant.resource_star():
                severity = Severity.CRITICAL
                suffix = " on Resource '*'"
            yield self.finding(
                grant.node,
                f"{grant.where()} allows every action except {_quote(excluded)}{suffix}",
                grant.stmt.loc("NotAction"),
                severity,
                evidence=grant.key(), related=policy_related(graph, grant.node),
            )


class PartialWildcardAction(_IamRule):
    id = "IAC043"
    title = "Policy action contains a wildcard (e.g. s3:Get*)"
    severity = Severity.LOW
    description = (
        "A wildcard inside an action name (`s3:Get*`, `ec2:Describe*`) grants every "
        "matching action, including ones added later (`s3:Get*` includes `s3:GetObject`, "
        "which reads every object). "
        "Reported only when `include_partial_wildcards` is set, because such patterns are "
        "common and often intended."
    )
    remediation = {
        "terraform": "List the exact actions instead of the pattern.",
        "cloudformation": "List the exact actions instead of the pattern.",
        "iam": "List the exact actions instead of the pattern.",
    }
    tags = ("iam", "least-privilege", "opt-in")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        if not config.include_partial_wildcards:
            return
        for grant in grants(graph):
            partial = [a for a in grant.actions() if _is_partial(a)]
            if partial:
                yield self.finding(
                    grant.node,
                    f"{grant.where()} allows the wildcard pattern {_quote(partial)}",
                    _value_loc(grant.stmt, "Action", partial[0]),
                    evidence=grant.key(), related=policy_related(graph, grant.node),
                )


#: Condition keys that narrow who can use a grant to `*` (the caller, its organization,
#: network or the calling service's source). Anything else (aws:SecureTransport, …) does not.
RESTRICTING_CONDITION_KEYS = frozenset(k.lower() for k in (
    "aws:SourceArn", "aws:SourceAccount", "aws:SourceOwner", "aws:SourceOrgID",
    "aws:SourceOrgPaths", "aws:PrincipalOrgID", "aws:PrincipalOrgPaths", "aws:PrincipalAccount",
    "aws:PrincipalArn", "aws:PrincipalServiceName", "aws:PrincipalServiceNamesList",
    "aws:PrincipalIsAWSService", "aws:SourceVpc", "aws:SourceVpce", "aws:SourceIp",
    "aws:VpcSourceIp", "aws:userid", "aws:username", "aws:CalledVia", "aws:CalledViaFirst",
    "aws:CalledViaLast", "aws:ViaAWSService", "aws:PrincipalTag", "kms:CallerAccount",
    "kms:ViaService", "s3:DataAccessPointAccount", "s3:DataAccessPointArn",
    "lambda:FunctionUrlAuthType", "sns:Endpoint", "cognito-identity.amazonaws.com:aud",
    "cognito-identity.amazonaws.com:amr", "sts:ExternalId",
))


def restricts_caller(conditions: Any) -> bool:
    """True when a Condition block narrows the principals, or cannot be read (no evidence)."""
    if not is_known(conditions):
        return True
    if not conditions:
        return False
    if not isinstance(conditions, dict):
        return True
    for block in conditions.values():
        if not isinstance(block, dict):
            return True  # unknown operator body: cannot tell, so no evidence
        for key in block:
            if not isinstance(key, str):
                return True
            name = key.lower()
            if name in RESTRICTING_CONDITION_KEYS or name.split("/")[0] in (
                RESTRICTING_CONDITION_KEYS
            ) or name.endswith((":sub", ":aud", ":amr", ":oaud")):
                return True
    return False


def _anyone(principals: Any) -> bool:
    if not isinstance(principals, dict):
        return False
    for key, values in principals.items():
        if key == "*":
            return True
        if key == "AWS" and any(_known_str(v) == "*" for v in values):
            return True
    return False


class PublicPrincipal(_IamRule):
    id = "IAC044"
    title = "Resource or trust policy allows any principal ('*') without a condition"
    severity = Severity.HIGH
    description = (
        "`Principal: \"*\"` in a resource or trust policy lets every AWS account, and for "
        "many services anonymous callers, use the granted actions. Without a condition "
        "on the caller (aws:SourceAccount, aws:PrincipalOrgID, aws:SourceVpce, …) the "
        "resource is public; conditions such as aws:SecureTransport do not restrict who."
    )
    remediation = {
        "terraform": (
            "Name the principals (`principals { type = \"AWS\" identifiers = [...] }`) or add "
            "a `condition` such as `aws:PrincipalOrgID`."
        ),
        "cloudformation": (
            "Name the principals, or add a `Condition` such as `aws:PrincipalOrgID` or "
            "`aws:SourceAccount`."
        ),
        "iam": "Name the principals, or add a `Condition` that restricts the caller.",
    }
    links = (
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_principal.html#principal-anonymous",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_condition-keys.html",
    )
    tags = ("iam", "public", "resource-policy")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for grant in grants(graph):
            # Allow with NotPrincipal grants everyone except the listed principals.
            excluding = grant.stmt.not_principals is not None
            if not excluding and not _anyone(grant.stmt.principals):
                continue
            conditions = grant.stmt.conditions
            if restricts_caller(conditions) or grant.all_denied():
                continue
            actions = grant.actions()
            what = f" {_quote(actions)}" if actions else ""
            how = "with no condition" if not conditions else "with no condition on the caller"
            if excluding:
                listed = _principal_values(grant.stmt.not_principals)
                but = f" except {listed}" if listed else " except the NotPrincipal list"
                whom = f"to any principal (NotPrincipal){but}"
                where = grant.stmt.loc("NotPrincipal")
            else:
                whom = "to any principal ('*')"
                where = grant.stmt.loc("Principal")
            yield self.finding(
                grant.node,
                f"{grant.where()} allows{what} {whom} {how}",
                where,
                evidence=grant.key(), related=policy_related(graph, grant.node),
            )


#: AWS managed policies that amount to (near) administrator access.
ADMIN_MANAGED_POLICIES: dict[str, Severity] = {
    "AdministratorAccess": Severity.CRITICAL,
    "PowerUserAccess": Severity.HIGH,
    "IAMFullAccess": Severity.HIGH,
}
_AWS_MANAGED = re.compile(r"^arn:aws[a-z-]*:iam::aws:policy/(?:.*/)?(?P<name>[^/]+)$")


def managed_admin_policy(value: Any) -> str | None:
    """The admin policy name when `value` names an AWS managed admin policy."""
    text = _known_str(value)
    if text is None:
        return None
    text = text.strip()
    match = _AWS_MANAGED.match(text)
    name = match.group("name") if match else (text if ":" not in text else None)
    return name if name in ADMIN_MANAGED_POLICIES else None


class AdminManagedPolicyAttached(_IamRule):
    id = "IAC045"
    title = "AWS managed administrator policy attached"
    severity = Severity.HIGH
    description = (
        "AdministratorAccess, PowerUserAccess and IAMFullAccess grant (or let the holder "
        "grant itself) control over the whole account. Attached to a role, user or group "
        "used by a workload, they turn any credential leak into an account takeover."
    )
    remediation = {
        "terraform": (
            "Attach a customer managed policy with the needed actions instead of "
            "`arn:aws:iam::aws:policy/AdministratorAccess` (`policy_arn`/`managed_policy_arns`)."
        ),
        "cloudformation": (
            "Replace the AWS managed admin ARN in `ManagedPolicyArns` with a policy that lists "
            "the needed actions."
        ),
        "iam": (
            "Detach the policy (`aws iam detach-role-policy`) and attach one that lists the "
            "needed actions."
        ),
    }
    links = (
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/access_policies_job-functions.html",
        "https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege",
    )
    tags = ("iam", "admin", "managed-policy")

    def check(self, graph: Graph, config: Config) -> Iterator[Finding]:
        for node in graph:
            attached = node.fact("managed_policy_arns")
            if not isinstance(attached, (list, tuple)):
                continue
            for item in attached:
                value, loc = item if isinstance(item, tuple) and len(item) == 2 else (item, None)
                name = managed_admin_policy(value)
                if name is None:
                    continue
                yield self.finding(
                    node,
                    f"{node.address} attaches the AWS managed policy {name}",
                    loc if isinstance(loc, Location) else node.fact_loc("managed_policy_arns"),
                    ADMIN_MANAGED_POLICIES[name],
                    evidence=f"managed policy {name}",
                    related=policy_related(graph, node),
                )


RULES = [
    FullWildcardAction,
    ServiceWildcardAction,
    AllowNotAction,
    PartialWildcardAction,
    PublicPrincipal,
    AdminManagedPolicyAttached,
]
