"""iam-wildcard rules over hand-built policy facts (through linter.policy.parse_policy)."""

from __future__ import annotations

from typing import Any

from linter.config import Config
from linter.model import UNKNOWN, Severity
from linter.policy import parse_policy
from rules.iam_wildcard import (
    AdminManagedPolicyAttached,
    AllowNotAction,
    FullWildcardAction,
    PartialWildcardAction,
    PublicPrincipal,
    ServiceWildcardAction,
    managed_admin_policy,
)
from tests.test_rules_support import graph, loc, node, run


def policy_node(
    *statements: dict[str, Any], kind: str = "iam.managed_policy", ptype: str = "identity"
):
    doc = parse_policy(
        {"Version": "2012-10-17", "Statement": list(statements)},
        lambda path: loc(10 + (path[1] if len(path) > 1 else 0)),
        policy_type=ptype,
        name="policy",
    )
    return node("aws_iam_policy.p", kind, facts={"policies": [doc]})


def test_full_admin() -> None:
    g = graph(policy_node({"Effect": "Allow", "Action": "*", "Resource": "*"}))
    [f] = run(FullWildcardAction, g)
    assert f.severity is Severity.CRITICAL
    assert "full administrator access" in f.message
    assert f.location.start_line == 10


def test_deny_and_specific_actions_never_reported() -> None:
    g = graph(policy_node(
        {"Effect": "Deny", "Action": "*", "Resource": "*"},
        {"Effect": "Deny", "NotAction": "iam:*", "Resource": "*"},
        {"Effect": "Allow", "Action": ["s3:GetObject"], "Resource": "*"},
        {"Effect": "Allow", "Action": UNKNOWN, "Resource": "*"},
    ))
    for rule in (FullWildcardAction, ServiceWildcardAction, AllowNotAction, PublicPrincipal):
        assert run(rule, g) == []


def test_service_wildcard_severity() -> None:
    g = graph(policy_node(
        {"Sid": "Logs", "Effect": "Allow", "Action": "logs:*", "Resource": "*"},
        {"Sid": "Iam", "Effect": "Allow", "Action": ["iam:*"], "Resource": "*"},
        {"Sid": "S3One", "Effect": "Allow", "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"},
    ))
    found = run(ServiceWildcardAction, g)
    assert [(f.severity, f.location.start_line) for f in found] == [
        (Severity.HIGH, 10), (Severity.CRITICAL, 11), (Severity.HIGH, 12)]
    assert found[0].message == "policy statement 'Logs' allows 'logs:*'"


def test_not_action() -> None:
    g = graph(policy_node({"Effect": "Allow", "NotAction": ["iam:*"], "Resource": "*"}))
    [f] = run(AllowNotAction, g)
    assert f.severity is Severity.CRITICAL
    assert "every action except 'iam:*'" in f.message


def test_unknown_not_action_is_no_evidence() -> None:
    g = graph(policy_node({"Effect": "Allow", "NotAction": UNKNOWN, "Resource": "*"}))
    assert run(AllowNotAction, g) == []


def test_partial_wildcards_opt_in() -> None:
    g = graph(policy_node({"Effect": "Allow", "Action": ["s3:Get*", "s3:PutObject"],
                           "Resource": "*"}))
    assert run(PartialWildcardAction, g) == []
    [f] = run(PartialWildcardAction, g, Config(include_partial_wildcards=True))
    assert "'s3:Get*'" in f.message and f.severity is Severity.LOW


def key_policy(principal: Any, action: str = "kms:*"):
    return policy_node(
        {"Effect": "Allow", "Principal": {"AWS": principal}, "Action": action, "Resource": "*"},
        kind="kms.key", ptype="resource",
    )


def test_default_key_policy_not_reported_but_other_account_is() -> None:
    assert run(ServiceWildcardAction, graph(key_policy(UNKNOWN))) == []
    assert run(ServiceWildcardAction, graph(
        key_policy("arn:aws:iam::${AWS::AccountId}:root"))) == []
    # A literal account may be the key's own or another one: low, and worded as such.
    [f] = run(ServiceWildcardAction, graph(key_policy("arn:aws:iam::111122223333:root")))
    assert f.severity is Severity.LOW
    assert "111122223333" in f.message and "not the key's own" in f.message


def test_public_principal_needs_no_condition() -> None:
    open_ = policy_node({"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
                         "Resource": "arn:aws:s3:::b/*"}, kind="s3.bucket_policy", ptype="resource")
    [f] = run(PublicPrincipal, graph(open_))
    assert f.severity is Severity.HIGH and "any principal" in f.message
    conditioned = policy_node({
        "Effect": "Allow", "Principal": {"AWS": "*"}, "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/*",
        "Condition": {"StringEquals": {"aws:PrincipalOrgID": "o-123"}},
    }, kind="s3.bucket_policy", ptype="resource")
    assert run(PublicPrincipal, graph(conditioned)) == []
    transport_only = policy_node({
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
        "Resource": "arn:aws:s3:::b/*", "Condition": {"Bool": {"aws:SecureTransport": "true"}},
    }, kind="s3.bucket_policy", ptype="resource")
    [f] = run(PublicPrincipal, graph(transport_only))
    assert f.message.endswith("with no condition on the caller")
    web_identity = policy_node({
        "Effect": "Allow", "Principal": "*", "Action": "sts:AssumeRoleWithWebIdentity",
        "Condition": {"StringEquals": {"token.actions.githubusercontent.com:sub": "repo:o/r:*"}},
    }, kind="iam.role", ptype="trust")
    assert run(PublicPrincipal, graph(web_identity)) == []


def test_managed_admin_policies() -> None:
    assert managed_admin_policy("arn:aws:iam::aws:policy/AdministratorAccess") == \
        "AdministratorAccess"
    assert managed_admin_policy("arn:aws-us-gov:iam::aws:policy/PowerUserAccess") == \
        "PowerUserAccess"
    assert managed_admin_policy("arn:aws:iam::123456789012:policy/AdministratorAccess") is None
    assert managed_admin_policy("arn:aws:iam::aws:policy/ReadOnlyAccess") is None
    attachment = node("aws_iam_role_policy_attachment.a", "iam.policy_attachment", facts={
        "managed_policy_arns": [("arn:aws:iam::aws:policy/AdministratorAccess", loc(4)),
                                (UNKNOWN, loc(5))]})
    [f] = run(AdminManagedPolicyAttached, graph(attachment))
    assert f.severity is Severity.CRITICAL and f.location.start_line == 4


def _allow_iam(**extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Action": ["iam:*", "logs:*"], "Resource": "*", **extra}


def test_a_deny_cancels_only_what_it_certainly_covers() -> None:
    def reported(*denies: dict[str, Any]) -> list[str]:
        findings = run(ServiceWildcardAction, graph(policy_node(_allow_iam(), *denies)))
        return [a for f in findings for a in ("iam:*", "logs:*") if f"'{a}'" in f.message]

    deny = {"Effect": "Deny", "Resource": "*"}
    assert reported({**deny, "Action": ["iam:*", "logs:*"]}) == []
    assert reported({**deny, "Action": "*"}) == []
    assert reported({**deny, "Action": "iam:*"}) == ["logs:*"]
    # A narrower action, resource, a condition, NotResource, NotAction or an unknown
    # value cancels nothing.
    assert reported({**deny, "Action": "iam:Create*"}) == ["iam:*", "logs:*"]
    assert reported({"Effect": "Deny", "Action": "*", "Resource": "arn:aws:iam::1:role/x"}) == [
        "iam:*", "logs:*"]
    assert reported({**deny, "Action": "*", "Condition": {"Bool": {"aws:X": "true"}}}) == [
        "iam:*", "logs:*"]
    assert reported({"Effect": "Deny", "Action": "*", "NotResource": "arn:x"}) == [
        "iam:*", "logs:*"]
    assert reported({**deny, "NotAction": "s3:*"}) == ["iam:*", "logs:*"]
    assert reported({**deny, "Action": UNKNOWN}) == ["iam:*", "logs:*"]
    assert reported({"Effect": UNKNOWN, "Action": "*", "Resource": "*"}) == ["iam:*", "logs:*"]


def test_a_deny_in_a_resource_policy_must_cover_the_principals() -> None:
    allow = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject",
             "Resource": "arn:aws:s3:::b/*"}

    def public(*denies: dict[str, Any]) -> int:
        return len(run(PublicPrincipal, graph(policy_node(
            allow, *denies, kind="s3.bucket_policy", ptype="resource"))))

    assert public({"Effect": "Deny", "Principal": "*", "Action": "s3:*",
                   "Resource": "arn:aws:s3:::b/*"}) == 0
    assert public({"Effect": "Deny", "Principal": {"AWS": "arn:aws:iam::1:root"},
                   "Action": "s3:*", "Resource": "arn:aws:s3:::b/*"}) == 1
    assert public({"Effect": "Deny", "NotPrincipal": {"AWS": "arn:aws:iam::1:root"},
                   "Action": "s3:*", "Resource": "*"}) == 1


def test_not_principal_allow_is_any_principal() -> None:
    stmt = {"Effect": "Allow", "NotPrincipal": {"AWS": "arn:aws:iam::1:role/x"},
            "Action": "sqs:SendMessage", "Resource": "arn:aws:sqs:us-east-1:1:q"}
    [f] = run(PublicPrincipal, graph(policy_node(stmt, kind="sqs.queue_policy", ptype="resource")))
    assert "except arn:aws:iam::1:role/x" in f.message
    denied = {**stmt, "Effect": "Deny"}
    assert run(PublicPrincipal, graph(policy_node(
        denied, kind="sqs.queue_policy", ptype="resource"))) == []
